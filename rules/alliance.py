"""Alliance rules: joining a war, the image of a bloc, cohesion and the pull of third powers.

Snyder (World Politics 1984), the alliance security dilemma: a firm commitment lowers the risk of
abandonment and raises that of entrapment. Cohesion here follows a shared threat, the alliance's
institutionalisation and the pull of third powers, and is shaken by leader successions and by
an ally's failure to honour its clause.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def join_probability(
    commitment: ArrayLike, cohesion: ArrayLike, automaticity: ArrayLike, consultation_weight: float
) -> FloatArray:
    """Chance that an ally honours a triggered defence clause by entering the war.

    ``commitment * cohesion * (w + (1 - w) * automaticity)``: an automatic clause ("all means,
    without delay") binds fully, a consultation clause only to the weight ``w``.

    Args:
        commitment: The ally's commitment trait, in [0, 1].
        cohesion: The alliance's cohesion, in [0, 1].
        automaticity: How automatic the defence clause is, in [0, 1].
        consultation_weight: Binding force of a pure consultation clause, in [0, 1].

    Returns:
        Probability in [0, 1].
    """
    a = np.asarray(automaticity, dtype=float)
    binding = consultation_weight + (1.0 - consultation_weight) * a
    return np.asarray(commitment, dtype=float) * np.asarray(cohesion, dtype=float) * binding


def bloc_image(images: ArrayLike, weights: ArrayLike) -> FloatArray:
    """Perceived recklessness of a bloc: the chance that some member will not back down.

    ``1 - prod(1 - w_k * image_k)`` over members ``k``: a reckless ally raises the image of the
    whole bloc in proportion to how likely it is to be in the fight.

    Args:
        images: Perceived recklessness of each member, shape (..., M).
        weights: Each member's weight in the bloc (1 for a belligerent, its join probability for
            a treaty ally not yet at war), shape (..., M).

    Returns:
        Bloc image in [0, 1], shape (...,).
    """
    x = np.asarray(images, dtype=float) * np.asarray(weights, dtype=float)
    return 1.0 - np.prod(1.0 - x, axis=-1)


def third_power_pull(rival_cohesion: ArrayLike, relation: ArrayLike, competition: float) -> FloatArray:
    """Pull that a third power's own tie to a member exerts on an alliance.

    ``rival_cohesion * (competition - relation)``, summed by the caller over third powers:
    positive draws the member away, negative (a third power aligned with the other members)
    draws it into a common bloc.

    Args:
        rival_cohesion: Cohesion of the third power's alliance with the member.
        relation: Relation of the third power to the alliance's other members, in [-1, 1].
        competition: Pull of a neutral third power (relation 0) per unit of cohesion.

    Returns:
        Pull, positive when it loosens the alliance.
    """
    return np.asarray(rival_cohesion, dtype=float) * (competition - np.asarray(relation, dtype=float))


def cohesion_target(
    threat: ArrayLike,
    institutionalisation: ArrayLike,
    pull: ArrayLike,
    baseline: float,
    threat_weight: float,
    institution_weight: float,
    pull_weight: float,
) -> FloatArray:
    """Level of cohesion the drivers of an alliance sustain.

    Args:
        threat: Shared threat, in [0, 1] (1 while the war that created the alliance goes on).
        institutionalisation: Breadth of cooperation the treaty institutionalises, in [0, 1].
        pull: Net third-power pull (see `third_power_pull`).
        baseline: Cohesion without threat or institutions.
        threat_weight: Weight of the shared threat.
        institution_weight: Weight of institutionalisation.
        pull_weight: Weight of third-power pull.

    Returns:
        Target cohesion in [0, 1].
    """
    level = (
        baseline
        + threat_weight * np.asarray(threat, dtype=float)
        + institution_weight * np.asarray(institutionalisation, dtype=float)
        - pull_weight * np.asarray(pull, dtype=float)
    )
    return np.clip(level, 0.0, 1.0)


def step_cohesion(
    cohesion: ArrayLike,
    target: ArrayLike,
    rate: float,
    dt: float,
    noise_sd: float,
    normal: ArrayLike,
) -> FloatArray:
    """Advance cohesion one step toward its target, with noise.

    ``c + (1 - exp(-rate * dt)) * (target - c) + noise_sd * sqrt(dt) * z``, clipped to [0, 1].

    Args:
        cohesion: Current cohesion.
        target: Target from `cohesion_target`.
        rate: Adjustment rate per year.
        dt: Length of a step in years.
        noise_sd: Standard deviation of yearly noise.
        normal: Standard normal draw(s) ``z``.

    Returns:
        New cohesion in [0, 1].
    """
    c = np.asarray(cohesion, dtype=float)
    pulled = c + (1.0 - np.exp(-rate * dt)) * (np.asarray(target, dtype=float) - c)
    return np.clip(pulled + noise_sd * np.sqrt(dt) * np.asarray(normal, dtype=float), 0.0, 1.0)


def shock_cohesion(cohesion: ArrayLike, shock: ArrayLike, institutionalisation: ArrayLike) -> FloatArray:
    """Apply a one-off shock, damped by institutions: ``c - shock * (1 - inst)``.

    Args:
        cohesion: Current cohesion.
        shock: Size of the shock (positive lowers cohesion, negative raises it).
        institutionalisation: In [0, 1]; a fully institutionalised alliance absorbs the shock.

    Returns:
        New cohesion in [0, 1].
    """
    damped = np.asarray(shock, dtype=float) * (1.0 - np.asarray(institutionalisation, dtype=float))
    return np.clip(np.asarray(cohesion, dtype=float) - damped, 0.0, 1.0)
