"""Yield with a fixed probability each turn: mixed strategies and wars of attrition."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agents.policies.base import CrisisView, Move, Policy


class MixedParams(BaseModel):
    """Parameters of `MixedPolicy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    yield_probability: float = Field(ge=0.0, le=1.0, description="Chance of yielding each turn.")
    otherwise: Literal["hold", "escalate"] = Field("hold", description="The move when not yielding.")


class MixedPolicy(Policy):
    """Yield with probability `yield_probability`, otherwise hold (or escalate).

    With ``otherwise: escalate`` on a two-rung ladder it is a mixed strategy of chicken; with
    ``otherwise: hold`` it concedes at a constant hazard, as in a war of attrition.
    """

    name = "mixed"
    description = "Yield with a fixed probability each turn."
    classifier = {
        "stochastic": True,
        "memory_depth": 0,
        "uses_beliefs": False,
        "complete_information": False,
        "may_yield": True,
        "may_escalate": True,
    }
    Params = MixedParams

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        if rng.random() < self.params.yield_probability:
            return view.yield_()
        if self.params.otherwise == "escalate":
            return view.escalation() or view.hold() or view.yield_()
        return view.hold() or view.escalation() or view.yield_()
