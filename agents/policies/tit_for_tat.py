"""Answer in kind: mirror the opponent's last move."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agents.policies.base import CrisisView, Move, Policy


class TitForTatParams(BaseModel):
    """Parameters of `TitForTatPolicy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    opening: Literal["hold", "escalate"] = Field("hold", description="The first move.")


class TitForTatPolicy(Policy):
    """Open with `opening`, then escalate one rung after an escalation and hold after a hold.

    Where holding is not allowed it escalates; where escalating is not allowed it holds; where
    neither is, yielding is the only legal move.
    """

    name = "tit_for_tat"
    description = "Escalate when the opponent escalated, hold when it held."
    classifier = {
        "stochastic": False,
        "memory_depth": 1,
        "uses_beliefs": False,
        "complete_information": False,
        "may_yield": False,
        "may_escalate": True,
    }
    Params = TitForTatParams

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        theirs = [t for t in view.history if not t.mine]
        wanted = theirs[-1].kind if theirs else self.params.opening
        if wanted == "escalate":
            return view.escalation() or view.hold() or view.yield_()
        return view.hold() or view.escalation() or view.yield_()
