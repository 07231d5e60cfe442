from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.leaders import exit_probability, successor_traits

age = st.floats(0.0, 120.0)
hazard = st.floats(0.0, 2.0)
log_base = st.floats(-15.0, -5.0)
slope = st.floats(0.0, 0.15)
dt = st.floats(0.0, 5.0)


@given(a=age, b=age, h=hazard, base=log_base, g=slope, step=dt)
def test_exit_probability_increases_with_age(a: float, b: float, h: float, base: float, g: float, step: float) -> None:
    young, old = sorted((a, b))
    assert exit_probability(young, h, base, g, step) <= exit_probability(old, h, base, g, step)


@given(x=age, h=hazard, base=log_base, g=slope, a=dt, b=dt)
def test_exit_probability_increases_with_step_length(
    x: float, h: float, base: float, g: float, a: float, b: float
) -> None:
    short, long = sorted((a, b))
    assert exit_probability(x, h, base, g, short) <= exit_probability(x, h, base, g, long)


@given(x=age, h=hazard, base=log_base, g=slope, step=dt)
def test_exit_probability_is_a_probability(x: float, h: float, base: float, g: float, step: float) -> None:
    assert 0.0 <= exit_probability(x, h, base, g, step) <= 1.0


def test_exit_probability_example() -> None:
    # Yearly hazard 0.05 + exp(-10 + 0.1 * 70) = 0.05 + e^-3; a quarter-year step.
    h = 0.05 + math.exp(-3.0)
    assert exit_probability(70.0, 0.05, -10.0, 0.1, 0.25) == pytest.approx(1.0 - math.exp(-0.25 * h))
    assert exit_probability(70.0, 0.05, -10.0, 0.1, 0.0) == 0.0


def test_exit_probability_strictly_increases_with_age_for_a_positive_slope() -> None:
    values = exit_probability(np.arange(30.0, 100.0, 10.0), 0.02, -9.0, 0.08, 1.0)
    assert np.all(np.diff(values) > 0)


@given(traits=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5), sd=st.floats(0.0, 1.0), seed=st.integers(0, 1000))
def test_successor_traits_stay_in_unit_interval(traits: list[float], sd: float, seed: int) -> None:
    normal = np.random.default_rng(seed).standard_normal(len(traits))
    new = successor_traits(traits, sd, normal)
    assert np.all((new >= 0.0) & (new <= 1.0))
    np.testing.assert_allclose(successor_traits(traits, 0.0, normal), traits)


def test_successor_traits_shift_by_sd_times_the_draw() -> None:
    np.testing.assert_allclose(successor_traits([0.5, 0.5, 0.9], 0.1, [1.0, -2.0, 3.0]), [0.6, 0.3, 1.0])
