from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.risk import critical_risk, destruction, perceived_risk

unit = st.floats(0.0, 1.0)
sensitivity = st.floats(0.0, 5.0)


@given(p=unit, trait=unit, k=sensitivity)
def test_perceived_risk_is_the_risk_when_fear_equals_recklessness(p: float, trait: float, k: float) -> None:
    assert perceived_risk(p, trait, trait, k) == pytest.approx(p, abs=1e-15)


@given(fear=unit, reckless=unit, k=sensitivity)
def test_perceived_risk_fixes_zero_and_one(fear: float, reckless: float, k: float) -> None:
    assert perceived_risk(0.0, fear, reckless, k) == 0.0
    assert perceived_risk(1.0, fear, reckless, k) == 1.0


@given(p=unit, fear=unit, reckless=unit, k=sensitivity)
def test_perceived_risk_is_a_probability(p: float, fear: float, reckless: float, k: float) -> None:
    assert 0.0 <= perceived_risk(p, fear, reckless, k) <= 1.0


@given(p=unit, fear=unit, reckless=unit)
def test_zero_sensitivity_leaves_the_risk_unchanged(p: float, fear: float, reckless: float) -> None:
    assert perceived_risk(p, fear, reckless, 0.0) == pytest.approx(p, abs=1e-15)


def test_perceived_risk_example() -> None:
    # exp(ln 2 * (1 - 0)) = 2: 1 - (1 - 0.5) ** 2 = 0.75; the reverse traits give 1 - 0.5 ** 0.5.
    assert perceived_risk(0.5, 1.0, 0.0, math.log(2.0)) == pytest.approx(0.75)
    assert perceived_risk(0.5, 0.0, 1.0, math.log(2.0)) == pytest.approx(1.0 - math.sqrt(0.5))


def test_perceived_risk_clips_the_objective_risk() -> None:
    assert perceived_risk(1.5, 0.5, 0.5, 2.0) == 1.0
    assert perceived_risk(-0.5, 0.5, 0.5, 2.0) == 0.0


@given(p=unit, a=unit, b=unit, reckless=unit, k=sensitivity)
def test_perceived_risk_increases_with_fear(p: float, a: float, b: float, reckless: float, k: float) -> None:
    low, high = sorted((a, b))
    assert perceived_risk(p, low, reckless, k) <= perceived_risk(p, high, reckless, k)


@given(a=unit, b=unit, fear=unit, reckless=unit, k=sensitivity)
def test_perceived_risk_increases_with_the_risk(a: float, b: float, fear: float, reckless: float, k: float) -> None:
    low, high = sorted((a, b))
    assert perceived_risk(low, fear, reckless, k) <= perceived_risk(high, fear, reckless, k)


@given(p=unit, fear=unit, a=unit, b=unit, k=sensitivity)
def test_perceived_risk_decreases_with_recklessness(p: float, fear: float, a: float, b: float, k: float) -> None:
    low, high = sorted((a, b))
    assert perceived_risk(p, fear, high, k) <= perceived_risk(p, fear, low, k)


def test_perceived_risk_strictly_ordered_for_an_interior_risk() -> None:
    fear = np.linspace(0.0, 1.0, 11)
    values = perceived_risk(0.3, fear, 0.2, 2.0)
    assert np.all(np.diff(values) > 0)
    assert values[2] == pytest.approx(0.3)  # fear 0.2 == recklessness 0.2


@pytest.mark.parametrize(
    ("prevail", "concede", "disaster", "expected"),
    [
        (1.0, 0.0, -2.0, 1.0 / 3.0),  # Haynes's payoffs
        (10.0, 4.0, -8.0, 6.0 / 18.0),
        (3.0, 1.0, -1.0, 0.5),
        (1.0, 0.0, -100.0, 1.0 / 101.0),
        (2.0, 1.9, 1.0, 0.1),
    ],
)
def test_critical_risk_examples(prevail: float, concede: float, disaster: float, expected: float) -> None:
    assert critical_risk(prevail, concede, disaster) == pytest.approx(expected)


payoff = st.floats(-100.0, 100.0)


@given(w=payoff, s=payoff, d=payoff)
def test_critical_risk_is_in_unit_interval(w: float, s: float, d: float) -> None:
    assert 0.0 <= critical_risk(w, s, d) <= 1.0


@given(w=payoff, gap_s=st.floats(0.01, 50.0), gap_d=st.floats(0.01, 50.0))
def test_critical_risk_formula_for_ordered_payoffs(w: float, gap_s: float, gap_d: float) -> None:
    s, d = w - gap_s, w - gap_s - gap_d
    assert critical_risk(w, s, d) == pytest.approx((w - s) / (w - d))
    # It is the risk at which standing firm against a yielding opponent breaks even.
    r = float(critical_risk(w, s, d))
    assert (1 - r) * w + r * d == pytest.approx(s, abs=1e-9 * (1 + abs(w) + abs(d)))


def test_critical_risk_degenerate_payoffs() -> None:
    assert critical_risk(1.0, 1.0, 1.0) == 0.0  # no gap: zero, not nan
    assert critical_risk(1.0, 2.0, 0.0) == 0.0  # conceding beats prevailing: clipped to 0
    assert critical_risk(np.array([1.0, 1.0]), np.array([0.0, 0.5]), np.array([-1.0, -1.0])).tolist() == [0.5, 0.25]


def test_destruction() -> None:
    assert destruction(0.0, 10.0) == 0.0
    assert destruction(-5.0, 10.0) == 0.0
    assert destruction(10.0, 10.0) == pytest.approx(1.0 - math.exp(-1.0))
    values = destruction(np.arange(0.0, 100.0, 5.0), 10.0)
    assert np.all(np.diff(values) > 0) and np.all(values < 1.0)
