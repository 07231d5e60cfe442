"""The value of each move on the escalation ladder and the choice among them.

A mover weighs yielding (it gets its concession value) against moving to a rung ``r'`` (holding
the current rung or escalating). Moving there risks catastrophe now (perceived risk ``p``); if
that passes, fighting at the rung may be decided by force (probability ``c``, won in proportion
to conventional strength ``s``); otherwise the opponent yields with probability ``1 - q`` and
stands fast with probability ``q``, in which case the mover is assumed to end no better than
conceding. With ``q = 0`` and no fighting the rule reduces to the critical-risk comparison
``p <= (w - s) / (w - d)`` (Powell 1987); ``q`` rises with the opponent's estimated resolve and
reckless image (Schelling 1960, the competition in risk taking).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rules.risk import perceived_risk

FloatArray = NDArray[np.float64]


def standfast_probability(
    risk: ArrayLike,
    resolve_estimate: ArrayLike,
    reckless_image: ArrayLike,
    sensitivity: float,
    spread: float,
) -> FloatArray:
    """Estimated chance that the opponent does not back down at a rung.

    The opponent is thought to stand fast while the risk it perceives (the objective risk bent
    by its reckless image, with neutral fear) stays below its estimated resolve; ``spread``
    smooths that threshold into a logistic curve.

    Args:
        risk: Objective per-step risk of catastrophe at the rung.
        resolve_estimate: Estimated critical risk of the opponent.
        reckless_image: Perceived recklessness of the opponent's bloc, in [0, 1].
        sensitivity: Risk sensitivity, as in `rules.risk.perceived_risk`.
        spread: Width of the logistic threshold (> 0).

    Returns:
        Probability in [0, 1].
    """
    their_risk = perceived_risk(risk, 0.5, reckless_image, sensitivity)
    z = (np.asarray(resolve_estimate, dtype=float) - their_risk) / spread
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))


def concession_value(concede: ArrayLike, audience_cost: ArrayLike, elapsed: ArrayLike) -> FloatArray:
    """Value of yielding after a public crisis has run ``elapsed`` steps (Fearon 1994).

    Args:
        concede: Value of yielding at the start of the crisis.
        audience_cost: Cost per step of backing down in public.
        elapsed: Steps the crisis has lasted.

    Returns:
        ``concede - audience_cost * elapsed``.
    """
    return np.asarray(concede, dtype=float) - np.asarray(audience_cost, dtype=float) * elapsed


def option_values(
    perceived: ArrayLike,
    decisive: ArrayLike,
    standfast: ArrayLike,
    share: ArrayLike,
    prevail: ArrayLike,
    concede: ArrayLike,
    disaster: ArrayLike,
    cost: ArrayLike,
) -> FloatArray:
    """Expected value of moving to each candidate rung.

    Args:
        perceived: Perceived risk of catastrophe at each candidate rung, shape (..., K).
        decisive: Probability that fighting is decided by force at each rung, (..., K).
        standfast: Estimated chance the opponent stands fast at each rung, (..., K).
        share: The mover's bloc share of conventional strength, (...,) or (..., 1).
        prevail: Value of prevailing, (...,) or (..., 1).
        concede: Value of yielding now, (...,) or (..., 1).
        disaster: Value of catastrophe, (...,) or (..., 1).
        cost: Damage the mover expects to suffer this step at each rung, (..., K).

    Returns:
        Expected values, shape (..., K).
    """
    p = np.asarray(perceived, dtype=float)
    c = np.asarray(decisive, dtype=float)
    q = np.asarray(standfast, dtype=float)
    w = np.asarray(prevail, dtype=float)
    s = np.asarray(concede, dtype=float)
    d = np.asarray(disaster, dtype=float)
    strength = np.asarray(share, dtype=float)
    fought = strength * w + (1.0 - strength) * s
    bargained = (1.0 - q) * w + q * s
    survive = c * fought + (1.0 - c) * bargained
    return (1.0 - p) * survive + p * d - np.asarray(cost, dtype=float)


def choose(values: ArrayLike, temperature: float, uniform: ArrayLike | None = None) -> NDArray[np.intp]:
    """Pick an option index from values, greedily or by a softmax.

    Ties and the greedy choice go to the lowest index, so callers list options from the least
    to the most escalatory.

    Args:
        values: Option values, shape (..., K); ``-inf`` marks an option that is not allowed.
        temperature: Softmax temperature; 0 picks the best option.
        uniform: One uniform draw in [0, 1) per decision, shape (...,); needed when
            ``temperature > 0``.

    Returns:
        Chosen index per decision, shape (...,).
    """
    v = np.asarray(values, dtype=float)
    if temperature <= 0:
        return np.argmax(v, axis=-1)
    if uniform is None:
        raise ValueError("a softmax choice needs one uniform draw per decision")
    z = (v - np.max(v, axis=-1, keepdims=True)) / temperature
    weights = np.exp(z)
    cdf = np.cumsum(weights, axis=-1)
    cdf /= cdf[..., -1:]
    u = np.asarray(uniform, dtype=float)[..., None]
    index = np.sum(cdf <= u, axis=-1)
    return np.minimum(index, v.shape[-1] - 1)
