"""Many replications of one scenario stepped in lockstep as numpy arrays.

The same step as `model.BrinkmanshipModel.step`, with the replication axis first (states
``(R, N)``, beliefs ``(R, N, N)``, alliances ``(R, A)``), and the same rules: every number
comes from the pure functions in `rules/` that the agent model calls. Replications that have
ended are written out and dropped, so the arrays shrink as the ensemble runs.

Every replication has its own seed, and each of its draws is a function of that seed, the kind
of draw, the step and a slot (`ensemble.streams`), so a replication's result does not depend on
which other replications share its task: one row of a sweep replays alone
(`ensemble.rows.replay_summary`). The draws differ from the agent model's, the distributions do
not (`tests/ensemble/` checks this for every shipped scenario the engine supports).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from ensemble import streams
from ensemble.streams import normals, uniform, uniforms
from ensemble.world import CONVENTIONAL, SURVIVABLE, WARHEADS, World, build_world, check_supported
from rules.alliance import bloc_image, cohesion_target, join_probability, shock_cohesion, step_cohesion
from rules.alliance import third_power_pull as pull_of
from rules.bargaining import choose, concession_value, option_values, standfast_probability
from rules.beliefs import ESCALATE, HOLD, YIELD, image_update_weight, update_image, update_resolve
from rules.leaders import exit_probability, successor_traits
from rules.risk import critical_risk, destruction, perceived_risk
from scenarios import Scenario

PENDING, ACTIVE, YIELDED, CATASTROPHE, STALEMATE = range(5)
STATUS_NAMES = ("not_started", "active", "yield", "catastrophe", "stalemate")
CHOICE, DEFEAT = 1, 2
CAUSE_NAMES = (None, "choice", "defeat")
"""Why a side yielded, by code (`model.outcomes`)."""
SLIPPED, DELIBERATE = 1, 2
CATASTROPHE_CAUSE_NAMES = (None, "slip", "deliberate")
"""Why a crisis ended in catastrophe, by code (`model.outcomes`)."""


@dataclass
class Outcomes:
    """What each replication produced, indexed by replication.

    Attributes:
        status: Crisis status code (see `STATUS_NAMES`); ``not_started`` without a crisis.
        yielder: Side index that yielded, or -1.
        cause: Why it yielded: 1 choice, 2 defeat, 0 none.
        catastrophe_cause: 1 slip, 2 deliberate (a side chose the top rung), 0 none.
        rung: Rung at the end (the rung of the yield; the top after a catastrophe).
        max_rung: Highest rung reached.
        first_deliberate: State index of the first lead whose own move was onto a nuclear rung, or -1.
        slip_holder: State index of the lead whose move preceded a slip, or -1.
        slip_rung: Rung the crisis slipped from, or -1.
        moves: Moves made in the crisis.
        opened_at, ended_at: Steps the crisis opened and ended (-1 if it did not).
        members: (R, 2, N) belligerents of each side at the end.
        declined: (R, 2, N) allies that were called and stayed out.
        order: (R, 2, N) rank at which a state joined or refused each side (its place in the agent
            model's lists), -1 if neither.
        steps: Steps the run lasted.
        active: (R, A) whether each alliance is in force at the end.
        cohesion: (R, A) each alliance's cohesion at the end.
        dissolved_at: (R, A) step of dissolution, or -1.
        successions: (R, N) leader changes of each state.
        damage: (R, N) share of each state's value at risk destroyed.
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


@dataclass
class Runs:
    """The changing state of the replications still running (one row each)."""

    ids: np.ndarray
    base: np.ndarray  # (R,) uint64 stream base of each replication's seed (`ensemble.streams.bases`)
    fear: np.ndarray
    recklessness: np.ndarray
    commitment: np.ndarray
    age: np.ndarray
    successions: np.ndarray
    damage: np.ndarray
    image: np.ndarray  # (R, N, N) recklessness beliefs, observer x target
    resolve: np.ndarray  # (R, N, N) resolve beliefs
    cohesion: np.ndarray
    active: np.ndarray
    dissolved_at: np.ndarray
    status: np.ndarray
    rung: np.ndarray
    mover: np.ndarray
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
    declined: np.ndarray  # (R, 2, N) allies that stayed out
    order: np.ndarray  # (R, 2, N) rank of joining or refusing (see `Outcomes`)
    calls: np.ndarray  # (R,) allies called so far (the next one's rank is N + calls)

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
        rung=np.zeros(reps, dtype=int),
        mover=np.zeros(reps, dtype=int),
        max_rung=np.zeros(reps, dtype=int),
        yielder=np.full(reps, -1),
        cause=np.zeros(reps, dtype=int),
        catastrophe_cause=np.zeros(reps, dtype=int),
        first_deliberate=np.full(reps, -1),
        slip_holder=np.full(reps, -1),
        slip_rung=np.full(reps, -1),
        opened_at=np.full(reps, -1),
        ended_at=np.full(reps, -1),
        moves=np.zeros(reps, dtype=int),
        members=members,
        totals=totals,
        declined=np.zeros((reps, 2, n), dtype=bool),
        order=order,
        calls=np.zeros(reps, dtype=np.int32),
    )


def run_ensemble(spec: Scenario, seeds: Sequence[int] | np.ndarray) -> Outcomes:
    """Run one replication of `spec` per seed to its end.

    Args:
        spec: A validated scenario the engine supports.
        seeds: Each replication's own seed (non-negative, below 2**64), e.g.
            `batch.seeds.run_seeds`; a replication's result depends on its seed alone.

    Raises:
        UnsupportedScenarioError: The scenario uses a feature the engine does not implement.
    """
    check_supported(spec)
    world = build_world(spec)
    params = spec.params
    runs = start(world, np.asarray(seeds))
    out = Outcomes(
        **{f.name: getattr(runs, f.name).copy() for f in fields(Outcomes) if f.name != "steps"},
        steps=np.zeros(len(runs.ids), dtype=int),
    )
    step = 0
    while len(runs.ids):
        step += 1
        age_leaders(world, runs, spec, step)
        if world.crisis is not None:
            if step == world.crisis.start_step:
                open_crisis(world, runs, spec, step)
            if step >= world.crisis.start_step:
                play_turn(world, runs, spec, step)
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
            record(out, runs.keep(done), step)
            runs = runs.keep(~done)
    return out


def record(out: Outcomes, ended: Runs, step: int) -> None:
    """Write the outcomes of runs that ended at `step`."""
    for f in fields(Outcomes):
        if f.name != "steps":
            getattr(out, f.name)[ended.ids] = getattr(ended, f.name)
    out.steps[ended.ids] = step


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


def open_crisis(world: World, runs: Runs, spec: Scenario, step: int) -> None:
    """Open the crisis on its start rung; set public resolve beliefs; call side 0's allies on an attack."""
    crisis = world.crisis
    runs.status[:] = ACTIVE
    runs.rung[:] = runs.max_rung[:] = crisis.start_rung
    runs.opened_at[:] = step
    for side in (0, 1):
        public = critical_risk(crisis.prevail[side], crisis.concede[side], disaster_value(world, runs, spec, side))
        given = crisis.resolve_beliefs[side]
        runs.resolve[:, :, crisis.leads[side]] = np.where(np.isnan(given)[None, :], public[:, None], given[None, :])
    if world.armed_attack[crisis.start_rung]:
        everyone = np.ones(len(runs.ids), dtype=bool)
        call_allies(world, runs, spec, everyone, np.zeros(len(runs.ids), dtype=int), streams.CALL_AT_OPENING, step)


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


def call_allies(
    world: World, runs: Runs, spec: Scenario, calling: np.ndarray, target: np.ndarray, stream: int, step: int
) -> None:
    """In runs where `calling`, side `target` is put in a state of war: its treaty allies decide.

    Each ally's draw is slot ``position in the call order`` of `stream` at `step`. Its rank in
    ``runs.order`` (the number of allies asked before it, after the starting members) records
    when it joined or refused, so summaries list allies in the agent model's order.
    """
    prospective, via = prospective_allies(world, runs, target)
    prospective &= calling[:, None]
    if not prospective.any():
        return
    params = spec.params.cohesion
    r = np.arange(len(runs.ids))
    # The agent model asks allies alliance by alliance, in each alliance's member order; an ally
    # bound by two alliances is asked once, under the first. A join or a refusal moves the
    # alliance's cohesion before the next ally of the same alliance is asked.
    for position, (alliance, ally) in enumerate(world.call_order):
        asked = prospective[:, ally] & (via[:, ally] == alliance)
        if not asked.any():
            continue
        cohesion = runs.cohesion[:, alliance]
        chance = join_probability(
            runs.commitment[:, ally], cohesion, world.automaticity[alliance], params.consultation_weight
        )
        joins = asked & (uniform(runs.base, stream, step, position) < chance)
        stays = asked & ~joins
        runs.members[r[joins], target[joins], ally] = True
        runs.totals[r[joins], target[joins]] += world.capabilities[ally]
        runs.declined[r[stays], target[stays], ally] = True
        runs.order[r[asked], target[asked], ally] = len(world.codes) + runs.calls[asked]
        runs.calls += asked
        boosted = np.minimum(1.0, cohesion + params.honour_boost)
        shocked = shock_cohesion(cohesion, params.abandonment_shock, world.institutionalisation[alliance])
        runs.cohesion[:, alliance] = np.where(joins, boosted, np.where(stays, shocked, cohesion))


def reckless_image(world: World, runs: Runs, spec: Scenario, observer: np.ndarray, side: np.ndarray) -> np.ndarray:
    """How reckless each run's `observer` sees side `side`'s bloc (`rules.alliance.bloc_image`), (R,)."""
    r = np.arange(len(runs.ids))
    prospective, via = prospective_allies(world, runs, side)
    weights = np.where(runs.members[r, side], 1.0, np.where(prospective, join_chances(world, runs, spec, via), 0.0))
    return bloc_image(runs.image[r, observer, :], weights)


def play_turn(world: World, runs: Runs, spec: Scenario, step: int) -> None:
    """The side to move in every open crisis chooses a move (trait policy), then it is applied."""
    playing = runs.status == ACTIVE
    if not playing.any():
        return
    crisis = world.crisis
    params = spec.params
    r = np.arange(len(runs.ids))
    me, them = runs.mover, 1 - runs.mover
    lead, other = crisis.leads[me], crisis.leads[them]
    disaster = np.where(me == 0, disaster_value(world, runs, spec, 0), disaster_value(world, runs, spec, 1))
    elapsed = step - runs.opened_at
    concede = np.maximum(concession_value(crisis.concede[me], world.audience_cost[lead], elapsed), disaster)
    share = conventional_share(world, runs, me)
    armed = runs.totals[r, me, WARHEADS] > 0
    allowed = crisis.options[me, armed.astype(int), runs.rung]  # (R, K)
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
        perceived, world.decisive[None, :], standfast, share[:, None], crisis.prevail[me][:, None],
        concede[:, None], disaster[:, None], cost,
    )  # fmt: skip
    values = np.where(world.catastrophe[None, :], disaster[:, None], values)
    values = np.where(allowed, values, -np.inf)
    choices = np.concatenate([concede[:, None], values], axis=1)
    noise = params.decision_noise
    index = choose(choices, noise, uniform(runs.base, streams.CHOICE, step) if noise > 0 else None)
    move = np.where(index == 0, runs.rung, index - 1)
    kind = np.where(index == 0, YIELD, np.where(move == runs.rung, HOLD, ESCALATE))
    apply_moves(world, runs, spec, step, playing, me, lead, move, kind)


def apply_moves(
    world: World,
    runs: Runs,
    spec: Scenario,
    step: int,
    playing: np.ndarray,
    me: np.ndarray,
    lead: np.ndarray,
    move: np.ndarray,
    kind: np.ndarray,
) -> None:
    """Record the moves of the runs `playing`: beliefs, yields, damage, allies, and the rung's risks."""
    params = spec.params
    r = np.arange(len(runs.ids))
    runs.moves += playing
    previous = runs.rung.copy()
    skipped = np.maximum(move - previous - 1, 0)
    weight = image_update_weight(
        kind,
        world.civilian[move],
        world.nuclear[move],
        skipped,
        params.beliefs.learning_rate,
        params.beliefs.shock_bonus,
    )
    observers = np.arange(len(world.codes))[None, :] != lead[:, None]  # (R, N)
    update = playing[:, None] & observers
    images = runs.image[r, :, lead]  # (R, N): every observer's image of the mover
    runs.image[r, :, lead] = np.where(update, update_image(images, kind[:, None], weight[:, None]), images)
    resolves = runs.resolve[r, :, lead]
    revised = update_resolve(resolves, kind[:, None], world.slip[move][:, None])
    runs.resolve[r, :, lead] = np.where(update, revised, resolves)

    yielded = playing & (kind == YIELD)
    end(world, runs, spec, yielded, YIELDED, step, yielder=me, cause=CHOICE)
    moving = playing & ~yielded
    runs.rung = np.where(moving, move, runs.rung)
    runs.max_rung = np.maximum(runs.max_rung, np.where(moving, move, 0))
    hurt = moving & ~world.catastrophe[move]
    other = world.crisis.leads[1 - me]
    runs.damage[r[hurt], lead[hurt]] = np.minimum(1.0, runs.damage[r[hurt], lead[hurt]] + world.damage_self[move[hurt]])
    runs.damage[r[hurt], other[hurt]] = np.minimum(
        1.0, runs.damage[r[hurt], other[hurt]] + world.damage_target[move[hurt]]
    )
    first = moving & world.nuclear[move] & (runs.first_deliberate < 0)
    runs.first_deliberate[first] = lead[first]
    runs.mover = np.where(moving, 1 - me, runs.mover)
    attack = moving & world.armed_attack[move] & (kind == ESCALATE)
    if attack.any():
        call_allies(world, runs, spec, attack, 1 - me, streams.CALL_AFTER_ATTACK, step)
    draw_risks(world, runs, spec, step, moving, me, lead)


def draw_risks(
    world: World, runs: Runs, spec: Scenario, step: int, moving: np.ndarray, me: np.ndarray, lead: np.ndarray
) -> None:
    """After each hold or escalation in `moving`: all-out war if chosen, else the slip and decisive draws.

    As `model.crisis.draw_risks`: a slip is recorded with the lead that held the rung, never as a
    nuclear use (Schelling 1960, ch. 8).
    """
    move = runs.rung.copy()
    top = moving & world.catastrophe[move]
    end(world, runs, spec, top, CATASTROPHE, step, catastrophe_cause=DELIBERATE)
    going = moving & ~top
    risky = going & (world.slip[move] > 0)  # as the agent model, draw only where the rung can slip
    if risky.any():
        slipped = risky & (uniform(runs.base, streams.SLIP, step) < world.slip[move])
        runs.slip_holder[slipped], runs.slip_rung[slipped] = lead[slipped], move[slipped]
        end(world, runs, spec, slipped, CATASTROPHE, step, catastrophe_cause=SLIPPED)
        going &= ~slipped
    contested = going & (world.decisive[move] > 0)
    if not contested.any():
        return
    fought = contested & (uniform(runs.base, streams.DECISIVE, step) < world.decisive[move])
    if fought.any():
        share = conventional_share(world, runs, me)
        winner = np.where(uniform(runs.base, streams.WINNER, step) < share, me, 1 - me)
        end(world, runs, spec, fought, YIELDED, step, yielder=1 - winner, cause=DEFEAT)


def end(
    world: World,
    runs: Runs,
    spec: Scenario,
    ending: np.ndarray,
    status: int,
    step: int,
    *,
    yielder: np.ndarray | None = None,
    cause: int = 0,
    catastrophe_cause: int = 0,
) -> None:
    """End the crisis in runs `ending` with `status` at `step` (a yield's `cause`, a catastrophe's cause)."""
    if not ending.any():
        return
    runs.status[ending] = status
    runs.ended_at[ending] = step
    if yielder is not None:
        runs.yielder[ending] = yielder[ending]
        runs.cause[ending] = cause
    if status != CATASTROPHE:
        return
    runs.catastrophe_cause[ending] = catastrophe_cause
    top = len(world.slip) - 1
    runs.rung[ending] = runs.max_rung[ending] = top
    for side in (0, 1):
        share = destruction(survivable(world, runs, 1 - side), spec.params.warheads_for_devastation)
        hit = ending[:, None] & runs.members[:, side, :]
        runs.damage = np.where(hit, np.maximum(runs.damage, share[:, None]), runs.damage)


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
