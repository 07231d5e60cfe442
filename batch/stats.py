"""Interval estimates for the theory checks and claim experiments (pure functions, no draws)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for `confidence` (1.96 at 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Args:
        successes: Number of successes.
        trials: Number of trials (0 gives the uninformative interval (0, 1)).
        confidence: Coverage of the interval.

    Returns:
        ``(lo, hi)``.
    """
    if trials <= 0:
        return 0.0, 1.0
    z = z_value(confidence)
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # Clamp so the interval always holds the point estimate (rounding can miss 0 or 1 by 1e-16).
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def difference_interval(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval for the difference of two proportions, ``p_a - p_b``.

    Treats the two samples as independent; with common random numbers (shared seeds) the true
    interval is narrower, so this one is conservative.

    Returns:
        ``(difference, lo, hi)``.
    """
    p_a, p_b = successes_a / trials_a, successes_b / trials_b
    lo_a, hi_a = wilson_interval(successes_a, trials_a, confidence)
    lo_b, hi_b = wilson_interval(successes_b, trials_b, confidence)
    difference = p_a - p_b
    lo = difference - math.sqrt((p_a - lo_a) ** 2 + (hi_b - p_b) ** 2)
    hi = difference + math.sqrt((hi_a - p_a) ** 2 + (p_b - lo_b) ** 2)
    return difference, lo, hi


def mean_interval(values: ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and its normal-approximation interval (for samples of a few hundred or more).

    Returns:
        ``(mean, lo, hi)``.
    """
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if x.size < 2:
        return mean, mean, mean
    half = z_value(confidence) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return mean, mean - half, mean + half
