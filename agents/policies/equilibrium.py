"""The default policy: play the crisis game's equilibrium (`rules.belief_equilibrium`).

The crisis is one game (`rules.crisis_game`) with private types: each lead is a normal type or,
with a small prior, an obstinate type that never yields (Kreps & Wilson 1982; Abreu & Gul 2000).
The game is solved by backward induction over time and the public posteriors, at the logit
precision ``params.game.lambda`` (McKelvey & Palfrey 1998; null: the sequential equilibrium).
"""

from __future__ import annotations

import numpy as np

from agents.policies.base import CrisisView, Move, Policy


class EquilibriumPolicy(Policy):
    """Make the equilibrium move of the stage game the mover faces (`CrisisView.stage`).

    A normal type draws its move from the stage game's equilibrium probabilities (one uniform,
    inverse CDF, as `rules.crisis_play.play_move` draws it); an obstinate type makes its fixed move.
    The Mesa model does not call `decide`: it plays a lead of this policy through
    `rules.crisis_play.play_move` with ``forced=-1``, so that the move is drawn from the crisis's own
    counter-based stream and a Mesa run plays the same crisis as the ensemble row of its seed. The
    choice is the same rule either way. It reads the beliefs the stage game carries (the public
    posteriors), not the image and resolve ratchet, so ``uses_beliefs`` is False; it does not read the
    opponent's payoffs in the view, which the solved game already holds as common knowledge.
    """

    name = "equilibrium"
    description = "The crisis game's equilibrium move (normal type), or the obstinate type's fixed move."
    classifier = {
        "stochastic": True,
        "memory_depth": 0,
        "uses_beliefs": False,
        "complete_information": False,
        "may_yield": True,
        "may_escalate": True,
    }

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        stage = view.stage
        if stage is None:
            raise ValueError("the equilibrium policy needs the stage game of the solved crisis (CrisisView.stage)")
        if stage.obstinate:
            index = stage.obstinate_move
        else:
            from rules.crisis_play import pick

            p = np.asarray(stage.probabilities, dtype=float)[None, :]
            index = int(pick(p, np.array([rng.random()]))[0])
        return view.yield_() if index == 0 else view.to_rung(view.options[index - 1])
