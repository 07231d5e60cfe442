"""Many replications of one scenario stepped in lockstep as numpy arrays.

The same step as `model.BrinkmanshipModel.step`, with the replication axis first (states
``(R, N)``, beliefs ``(R, N, N)``, alliances ``(R, A)``), and the same rules: every number
comes from the pure functions in `rules/` that the agent model calls. Replications that have
ended are written out and dropped, so the arrays shrink as the ensemble runs.

The crisis is the one game (`rules.scenario_game.crisis_game`), played move by move by
`rules.crisis_play.play_move` as the agent model plays it (`model.crisis`): each lead's type is
drawn when the crisis opens, a lead of policy ``equilibrium`` makes the equilibrium's move and
one of policy ``heuristic`` its own (a forced slot), and the move's chance outcome (a slip, an
ally joining, a fight, an ally's own escalation) comes from the game's transitions. What the move
does to the world (damage, the treaty partners that join, the ending, all-out war calling the
clause) is applied here, on the arrays.

Every replication has its own seed, and each of its draws is a function of that seed, the kind
of draw, the step and a slot (`ensemble.streams`), so a replication's result does not depend on
which other replications share its task: one row of a sweep replays alone
(`ensemble.rows.replay_summary`). The crisis's draws (types, moves, chance outcomes, partners,
the clause) are the agent model's, so where nothing else in the world interferes a replication
plays the same crisis as the agent run of the same seed; the world's other draws (leaders,
cohesion noise, the heuristic's softmax) differ from the agent model's, their distributions do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from ensemble import streams
from ensemble.streams import normals, uniform, uniforms
from ensemble.world import CONVENTIONAL, HEURISTIC, SURVIVABLE, World, build_world, check_supported
from model import outcomes
from rules import beliefs
from rules import crisis_play as cp
from rules.alliance import bloc_image, cohesion_target, join_probability, shock_cohesion, step_cohesion
from rules.alliance import third_power_pull as pull_of
from rules.bargaining import choose, concession_value, option_values, standfast_probability
from rules.belief_equilibrium import BeliefSolution, Layout, build_layout
from rules.beliefs import image_update_weight, update_image, update_resolve
from rules.crisis_effects import clause_calls, partner_joins
from rules.crisis_game import YIELD, CrisisGame, GameError
from rules.leaders import exit_probability, successor_traits
from rules.risk import critical_risk, destruction, perceived_risk
from rules.scenario_game import crisis_game, crisis_sides, logit_precision, true_obstinate_chances
from rules.solve_cache import solved
from scenarios import Scenario, ScenarioError

PENDING, ACTIVE, YIELDED, CATASTROPHE, STALEMATE = range(5)
STATUS_NAMES = ("not_started", "active", "yield", "catastrophe", "stalemate")
CHOICE, DEFEAT = 1, 2
CAUSE_NAMES = (None, outcomes.CHOICE, outcomes.DEFEAT)
"""Why a side yielded, by code (`model.outcomes`)."""
SLIPPED, DELIBERATE, ALLY = 1, 2, 3
CATASTROPHE_CAUSE_NAMES = (None, outcomes.SLIP, outcomes.DELIBERATE, outcomes.ALLY)
"""Why a crisis ended in catastrophe, by code (`model.outcomes`; ``ally``: a joined ally's own
escalation into all-out war, `rules.crisis_game`)."""
NOT_OPENED = -1
"""`Runs.ended` of a crisis not yet open (the game's codes are `rules.crisis_play.KINDS`)."""

_ENDING = {
    "continue": (ACTIVE, 0, 0),
    "yield": (YIELDED, CHOICE, 0),
    "deliberate": (CATASTROPHE, 0, DELIBERATE),
    "slip": (CATASTROPHE, 0, SLIPPED),
    "ally": (CATASTROPHE, 0, ALLY),
    "fight": (YIELDED, DEFEAT, 0),
    "stalemate": (STALEMATE, 0, 0),
}
ENDINGS = np.array([_ENDING[kind] for kind in cp.KINDS])
"""Status, yield cause and catastrophe cause of each of the game's endings, by `rules.crisis_play.KINDS` code."""


@dataclass
class Outcomes:
    """What each replication produced, indexed by replication.

    Sides are the engine's: side 0 moves first (`ensemble.world.CrisisArrays`).

    Attributes:
        status: Crisis status code (see `STATUS_NAMES`); ``not_started`` without a crisis.
        yielder: Side index that yielded or lost the fight, or -1.
        cause: Why it yielded: 1 choice, 2 defeat, 0 none.
        catastrophe_cause: 1 slip, 2 deliberate (a side chose the top rung), 3 ally (a joined ally's own
            escalation into all-out war), 0 none.
        rung: Rung at the end (the rung of the yield; the top after a catastrophe).
        max_rung: Highest rung reached.
        first_deliberate: State index of the first lead whose own move was onto a nuclear rung, or -1.
        slip_holder: State index of the lead whose move preceded a slip, or -1.
        slip_rung: Rung the crisis slipped at, or -1.
        moves: Moves made in the crisis.
        opened_at, ended_at: Steps the crisis opened and ended (-1 if it did not).
        members: (R, 2, N) belligerents of each side at the end.
        declined: (R, 2, N) treaty partners that were called and stayed out.
        order: (R, 2, N) rank at which a state joined or refused each side (its place in the agent
            model's lists), -1 if neither.
        steps: Steps the run lasted.
        active: (R, A) whether each alliance is in force at the end.
        cohesion: (R, A) each alliance's cohesion at the end.
        dissolved_at: (R, A) step of dissolution, or -1.
        successions: (R, N) leader changes of each state.
        damage: (R, N) share of each state's value at risk destroyed.
        posterior: (R, 2) final public posterior that each side's lead is obstinate (NaN if the crisis
            never opened).
        obstinate: (R, 2) whether each side's lead was drawn obstinate.
    """

    status: np.ndarray
    yielder: np.ndarray
    cause: np.ndarray
    catastrophe_cause: np.ndarray
    rung: np.ndarray
    max_rung: np.ndarray
    first_deliberate: np.ndarray
    slip_holder: np.ndarray
    slip_rung: np.ndarray
    moves: np.ndarray
    opened_at: np.ndarray
    ended_at: np.ndarray
    members: np.ndarray
    declined: np.ndarray
    order: np.ndarray
    steps: np.ndarray
    active: np.ndarray
    cohesion: np.ndarray
    dissolved_at: np.ndarray
    successions: np.ndarray
    damage: np.ndarray
    posterior: np.ndarray
    obstinate: np.ndarray


@dataclass
class Runs:
    """The changing state of the replications still running (one row each).

    The crisis's game state is held in the arrays of a `rules.crisis_play.Crises` (`crises_of`):
    ``game_state``, ``moves`` (its elapsed moves), ``mu``, ``types``, ``ended``, ``rung``,
    ``max_rung`` and ``loser``, in the game's side order.
    """

    ids: np.ndarray
    base: np.ndarray  # (R,) uint64 stream base of each replication's seed (`ensemble.streams.bases`)
    fear: np.ndarray
    recklessness: np.ndarray
    commitment: np.ndarray
    age: np.ndarray
    successions: np.ndarray
    damage: np.ndarray
    image: np.ndarray  # (R, N, N) recklessness beliefs, observer x target (the heuristic's view)
    resolve: np.ndarray  # (R, N, N) resolve beliefs (the heuristic's view)
    cohesion: np.ndarray
    active: np.ndarray
    dissolved_at: np.ndarray
    status: np.ndarray
    rung: np.ndarray
    max_rung: np.ndarray
    yielder: np.ndarray
    cause: np.ndarray
    catastrophe_cause: np.ndarray
    first_deliberate: np.ndarray
    slip_holder: np.ndarray
    slip_rung: np.ndarray
    opened_at: np.ndarray
    ended_at: np.ndarray
    moves: np.ndarray
    members: np.ndarray  # (R, 2, N) belligerents of each side
    totals: np.ndarray  # (R, 2, 3) conventional strength, warheads, survivable warheads of each side's members
    declined: np.ndarray  # (R, 2, N) partners that stayed out
    order: np.ndarray  # (R, 2, N) rank of joining or refusing (see `Outcomes`)
    calls: np.ndarray  # (R,) partners asked so far (the next one's rank is N + calls)
    game_state: np.ndarray  # (R,) public state of the game (`rules.belief_equilibrium.Layout`)
    mu: np.ndarray  # (R, 2) public posteriors that each game side is obstinate
    types: np.ndarray  # (R, 2) whether each game side's lead is obstinate
    ended: np.ndarray  # (R,) the game's ending (`rules.crisis_play.KINDS`), `NOT_OPENED` before the opening
    loser: np.ndarray  # (R,) game side that yielded or lost the fight, else -1

    def keep(self, mask: np.ndarray) -> Runs:
        """The runs where `mask` is true."""
        return Runs(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})


def start(world: World, seeds: np.ndarray) -> Runs:
    """One replication per seed in `seeds`, at step 0."""
    reps = len(seeds)
    n, a = len(world.codes), len(world.alliance_ids)

    def tile(values: np.ndarray) -> np.ndarray:
        return np.repeat(values[None, ...], reps, axis=0).copy()

    crisis = world.crisis
    members = tile(crisis.members) if crisis is not None else np.zeros((reps, 2, n), dtype=bool)
    order = tile(crisis.order) if crisis is not None else np.full((reps, 2, n), -1, dtype=np.int32)
    totals = tile(crisis.totals) if crisis is not None else np.zeros((reps, 2, 3))
    return Runs(
        ids=np.arange(reps),
        base=streams.bases(seeds),
        fear=tile(world.fear),
        recklessness=tile(world.recklessness),
        commitment=tile(world.commitment),
        age=tile(world.age),
        successions=np.zeros((reps, n), dtype=np.int32),
        damage=np.zeros((reps, n)),
        image=tile(world.image),
        resolve=np.full((reps, n, n), 0.5),
        cohesion=tile(world.cohesion),
        active=tile(world.active),
        dissolved_at=np.full((reps, a), -1),
        status=np.full(reps, PENDING),
        rung=np.zeros(reps, dtype=np.intp),
        max_rung=np.zeros(reps, dtype=np.intp),
        yielder=np.full(reps, -1),
        cause=np.zeros(reps, dtype=int),
        catastrophe_cause=np.zeros(reps, dtype=int),
        first_deliberate=np.full(reps, -1),
        slip_holder=np.full(reps, -1),
        slip_rung=np.full(reps, -1),
        opened_at=np.full(reps, -1),
        ended_at=np.full(reps, -1),
        moves=np.zeros(reps, dtype=np.intp),
        members=members,
        totals=totals,
        declined=np.zeros((reps, 2, n), dtype=bool),
        order=order,
        calls=np.zeros(reps, dtype=np.int32),
        game_state=np.zeros(reps, dtype=np.intp),
        mu=np.full((reps, 2), np.nan),
        types=np.zeros((reps, 2), dtype=bool),
        ended=np.full(reps, NOT_OPENED, dtype=np.intp),
        loser=np.full(reps, -1, dtype=np.intp),
    )


def run_ensemble(spec: Scenario, seeds: Sequence[int] | np.ndarray) -> Outcomes:
    """Run one replication of `spec` per seed to its end.

    Args:
        spec: A validated scenario the engine supports.
        seeds: Each replication's own seed (non-negative, below 2**64), e.g.
            `batch.seeds.run_seeds`; a replication's result depends on its seed alone.

    Raises:
        UnsupportedScenarioError: The scenario uses a feature the engine does not implement.
        ScenarioError: The crisis cannot be played or solved as a game.
    """
    check_supported(spec)
    world = build_world(spec)
    play = crisis_play(spec, world)
    params = spec.params
    runs = start(world, np.asarray(seeds))
    sides = play.sides if play is not None else np.array([0, 1])
    out = snapshot(runs, sides, 0, copy=True)
    step = 0
    while len(runs.ids):
        step += 1
        age_leaders(world, runs, spec, step)
        if play is not None:
            if step == world.crisis.start_step:
                open_crisis(world, runs, spec, step, play)
            if step >= world.crisis.start_step:
                play_turn(world, runs, spec, step, play)
        update_alliances(world, runs, spec, step)
        if step >= params.max_steps:
            limit = runs.status == ACTIVE
            runs.status[limit], runs.ended_at[limit] = STALEMATE, step
            done = np.ones(len(runs.ids), dtype=bool)
        elif params.stop_when_crises_end and world.crisis is not None:
            done = runs.status >= YIELDED
        else:
            done = np.zeros(len(runs.ids), dtype=bool)
        if done.any():
            record(out, runs.keep(done), sides, step)
            runs = runs.keep(~done)
    return out


def snapshot(runs: Runs, sides: np.ndarray, step: int, copy: bool = False) -> Outcomes:
    """The outcomes of `runs` as they stand at `step` (posteriors and types put in the engine's side order)."""
    own = ("steps", "posterior", "obstinate")
    shared = {f.name: getattr(runs, f.name) for f in fields(Outcomes) if f.name not in own}
    if copy:
        shared = {name: values.copy() for name, values in shared.items()}
    return Outcomes(
        **shared, steps=np.full(len(runs.ids), step), posterior=runs.mu[:, sides], obstinate=runs.types[:, sides]
    )


def record(out: Outcomes, ended: Runs, sides: np.ndarray, step: int) -> None:
    """Write the outcomes of runs that ended at `step`."""
    done = snapshot(ended, sides, step)
    for f in fields(Outcomes):
        getattr(out, f.name)[ended.ids] = getattr(done, f.name)


# leaders ------------------------------------------------------------------------------------


def age_leaders(world: World, runs: Runs, spec: Scenario, step: int) -> None:
    """Every leader ages a step; some leave office, their successor's traits drawn as in `agents`."""
    params = spec.params
    dt = params.step_years
    n = len(world.codes)
    runs.age += dt
    p = exit_probability(runs.age, world.political_hazard, world.mortality_log_base, params.leaders.mortality_slope, dt)
    mortal = np.nonzero((p > 0).any(axis=0))[0]  # a leader who cannot leave office draws nothing
    succeeded = np.zeros(p.shape, dtype=bool)
    succeeded[:, mortal] = uniforms(runs.base, streams.LEADER_EXIT, step, mortal) < p[:, mortal]
    if not succeeded.any():
        return
    rows, states = np.nonzero(succeeded)
    traits = np.stack([runs.fear[rows, states], runs.recklessness[rows, states], runs.commitment[rows, states]], -1)
    slots = 3 * states[:, None] + np.arange(3)[None, :]  # the state's three traits
    shifts = np.take_along_axis(normals(runs.base[rows], streams.SUCCESSOR, step, 3 * n), slots, axis=1)
    drawn = successor_traits(traits, params.leaders.trait_sd, shifts)
    runs.fear[rows, states], runs.recklessness[rows, states], runs.commitment[rows, states] = drawn.T
    runs.age[rows, states] = 55.0
    runs.successions[rows, states] += 1
    shock = params.cohesion.succession_shock
    for state in range(n):  # in state order, as the agents step
        who = succeeded[:, state]
        if not who.any():
            continue
        for alliance in np.nonzero(world.alliance_members[:, state])[0]:
            hit = who & runs.active[:, alliance]
            runs.cohesion[hit, alliance] = shock_cohesion(
                runs.cohesion[hit, alliance], shock, world.institutionalisation[alliance]
            )


# the crisis -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrisisPlay:
    """The scenario's crisis as the one game, fixed for every replication.

    Attributes:
        game: The game (`rules.scenario_game.crisis_game`), built from the scenario as loaded.
        sol: Its solution (`rules.solve_cache.solved`); None when neither lead plays the equilibrium.
        layout: Its public states.
        tr: Every move's chance outcomes (`rules.crisis_play.transitions`).
        true_chances: Each game side's true chance of an obstinate lead (`true_obstinate_chances`), (2,).
        sides: The game side of each engine side, which is also the engine side of each game side
            (engine side 0 moves first; the game's sides are the crisis's as written), (2,).
        heuristic: Whether each game side's lead plays the heuristic rather than the equilibrium, (2,).
        allowed: Rungs the game's moves reach from each public state, (S, K).
        partners: Each game side's treaty partners (`rules.scenario_game.crisis_sides`): their state
            indices, alliance indices and join chances at the start, each (P,).
    """

    game: CrisisGame
    sol: BeliefSolution | None
    layout: Layout
    tr: cp.Transitions
    true_chances: np.ndarray
    sides: np.ndarray
    heuristic: np.ndarray
    allowed: np.ndarray
    partners: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]


def crisis_play(spec: Scenario, world: World) -> CrisisPlay | None:
    """The crisis's game, solved when a lead plays the equilibrium; None without a crisis.

    As `model.crisis` builds it: the game from the scenario as loaded, at ``params.game``'s
    precision and belief grid, the solve cached (`rules.solve_cache.solved`); without an
    equilibrium lead only the game's layout, whose moves the heuristic chooses among.

    Raises:
        ScenarioError: The crisis cannot be played or solved as a game (the message names it).
    """
    if world.crisis is None:
        return None
    key = world.crisis.id
    game = crisis_game(spec, key)
    sides = crisis_sides(spec, key)
    heuristic = np.array([spec.states[s.lead].policy.name == HEURISTIC for s in sides])
    try:
        sol = None if heuristic.all() else solved(game, logit_precision(spec), spec.params.game.belief_points)
    except GameError as error:
        raise ScenarioError(spec.source, f"crises.{key}", f"cannot be solved as a game: {error}") from None
    layout = build_layout(game) if sol is None else sol.layout
    tr = cp.transitions(layout if sol is None else sol)
    allowed = np.zeros((len(layout.states), len(world.slip)), dtype=bool)
    states, slots = np.nonzero(layout.valid & (tr.target >= 0))
    allowed[states, tr.target[states, slots]] = True
    where = {code: n for n, code in enumerate(world.codes)}
    partners = tuple(
        (
            np.array([where[a.code] for a in s.allies], dtype=np.intp),
            np.array([world.alliance_ids.index(a.alliance) for a in s.allies], dtype=np.intp),
            np.array([a.join for a in s.allies], dtype=float),
        )
        for s in sides
    )
    first = game.first_mover
    return CrisisPlay(
        game, sol, layout, tr, np.array(true_obstinate_chances(spec, key)), np.array([first, 1 - first]),
        heuristic, allowed, partners,
    )  # fmt: skip


def crises_of(runs: Runs) -> cp.Crises:
    """The runs' crisis state as `rules.crisis_play.Crises`, sharing the runs' arrays (a move updates both)."""
    return cp.Crises(
        state=runs.game_state, elapsed=runs.moves, mu=runs.mu, obstinate=runs.types, ended=runs.ended,
        rung=runs.rung, max_rung=runs.max_rung, loser=runs.loser,
    )  # fmt: skip


def survivable(world: World, runs: Runs, side: int) -> np.ndarray:
    """Surviving warheads of side `side`'s belligerents, (R,)."""
    return runs.totals[:, side, SURVIVABLE]


def conventional_share(world: World, runs: Runs, side: np.ndarray) -> np.ndarray:
    """Each run's side `side`'s share of the belligerents' conventional strength (0.5 if none), (R,)."""
    r = np.arange(len(runs.ids))
    own = runs.totals[r, side, CONVENTIONAL]
    total = own + runs.totals[r, 1 - side, CONVENTIONAL]
    return np.where(total > 0, own / np.where(total > 0, total, 1.0), 0.5)


def disaster_value(world: World, runs: Runs, spec: Scenario, side: int) -> np.ndarray:
    """Side `side`'s value of catastrophe (given, or its value at risk times destruction), (R,)."""
    crisis = world.crisis
    given = crisis.disaster[side]
    if not np.isnan(given):
        return np.full(len(runs.ids), given)
    share = destruction(survivable(world, runs, 1 - side), spec.params.warheads_for_devastation)
    lead = crisis.leads[side]
    return np.minimum(-world.value_at_risk[lead] * share, crisis.concede[side])


def open_crisis(world: World, runs: Runs, spec: Scenario, step: int, play: CrisisPlay) -> None:
    """Open the crisis on its start rung and draw each lead's type (draw ``TYPES``; Harsanyi 1967-68).

    No ally is called at the opening: the game has no call at its root (`rules.scenario_game`).
    The public resolve estimates the heuristic reads are set from the stakes, as in `model.crisis`.
    """
    crisis = world.crisis
    runs.status[:] = ACTIVE
    runs.rung[:] = runs.max_rung[:] = crisis.start_rung
    runs.opened_at[:] = step
    u_types = streams.opening_draws(runs.base, step)
    opened = cp.draw_types(play.layout if play.sol is None else play.sol, u_types, play.true_chances)
    runs.game_state[:], runs.mu[:], runs.types[:] = opened.state, opened.mu, opened.obstinate
    runs.ended[:], runs.loser[:] = cp.CONTINUE, -1
    for side in (0, 1):
        public = critical_risk(crisis.prevail[side], crisis.concede[side], disaster_value(world, runs, spec, side))
        given = crisis.resolve_beliefs[side]
        runs.resolve[:, :, crisis.leads[side]] = np.where(np.isnan(given)[None, :], public[:, None], given[None, :])


def play_turn(world: World, runs: Runs, spec: Scenario, step: int, play: CrisisPlay) -> None:
    """The side to move in every open crisis makes its move in the game; then the move acts on the world.

    The move and its chance outcome come from `rules.crisis_play.play_move`, with this step's
    draws (`ensemble.streams.move_draws`); a heuristic lead's choice is a forced slot. Then, in order: the
    move's damage, the treaty partners of a side whose ally the move called, the ending, and the
    clause that all-out war calls.
    """
    if not (runs.ended == cp.CONTINUE).any():
        return
    forced = heuristic_moves(world, runs, spec, step, play) if play.heuristic.any() else None
    previous = runs.rung.copy()
    u_move, u_chance, u_belief = streams.move_draws(runs.base, step)
    rec = cp.play_move(play.sol, play.tr, crises_of(runs), u_move, u_chance, forced, u_belief)
    if play.heuristic.any():
        ratchet(world, runs, spec, play, rec, previous[rec.rows])
    hurt(world, runs, play, rec)
    for side in (0, 1):
        called = rec.called[:, side]
        if called.any() and len(play.partners[side][0]):
            rows = rec.rows[called]
            u = uniforms(runs.base[rows], streams.PARTNERS, step, partner_slots(play, side))
            joins = partner_joins(play.partners[side][2], rec.joined[called, side], u)
            enlist(world, runs, spec, play, side, rows, joins)
    end_crises(world, runs, spec, play, rec, step)


def partner_slots(play: CrisisPlay, side: int) -> list[int]:
    """The draw slots of game side `side`'s treaty partners (`ensemble.streams.partner_slot`)."""
    return [streams.partner_slot(0, side, k) for k in range(len(play.partners[side][0]))]


def heuristic_moves(world: World, runs: Runs, spec: Scenario, step: int, play: CrisisPlay) -> np.ndarray:
    """The move slot each heuristic lead to move chooses; -1 where the mover plays the equilibrium, (R,).

    The heuristic (`agents.policies`, vectorised): yielding against each rung the game's moves
    reach from the run's public state, valued by `rules.bargaining.option_values` under the lead's
    fear and recklessness (`rules.risk.perceived_risk`), the resolve and reckless image it holds of
    the opponent's bloc (`ratchet`), the fighting members' conventional shares and the audience
    cost of yielding (Schelling 1966; Fearon 1994). With decision noise, a softmax draw (``CHOICE``).
    """
    game_mover = play.tr.mover[runs.game_state]
    choosing = (runs.ended == cp.CONTINUE) & play.heuristic[game_mover]
    if not choosing.any():
        return np.full(len(runs.ids), -1)
    crisis, params = world.crisis, spec.params
    r = np.arange(len(runs.ids))
    me = play.sides[game_mover]
    them = 1 - me
    lead, other = crisis.leads[me], crisis.leads[them]
    disaster = np.where(me == 0, disaster_value(world, runs, spec, 0), disaster_value(world, runs, spec, 1))
    elapsed = step - runs.opened_at
    concede = np.maximum(concession_value(crisis.concede[me], world.audience_cost[lead], elapsed), disaster)
    fear, reckless = runs.fear[r, lead], runs.recklessness[r, lead]
    perceived = perceived_risk(world.slip[None, :], fear[:, None], reckless[:, None], params.risk_sensitivity)
    standfast = standfast_probability(
        world.slip[None, :],
        runs.resolve[r, lead, other][:, None],
        reckless_image(world, runs, spec, lead, them)[:, None],
        params.risk_sensitivity,
        params.standfast_spread,
    )
    cost = world.damage_self[None, :] * world.value_at_risk[lead][:, None]
    values = option_values(
        perceived, world.decisive[None, :], standfast, conventional_share(world, runs, me)[:, None],
        crisis.prevail[me][:, None], concede[:, None], disaster[:, None], cost,
    )  # fmt: skip
    values = np.where(world.catastrophe[None, :], disaster[:, None], values)
    values = np.where(play.allowed[runs.game_state], values, -np.inf)
    choices = np.concatenate([concede[:, None], values], axis=1)
    noise = params.decision_noise
    index = choose(choices, noise, uniform(runs.base, streams.CHOICE, step) if noise > 0 else None)
    target = np.where(index == 0, YIELD, index - 1)
    return np.where(choosing, cp.slot_of(play.tr, runs.game_state, target), -1)


def prospective_allies(world: World, runs: Runs, side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Treaty allies of each run's side `side` not yet in the crisis nor called: (R, N) mask and alliance.

    The alliance is the first one, in scenario order, that binds the ally to a belligerent.
    """
    r = np.arange(len(runs.ids))
    own = runs.members[r, side]  # (R, N)
    fighting = runs.members.any(axis=1)
    declined = runs.declined[r, side]
    via = np.full(own.shape, -1)
    for alliance in range(len(world.alliance_ids)):
        bound = runs.active[:, alliance] & (own & world.alliance_members[alliance]).any(axis=1)
        fresh = bound[:, None] & world.alliance_members[alliance][None, :] & (via < 0)
        via[fresh] = alliance
    prospective = (via >= 0) & ~fighting & ~declined
    return prospective, via


def join_chances(world: World, runs: Runs, spec: Scenario, via: np.ndarray) -> np.ndarray:
    """Chance that each prospective ally joins, (R, N) (0 where `via` is -1)."""
    if not world.alliance_ids:
        return np.zeros(via.shape)
    safe = np.maximum(via, 0)
    cohesion = np.take_along_axis(runs.cohesion, safe, axis=1)
    chance = join_probability(
        runs.commitment, cohesion, world.automaticity[safe], spec.params.cohesion.consultation_weight
    )
    return np.where(via >= 0, chance, 0.0)


def reckless_image(world: World, runs: Runs, spec: Scenario, observer: np.ndarray, side: np.ndarray) -> np.ndarray:
    """How reckless each run's `observer` sees side `side`'s bloc (`rules.alliance.bloc_image`), (R,)."""
    r = np.arange(len(runs.ids))
    prospective, via = prospective_allies(world, runs, side)
    weights = np.where(runs.members[r, side], 1.0, np.where(prospective, join_chances(world, runs, spec, via), 0.0))
    return bloc_image(runs.image[r, observer, :], weights)


def ratchet(
    world: World, runs: Runs, spec: Scenario, play: CrisisPlay, rec: cp.MoveRecord, previous: np.ndarray
) -> None:
    """Every observer's reckless image and resolve estimate of the mover, which only the heuristic reads.

    `rules.beliefs.update_image` and `update_resolve` on each move, as the agent model updates
    them; an equilibrium lead reads the game's public posteriors (`Runs.mu`) instead.
    """
    rows = rec.rows
    lead = world.crisis.leads[play.sides[rec.mover]]
    yielded = rec.target == YIELD
    move = np.where(yielded, previous, rec.target)
    kind = np.where(yielded, beliefs.YIELD, np.where(move == previous, beliefs.HOLD, beliefs.ESCALATE))
    p = spec.params.beliefs
    skipped = np.maximum(move - previous - 1, 0)
    weight = image_update_weight(
        kind, world.civilian[move], world.nuclear[move], skipped, p.learning_rate, p.shock_bonus
    )
    observers = np.arange(len(world.codes))[None, :] != lead[:, None]  # (M, N)
    images = runs.image[rows, :, lead]  # (M, N): every observer's image of the mover
    runs.image[rows, :, lead] = np.where(observers, update_image(images, kind[:, None], weight[:, None]), images)
    resolves = runs.resolve[rows, :, lead]
    revised = update_resolve(resolves, kind[:, None], world.slip[move][:, None])
    runs.resolve[rows, :, lead] = np.where(observers, revised, resolves)


def hurt(world: World, runs: Runs, play: CrisisPlay, rec: cp.MoveRecord) -> None:
    """The damage of each move onto a rung (not a yield, not a catastrophe rung) and the first nuclear move.

    The mover's lead suffers the rung's ``damage_self``, the other lead its ``damage_target``
    (each capped at 1); all-out war's damage comes from the arsenals (`all_out_war`). The first
    deliberate nuclear user is the first lead whose own chosen rung is nuclear; a slip or an
    ally's escalation is nobody's move (Schelling 1960, ch. 8).
    """
    me = play.sides[rec.mover]
    lead, other = world.crisis.leads[me], world.crisis.leads[1 - me]
    moved = rec.target != YIELD
    onto = np.where(moved, rec.target, 0)
    harm = moved & ~world.catastrophe[onto]
    rows, rung, a, b = rec.rows[harm], onto[harm], lead[harm], other[harm]
    runs.damage[rows, a] = np.minimum(1.0, runs.damage[rows, a] + world.damage_self[rung])
    runs.damage[rows, b] = np.minimum(1.0, runs.damage[rows, b] + world.damage_target[rung])
    first = moved & world.nuclear[onto] & (runs.first_deliberate[rec.rows] < 0)
    runs.first_deliberate[rec.rows[first]] = lead[first]


def enlist(
    world: World, runs: Runs, spec: Scenario, play: CrisisPlay, side: int, rows: np.ndarray, joins: np.ndarray
) -> None:
    """Game side `side`'s treaty partners in runs `rows` join it where `joins` (M, P), else stay out.

    Partners are taken in order. A partner already fighting, or whose alliance is no longer in
    force, is skipped. A joiner becomes a member of the side (its strength and warheads added, no
    longer declined) and its alliance gets the honour boost; one that stays out is declined and its alliance
    takes the abandonment shock, damped by institutions (`rules.alliance.shock_cohesion`; Snyder 1984).
    """
    params = spec.params.cohesion
    engine_side = play.sides[side]
    states, alliances, _ = play.partners[side]
    for k, (ally, alliance) in enumerate(zip(states, alliances, strict=True)):
        asked = ~runs.members[rows, :, ally].any(axis=1) & runs.active[rows, alliance]
        join, stay = asked & joins[:, k], asked & ~joins[:, k]
        runs.members[rows[join], engine_side, ally] = True
        runs.totals[rows[join], engine_side] += world.capabilities[ally]
        runs.declined[rows[join], engine_side, ally] = False
        runs.declined[rows[stay], engine_side, ally] = True
        runs.order[rows[asked], engine_side, ally] = len(world.codes) + runs.calls[rows[asked]]
        runs.calls[rows[asked]] += 1
        cohesion = runs.cohesion[rows, alliance]
        boosted = np.minimum(1.0, cohesion + params.honour_boost)
        shocked = shock_cohesion(cohesion, params.abandonment_shock, world.institutionalisation[alliance])
        runs.cohesion[rows, alliance] = np.where(join, boosted, np.where(stay, shocked, cohesion))


def end_crises(world: World, runs: Runs, spec: Scenario, play: CrisisPlay, rec: cp.MoveRecord, step: int) -> None:
    """End the crises the move ended, as the game's outcome says (`ENDINGS`).

    A yield is the mover's choice, a fight a yield by defeat of its loser; a slip, a chosen move
    to a catastrophe rung or a joined ally's own escalation is catastrophe (the slip recorded with
    the mover that held the rung and the rung it slipped at); the game's horizon is a stalemate.
    """
    ending = rec.outcome != cp.CONTINUE
    if not ending.any():
        return
    rows, kind = rec.rows[ending], rec.outcome[ending]
    status, cause, disaster = ENDINGS[kind].T
    runs.status[rows], runs.ended_at[rows] = status, step
    runs.cause[rows], runs.catastrophe_cause[rows] = cause, disaster
    lost = runs.loser[rows] >= 0
    runs.yielder[rows[lost]] = play.sides[runs.loser[rows[lost]]]
    slipped = kind == cp.SLIP
    holder = play.sides[rec.mover[ending]]
    runs.slip_holder[rows[slipped]] = world.crisis.leads[holder[slipped]]
    runs.slip_rung[rows[slipped]] = rec.rung[ending][slipped]
    war = status == CATASTROPHE
    if war.any():
        calls = clause_calls(rec.allies_after[ending][war], kind[war], rec.mover[ending][war])
        all_out_war(world, runs, spec, play, rows[war], calls, step)


def all_out_war(
    world: World, runs: Runs, spec: Scenario, play: CrisisPlay, rows: np.ndarray, calls: np.ndarray, step: int
) -> None:
    """All-out war in runs `rows` calls treaty partners, then destroys what each enemy can reach.

    A partner of a side that ``calls`` (M, 2) names (`rules.crisis_effects.clause_calls`) honours its clause with
    its chance at the start (draw ``CLAUSE``), with the honour boost or abandonment shock of
    `enlist`. Every member of each side, joiners included, then suffers the share the enemy
    side's surviving warheads destroy (`rules.risk.destruction`); partners that stayed out are spared.
    """
    for side in (0, 1):
        uncalled = calls[:, side]
        if uncalled.any() and len(play.partners[side][0]):
            called = rows[uncalled]
            u = uniforms(runs.base[called], streams.CLAUSE, step, partner_slots(play, side))
            enlist(world, runs, spec, play, side, called, u < play.partners[side][2][None, :])
    top = len(world.slip) - 1
    runs.rung[rows] = runs.max_rung[rows] = top
    for side in (0, 1):
        share = destruction(runs.totals[rows, 1 - side, SURVIVABLE], spec.params.warheads_for_devastation)
        damage = runs.damage[rows]
        runs.damage[rows] = np.where(runs.members[rows, side, :], np.maximum(damage, share[:, None]), damage)


# alliances --------------------------------------------------------------------------------------


def update_alliances(world: World, runs: Runs, spec: Scenario, step: int) -> None:
    """Cohesion moves toward its target with noise, alliance by alliance; below the threshold it dissolves."""
    p = spec.params.cohesion
    if not world.alliance_ids or not runs.active.any():
        return
    open_ = runs.status == ACTIVE
    fighting = runs.members.any(axis=1) & open_[:, None]  # (R, N) in an open crisis
    noise = normals(runs.base, streams.COHESION, step, len(world.alliance_ids))
    for alliance in range(len(world.alliance_ids)):
        live = runs.active[:, alliance]
        if not live.any():
            continue
        in_crisis = (fighting & world.alliance_members[alliance]).any(axis=1)
        threat = np.where(world.at_war[alliance] | in_crisis, 1.0, world.shared_threat[alliance])
        pull = np.zeros(len(runs.ids))
        for rival, relation in world.pulls[alliance]:
            pull += np.where(runs.active[:, rival], pull_of(runs.cohesion[:, rival], relation, p.competition), 0.0)
        target = cohesion_target(
            threat, world.institutionalisation[alliance], pull, p.baseline, p.threat_weight, p.institution_weight,
            p.pull_weight,
        )  # fmt: skip
        stepped = step_cohesion(
            runs.cohesion[:, alliance], target, p.rate, spec.params.step_years, p.noise_sd, noise[:, alliance]
        )
        runs.cohesion[:, alliance] = np.where(live, stepped, runs.cohesion[:, alliance])
        dissolves = live & (runs.cohesion[:, alliance] < p.dissolve_below)
        runs.active[dissolves, alliance] = False
        runs.dissolved_at[dissolves, alliance] = step


def simulate(spec: Scenario, reps: int, root_seed: int) -> Outcomes:
    """`run_ensemble` on replications ``0 .. reps - 1`` of `root_seed`, seeded as the agent model's runs.

    The seeds are `batch.seeds.run_seeds(root_seed, reps)`, the ones a sweep gives those replications.
    """
    from batch.seeds import run_seeds

    return run_ensemble(spec, run_seeds(root_seed, reps))
