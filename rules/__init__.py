"""Pure decision and dynamics arithmetic over numpy arrays.

Every rule of the model that is arithmetic lives here, free of Mesa objects, so the agent model
and a vectorised ensemble can share one definition. Functions broadcast: pass scalars for one
state or arrays with a leading replication axis for many. Nothing here draws random numbers;
callers pass in the draws they made from their own generator.

Modules:
    risk: perceived risk of catastrophe, critical risk (resolve), destruction.
    bargaining: the value of each option on the ladder and the choice among them.
    beliefs: how observers revise a state's reckless image and estimated resolve.
    alliance: joining a war, bloc images, cohesion dynamics, third-power pull.
    leaders: leader exit hazards and the trait shift a successor brings.
    backward_induction: exact solution of a two-sided crisis with complete information.
    crisis_game: the crisis as one game (rungs, moves, chance events, private types, payoffs).
    game_tree: the public game tree of a `CrisisGame`, built level by level.
    qre: the homotopy along the principal branch of the logit QRE (McKelvey & Palfrey 1998; Turocy 2005).
    equilibrium: the agent logit QRE at a precision lambda and its limit, with Bayes' rule beliefs.
    markov_qre: the stationary (no deadline) form, solved over states.
    equilibrium_grid: backward induction over states and a posterior grid, for large games.
    belief_equilibrium: backward induction over time and reputations (normal and obstinate types).
    crisis_play: many runs of a solved crisis stepped as arrays, each move a gather and a draw.
"""
