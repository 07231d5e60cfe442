"""Optimal play with complete information, by backward induction over the moves left."""

from __future__ import annotations

import numpy as np

from agents.policies.base import CrisisView, Move, Policy
from rules.backward_induction import YIELD_ACTION, GameSolution, solve_crisis_game


class BackwardInductionPolicy(Policy):
    """Play the subgame-perfect move of the two-sided crisis game (`rules.backward_induction`).

    Reads the opponent's true payoffs: for crises of complete information, such as the discrete
    competition in risk taking (Haynes 2019) or Powell's critical-risk model.
    """

    name = "backward_induction"
    description = "Subgame-perfect play of a two-player crisis with complete information."
    classifier = {
        "stochastic": False,
        "memory_depth": 0,
        "uses_beliefs": False,
        "complete_information": True,
        "may_yield": True,
        "may_escalate": True,
    }

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        action = int(solve_view(view).action[view.steps_left, view.rung, 0])
        return view.yield_() if action == YIELD_ACTION else view.to_rung(action)


def solve_view(view: CrisisView) -> GameSolution:
    """Solve the crisis game the mover faces; player and mover 0 are the mover, 1 the opponent."""
    me, them = view.me, view.them
    return solve_crisis_game(
        slip=view.slip,
        decisive=view.decisive,
        catastrophe=view.catastrophe,
        allowed=view.allowed,
        prevail=np.array([me.prevail, them.prevail]),
        concede=np.array([me.concede, them.concede]),
        disaster=np.array([me.disaster, them.disaster]),
        stalemate=np.array([me.stalemate, them.stalemate]),
        share=np.array([me.share, them.share]),
        mover_cost=np.stack([me.cost, them.cost]),
        target_cost=np.stack([me.exposure, them.exposure]),
        horizon=view.steps_left,
    )
