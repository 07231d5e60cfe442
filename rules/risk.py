"""Risk of catastrophe as a state perceives it, and the critical risk it accepts.

Sources: Ellsberg (1959), Snyder & Diesing (1977) and Powell (APSR 1987) for critical risk;
Schelling (1960, ch. 8) for the subjective weighting of a shared risk.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def perceived_risk(risk: ArrayLike, fear: ArrayLike, recklessness: ArrayLike, sensitivity: float) -> FloatArray:
    """Subjective probability of catastrophe of an objective per-step risk.

    The objective risk p becomes ``1 - (1 - p) ** exp(sensitivity * (fear - recklessness))``:
    fear inflates it, recklessness discounts it, equal traits leave it unchanged, and 0 and 1
    stay fixed.

    Args:
        risk: Objective probability of catastrophe, in [0, 1].
        fear: Fear trait, in [0, 1].
        recklessness: Recklessness trait (or image), in [0, 1].
        sensitivity: How strongly the traits bend the risk (0 means not at all).

    Returns:
        Perceived probability, same shape as the broadcast inputs.
    """
    p = np.clip(np.asarray(risk, dtype=float), 0.0, 1.0)
    exponent = np.exp(sensitivity * (np.asarray(fear, dtype=float) - recklessness))
    return 1.0 - np.power(1.0 - p, exponent)


def critical_risk(prevail: ArrayLike, concede: ArrayLike, disaster: ArrayLike) -> FloatArray:
    """Resolve: the largest risk of disaster a side accepts rather than yield.

    ``r = (w - s) / (w - d)`` for payoffs prevail ``w`` > concede ``s`` > disaster ``d``
    (Powell 1987). Values outside that order are clipped to [0, 1].

    Args:
        prevail: Value of the other side yielding.
        concede: Value of yielding.
        disaster: Value of catastrophe.

    Returns:
        Critical risk in [0, 1].
    """
    w = np.asarray(prevail, dtype=float)
    gap = w - np.asarray(disaster, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(gap > 0, (w - np.asarray(concede, dtype=float)) / gap, 0.0)
    return np.clip(r, 0.0, 1.0)


def destruction(survivable_warheads: ArrayLike, warheads_for_devastation: float) -> FloatArray:
    """Share of a state's value at risk that an opponent's surviving arsenal destroys.

    ``1 - exp(-n / k)`` for ``n`` survivable warheads and scale ``k``: a small survivable arsenal
    already inflicts unacceptable damage, and superiority beyond that buys little.

    Args:
        survivable_warheads: Warheads that survive a first strike and reach their targets.
        warheads_for_devastation: Warheads that destroy about 63% of the value at risk.

    Returns:
        Destroyed share in [0, 1).
    """
    n = np.maximum(np.asarray(survivable_warheads, dtype=float), 0.0)
    return 1.0 - np.exp(-n / warheads_for_devastation)
