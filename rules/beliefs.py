"""How observers revise a state's reckless image and estimated resolve from its moves.

Kahn (1965) lists "committal (resolve and/or recklessness) demonstrated" among the escalation
factors: a move that runs a risk reveals at least that much resolve, and a move that strikes
civilians, uses nuclear weapons or skips rungs shows recklessness.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

YIELD, HOLD, ESCALATE = 0, 1, 2
"""Move codes shared by the agent model and array code."""


def image_update_weight(
    kind: ArrayLike,
    civilian: ArrayLike,
    nuclear: ArrayLike,
    rungs_skipped: ArrayLike,
    learning_rate: float,
    shock_bonus: float,
) -> FloatArray:
    """Weight with which one move pulls observers' image of the mover toward its signal.

    Escalation weighs ``learning_rate * (1 + shock_bonus * (civilian + nuclear + skipped))``,
    capped at 1; yielding weighs ``learning_rate``; holding weighs nothing.

    Args:
        kind: Move code (`YIELD`, `HOLD` or `ESCALATE`).
        civilian: Whether the rung reached strikes civilians.
        nuclear: Whether the rung reached is nuclear use.
        rungs_skipped: Rungs jumped over (0 for a one-rung step).
        learning_rate: Base weight of one observation, in [0, 1].
        shock_bonus: Extra weight per shocking feature.

    Returns:
        Weight in [0, 1].
    """
    k = np.asarray(kind)
    shocks = (
        np.asarray(civilian, dtype=float)
        + np.asarray(nuclear, dtype=float)
        + np.minimum(np.asarray(rungs_skipped, dtype=float), 1.0)
    )
    escalation = np.minimum(learning_rate * (1.0 + shock_bonus * shocks), 1.0)
    return np.where(k == ESCALATE, escalation, np.where(k == YIELD, learning_rate, 0.0))


def update_image(image: ArrayLike, kind: ArrayLike, weight: ArrayLike) -> FloatArray:
    """Move a reckless image toward the signal of a move: 1 for escalation, 0 for yielding.

    A hold carries no signal and leaves the image where it is, whatever the weight.

    Args:
        image: Current perceived recklessness, in [0, 1].
        kind: Move code.
        weight: Update weight from `image_update_weight`.

    Returns:
        Revised image in [0, 1].
    """
    x = np.asarray(image, dtype=float)
    k = np.asarray(kind)
    signal = np.where(k == ESCALATE, 1.0, np.where(k == YIELD, 0.0, x))
    return x + np.asarray(weight, dtype=float) * (signal - x)


def update_resolve(estimate: ArrayLike, kind: ArrayLike, accepted_risk: ArrayLike) -> FloatArray:
    """Raise an estimate of resolve to the risk a state just chose to run.

    A state that holds or escalates to a rung with per-step risk ``p`` shows it accepts at least
    ``p``; a yield reveals nothing new about the upper end.

    Args:
        estimate: Current estimate of the state's critical risk.
        kind: Move code.
        accepted_risk: Objective per-step risk of the rung it moved to.

    Returns:
        Revised estimate.
    """
    x = np.asarray(estimate, dtype=float)
    revealed = np.where(np.asarray(kind) == YIELD, 0.0, np.asarray(accepted_risk, dtype=float))
    return np.maximum(x, revealed)
