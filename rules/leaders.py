"""Leader exit and succession.

A leader leaves office through a political hazard plus a Gompertz mortality hazard that grows
with age; a successor arrives with traits shifted at random from the predecessor's.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def exit_probability(
    age: ArrayLike, political_hazard: ArrayLike, mortality_log_base: float, mortality_slope: float, dt: float
) -> FloatArray:
    """Probability that a leader leaves office within one step.

    Yearly hazard ``h = political_hazard + exp(mortality_log_base + mortality_slope * age)``;
    the step probability is ``1 - exp(-h * dt)``.

    Args:
        age: Leader's age in years.
        political_hazard: Yearly hazard of losing office for political reasons.
        mortality_log_base: Log of the yearly mortality hazard at age 0 (Gompertz intercept).
        mortality_slope: Growth of log mortality per year of age (Gompertz slope).
        dt: Step length in years.

    Returns:
        Probability in [0, 1].
    """
    hazard = np.asarray(political_hazard, dtype=float) + np.exp(
        mortality_log_base + mortality_slope * np.asarray(age, dtype=float)
    )
    return 1.0 - np.exp(-hazard * dt)


def successor_traits(traits: ArrayLike, sd: float, normal: ArrayLike) -> FloatArray:
    """Traits of a successor: the predecessor's plus normal noise, clipped to [0, 1].

    Args:
        traits: Predecessor's traits, any shape.
        sd: Standard deviation of the shift.
        normal: Standard normal draws, same shape as ``traits``.

    Returns:
        New traits in [0, 1].
    """
    shifted = np.asarray(traits, dtype=float) + sd * np.asarray(normal, dtype=float)
    return np.clip(shifted, 0.0, 1.0)
