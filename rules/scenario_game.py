"""A scenario's crisis as one game: the traits, stakes and treaties of a scenario mapped to types.

This module is the one place where a scenario (`scenarios.schema.Scenario`, after ``--set``
overrides) becomes a `rules.crisis_game.CrisisGame`. The game is built from the scenario's values
at the start, not from a running world. Side ``i`` of the game is the ``i``-th side of the crisis
as written, keyed by its lead state; ``first_mover`` is the index of the crisis's first mover.

Rungs (`scenarios.ladder`, read as `model.brinkmanship` and `model.crisis` read them):
    slip is the ladder's slip times ``params.slip_scale``, clipped to [0, 1]; decisive,
    armed_attack and catastrophe are the ladder's.

Sides (`model.crisis.side_view`, with the same meaning):
    strength is the conventional strength of the lead plus its ``with`` co-belligerents (a side
    with none at all gets a token 1e-9, so that an unarmed side loses every decisive fight, and two
    unarmed sides split it evenly, as the model's share does). ``rung_cost`` is the ladder's
    ``damage_self`` times the lead's ``value_at_risk`` and ``exposure`` its ``damage_target`` times
    the same. A side none of whose states has warheads may not move to or hold a nuclear rung
    (`model.crisis.options_for`). Jumps come from the lead's doctrine: a jump ``{from: f, to: t}``
    is open from every rung ``a`` with ``f <= a <= t - 2`` (from ``t - 1`` the same move is the
    ordinary step up), as `agents.doctrine.Doctrine.options` reads it.

Normal type:
    prevail, concede and stalemate (default halfway between prevail and concede) are the side's;
    the audience cost is the lead's (Fearon 1994); there is no holding cost. The base value of
    catastrophe ``d0`` is the side's ``disaster`` if given, else minus the lead's value at risk
    times the share the enemy side's surviving warheads destroy (`rules.risk.destruction`, as
    `model.crisis.disaster_value` computes it, but not capped at conceding). The lead's fear, its
    subjective sense of strategic risk, then sets how much worse than conceding catastrophe is to
    it: ``disaster = concede - (concede - d0) * 4 ** (fear - 0.5)``. Fear 0.5 keeps the scenario's
    value, fear 1 doubles the loss from catastrophe relative to conceding and fear 0 halves it;
    the side's resolve, its critical risk, moves with it (Powell 1987). When ``concede - d0 <= 0``
    (an enemy without warheads, say), the loss before bending is a floor of ``1e-3 * (prevail -
    concede)``, so that catastrophe stays strictly worse than conceding.

Obstinate type (Kreps & Wilson 1982; Abreu & Gul 2000: a leader who will not back down):
    same payoffs, ``obstinate=True``, and the fixed move ``params.game.obstinate_move`` (``"hold"``
    or ``"escalate"``, `rules.crisis_game.CrisisType.fixed_move`). Its prior is
    ``params.game.obstinate_prior`` times the image the other side's lead holds of this lead's
    recklessness: the scenario's ``beliefs.<observer>.<target>.recklessness`` if given, else the
    target's ``image``, else its recklessness trait (as `model.brinkmanship` seeds its beliefs).
    `true_obstinate_chances` is ``obstinate_prior`` times the lead's own recklessness trait, the
    truth a simulator draws types from; since the game's prior is the image, leaders may be
    misperceived. A side has the normal type alone only when both its prior and its true chance
    are 0. When the image is 0 but the true chance is positive, the obstinate type is kept with
    the prior ``MIN_OBSTINATE_PRIOR`` (1e-6): the opponent is all but sure it faces a normal type,
    yet the obstinate leaders a simulator draws exist in the game and play its fixed move, instead
    of being dropped. The prior is capped at ``1 - 1e-6`` so that a normal type remains.

Ally (one aggregate ally a side; Snyder 1984):
    the lead's treaty partners in active alliances who stand on neither side of the crisis (a
    partner in several such treaties counts once, for the first). Partner ``k`` joins with the
    chance ``c_k`` of `rules.alliance.join_probability` (commitment, cohesion, automaticity and
    ``params.cohesion.consultation_weight``, as `model.alliance.Alliance.join_chance`); the ally
    joins with ``join = 1 - prod_k (1 - c_k)``. Its strength is the partners' expected
    conventional strength given that the ally joined, ``sum_k c_k s_k / join`` (partner ``k`` is
    in the fight with chance ``c_k / join`` given that the bloc joined: two partners sure to join
    bring both their strengths). Its own escalation chance, once joined, is
    ``params.game.ally_escalation`` times the partners' reckless image as the opponent's lead sees
    them, combined by `rules.alliance.bloc_image` with each partner weighted by ``c_k / join``, its
    chance of being in the fight given that the ally has joined (one joined partner of image 1
    escalates with ``ally_escalation`` itself): the threat that leaves something to chance, in a
    third party's hands (Schelling 1960). No partners, or partners that never join, make no ally.

The crisis: ``allow_hold``, ``first_mover`` and ``start_rung`` are the crisis's; the horizon is
``params.game.horizon`` (None: no deadline, the stationary form). Where the model calls the first
mover's allies at once because the start rung is an armed attack, the game does not: its allies
are first called by the other side's next move onto or at an armed-attack rung.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rules.alliance import bloc_image, join_probability
from rules.crisis_game import Ally, CrisisGame, CrisisType, GameError, Rung, Side
from rules.risk import destruction
from scenarios.errors import ScenarioError, shown
from scenarios.schema import CrisisSpec, Jump, Scenario

FEAR_BASE = 4.0
"""Catastrophe's loss relative to conceding is multiplied by ``FEAR_BASE ** (fear - 0.5)``."""

FLOOR_LOSS = 1e-3
"""Smallest loss from catastrophe relative to conceding, as a share of ``prevail - concede``."""

MAX_OBSTINATE_PRIOR = 1.0 - 1e-6
"""Cap on an obstinate type's prior, so that every side keeps a normal type."""

MIN_OBSTINATE_PRIOR = 1e-6
"""Floor on the prior of an obstinate type whose true chance is positive but whose image is 0."""

TOKEN_STRENGTH = 1e-9
"""Strength of a side without conventional forces (the game needs a positive strength)."""


@dataclass(frozen=True)
class TreatyAlly:
    """A treaty partner of a side's lead, outside the crisis, that may join it.

    Attributes:
        code: The partner state.
        alliance: The alliance that binds it to the lead.
        join: Its chance of honouring the clause at the start (`rules.alliance.join_probability`).
    """

    code: str
    alliance: str
    join: float


@dataclass(frozen=True)
class SideStates:
    """Which scenario states make up a side of the crisis.

    Attributes:
        lead: The lead state, whose traits and stakes are the side's.
        co_belligerents: The ``with`` states, fighting from the start.
        allies: The lead's treaty partners outside the crisis (the game's aggregate `Ally`).
    """

    lead: str
    co_belligerents: tuple[str, ...]
    allies: tuple[TreatyAlly, ...]

    @property
    def members(self) -> tuple[str, ...]:
        """The lead and its co-belligerents."""
        return (self.lead, *self.co_belligerents)


def crisis_spec(spec: Scenario, crisis_id: str) -> CrisisSpec:
    """The crisis ``crisis_id`` of the scenario.

    Raises:
        ScenarioError: No crisis of that id.
    """
    if crisis_id not in spec.crises:
        known = ", ".join(sorted(spec.crises)) or "none"
        raise ScenarioError(spec.source, "crises", f"no crisis {shown(crisis_id)} (crises: {known})")
    return spec.crises[crisis_id]


def crisis_sides(spec: Scenario, crisis_id: str) -> tuple[SideStates, SideStates]:
    """The states of each side of a crisis, in the game's side order (see the module docstring)."""
    crisis = crisis_spec(spec, crisis_id)
    involved = {code for lead, side in crisis.sides.items() for code in (lead, *side.with_)}
    out = [SideStates(lead, tuple(side.with_), treaty_allies(spec, lead, involved))
           for lead, side in crisis.sides.items()]
    return out[0], out[1]


def treaty_allies(spec: Scenario, lead: str, involved: set[str]) -> tuple[TreatyAlly, ...]:
    """The lead's partners in active alliances, outside the crisis, with their join chances (Snyder 1984)."""
    weight = spec.params.cohesion.consultation_weight
    found: dict[str, TreatyAlly] = {}
    for key, alliance in spec.alliances.items():
        if not alliance.active or lead not in alliance.members:
            continue
        for code in alliance.members:
            if code in involved or code in found:
                continue
            commitment = spec.states[code].commitment
            chance = float(join_probability(commitment, alliance.cohesion, alliance.automaticity, weight))
            found[code] = TreatyAlly(code, key, chance)
    return tuple(found.values())


def reckless_image(spec: Scenario, observer: str, target: str) -> float:
    """The recklessness ``observer`` sees in ``target`` at the start: belief, else image, else trait."""
    given = spec.beliefs.get(observer, {}).get(target)
    if given is not None and given.recklessness is not None:
        return given.recklessness
    state = spec.states[target]
    return state.recklessness if state.image is None else state.image


def game_rungs(spec: Scenario) -> tuple[Rung, ...]:
    """The ladder's rungs, slip scaled by ``params.slip_scale`` and clipped to [0, 1]."""
    scale = spec.params.slip_scale
    return tuple(
        Rung(r.name, float(np.clip(r.slip * scale, 0.0, 1.0)), r.decisive, r.armed_attack, r.catastrophe)
        for r in spec.resolved_ladder.rungs
    )


def jump_pairs(jumps: list[Jump], top: int) -> tuple[tuple[int, int], ...]:
    """Doctrine jumps as explicit ``(from_rung, to_rung)`` pairs, ``from <= a <= to - 2``."""
    pairs = {(a, j.to) for j in jumps if j.to <= top for a in range(j.from_, j.to - 1)}
    return tuple(sorted(pairs))


def disaster_value(spec: Scenario, crisis_id: str, index: int) -> float:
    """Side ``index``'s value of catastrophe, bent by its lead's fear (module docstring; Powell 1987)."""
    crisis = crisis_spec(spec, crisis_id)
    leads = list(crisis.sides)
    side, lead = crisis.sides[leads[index]], spec.states[leads[index]]
    if side.disaster is not None:
        base = side.disaster
    else:
        enemy = leads[1 - index]
        members = (enemy, *crisis.sides[enemy].with_)
        survivable = math.fsum(spec.states[c].survivable_warheads for c in members)
        base = -lead.value_at_risk * float(destruction(survivable, spec.params.warheads_for_devastation))
    loss = side.concede - base
    if loss <= 0:
        loss = FLOOR_LOSS * (side.prevail - side.concede)
    return side.concede - loss * FEAR_BASE ** (lead.fear - 0.5)


def obstinate_prior(spec: Scenario, crisis_id: str, index: int) -> float:
    """Prior of side ``index``'s obstinate type: ``obstinate_prior`` times the image the other lead holds.

    Floored at `MIN_OBSTINATE_PRIOR` when the side's true chance is positive, capped at
    `MAX_OBSTINATE_PRIOR` (module docstring).
    """
    leads = list(crisis_spec(spec, crisis_id).sides)
    image = reckless_image(spec, observer=leads[1 - index], target=leads[index])
    prior = min(spec.params.game.obstinate_prior * image, MAX_OBSTINATE_PRIOR)
    if true_obstinate_chances(spec, crisis_id)[index] > 0:
        prior = max(prior, MIN_OBSTINATE_PRIOR)
    return prior


def true_obstinate_chances(spec: Scenario, crisis_id: str) -> tuple[float, float]:
    """Each side's true chance of being obstinate: ``obstinate_prior`` times its lead's recklessness.

    Kreps & Wilson (1982): the chance a simulator draws each lead's type from (the game's prior
    is the image others hold, which may differ).
    """
    chance = spec.params.game.obstinate_prior
    leads = list(crisis_spec(spec, crisis_id).sides)
    return chance * spec.states[leads[0]].recklessness, chance * spec.states[leads[1]].recklessness


def side_types(spec: Scenario, crisis_id: str, index: int) -> tuple[CrisisType, ...]:
    """Side ``index``'s normal type and, with a positive prior, its obstinate type."""
    crisis = crisis_spec(spec, crisis_id)
    lead = list(crisis.sides)[index]
    side = crisis.sides[lead]
    stalemate = 0.5 * (side.prevail + side.concede) if side.stalemate is None else side.stalemate
    payoffs = {
        "prevail": side.prevail,
        "concede": side.concede,
        "disaster": disaster_value(spec, crisis_id, index),
        "stalemate": stalemate,
        "audience_cost": spec.states[lead].audience_cost,
    }
    prior = obstinate_prior(spec, crisis_id, index)
    if prior <= 0:
        return (CrisisType("normal", 1.0, **payoffs),)
    fixed = spec.params.game.obstinate_move
    return (CrisisType("normal", 1.0 - prior, **payoffs),
            CrisisType("obstinate", prior, obstinate=True, fixed_move=fixed, **payoffs))


def side_ally(spec: Scenario, states: SideStates, opponent: str) -> Ally | None:
    """The side's aggregate ally (Snyder 1984; Schelling 1960), or None (module docstring)."""
    chances = np.array([a.join for a in states.allies], dtype=float)
    if chances.size == 0 or chances.sum() <= 0:
        return None
    join = float(1.0 - np.prod(1.0 - chances))
    strength = np.array([spec.states[a.code].conventional for a in states.allies], dtype=float)
    images = np.array([reckless_image(spec, opponent, a.code) for a in states.allies], dtype=float)
    escalate = spec.params.game.ally_escalation * float(bloc_image(images, np.minimum(chances / join, 1.0)))
    return Ally(join=min(join, 1.0), strength=float(strength @ chances / join), escalate=escalate)


def game_side(spec: Scenario, crisis_id: str, index: int, sides: tuple[SideStates, SideStates]) -> Side:
    """Side ``index`` of the game: types, strength, costs, jumps, ally and forbidden rungs."""
    states, lead = sides[index], spec.states[sides[index].lead]
    ladder = spec.resolved_ladder
    arrays = ladder.arrays
    strength = math.fsum(spec.states[c].conventional for c in states.members)
    nuclear_armed = any(spec.states[c].warheads > 0 for c in states.members)
    forbidden = () if nuclear_armed else tuple(int(r) for r in np.flatnonzero(arrays["nuclear"]))
    return Side(
        name=states.lead,
        types=side_types(spec, crisis_id, index),
        strength=strength if strength > 0 else TOKEN_STRENGTH,
        rung_cost=tuple(float(x) for x in arrays["damage_self"] * lead.value_at_risk),
        exposure=tuple(float(x) for x in arrays["damage_target"] * lead.value_at_risk),
        jumps=jump_pairs(lead.doctrine.jumps, ladder.top),
        ally=side_ally(spec, states, opponent=sides[1 - index].lead),
        forbidden=forbidden,
    )


def crisis_game(spec: Scenario, crisis_id: str) -> CrisisGame:
    """The crisis ``crisis_id`` of a loaded scenario as one game (the mapping in the module docstring).

    Args:
        spec: A scenario loaded by `scenarios.load_scenario` (its ladder resolved, overrides applied).
        crisis_id: The key of the crisis in ``crises``.

    Raises:
        ScenarioError: No such crisis, or values the game cannot take (the message names the crisis).
    """
    crisis = crisis_spec(spec, crisis_id)
    sides = crisis_sides(spec, crisis_id)
    try:
        built = (game_side(spec, crisis_id, 0, sides), game_side(spec, crisis_id, 1, sides))
        return CrisisGame(
            rungs=game_rungs(spec),
            sides=built,
            allow_hold=crisis.allow_hold,
            first_mover=list(crisis.sides).index(crisis.first_mover),
            start_rung=crisis.start_rung,
            horizon=spec.params.game.horizon,
        )
    except GameError as error:
        raise ScenarioError(spec.source, f"crises.{crisis_id}", f"cannot be played as a game: {error}") from None


def logit_precision(spec: Scenario) -> float:
    """``params.game.lambda`` as a solver takes it: ``math.inf`` (the limit) when it is null."""
    lam = spec.params.game.lambda_
    return math.inf if lam is None else float(lam)
