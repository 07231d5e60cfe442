from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.alliance import (
    bloc_image,
    cohesion_target,
    join_probability,
    shock_cohesion,
    step_cohesion,
    third_power_pull,
)

unit = st.floats(0.0, 1.0)


def ordered(a: float, b: float) -> tuple[float, float]:
    low, high = sorted((a, b))
    return low, high


@given(a=unit, b=unit, cohesion=unit, auto=unit, w=unit)
def test_join_probability_increases_with_commitment(a: float, b: float, cohesion: float, auto: float, w: float) -> None:
    low, high = ordered(a, b)
    assert join_probability(low, cohesion, auto, w) <= join_probability(high, cohesion, auto, w)


@given(commitment=unit, a=unit, b=unit, auto=unit, w=unit)
def test_join_probability_increases_with_cohesion(commitment: float, a: float, b: float, auto: float, w: float) -> None:
    low, high = ordered(a, b)
    assert join_probability(commitment, low, auto, w) <= join_probability(commitment, high, auto, w)


@given(commitment=unit, cohesion=unit, a=unit, b=unit, w=unit)
def test_join_probability_increases_with_automaticity(
    commitment: float, cohesion: float, a: float, b: float, w: float
) -> None:
    low, high = ordered(a, b)
    assert join_probability(commitment, cohesion, low, w) <= join_probability(commitment, cohesion, high, w) + 1e-15


@given(commitment=unit, cohesion=unit, auto=unit, w=unit)
def test_join_probability_formula_and_range(commitment: float, cohesion: float, auto: float, w: float) -> None:
    p = float(join_probability(commitment, cohesion, auto, w))
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(commitment * cohesion * (w + (1 - w) * auto), abs=1e-15)
    # An automatic clause binds fully whatever the consultation weight; a pure consultation
    # clause binds to the weight.
    assert join_probability(commitment, cohesion, 1.0, w) == pytest.approx(commitment * cohesion, abs=1e-15)
    assert join_probability(commitment, cohesion, 0.0, w) == pytest.approx(commitment * cohesion * w, abs=1e-15)


def test_join_probability_example() -> None:
    # 0.8 * 0.5 * (0.3 + 0.7 * 0.5) = 0.26
    assert join_probability(0.8, 0.5, 0.5, 0.3) == pytest.approx(0.26)


members = st.lists(st.tuples(unit, unit), min_size=0, max_size=5)


@given(bloc=members, image=st.floats(0.0, 1.0, exclude_min=True), weight=st.floats(0.0, 1.0, exclude_min=True))
def test_adding_a_member_never_lowers_the_bloc_image(
    bloc: list[tuple[float, float]], image: float, weight: float
) -> None:
    images = [i for i, _ in bloc]
    weights = [w for _, w in bloc]
    before = float(bloc_image(images, weights))
    after = float(bloc_image([*images, image], [*weights, weight]))
    assert before <= after <= 1.0
    if before <= 1.0 - 1e-6 and image * weight >= 1e-6:  # strictly, away from rounding
        assert after > before


@given(image=unit)
def test_bloc_of_one_full_member_has_its_image(image: float) -> None:
    assert bloc_image([image], [1.0]) == pytest.approx(image, abs=1e-15)


@given(bloc=members)
def test_bloc_image_in_unit_interval_and_order_free(bloc: list[tuple[float, float]]) -> None:
    images = np.array([i for i, _ in bloc])
    weights = np.array([w for _, w in bloc])
    value = float(bloc_image(images, weights))
    assert 0.0 <= value <= 1.0
    assert bloc_image(images[::-1], weights[::-1]) == pytest.approx(value, abs=1e-12)


def test_bloc_image_examples() -> None:
    assert bloc_image([0.5, 0.5], [1.0, 1.0]) == pytest.approx(0.75)
    assert bloc_image([0.5, 0.9], [1.0, 0.0]) == pytest.approx(0.5)  # an ally sure to stay out adds nothing
    assert bloc_image(np.zeros((0,)), np.zeros((0,))) == 0.0
    np.testing.assert_allclose(bloc_image([[0.5, 0.5], [0.2, 1.0]], [[1.0, 0.5], [1.0, 1.0]]), [0.625, 1.0])


@given(c=unit, target=unit, rate=st.floats(0.0, 10.0), dt=st.floats(0.0, 5.0))
def test_step_cohesion_moves_toward_the_target_without_noise(c: float, target: float, rate: float, dt: float) -> None:
    new = float(step_cohesion(c, target, rate, dt, noise_sd=0.5, normal=0.0))
    assert min(c, target) - 1e-15 <= new <= max(c, target) + 1e-15
    assert abs(new - target) <= abs(c - target) + 1e-15


@given(
    c=unit, target=unit, rate=st.floats(0.0, 10.0), dt=st.floats(0.0, 5.0), sd=st.floats(0.0, 2.0), z=st.floats(-10, 10)
)
def test_step_cohesion_stays_in_unit_interval(
    c: float, target: float, rate: float, dt: float, sd: float, z: float
) -> None:
    assert 0.0 <= step_cohesion(c, target, rate, dt, sd, z) <= 1.0


def test_step_cohesion_examples() -> None:
    # Rate ln 2 for one year closes half the gap; rate 0 closes none.
    assert step_cohesion(0.2, 0.6, np.log(2.0), 1.0, 0.0, 0.0) == pytest.approx(0.4)
    assert step_cohesion(0.2, 0.6, 0.0, 1.0, 0.0, 0.0) == pytest.approx(0.2)
    # Noise scales with sqrt(dt): 0.1 * sqrt(0.25) * 2 = 0.1.
    assert step_cohesion(0.5, 0.5, 1.0, 0.25, 0.1, 2.0) == pytest.approx(0.6)


@given(c=unit, shock=st.floats(-2.0, 2.0))
def test_full_institutionalisation_absorbs_a_shock(c: float, shock: float) -> None:
    assert shock_cohesion(c, shock, 1.0) == c


@given(c=unit, shock=st.floats(-2.0, 2.0), a=unit, b=unit)
def test_institutions_damp_a_shock(c: float, shock: float, a: float, b: float) -> None:
    weak, strong = ordered(a, b)
    hit_weak = float(shock_cohesion(c, shock, weak))
    hit_strong = float(shock_cohesion(c, shock, strong))
    assert 0.0 <= hit_weak <= 1.0 and 0.0 <= hit_strong <= 1.0
    assert abs(hit_strong - c) <= abs(hit_weak - c) + 1e-15


def test_shock_cohesion_examples() -> None:
    assert shock_cohesion(0.7, 0.2, 0.5) == pytest.approx(0.6)
    assert shock_cohesion(0.1, 0.5, 0.0) == 0.0
    assert shock_cohesion(0.9, -0.5, 0.0) == 1.0


@given(a=unit, b=unit, inst=unit, pull=st.floats(-2.0, 2.0))
def test_cohesion_target_rises_with_threat(a: float, b: float, inst: float, pull: float) -> None:
    low, high = ordered(a, b)
    args = (0.2, 0.3, 0.2, 0.5)
    assert cohesion_target(low, inst, pull, *args) <= cohesion_target(high, inst, pull, *args)


@given(threat=unit, a=st.floats(-2.0, 2.0), b=st.floats(-2.0, 2.0), inst=unit)
def test_cohesion_target_falls_with_pull(threat: float, a: float, b: float, inst: float) -> None:
    low, high = ordered(a, b)
    args = (0.2, 0.3, 0.2, 0.5)
    target_high = float(cohesion_target(threat, inst, high, *args))
    assert 0.0 <= target_high <= float(cohesion_target(threat, inst, low, *args)) <= 1.0


def test_cohesion_target_and_pull_examples() -> None:
    assert cohesion_target(1.0, 0.5, 0.2, 0.2, 0.3, 0.2, 0.5) == pytest.approx(0.2 + 0.3 + 0.1 - 0.1)
    assert cohesion_target(1.0, 1.0, -5.0, 0.9, 0.3, 0.2, 0.5) == 1.0
    assert third_power_pull(0.5, 0.0, 0.4) == pytest.approx(0.2)  # a neutral third power pulls away
    assert third_power_pull(0.5, 1.0, 0.4) == pytest.approx(-0.3)  # an aligned one draws together
