"""The default policy: Schelling's competition in risk taking, driven by traits."""

from __future__ import annotations

import numpy as np

from agents.policies.base import CrisisView, Move, Policy
from rules.bargaining import choose, option_values, standfast_probability
from rules.risk import perceived_risk


class TraitPolicy(Policy):
    """Weigh yielding against each rung by its value under the state's fear and recklessness.

    Fear raises and recklessness discounts the perceived risk of each rung; the opponent's
    estimated resolve and reckless image set the chance it stands fast (`rules.bargaining`).
    With no decision noise the best option is taken; otherwise a softmax draw.
    """

    name = "trait"
    description = "Compare prevailing, yielding and the subjectively weighted risk of catastrophe."
    classifier = {
        "stochastic": True,
        "memory_depth": 0,
        "uses_beliefs": True,
        "complete_information": False,
        "may_yield": True,
        "may_escalate": True,
    }

    def values(self, view: CrisisView) -> tuple[float, np.ndarray]:
        """Value of yielding and of moving to each option in `view.options`."""
        rungs = np.array(view.options, dtype=int)
        me = view.me
        slip = view.slip[rungs]
        perceived = perceived_risk(slip, me.fear, me.recklessness, view.risk_sensitivity)
        standfast = standfast_probability(
            slip, view.resolve_estimate, view.reckless_image, view.risk_sensitivity, view.standfast_spread
        )
        values = option_values(
            perceived,
            view.decisive[rungs],
            standfast,
            me.share,
            me.prevail,
            me.concede,
            me.disaster,
            me.cost[rungs],
        )
        values = np.where(view.catastrophe[rungs], me.disaster, values)
        return me.concede, values

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        concede, values = self.values(view)
        all_values = np.concatenate(([concede], values))
        uniform = rng.random() if view.decision_noise > 0 else None
        index = int(choose(all_values, view.decision_noise, uniform))
        return view.yield_() if index == 0 else view.to_rung(view.options[index - 1])
