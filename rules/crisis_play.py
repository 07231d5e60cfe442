"""Playing the solved crisis: many runs of one game stepped as arrays, each move a gather and a draw.

The runs hold each side's true type (obstinate or not, drawn when the crisis opens), the public
state and the public posteriors. A move is: look up the stage game at each run's state and
beliefs (`rules.belief_equilibrium.BeliefSolution.decide`, computed once per distinct state and
belief and gathered), draw the mover's move from the normal type's equilibrium probabilities (an
obstinate type makes its fixed move), update the posterior about the mover by Bayes' rule, and
draw the chance outcome of the move from `CrisisGame.step`, the one definition of the rules. The
caller passes the uniforms, so the Mesa model and the ensemble can draw them from their own
streams (Starsim's common random numbers: one draw per decision and run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rules.belief_equilibrium import BeliefSolution, Layout, Play, bracket, combine, obstinate_prior
from rules.crisis_game import JOINED, NOT_CALLED, YIELD, GameError, ally_status

KINDS = ("continue", "yield", "deliberate", "slip", "ally", "fight", "stalemate")
"""Codes of what a move led to (index = code); the endings of `rules.crisis_game.TERMINAL_KINDS`."""
CONTINUE, YIELDED, DELIBERATE, SLIP, ALLY, FIGHT, STALEMATE = range(len(KINDS))


@dataclass(frozen=True)
class Transitions:
    """Every chance outcome of every move from every public state, as arrays (from `CrisisGame.step`).

    Attributes:
        p: Probability of each outcome, (S, A, O) (0 pads).
        kind: Its code in `KINDS`, (S, A, O).
        after: State index reached (continuing outcomes), (S, A, O).
        rung: Rung it happened at, (S, A, O).
        winner: Winner of a decisive fight, else -1, (S, A, O).
        target: Rung each move goes to (`YIELD` for yielding), (S, A).
        allies: Each side's ally status after the outcome (`rules.crisis_game.ally_status`), (S, A, O, 2).
        state_allies: Each side's ally status in each public state, (S, 2).
        mover: Side to move in each public state, (S,).
        horizon: The game's horizon (None: no deadline).
    """

    p: NDArray[np.float64]
    kind: NDArray[np.intp]
    after: NDArray[np.intp]
    rung: NDArray[np.intp]
    winner: NDArray[np.intp]
    target: NDArray[np.intp]
    allies: NDArray[np.int8]
    state_allies: NDArray[np.int8]
    mover: NDArray[np.intp]
    horizon: int | None


def transitions(source: BeliefSolution | Layout) -> Transitions:
    """The outcomes of each move, read from the game (the horizon is applied by `play_move`).

    ``source`` is a solved game or only its layout (`rules.belief_equilibrium.build_layout`),
    which is all that playing moves chosen by other policies needs.
    """
    lay = source.layout if isinstance(source, BeliefSolution) else source
    game = lay.game
    shape = (*lay.valid.shape, 1 + max(len(game.step(s, m.target)) for s in lay.states for m in game.moves(s)[1:]))
    p, kind = np.zeros(shape), np.zeros(shape, dtype=np.intp)
    after, rung, winner = np.zeros(shape, dtype=np.intp), np.zeros(shape, dtype=np.intp), np.full(shape, -1)
    target = np.full(shape[:2], YIELD, dtype=np.intp)
    state_allies = np.array([[ally_status(j) for j in s.joined] for s in lay.states], dtype=np.int8)
    allies = np.repeat(np.repeat(state_allies[:, None, None, :], shape[1], axis=1), shape[2], axis=2)
    for i, state in enumerate(lay.states):
        for a, move in enumerate(game.moves(state)):
            target[i, a] = move.target
            if move.target == YIELD:
                p[i, a, 0], kind[i, a, 0], rung[i, a, 0] = 1.0, YIELDED, state.rung
                continue
            for o, out in enumerate(game.step(state, move.target)):
                p[i, a, o], kind[i, a, o], rung[i, a, o] = out.probability, KINDS.index(out.kind), out.state.rung
                winner[i, a, o] = -1 if out.winner is None else out.winner
                allies[i, a, o] = [ally_status(j) for j in out.state.joined]
                if out.kind == "continue":
                    after[i, a, o] = lay.state_index(out.state.rung, out.state.mover, out.state.joined)
    return Transitions(p, kind, after, rung, winner, target, allies, state_allies, lay.mover, game.horizon)


@dataclass
class Crises:
    """Runs of one crisis game (one row each).

    Attributes:
        state: Public state index (`rules.belief_equilibrium.Layout`), (R,).
        elapsed: Moves made, (R,).
        mu: Public posteriors that each side is obstinate, (R, 2).
        obstinate: Each side's true type, (R, 2).
        ended: What ended the crisis (`KINDS` code; `CONTINUE` while open), (R,).
        rung: Rung at the end or now, (R,).
        max_rung: Highest rung reached, (R,).
        loser: Side that yielded or lost the fight, else -1, (R,).
    """

    state: NDArray[np.intp]
    elapsed: NDArray[np.intp]
    mu: NDArray[np.float64]
    obstinate: NDArray[np.bool_]
    ended: NDArray[np.intp]
    rung: NDArray[np.intp]
    max_rung: NDArray[np.intp]
    loser: NDArray[np.intp]

    @property
    def open(self) -> NDArray[np.bool_]:
        """Runs still in crisis."""
        return self.ended == CONTINUE


def open_crises(sol: BeliefSolution, u_types: NDArray) -> Crises:
    """Open one crisis per row of ``u_types`` (R, 2): side ``i`` is obstinate when ``u < its true chance``.

    The true chance is the game's prior unless the caller's `draw_types` says otherwise.
    """
    return draw_types(sol, u_types, sol.prior())


def draw_types(source: BeliefSolution | Layout, u_types: NDArray, true_chances: NDArray) -> Crises:
    """Open crises whose types are drawn with ``true_chances`` (2,) while beliefs start at the game's prior.

    ``source`` is the solved game, or only its layout when no side plays the equilibrium.
    """
    lay = source.layout if isinstance(source, BeliefSolution) else source
    g, reps = lay.game, len(u_types)
    start = lay.state_index(g.start_rung, g.first_mover, g.start().joined)
    has = np.array(lay.has_obstinate)
    obstinate = (np.asarray(u_types) < np.asarray(true_chances)[None, :]) & has[None, :]
    mu = np.tile(np.array([obstinate_prior(side) for side in g.sides]), (reps, 1))
    return Crises(
        state=np.full(reps, start, dtype=np.intp), elapsed=np.zeros(reps, dtype=np.intp),
        mu=mu, obstinate=obstinate, ended=np.zeros(reps, dtype=np.intp),
        rung=np.full(reps, g.start_rung, dtype=np.intp), max_rung=np.full(reps, g.start_rung, dtype=np.intp),
        loser=np.full(reps, -1, dtype=np.intp),
    )


def belief_lottery(grid: NDArray, x: NDArray, u: NDArray) -> NDArray[np.float64]:
    """Put posteriors ``x`` on the belief ``grid`` by a public, mean-preserving lottery (uniforms ``u``).

    The solver values a posterior between grid points ``lo < x < hi`` by linear interpolation
    (`rules.belief_equilibrium`), which is the expected value of playing on from ``hi`` with chance
    ``w = (x - lo) / (hi - lo)`` and from ``lo`` otherwise. Drawing that lottery makes the runs play
    exactly the grid game whose values the solver computed, so each mover's choice is a best reply to
    the play that follows it (re-solving at the exact posterior would not be: there the responder's
    reply is pure where the grid game's is a mix). The mean of the belief is the Bayes posterior.
    """
    grid = np.asarray(grid, dtype=float)
    lo, hi, w = bracket(grid, np.asarray(x, dtype=float))  # the solver's own interpolation weights
    return np.where(np.asarray(u) < w, grid[hi], grid[lo])


def decide_unique(sol: BeliefSolution, elapsed: int, state: NDArray, mu: NDArray) -> Play:
    """`BeliefSolution.decide` once per distinct (state, beliefs), gathered back to every run."""
    keys = np.column_stack([state.astype(float), mu])
    unique, back = np.unique(keys, axis=0, return_inverse=True)
    play = sol.decide(elapsed, unique[:, 0].astype(np.intp), unique[:, 1:])
    back = back.ravel()
    return Play(*(getattr(play, name)[back] for name in Play.__dataclass_fields__))


def pick(p: NDArray, u: NDArray) -> NDArray:
    """Inverse-CDF draw of one slot per row of probabilities ``p`` (R, K) with uniforms ``u`` (R,).

    The cumulative sum is divided by its total, so rounding never lands on a slot of probability 0.
    """
    cumulative = np.cumsum(p, axis=1)
    cumulative /= cumulative[:, -1:]
    return np.minimum(np.sum(cumulative <= u[:, None], axis=1), p.shape[1] - 1)


@dataclass(frozen=True)
class MoveRecord:
    """One move in each open run, and why it was made.

    Attributes:
        rows: Runs that moved, (M,).
        mover: Side that moved, (M,).
        slot: Move slot chosen, (M,) (`rules.crisis_game.CrisisGame.moves` order).
        target: Rung moved to (`YIELD` for yielding), (M,).
        belief: Public posteriors before the move, (M, 2).
        play: The stage game the mover faced (probabilities and values of each option); None when
            the game was not solved (every move chosen by another policy).
        outcome: What the move led to (`KINDS` code), (M,).
        rung: Rung it led to, (M,).
        allies_before: Each side's ally status before the move (`rules.crisis_game.ally_status`), (M, 2).
        allies_after: Each side's ally status after it (a change from not called is a call), (M, 2).
        chosen: Whether the mover's move was its own choice rather than the equilibrium's, (M,).
        posterior: The exact Bayes posterior that the mover is obstinate after its move, (M,) (the
            public belief the runs play on may be its grid lottery, `belief_lottery`).
    """

    rows: NDArray[np.intp]
    mover: NDArray[np.intp]
    slot: NDArray[np.intp]
    target: NDArray[np.intp]
    belief: NDArray[np.float64]
    play: Play | None
    outcome: NDArray[np.intp]
    rung: NDArray[np.intp]
    allies_before: NDArray[np.int8]
    allies_after: NDArray[np.int8]
    chosen: NDArray[np.bool_]
    posterior: NDArray[np.float64]

    @property
    def called(self) -> NDArray[np.bool_]:
        """Whether the move called each side's ally (its status left `NOT_CALLED`), (M, 2)."""
        return (self.allies_before == NOT_CALLED) & (self.allies_after != NOT_CALLED)

    @property
    def joined(self) -> NDArray[np.bool_]:
        """Whether each side's ally has joined after the move, (M, 2)."""
        return self.allies_after == JOINED


def _decide_open(sol: BeliefSolution, crises: Crises, rows: NDArray) -> Play:
    """The stage game of every open run, grouped by elapsed moves."""
    elapsed = crises.elapsed[rows]
    parts = [(elapsed == e, decide_unique(sol, int(e), crises.state[rows[elapsed == e]], crises.mu[rows[elapsed == e]]))
             for e in np.unique(elapsed)]
    return parts[0][1] if len(parts) == 1 else combine(parts, len(rows))


def play_move(
    sol: BeliefSolution | None, tr: Transitions, crises: Crises, u_move: NDArray, u_chance: NDArray,
    forced: NDArray | None = None, u_belief: NDArray | None = None,
) -> MoveRecord:
    """Every open run makes its move and draws its outcome (``u_move``, ``u_chance``: uniforms, (R,)).

    ``forced`` (R,) gives, where it is not -1, the move slot a non-equilibrium policy chose; the
    other side still reads that move with the equilibrium's Bayes update (`Play.after`), as a
    player who expects equilibrium play does. With ``u_belief`` (R, 2) both public posteriors are
    then put on their belief grids by `belief_lottery` (the record keeps the exact one about the
    mover; a posterior already on its grid stays), so that from the second move on the runs play the
    grid game whose values the first decision used. With
    ``sol=None`` every open run's move must be forced and the posteriors stay where they are.
    Updates ``crises`` in place and returns the record.
    """
    rows = np.flatnonzero(crises.open)
    s, mover = crises.state[rows], tr.mover[crises.state[rows]]
    own = np.full(len(rows), -1) if forced is None else np.asarray(forced)[rows]
    chosen = own >= 0
    belief = crises.mu[rows].copy()
    play = None if sol is None else _decide_open(sol, crises, rows)
    if play is None:
        if not chosen.all():
            raise GameError("an unsolved game can only play moves chosen by other policies")
        slot, posterior = own, belief[np.arange(len(rows)), mover]
    else:
        obstinate = crises.obstinate[rows, mover]
        slot = np.where(obstinate, play.obstinate_move, pick(play.probabilities, u_move[rows]))
        slot = np.where(chosen, own, slot)
        posterior = play.after(slot)
        crises.mu[rows, mover] = posterior
        if u_belief is not None:
            for side in (0, 1):
                crises.mu[rows, side] = belief_lottery(sol.grids[side], crises.mu[rows, side], u_belief[rows, side])
    o = pick(tr.p[s, slot], u_chance[rows])
    kind, rung = tr.kind[s, slot, o], tr.rung[s, slot, o]
    crises.elapsed[rows] += 1
    horizon = tr.horizon
    if horizon is not None:
        kind = np.where((kind == CONTINUE) & (crises.elapsed[rows] >= horizon), STALEMATE, kind)
    crises.state[rows] = np.where(kind == CONTINUE, tr.after[s, slot, o], s)
    crises.ended[rows], crises.rung[rows] = kind, rung
    crises.max_rung[rows] = np.maximum(crises.max_rung[rows], rung)
    loser = np.where(kind == YIELDED, mover, np.where(kind == FIGHT, 1 - tr.winner[s, slot, o], -1))
    crises.loser[rows] = loser
    return MoveRecord(rows, mover, slot, tr.target[s, slot], belief, play, kind, rung,
                      tr.state_allies[s], tr.allies[s, slot, o], chosen, posterior)


def slot_of(tr: Transitions, state: NDArray, target: NDArray) -> NDArray[np.intp]:
    """The move slot that goes to rung ``target`` (`YIELD` for yielding) in each public ``state``; -1 if none."""
    hits = tr.target[np.asarray(state)] == np.asarray(target)[:, None]
    return np.where(hits.any(axis=1), np.argmax(hits, axis=1), -1)


def check_horizon(sol: BeliefSolution, steps: int) -> None:
    """Refuse to play more moves than the game was solved for."""
    if sol.game.horizon is not None and steps > sol.game.horizon:
        raise GameError(f"{steps} moves exceed the game's horizon of {sol.game.horizon}")
