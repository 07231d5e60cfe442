"""Exact binomial intervals for the statistical checks of the test suite."""

from __future__ import annotations

import math


def binomial_interval(n: int, p: float, confidence: float) -> tuple[int, int]:
    """Central interval ``[lo, hi]`` holding a Binomial(n, p) count with at least `confidence`.

    ``P(X < lo) <= alpha / 2`` and ``P(X > hi) <= alpha / 2`` with ``alpha = 1 - confidence``,
    from the exact probability mass function.
    """
    alpha = 1.0 - confidence
    if p <= 0.0:
        return 0, 0
    if p >= 1.0:
        return n, n
    log_p, log_q = math.log(p), math.log1p(-p)
    cdf = 0.0
    lo: int | None = None
    for k in range(n + 1):
        cdf += math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q)
        if lo is None and cdf > alpha / 2:
            lo = k
        if cdf >= 1.0 - alpha / 2:
            return (lo if lo is not None else k), k
    return (lo if lo is not None else n), n
