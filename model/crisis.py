"""A two-sided crisis on the escalation ladder: whose move it is, and what a move does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents.policies import CrisisView, Move, SideView, Turn
from model.outcomes import CHOICE, DEFEAT, DELIBERATE, SLIP
from rules.alliance import bloc_image
from rules.bargaining import concession_value
from rules.beliefs import image_update_weight, update_image, update_resolve
from rules.risk import critical_risk, destruction

if TYPE_CHECKING:
    from agents import StateAgent
    from model.alliance import Alliance
    from model.brinkmanship import BrinkmanshipModel
    from scenarios.schema import SideSpec

PENDING, ACTIVE = "pending", "active"
YIELD, CATASTROPHE, STALEMATE = "yield", "catastrophe", "stalemate"


@dataclass
class Side:
    """One side of a crisis: a lead state that decides, and the states fighting with it.

    Attributes:
        lead: The state whose policy chooses the side's moves.
        members: Belligerents: the lead, co-belligerents and allies that joined.
        spec: Payoffs from the scenario.
        declined: Allies that were called on and stayed out.
    """

    lead: StateAgent
    members: list[StateAgent]
    spec: SideSpec
    declined: list[StateAgent] = field(default_factory=list)

    @property
    def code(self) -> str:
        """The lead state's code."""
        return self.lead.code


@dataclass
class Crisis:
    """A crisis between two sides; side 0 moves first.

    Attributes:
        id: Key in the scenario.
        sides: The two sides.
        rung: Current rung.
        mover: Index of the side to move.
        status: pending, active, yield, catastrophe or stalemate.
        start_step: Step at which it opens.
        start_rung: Rung it opens on.
        allow_hold: Whether staying on a rung is a move.
        history: Moves so far as (side, move).
        yielder: Code of the lead that yielded, if any.
        yield_cause: "choice" or "defeat".
        first_deliberate_nuclear_user: Code of the first side whose own move (a hold or an
            escalation) was onto a nuclear rung; a slip into all-out war is nobody's move.
        catastrophe_cause: "slip" or "deliberate" (`model.outcomes`), if the crisis ended in catastrophe.
        slip_holder: Code of the side whose move onto (or hold on) the rung preceded the slip.
        slip_rung: The rung from which the crisis slipped out of control.
        max_rung: Highest rung reached.
        opened_at: Step it opened, ended_at step it ended.
        called: (side, alliance, ally) triples whose clause this crisis has already triggered.
    """

    id: str
    sides: tuple[Side, Side]
    start_rung: int
    start_step: int
    allow_hold: bool
    rung: int = 0
    mover: int = 0
    status: str = PENDING
    history: list[tuple[int, Move]] = field(default_factory=list)
    yielder: str | None = None
    yield_cause: str | None = None
    first_deliberate_nuclear_user: str | None = None
    catastrophe_cause: str | None = None
    slip_holder: str | None = None
    slip_rung: int | None = None
    max_rung: int = 0
    opened_at: int | None = None
    ended_at: int | None = None
    called: set[tuple[int, str, str]] = field(default_factory=set)

    @property
    def is_open(self) -> bool:
        """Whether the crisis is under way."""
        return self.status == ACTIVE

    def side_of(self, state: StateAgent) -> int | None:
        """Index of the side `state` fights on, or None."""
        for index, side in enumerate(self.sides):
            if state in side.members:
                return index
        return None

    def mover_code(self) -> str:
        """Code of the lead to move next, or "" once the crisis is over."""
        return self.sides[self.mover].code if self.is_open else ""


def open_crisis(model: BrinkmanshipModel, crisis: Crisis) -> None:
    """Open a crisis on its start rung; if that rung is an armed attack, side 0's allies are called."""
    crisis.status = ACTIVE
    crisis.rung = crisis.max_rung = crisis.start_rung
    crisis.opened_at = model.clock
    ladder = model.ladder
    for index, side in enumerate(crisis.sides):
        public = prior_resolve(model, crisis, index)
        for observer in model.states:
            model.belief_resolve[observer.index, side.lead.index] = model.starting_belief(
                observer, side.lead, "resolve", public
            )
    opener, first = crisis.sides[1 - crisis.mover].code, crisis.mover_code()
    model.log(
        crisis=crisis.id,
        actor=opener,
        action="opens",
        rung=crisis.rung,
        detail=f"{opener} side has reached this rung; {first} moves first",
        next_mover=first,
    )
    if ladder.arrays["armed_attack"][crisis.rung]:
        call_allies(model, crisis, target=crisis.mover)


def disaster_value(model: BrinkmanshipModel, crisis: Crisis, index: int) -> float:
    """Side `index`'s value of catastrophe: given, or its value at risk times destruction.

    The computed value is capped at the side's concession value, so catastrophe is never
    preferred to yielding (an enemy without warheads cannot destroy the side's value at risk).
    """
    side = crisis.sides[index]
    if side.spec.disaster is not None:
        return side.spec.disaster
    enemy = crisis.sides[1 - index]
    survivable = sum(m.survivable_warheads for m in enemy.members)
    share = float(destruction(survivable, model.params.warheads_for_devastation))
    return min(-side.lead.value_at_risk * share, side.spec.concede)


def side_view(model: BrinkmanshipModel, crisis: Crisis, index: int) -> SideView:
    """Payoffs, traits and exposure of side `index` as they stand now."""
    side = crisis.sides[index]
    lead = side.lead
    elapsed = model.clock - (crisis.opened_at or model.clock)
    disaster = disaster_value(model, crisis, index)
    # Audience costs grow with time but never make backing down worse than catastrophe.
    concede = max(float(concession_value(side.spec.concede, lead.audience_cost, elapsed)), disaster)
    stalemate = side.spec.stalemate
    if stalemate is None:
        stalemate = 0.5 * (side.spec.prevail + side.spec.concede)
    own = sum(m.conventional for m in side.members)
    total = own + sum(m.conventional for m in crisis.sides[1 - index].members)
    arrays = model.ladder.arrays
    return SideView(
        prevail=side.spec.prevail,
        concede=concede,
        disaster=disaster,
        stalemate=stalemate,
        fear=lead.fear,
        recklessness=lead.recklessness,
        share=own / total if total > 0 else 0.5,
        cost=arrays["damage_self"] * lead.value_at_risk,
        exposure=arrays["damage_target"] * lead.value_at_risk,
    )


def bloc_weights(model: BrinkmanshipModel, crisis: Crisis, index: int) -> list[tuple[StateAgent, float]]:
    """Members of side `index`'s bloc with their weight: 1 if fighting, else their join chance."""
    side = crisis.sides[index]
    weighted = [(m, 1.0) for m in side.members]
    for alliance, ally in prospective_allies(model, crisis, index):
        weighted.append((ally, alliance.join_chance(ally, model.params.cohesion.consultation_weight)))
    return weighted


def prospective_allies(model: BrinkmanshipModel, crisis: Crisis, index: int) -> list[tuple[Alliance, StateAgent]]:
    """Treaty allies of side `index` not yet in the crisis and not yet called on."""
    side = crisis.sides[index]
    found: list[tuple[Alliance, StateAgent]] = []
    seen: set[str] = set()
    for alliance in model.alliances:
        if not alliance.active or not any(m in side.members for m in alliance.members):
            continue
        for ally in alliance.members:
            if crisis.side_of(ally) is not None or ally in side.declined or ally.code in seen:
                continue
            seen.add(ally.code)
            found.append((alliance, ally))
    return found


def reckless_image(model: BrinkmanshipModel, crisis: Crisis, observer: StateAgent, index: int) -> float:
    """How reckless `observer` sees side `index`'s bloc (`rules.alliance.bloc_image`)."""
    weighted = bloc_weights(model, crisis, index)
    images = np.array([model.belief_recklessness[observer.index, m.index] for m, _ in weighted])
    weights = np.array([w for _, w in weighted])
    return float(bloc_image(images, weights))


def options_for(model: BrinkmanshipModel, crisis: Crisis, index: int, rung: int) -> tuple[int, ...]:
    """Rungs side `index` may move to from `rung` under its lead's doctrine."""
    side = crisis.sides[index]
    arrays = model.ladder.arrays
    nuclear_armed = any(m.warheads > 0 for m in side.members)
    forbidden = arrays["nuclear"] & (not nuclear_armed)
    return side.lead.doctrine.options(rung, model.ladder.top, crisis.allow_hold, forbidden)


def view_for(model: BrinkmanshipModel, crisis: Crisis) -> CrisisView:
    """What the side to move knows."""
    me, them = crisis.mover, 1 - crisis.mover
    k = len(model.ladder.rungs)
    allowed = np.zeros((2, k, k), dtype=bool)
    for position, index in enumerate((me, them)):
        for r in range(k - 1):
            allowed[position, r, list(options_for(model, crisis, index, r))] = True
    lead = crisis.sides[me].lead
    history = tuple(Turn(mine=s == me, kind=m.kind, rung=m.rung) for s, m in crisis.history)
    params = model.params
    return CrisisView(
        rung=crisis.rung,
        options=options_for(model, crisis, me, crisis.rung),
        slip=model.slip,
        decisive=model.ladder.arrays["decisive"],
        catastrophe=model.ladder.arrays["catastrophe"],
        allowed=allowed,
        me=side_view(model, crisis, me),
        them=side_view(model, crisis, them),
        resolve_estimate=float(model.belief_resolve[lead.index, crisis.sides[them].lead.index]),
        reckless_image=reckless_image(model, crisis, lead, them),
        history=history,
        elapsed=model.clock - (crisis.opened_at or model.clock),
        steps_left=params.max_steps - model.clock + 1,
        risk_sensitivity=params.risk_sensitivity,
        standfast_spread=params.standfast_spread,
        decision_noise=params.decision_noise,
    )


def call_allies(model: BrinkmanshipModel, crisis: Crisis, target: int) -> None:
    """Side `target` is put in a state of war: each treaty ally decides whether to join it."""
    weight = model.params.cohesion.consultation_weight
    for alliance, ally in prospective_allies(model, crisis, target):
        if (target, alliance.id, ally.code) in crisis.called:
            continue
        crisis.called.add((target, alliance.id, ally.code))
        chance = alliance.join_chance(ally, weight)
        if model.rng.random() < chance:
            crisis.sides[target].members.append(ally)
            alliance.cohesion = min(1.0, alliance.cohesion + model.params.cohesion.honour_boost)
            model.log(
                crisis=crisis.id,
                actor=ally.code,
                action="joins",
                detail=f"honours {alliance.id} ({alliance.clause or 'defence clause'}); chance {chance:.2f}",
            )
        else:
            crisis.sides[target].declined.append(ally)
            alliance.shock(model.params.cohesion.abandonment_shock)
            model.log(
                crisis=crisis.id,
                actor=ally.code,
                action="stays out",
                detail=f"fails {alliance.id} ({alliance.clause or 'defence clause'}); chance {chance:.2f}",
            )


def play_turn(model: BrinkmanshipModel, crisis: Crisis) -> None:
    """The side to move chooses a move; apply it."""
    lead = crisis.sides[crisis.mover].lead
    apply_move(model, crisis, crisis.mover, lead.decide(view_for(model, crisis)))


def apply_move(model: BrinkmanshipModel, crisis: Crisis, index: int, move: Move) -> None:
    """Apply side `index`'s move: record it, update beliefs, call allies, and draw the risks."""
    side, other = crisis.sides[index], crisis.sides[1 - index]
    arrays = model.ladder.arrays
    previous = crisis.rung
    crisis.history.append((index, move))
    observers = np.array([s.index != side.lead.index for s in model.states])
    skipped = max(move.rung - previous - 1, 0)
    weight = image_update_weight(
        move.code,
        arrays["civilian"][move.rung],
        arrays["nuclear"][move.rung],
        skipped,
        model.params.beliefs.learning_rate,
        model.params.beliefs.shock_bonus,
    )
    column = side.lead.index
    images = model.belief_recklessness[:, column]
    model.belief_recklessness[:, column] = np.where(observers, update_image(images, move.code, weight), images)
    resolves = model.belief_resolve[:, column]
    revised = update_resolve(resolves, move.code, model.slip[move.rung])
    model.belief_resolve[:, column] = np.where(observers, revised, resolves)

    if move.kind == "yield":
        crisis.mover = 1 - index
        end(model, crisis, YIELD, yielder=side.code, cause=CHOICE, actor=side.code, action="yields")
        return
    crisis.rung = move.rung
    crisis.max_rung = max(crisis.max_rung, move.rung)
    if not arrays["catastrophe"][move.rung]:  # all-out war's damage comes from the arsenals, in `end`
        side.lead.damage = min(1.0, side.lead.damage + arrays["damage_self"][move.rung])
        other.lead.damage = min(1.0, other.lead.damage + arrays["damage_target"][move.rung])
    if arrays["nuclear"][move.rung] and crisis.first_deliberate_nuclear_user is None:
        crisis.first_deliberate_nuclear_user = side.code
    crossed = model.ladder.thresholds_crossed(previous, move.rung)
    crisis.mover = 1 - index
    model.log(
        crisis=crisis.id,
        actor=side.code,
        action=move.kind if skipped == 0 else f"escalate (skips {skipped})",
        rung=move.rung,
        detail="crosses: " + "; ".join(crossed) if crossed else "",
        next_mover=crisis.mover_code(),
    )
    if arrays["armed_attack"][move.rung] and move.kind == "escalate":
        call_allies(model, crisis, target=1 - index)
    draw_risks(model, crisis, index)


def draw_risks(model: BrinkmanshipModel, crisis: Crisis, index: int) -> None:
    """After side `index`'s hold or escalation: all-out war if it chose the top, else the slip and decisive draws.

    The slip is the threat that leaves something to chance (Schelling 1960, ch. 8): nobody's choice,
    recorded as the cause ``slip`` with the side that held the rung, never as a nuclear use by it.
    """
    side, other = crisis.sides[index], crisis.sides[1 - index]
    arrays = model.ladder.arrays
    rung = crisis.rung
    if arrays["catastrophe"][rung]:
        detail = f"{side.code} chose all-out war"
        end(model, crisis, CATASTROPHE, cause=DELIBERATE, actor=side.code, action="all-out war", detail=detail)
        return
    if model.slip[rung] > 0 and model.rng.random() < model.slip[rung]:
        crisis.slip_holder, crisis.slip_rung = side.code, rung
        name = model.ladder.rungs[rung].name
        detail = f"the crisis slipped out of control while {side.code} held rung {rung} ({name})"
        end(model, crisis, CATASTROPHE, cause=SLIP, actor=side.code, action="slips out of control", detail=detail)
        return
    if arrays["decisive"][rung] > 0 and model.rng.random() < arrays["decisive"][rung]:
        own = sum(m.conventional for m in side.members)
        total = own + sum(m.conventional for m in other.members)
        winner = index if model.rng.random() < (own / total if total > 0 else 0.5) else 1 - index
        loser = crisis.sides[1 - winner]
        end(model, crisis, YIELD, yielder=loser.code, cause=DEFEAT, actor=loser.code, action="defeated")


def end(
    model: BrinkmanshipModel,
    crisis: Crisis,
    status: str,
    *,
    actor: str,
    action: str,
    yielder: str | None = None,
    cause: str | None = None,
    detail: str | None = None,
) -> None:
    """End the crisis with `status` and log it, with its cause (`model.outcomes`) on the log line.

    Args:
        model: The model.
        crisis: The crisis.
        status: yield, catastrophe or stalemate.
        actor: Who the log line names.
        action: What the log line says happened.
        yielder: The side that yielded (a yield).
        cause: choice or defeat (a yield), slip or deliberate (a catastrophe), None (a stalemate).
        detail: The log line's detail; the status when not given.
    """
    crisis.status = status
    crisis.yielder = yielder
    crisis.ended_at = model.clock
    if status == YIELD:
        crisis.yield_cause = cause
    if status == CATASTROPHE:
        crisis.catastrophe_cause = cause
        crisis.rung = crisis.max_rung = model.ladder.top
        for index, side in enumerate(crisis.sides):
            enemy = crisis.sides[1 - index]
            survivable = sum(m.survivable_warheads for m in enemy.members)
            share = float(destruction(survivable, model.params.warheads_for_devastation))
            for member in side.members:
                member.damage = max(member.damage, share)
    model.log(
        crisis=crisis.id, actor=actor, action=action, rung=crisis.rung, detail=detail or status, cause=cause or ""
    )


def prior_resolve(model: BrinkmanshipModel, crisis: Crisis, index: int) -> float:
    """Public estimate of side `index`'s resolve from its stated stakes."""
    side = crisis.sides[index]
    return float(critical_risk(side.spec.prevail, side.spec.concede, disaster_value(model, crisis, index)))
