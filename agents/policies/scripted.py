"""A fixed list of moves, for historical reconstructions and tests."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agents.policies.base import CrisisView, Move, Policy

ScriptStep = Literal["yield", "hold", "escalate"] | int


class ScriptedParams(BaseModel):
    """Parameters of `ScriptedPolicy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    moves: tuple[ScriptStep, ...] = Field(
        min_length=1, description="Moves in order: yield, hold, escalate, or a rung number to go to."
    )
    then: Literal["yield", "hold", "escalate", "repeat"] = Field(
        "hold", description="What to do once the list is used up (repeat starts it again)."
    )


class ScriptedPolicy(Policy):
    """Play the listed moves in order, one per turn of this side.

    A listed move the position does not allow becomes the nearest allowed move below it (a
    rung that is too high becomes the highest allowed rung under it; holding where holding is
    not allowed becomes a one-rung escalation); when nothing fits, the side yields.
    """

    name = "scripted"
    description = "Play a fixed list of moves."
    classifier = {
        "stochastic": False,
        "memory_depth": float("inf"),
        "uses_beliefs": False,
        "complete_information": False,
        "may_yield": True,
        "may_escalate": True,
    }
    Params = ScriptedParams

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        turn = sum(1 for t in view.history if t.mine)
        moves = self.params.moves
        if turn < len(moves):
            step = moves[turn]
        elif self.params.then == "repeat":
            step = moves[turn % len(moves)]
        else:
            step = self.params.then
        return self._resolve(step, view)

    @staticmethod
    def _resolve(step: ScriptStep, view: CrisisView) -> Move:
        if step == "yield":
            return view.yield_()
        if step == "hold":
            return view.hold() or view.escalation() or view.yield_()
        target = view.rung + 1 if step == "escalate" else int(step)
        fitting = [r for r in view.options if r <= target]
        return view.to_rung(fitting[-1]) if fitting else view.yield_()
