"""A scenario as fixed arrays for the ensemble engine, and the features the engine supports.

The ensemble steps many replications of one scenario at once. Everything that does not change
during a run (capabilities, payoffs, the ladder, the alliance structure, the relations) is
computed here once; what changes (traits, beliefs, cohesion, the crisis) lives in
`ensemble.engine`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios import Scenario, ScenarioError
from scenarios.schema import relation_key

EQUILIBRIUM, HEURISTIC = "equilibrium", "heuristic"
SUPPORTED_POLICIES = (EQUILIBRIUM, HEURISTIC)
"""Decision policies of crisis leads the ensemble implements (the others need per-run objects)."""

SOURCE = "--simulator ensemble"
CONVENTIONAL, WARHEADS, SURVIVABLE = range(3)
"""Columns of a state's capabilities (`World.capabilities`) and of a side's totals over its members."""


class UnsupportedScenarioError(ScenarioError):
    """The scenario uses a feature the ensemble engine does not implement yet."""


def unsupported(spec: Scenario) -> list[str]:
    """Why the ensemble cannot run `spec` faithfully (empty if it can)."""
    reasons = []
    if spec.events:
        reasons.append(f"scheduled events ({len(spec.events)}): the agent model runs them")
    if len(spec.crises) > 1:
        reasons.append(f"{len(spec.crises)} crises: the ensemble runs one crisis at a time")
    for crisis in spec.crises.values():
        for code in crisis.sides:
            policy = spec.states[code].policy.name
            if policy not in SUPPORTED_POLICIES:
                reasons.append(f"states.{code}.policy is {policy!r} (the ensemble has {', '.join(SUPPORTED_POLICIES)})")
    return reasons


def check_supported(spec: Scenario) -> None:
    """Refuse a scenario the ensemble would only approximate.

    Raises:
        UnsupportedScenarioError: One line naming the scenario and every unsupported feature.
    """
    reasons = unsupported(spec)
    if reasons:
        raise UnsupportedScenarioError(SOURCE, spec.name, "not supported by the ensemble engine: " + "; ".join(reasons))


@dataclass
class World:
    """The fixed arrays of a scenario (N states, A alliances, K rungs).

    Sides are ordered as in the agent model: side 0 moves first.
    """

    codes: list[str]
    alliance_ids: list[str]
    # states (N,)
    fear: np.ndarray
    recklessness: np.ndarray
    commitment: np.ndarray
    age: np.ndarray
    political_hazard: np.ndarray
    mortality_log_base: np.ndarray
    capabilities: np.ndarray  # (N, 3) conventional strength, warheads, survivable warheads (columns CONVENTIONAL, ...)
    value_at_risk: np.ndarray
    audience_cost: np.ndarray
    image: np.ndarray  # (N, N) starting recklessness beliefs, observer x target
    # alliances (A, ...)
    alliance_members: np.ndarray  # (A, N) bool
    active: np.ndarray
    automaticity: np.ndarray
    institutionalisation: np.ndarray
    cohesion: np.ndarray
    shared_threat: np.ndarray
    at_war: np.ndarray  # (A,) bool: the alliance's binding war is on
    pulls: list[list[tuple[int, float]]]  # per alliance: (rival alliance, relation) per third power
    # ladder (K,)
    slip: np.ndarray
    decisive: np.ndarray
    damage_self: np.ndarray
    damage_target: np.ndarray
    nuclear: np.ndarray
    civilian: np.ndarray
    catastrophe: np.ndarray
    rung_names: list[str]
    # the crisis (None when the scenario has none)
    crisis: CrisisArrays | None


@dataclass
class CrisisArrays:
    """The fixed part of the scenario's crisis; index 0 is the side that moves first."""

    id: str
    leads: np.ndarray  # (2,) state index of each side's lead
    members: np.ndarray  # (2, N) bool: lead and co-belligerents at the start
    order: np.ndarray  # (2, N) int: place of each starting member in its side's list (lead 0), -1 for others
    totals: np.ndarray  # (2, 3) capabilities summed over the starting members, in their order (as the agents sum)
    prevail: np.ndarray  # (2,)
    concede: np.ndarray
    disaster: np.ndarray  # (2,) NaN where computed from the arsenals
    stalemate: np.ndarray
    start_rung: int
    start_step: int
    resolve_beliefs: np.ndarray  # (2, N) given starting resolve belief of each observer, NaN if none


def build_world(spec: Scenario) -> World:
    """The fixed arrays of `spec` (call `check_supported` first)."""
    codes = list(spec.states)
    where, n, states = {c: i for i, c in enumerate(codes)}, len(codes), [spec.states[c] for c in codes]
    params = spec.params
    ladder = spec.resolved_ladder
    arrays = ladder.arrays
    image = np.array([s.recklessness if s.image is None else s.image for s in states], dtype=float)
    beliefs = np.tile(image, (n, 1))
    for observer, targets in spec.beliefs.items():
        for target, given in targets.items():
            if given.recklessness is not None:
                beliefs[where[observer], where[target]] = given.recklessness
    alliances = list(spec.alliances.values())
    members = np.zeros((len(alliances), n), dtype=bool)
    for a, alliance in enumerate(alliances):
        members[a, [where[c] for c in alliance.members]] = True
    slip = np.minimum(arrays["slip"] * params.slip_scale, 1.0)
    slip[ladder.top] = 1.0
    world = World(
        codes=codes,
        alliance_ids=list(spec.alliances),
        fear=np.array([s.fear for s in states], dtype=float),
        recklessness=np.array([s.recklessness for s in states], dtype=float),
        commitment=np.array([s.commitment for s in states], dtype=float),
        age=np.array([s.leader.age for s in states], dtype=float),
        political_hazard=np.array([s.leader.political_hazard for s in states], dtype=float),
        mortality_log_base=np.array(
            [-np.inf if s.aggregate else params.leaders.mortality_log_base for s in states], dtype=float
        ),
        capabilities=np.array([(s.conventional, s.warheads, s.survivable_warheads) for s in states], float),
        value_at_risk=np.array([s.value_at_risk for s in states], dtype=float),
        audience_cost=np.array([s.audience_cost for s in states], dtype=float),
        image=beliefs,
        alliance_members=members,
        active=np.array([a.active for a in alliances], dtype=bool),
        automaticity=np.array([a.automaticity for a in alliances], dtype=float),
        institutionalisation=np.array([a.institutionalisation for a in alliances], dtype=float),
        cohesion=np.array([a.cohesion for a in alliances], dtype=float),
        shared_threat=np.array([a.shared_threat for a in alliances], dtype=float),
        at_war=np.array(
            [a.war_context is not None and spec.context.get(a.war_context, False) for a in alliances], dtype=bool
        ),
        pulls=_pulls(spec),
        slip=slip,
        decisive=arrays["decisive"],
        damage_self=arrays["damage_self"],
        damage_target=arrays["damage_target"],
        nuclear=arrays["nuclear"],
        civilian=arrays["civilian"],
        catastrophe=arrays["catastrophe"],
        rung_names=[r.name for r in ladder.rungs],
        crisis=None,
    )
    if spec.crises:
        world.crisis = _crisis_arrays(spec, world, where)
    return world


def _pulls(spec: Scenario) -> list[list[tuple[int, float]]]:
    """Per alliance, (rival alliance, relation) for each third power of a rival sharing one member.

    As `model.alliance.Alliance.pull`: the relation is the mean of the third power's relations
    with the alliance's other members.
    """
    relations = {relation_key(*k.split("-")): v for k, v in spec.relations.items()}
    alliances = list(spec.alliances.values())
    pulls: list[list[tuple[int, float]]] = []
    for a, alliance in enumerate(alliances):
        found = []
        for b, other in enumerate(alliances):
            shared = [c for c in other.members if c in alliance.members]
            if b == a or len(shared) != 1:
                continue
            rest = [c for c in alliance.members if c != shared[0]]
            for third in other.members:
                if third in alliance.members:
                    continue
                relation = float(np.mean([relations.get(relation_key(third, m), 0.0) for m in rest]))
                found.append((b, relation))
        pulls.append(found)
    return pulls


def _crisis_arrays(spec: Scenario, world: World, where: dict[str, int]) -> CrisisArrays:
    key, crisis = next(iter(spec.crises.items()))
    leads = [crisis.first_mover, *(c for c in crisis.sides if c != crisis.first_mover)]
    n = len(world.codes)
    members = np.zeros((2, n), dtype=bool)
    order = np.full((2, n), -1, dtype=np.int32)
    totals = np.zeros((2, 3))
    resolve_beliefs = np.full((2, n), np.nan)
    for s, code in enumerate(leads):
        side = crisis.sides[code]
        starting = [where[code], *(where[c] for c in side.with_)]
        members[s, starting] = True
        order[s, starting] = np.arange(len(starting))
        for member in starting:  # added one by one in list order, so the sums equal the agent model's
            totals[s] += world.capabilities[member]
        for observer, targets in spec.beliefs.items():
            given = targets.get(code)
            if given is not None and given.resolve is not None:
                resolve_beliefs[s, where[observer]] = given.resolve
    sides = [crisis.sides[c] for c in leads]
    return CrisisArrays(
        id=key,
        leads=np.array([where[c] for c in leads]),
        members=members,
        order=order,
        totals=totals,
        prevail=np.array([s.prevail for s in sides], dtype=float),
        concede=np.array([s.concede for s in sides], dtype=float),
        disaster=np.array([np.nan if s.disaster is None else s.disaster for s in sides], dtype=float),
        stalemate=np.array(
            [0.5 * (s.prevail + s.concede) if s.stalemate is None else s.stalemate for s in sides], dtype=float
        ),
        start_rung=crisis.start_rung,
        start_step=crisis.start_step,
        resolve_beliefs=resolve_beliefs,
    )
