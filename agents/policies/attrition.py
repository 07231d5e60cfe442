"""Concede at the equilibrium hazard of the war of attrition, read off the opponent's stakes."""

from __future__ import annotations

import math

import numpy as np

from agents.policies.base import CrisisView, Move, Policy


def attrition_hazard(view: CrisisView) -> float:
    """The mover's concession rate per turn: the opponent's cost of contesting over its prize.

    In the war of attrition with complete information (Maynard Smith 1974; Hendricks, Weiss and
    Wilson 1988) each side concedes at the rate ``c_j / V_j`` that leaves the *other* side
    indifferent between conceding and holding on. Here ``c_j`` is what the opponent pays per turn
    to hold the current rung (``them.cost``) and ``V_j = them.prevail - them.concede``.
    """
    prize = view.them.prevail - view.them.concede
    cost = float(view.them.cost[view.rung])
    if prize <= 0.0:
        return math.inf  # the opponent gains nothing by holding out: concede at once
    return cost / prize


class AttritionPolicy(Policy):
    """Hold the current rung, conceding each turn with probability ``1 - exp(-c_j / V_j)``.

    A turn covers one round (each side moves once a round), so a side's concession time is the
    continuous-time exponential of the war of attrition observed at the end of its round.
    """

    name = "attrition"
    description = "Concede at the war-of-attrition hazard: the opponent's cost over its prize."
    classifier = {
        "stochastic": True,
        "memory_depth": 0,
        "uses_beliefs": False,
        "complete_information": True,
        "may_yield": True,
        "may_escalate": True,
    }

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        if rng.random() < -math.expm1(-attrition_hazard(view)):
            return view.yield_()
        return view.hold() or view.escalation() or view.yield_()
