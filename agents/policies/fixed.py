"""The two pure postures of the game of chicken: never swerve, always swerve."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agents.policies.base import CrisisView, Move, Policy


class HawkParams(BaseModel):
    """Parameters of `HawkPolicy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jump: bool = Field(False, description="Take the highest rung the doctrine allows, not one rung up.")


class HawkPolicy(Policy):
    """Never yield by choice: escalate every turn (one rung, or the highest allowed jump).

    Where no rung is reachable (no hold allowed and the next rung forbidden) yielding is the only
    legal move, and it takes it.
    """

    name = "hawk"
    description = "Escalate every turn; never yield."
    classifier = {
        "stochastic": False,
        "memory_depth": 0,
        "uses_beliefs": False,
        "complete_information": False,
        "may_yield": False,
        "may_escalate": True,
    }
    Params = HawkParams

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        higher = [r for r in view.options if r > view.rung]
        if not higher:
            return view.hold() or view.yield_()
        return view.to_rung(higher[-1] if self.params.jump else higher[0])


class DovePolicy(Policy):
    """Always yield at the first turn."""

    name = "dove"
    description = "Yield at once."
    classifier = {
        "stochastic": False,
        "memory_depth": 0,
        "uses_beliefs": False,
        "complete_information": False,
        "may_yield": True,
        "may_escalate": False,
    }

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        return view.yield_()
