"""Many replications of one scenario stepped in lockstep as numpy arrays.

The same step as `model.BrinkmanshipModel.step`, with the replication axis first (states
``(R, N)``, beliefs ``(R, N, N)``, alliances ``(R, A)``), and the same rules: every number
comes from the pure functions in `rules/` that the agent model calls. Replications that have
ended are written out and dropped, so the arrays shrink as the ensemble runs. All draws come
from the one generator passed in; the draws differ from the agent model's, the distributions
do not (`tests/ensemble/` checks this for every shipped scenario the engine supports).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ensemble.world import World, build_world, check_supported
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


@dataclass
class Outcomes:
    """What each replication produced, indexed by replication.

    Attributes:
        status: Crisis status code (see `STATUS_NAMES`); ``not_started`` without a crisis.
        yielder: Side index that yielded, or -1.
        cause: 1 choice, 2 defeat, 0 none.
        max_rung: Highest rung reached.
        first_nuclear_user: State index of the first nuclear user, or -1.
        moves: Moves made in the crisis.
        steps: Steps the run lasted.
        active: (R, A) whether each alliance is in force at the end.
        dissolved_at: (R, A) step of dissolution, or -1.
        damage: (R, N) share of each state's value at risk destroyed.
    """

    status: np.ndarray
    yielder: np.ndarray
    cause: np.ndarray
    max_rung: np.ndarray
    first_nuclear_user: np.ndarray
    moves: np.ndarray
    steps: np.ndarray
    active: np.ndarray
    dissolved_at: np.ndarray
    damage: np.ndarray


@dataclass
class Runs:
    """The changing state of the replications still running (one row each)."""

    ids: np.ndarray
    fear: np.ndarray
    recklessness: np.ndarray
    commitment: np.ndarray
    age: np.ndarray
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
    first_nuclear_user: np.ndarray
    opened_at: np.ndarray
    moves: np.ndarray
    members: np.ndarray  # (R, 2, N) belligerents of each side
    declined: np.ndarray  # (R, 2, N) allies that stayed out

    def keep(self, mask: np.ndarray) -> Runs:
        """The runs where `mask` is true."""
        return Runs(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})


def start(world: World, reps: int) -> Runs:
    """`reps` replications at step 0."""
    n, a = len(world.codes), len(world.alliance_ids)

    def tile(values: np.ndarray) -> np.ndarray:
        return np.repeat(values[None, ...], reps, axis=0).copy()

    crisis = world.crisis
    members = tile(crisis.members) if crisis is not None else np.zeros((reps, 2, n), dtype=bool)
    return Runs(
        ids=np.arange(reps),
        fear=tile(world.fear),
        recklessness=tile(world.recklessness),
        commitment=tile(world.commitment),
        age=tile(world.age),
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
        first_nuclear_user=np.full(reps, -1),
        opened_at=np.zeros(reps, dtype=int),
        moves=np.zeros(reps, dtype=int),
        members=members,
        declined=np.zeros((reps, 2, n), dtype=bool),
    )


def run_ensemble(spec: Scenario, reps: int, rng: np.random.Generator) -> Outcomes:
    """Run `reps` replications of `spec` to their end.

    Args:
        spec: A validated scenario the engine supports.
        reps: Number of replications.
        rng: The generator every draw comes from.

    Raises:
        UnsupportedScenarioError: The scenario uses a feature the engine does not implement.
    """
    check_supported(spec)
    world = build_world(spec)
    params = spec.params
    n, a = len(world.codes), len(world.alliance_ids)
    out = Outcomes(
        status=np.full(reps, PENDING),
        yielder=np.full(reps, -1),
        cause=np.zeros(reps, dtype=int),
        max_rung=np.zeros(reps, dtype=int),
        first_nuclear_user=np.full(reps, -1),
        moves=np.zeros(reps, dtype=int),
        steps=np.zeros(reps, dtype=int),
        active=np.zeros((reps, a), dtype=bool),
        dissolved_at=np.full((reps, a), -1),
        damage=np.zeros((reps, n)),
    )
    runs = start(world, reps)
    step = 0
    while len(runs.ids):
        step += 1
        age_leaders(world, runs, spec, rng)
        if world.crisis is not None:
            if step == world.crisis.start_step:
                open_crisis(world, runs, spec, step, rng)
            if step >= world.crisis.start_step:
                play_turn(world, runs, spec, step, rng)
        update_alliances(world, runs, spec, step, rng)
        if step >= params.max_steps:
            runs.status[runs.status == ACTIVE] = STALEMATE
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
    ids = ended.ids
    out.status[ids] = ended.status
    out.yielder[ids] = ended.yielder
    out.cause[ids] = ended.cause
    out.max_rung[ids] = ended.max_rung
    out.first_nuclear_user[ids] = ended.first_nuclear_user
    out.moves[ids] = ended.moves
    out.steps[ids] = step
    out.active[ids] = ended.active
    out.dissolved_at[ids] = ended.dissolved_at
    out.damage[ids] = ended.damage


# leaders ------------------------------------------------------------------------------------


def age_leaders(world: World, runs: Runs, spec: Scenario, rng: np.random.Generator) -> None:
    """Every leader ages a step; some leave office, their successor's traits drawn as in `agents`."""
    params = spec.params
    dt = params.step_years
    runs.age += dt
    p = exit_probability(runs.age, world.political_hazard, world.mortality_log_base, params.leaders.mortality_slope, dt)
    succeeded = rng.random(runs.age.shape) < p
    if not succeeded.any():
        return
    rows, states = np.nonzero(succeeded)
    traits = np.stack([runs.fear[rows, states], runs.recklessness[rows, states], runs.commitment[rows, states]], -1)
    drawn = successor_traits(traits, params.leaders.trait_sd, rng.standard_normal(traits.shape))
    runs.fear[rows, states], runs.recklessness[rows, states], runs.commitment[rows, states] = drawn.T
    runs.age[rows, states] = 55.0
    shock = params.cohesion.succession_shock
    for state in range(len(world.codes)):  # in state order, as the agents step
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
    return runs.members[:, side, :] @ world.survivable


def conventional_share(world: World, runs: Runs, side: np.ndarray) -> np.ndarray:
    """Each run's side `side`'s share of the belligerents' conventional strength (0.5 if none), (R,)."""
    r = np.arange(len(runs.ids))
    own = runs.members[r, side] @ world.conventional
    total = own + runs.members[r, 1 - side] @ world.conventional
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


def open_crisis(world: World, runs: Runs, spec: Scenario, step: int, rng: np.random.Generator) -> None:
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
        call_allies(
            world, runs, spec, np.ones(len(runs.ids), dtype=bool), target=np.zeros(len(runs.ids), dtype=int), rng=rng
        )


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
    world: World, runs: Runs, spec: Scenario, calling: np.ndarray, target: np.ndarray, rng: np.random.Generator
) -> None:
    """In runs where `calling`, side `target` is put in a state of war: its treaty allies decide."""
    prospective, via = prospective_allies(world, runs, target)
    prospective &= calling[:, None]
    if not prospective.any():
        return
    params = spec.params.cohesion
    r = np.arange(len(runs.ids))
    # The agent model asks allies alliance by alliance, in each alliance's member order; an ally
    # bound by two alliances is asked once, under the first. A join or a refusal moves the
    # alliance's cohesion before the next ally of the same alliance is asked.
    for alliance, ally in world.call_order:
        asked = prospective[:, ally] & (via[:, ally] == alliance)
        if not asked.any():
            continue
        cohesion = runs.cohesion[:, alliance]
        chance = join_probability(
            runs.commitment[:, ally], cohesion, world.automaticity[alliance], params.consultation_weight
        )
        joins = asked & (rng.random(len(r)) < chance)
        stays = asked & ~joins
        runs.members[r[joins], target[joins], ally] = True
        runs.declined[r[stays], target[stays], ally] = True
        boosted = np.minimum(1.0, cohesion + params.honour_boost)
        shocked = shock_cohesion(cohesion, params.abandonment_shock, world.institutionalisation[alliance])
        runs.cohesion[:, alliance] = np.where(joins, boosted, np.where(stays, shocked, cohesion))


def reckless_image(world: World, runs: Runs, spec: Scenario, observer: np.ndarray, side: np.ndarray) -> np.ndarray:
    """How reckless each run's `observer` sees side `side`'s bloc (`rules.alliance.bloc_image`), (R,)."""
    r = np.arange(len(runs.ids))
    prospective, via = prospective_allies(world, runs, side)
    weights = np.where(runs.members[r, side], 1.0, np.where(prospective, join_chances(world, runs, spec, via), 0.0))
    return bloc_image(runs.image[r, observer, :], weights)


def play_turn(world: World, runs: Runs, spec: Scenario, step: int, rng: np.random.Generator) -> None:
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
    armed = (runs.members[r, me] @ world.warheads) > 0
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
    index = choose(choices, noise, rng.random(len(r)) if noise > 0 else None)
    move = np.where(index == 0, runs.rung, index - 1)
    kind = np.where(index == 0, YIELD, np.where(move == runs.rung, HOLD, ESCALATE))
    apply_moves(world, runs, spec, step, playing, me, lead, move, kind, rng)


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
    rng: np.random.Generator,
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
    end(world, runs, spec, yielded, YIELDED, yielder=me, cause=CHOICE)
    moving = playing & ~yielded
    runs.rung = np.where(moving, move, runs.rung)
    runs.max_rung = np.maximum(runs.max_rung, np.where(moving, move, 0))
    hurt = moving & ~world.catastrophe[move]
    other = world.crisis.leads[1 - me]
    runs.damage[r[hurt], lead[hurt]] = np.minimum(1.0, runs.damage[r[hurt], lead[hurt]] + world.damage_self[move[hurt]])
    runs.damage[r[hurt], other[hurt]] = np.minimum(
        1.0, runs.damage[r[hurt], other[hurt]] + world.damage_target[move[hurt]]
    )
    first = moving & world.nuclear[move] & (runs.first_nuclear_user < 0)
    runs.first_nuclear_user[first] = lead[first]
    runs.mover = np.where(moving, 1 - me, runs.mover)
    attack = moving & world.armed_attack[move] & (kind == ESCALATE)
    if attack.any():
        call_allies(world, runs, spec, attack, target=1 - me, rng=rng)
    top = moving & world.catastrophe[move]
    end(world, runs, spec, top, CATASTROPHE, actor=me)
    going = moving & ~top
    slipped = going & (rng.random(len(r)) < world.slip[move])
    end(world, runs, spec, slipped, CATASTROPHE, actor=me)
    going &= ~slipped
    fought = going & (rng.random(len(r)) < world.decisive[move])
    if fought.any():
        share = conventional_share(world, runs, me)
        winner = np.where(rng.random(len(r)) < share, me, 1 - me)
        end(world, runs, spec, fought, YIELDED, yielder=1 - winner, cause=DEFEAT)


def end(
    world: World,
    runs: Runs,
    spec: Scenario,
    ending: np.ndarray,
    status: int,
    *,
    yielder: np.ndarray | None = None,
    cause: int = 0,
    actor: np.ndarray | None = None,
) -> None:
    """End the crisis in runs `ending` with `status`."""
    if not ending.any():
        return
    runs.status[ending] = status
    if yielder is not None:
        runs.yielder[ending] = yielder[ending]
        runs.cause[ending] = cause
    if status != CATASTROPHE:
        return
    top = len(world.slip) - 1
    runs.rung[ending] = runs.max_rung[ending] = top
    crisis = world.crisis
    armed = np.stack([(runs.members[:, s, :] @ world.warheads) > 0 for s in (0, 1)], axis=1)  # (R, 2)
    if world.nuclear[top]:
        r = np.arange(len(runs.ids))
        actor_armed = armed[r, actor]
        fallback = np.where(armed[:, 0], crisis.leads[0], np.where(armed[:, 1], crisis.leads[1], -1))
        chosen = np.where(actor_armed, crisis.leads[actor], fallback)
        unset = ending & (runs.first_nuclear_user < 0)
        runs.first_nuclear_user[unset] = chosen[unset]
    for side in (0, 1):
        share = destruction(survivable(world, runs, 1 - side), spec.params.warheads_for_devastation)
        hit = ending[:, None] & runs.members[:, side, :]
        runs.damage = np.where(hit, np.maximum(runs.damage, share[:, None]), runs.damage)


# alliances --------------------------------------------------------------------------------------


def update_alliances(world: World, runs: Runs, spec: Scenario, step: int, rng: np.random.Generator) -> None:
    """Cohesion moves toward its target with noise, alliance by alliance; below the threshold it dissolves."""
    p = spec.params.cohesion
    open_ = runs.status == ACTIVE
    fighting = runs.members.any(axis=1) & open_[:, None]  # (R, N) in an open crisis
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
            runs.cohesion[:, alliance], target, p.rate, spec.params.step_years, p.noise_sd,
            rng.standard_normal(len(runs.ids)),
        )  # fmt: skip
        runs.cohesion[:, alliance] = np.where(live, stepped, runs.cohesion[:, alliance])
        dissolves = live & (runs.cohesion[:, alliance] < p.dissolve_below)
        runs.active[dissolves, alliance] = False
        runs.dissolved_at[dissolves, alliance] = step


def simulate(spec: Scenario, reps: int, seed: int) -> Outcomes:
    """`run_ensemble` with a generator seeded by `seed`."""
    return run_ensemble(spec, reps, np.random.default_rng(seed))
