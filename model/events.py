"""Scheduled shocks: scenario events fired through Mesa's event scheduling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents import Leader
from model.crisis import ACTIVE, PENDING, open_crisis, strike
from scenarios.schema import (
    AlignEvent,
    SetEvent,
    ShiftEvent,
    StrikeEvent,
    SuccessionEvent,
    WarEvent,
    relation_key,
)

if TYPE_CHECKING:
    from model.brinkmanship import BrinkmanshipModel
    from scenarios.schema import EventBase


class ScheduledEvent:
    """One scenario event, fired at the start of its step (before any move).

    Mesa holds event callbacks by weak reference, so the model keeps these objects alive and
    schedules their bound `fire` method.
    """

    def __init__(self, model: BrinkmanshipModel, spec: EventBase) -> None:
        self.model = model
        self.spec = spec

    def schedule(self) -> None:
        """Schedule `fire` half a step before step `at`."""
        self.model.schedule_event(self.fire, at=self.spec.at - 0.5)

    def fire(self) -> None:
        """Apply the event to the model."""
        model, spec = self.model, self.spec
        note = f" ({spec.note})" if spec.note else ""
        if isinstance(spec, SetEvent):
            model.set_live(spec.path, spec.value)
            model.log(actor="event", action="set", detail=f"{spec.path} = {spec.value}{note}")
        elif isinstance(spec, ShiftEvent):
            model.set_live(spec.path, model.get_live(spec.path) + spec.by)
            model.log(
                actor="event",
                action="shift",
                detail=f"{spec.path} {spec.by:+g} -> {model.get_live(spec.path):.3g}{note}",
            )
        elif isinstance(spec, SuccessionEvent):
            state = model.state(spec.state)
            leader = None
            if spec.leader is not None:
                leader = Leader(spec.leader.name, spec.leader.age, spec.leader.tenure, spec.leader.political_hazard)
            state.succeed(leader, dict(spec.traits))
        elif isinstance(spec, WarEvent):
            model.context[spec.context] = spec.kind == "war_start"
            model.log(actor="event", action=spec.kind.replace("_", " "), detail=f"{spec.context}{note}")
        elif isinstance(spec, AlignEvent):
            key = relation_key(*spec.states)
            model.relations[key] = spec.relation
            model.log(actor=spec.states[0], action="aligns", detail=f"relation {key} = {spec.relation:+.2f}{note}")
        elif isinstance(spec, StrikeEvent):
            self._strike(spec, note)

    def _strike(self, spec: StrikeEvent, note: str) -> None:
        model = self.model
        crisis = model.crisis(spec.crisis)
        index = 0 if crisis.sides[0].code == spec.by else 1
        if crisis.status == PENDING:
            open_crisis(model, crisis)
        if crisis.status != ACTIVE:
            model.log(crisis=crisis.id, actor=spec.by, action="strike ignored", detail=f"crisis already over{note}")
            return
        strike(model, crisis, index, spec.rung, note.strip(" ()"))
