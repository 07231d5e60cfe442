"""Escalation ladders: rungs, stages and thresholds, loaded from YAML data files."""

from __future__ import annotations

from functools import cached_property

import numpy as np
from pydantic import ConfigDict, Field, field_validator, model_validator

from scenarios import limits
from scenarios.errors import shown
from scenarios.strict import Flag, Integer, Line, Real, Strict, Text, check_ids


class Rung(Strict):
    """One rung of an escalation ladder."""

    model_config = ConfigDict(frozen=True)

    id: Integer = Field(ge=0, description="Position on the ladder, 0 for the status quo.")
    name: Line = Field(min_length=1)
    stage: Line = Field(min_length=1, description="Kahn's stage the rung belongs to.")
    kahn: Integer = Field(ge=0, le=44, description="The rung of Kahn's 44-rung ladder it stands for.")
    nuclear: Flag = Field(description="The rung is nuclear use.")
    civilian: Flag = Field(description="The rung strikes or deliberately endangers civilians.")
    armed_attack: Flag = Field(
        description="Reaching the rung puts the other side in a state of war (triggers defence clauses)."
    )
    damage_target: Real = Field(ge=0.0, le=1.0, description="Share of the target's value at risk destroyed per step.")
    damage_self: Real = Field(ge=0.0, le=1.0, description="Share of the mover's value at risk lost per step.")
    slip: Real = Field(
        ge=0.0, le=1.0, description="Per-step probability that the crisis slips out of control to the top."
    )
    decisive: Real = Field(
        ge=0.0, le=1.0, description="Per-step probability that fighting at the rung is decided by force."
    )
    catastrophe: Flag = Field(False, description="Reaching this rung is all-out war (only the top rung).")


class Threshold(Strict):
    """A firebreak between rungs, crossed on reaching rung `at`."""

    model_config = ConfigDict(frozen=True)

    at: Integer = Field(ge=1)
    name: Line = Field(min_length=1)


class Ladder(Strict):
    """An escalation ladder; rung ids run 0..K-1 and only the top rung is catastrophe."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=limits.ID_CHARS)
    description: Text = ""
    source: Text = ""
    stages: list[Line] = Field(
        default_factory=list, max_length=limits.STAGES
    )
    thresholds: list[Threshold] = Field(default_factory=list, max_length=limits.THRESHOLDS)
    rungs: list[Rung] = Field(min_length=2, max_length=limits.RUNGS)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        check_ids("ladder name", [name])
        return name

    @model_validator(mode="after")
    def _check_order(self) -> Ladder:
        for position, rung in enumerate(self.rungs):
            if rung.id != position:
                raise ValueError(f"rung ids must run 0, 1, 2, ... in order; rung {position} has id {rung.id}")
            if rung.catastrophe != (position == len(self.rungs) - 1):
                raise ValueError("the top rung, and only the top rung, must have catastrophe: true")
            if self.stages and rung.stage not in self.stages:
                raise ValueError(f"rung {rung.id} names stage {shown(rung.stage)}, which is not in stages")
        for threshold in self.thresholds:
            if threshold.at >= len(self.rungs):
                raise ValueError(f"threshold {shown(threshold.name)} at {threshold.at} is above the top rung")
        return self

    @property
    def top(self) -> int:
        """Index of the catastrophe rung."""
        return len(self.rungs) - 1

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Rung fields as read-only numpy arrays keyed by field name."""
        out: dict[str, np.ndarray] = {}
        for field in ("slip", "decisive", "damage_target", "damage_self"):
            out[field] = np.array([getattr(r, field) for r in self.rungs], dtype=float)
        for field in ("nuclear", "civilian", "armed_attack", "catastrophe"):
            out[field] = np.array([getattr(r, field) for r in self.rungs], dtype=bool)
        for array in out.values():
            array.setflags(write=False)
        return out

    def thresholds_crossed(self, before: int, after: int) -> list[str]:
        """Names of the thresholds crossed moving from rung `before` up to rung `after`."""
        return [t.name for t in self.thresholds if before < t.at <= after]
