"""A one-step behavioural rule: Schelling's competition in risk taking, driven by traits.

Not an equilibrium and never the default (`agents.policies.equilibrium` is): the mover looks one
move ahead with a pessimistic continuation, bends the risks by its fear and recklessness, and reads
the opponent through the old image and resolve ratchet (`rules.beliefs`), not the game's public
posterior. With ``params.decision_noise > 0`` it draws from a softmax at that temperature, so its
outcomes depend on that parameter; no theory check relies on it.
"""

from __future__ import annotations

import numpy as np

from agents.policies.base import CrisisView, Move, Policy
from rules.bargaining import choose, option_values, standfast_probability
from rules.risk import perceived_risk


class HeuristicPolicy(Policy):
    """Weigh yielding against each rung by its one-step value under the state's fear and recklessness.

    Fear raises and recklessness discounts the perceived risk of each rung; the opponent's
    estimated resolve and reckless image set the chance it stands fast (`rules.bargaining`).
    With no decision noise (``params.decision_noise``, its temperature) the best option is taken;
    otherwise a softmax draw. A behavioural rule, not a solution of the game (docs/odd.md 7.22).
    """

    name = "heuristic"
    description = "One-step rule: prevailing, yielding and the subjectively weighted risk of catastrophe."
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
