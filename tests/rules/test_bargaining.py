from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from interval_stats import binomial_interval

from rules.bargaining import choose, concession_value, option_values, standfast_probability
from rules.risk import critical_risk

unit = st.floats(0.0, 1.0)


@st.composite
def ordered_payoffs(draw: st.DrawFn) -> tuple[float, float, float]:
    """Prevail w > concede s > disaster d."""
    w = draw(st.floats(-10.0, 10.0))
    s = w - draw(st.floats(0.01, 10.0))
    d = s - draw(st.floats(0.01, 50.0))
    return w, s, d


def value(p: float, w: float, s: float, d: float, *, c: float = 0.0, q: float = 0.0, share: float = 0.5) -> float:
    return float(option_values([p], [c], [q], share, w, s, d, [0.0])[0])


@given(payoffs=ordered_payoffs(), p=unit)
def test_holding_beats_yielding_iff_risk_is_at_most_critical(payoffs: tuple[float, float, float], p: float) -> None:
    # Powell (1987): with an opponent sure to yield and no fighting, standing firm is worth
    # (1 - p) w + p d, at least s exactly when p <= (w - s) / (w - d).
    w, s, d = payoffs
    r = float(critical_risk(w, s, d))
    assume(abs(p - r) > 1e-9)
    assert (value(p, w, s, d) >= s) == (p <= r)


def test_option_values_closed_form() -> None:
    # fought = 0.7 * 1 + 0.3 * 0 = 0.7; bargained = 0.5 * 1 + 0.5 * 0 = 0.5;
    # survive = 0.2 * 0.7 + 0.8 * 0.5 = 0.54; value = 0.9 * 0.54 + 0.1 * (-10) - 0.05 = -0.564.
    v = option_values([0.1], [0.2], [0.5], 0.7, 1.0, 0.0, -10.0, [0.05])
    assert v[0] == pytest.approx(-0.564)


def test_option_values_broadcast_over_replications() -> None:
    perceived = np.array([[0.0, 0.5], [0.1, 0.2]])
    zeros = np.zeros((2, 2))
    out = option_values(perceived, zeros, zeros, np.array([[0.5], [0.5]]), np.array([[1.0], [2.0]]), 0.0, -1.0, zeros)
    np.testing.assert_allclose(out, [[1.0, 0.0], [0.9 * 2 - 0.1, 0.8 * 2 - 0.2]])


@st.composite
def disaster_below_both(draw: st.DrawFn) -> tuple[float, float, float]:
    """Any prevail w and concede s (in either order) and a disaster d < min(w, s)."""
    w, s = draw(st.floats(-10.0, 10.0)), draw(st.floats(-10.0, 10.0))
    return w, s, min(w, s) - draw(st.floats(0.01, 50.0))


@given(payoffs=disaster_below_both(), a=unit, b=unit, c=unit, q=unit, share=unit)
def test_value_decreases_with_perceived_risk(
    payoffs: tuple[float, float, float], a: float, b: float, c: float, q: float, share: float
) -> None:
    # Surviving is worth a mix of w and s, both above d, so more risk can only lower the value.
    w, s, d = payoffs
    low, high = sorted((a, b))
    assert value(high, w, s, d, c=c, q=q, share=share) <= value(low, w, s, d, c=c, q=q, share=share) + 1e-12


@given(payoffs=ordered_payoffs(), p=unit, c=unit, a=unit, b=unit, share=unit)
def test_value_decreases_with_the_chance_the_opponent_stands_fast(
    payoffs: tuple[float, float, float], p: float, c: float, a: float, b: float, share: float
) -> None:
    w, s, d = payoffs
    low, high = sorted((a, b))
    assert value(p, w, s, d, c=c, q=high, share=share) <= value(p, w, s, d, c=c, q=low, share=share) + 1e-12


@given(payoffs=ordered_payoffs(), p=unit)
def test_a_sure_stand_fast_never_beats_yielding(payoffs: tuple[float, float, float], p: float) -> None:
    # q = 1 and no fighting: the mover ends no better than conceding, and risks disaster.
    w, s, d = payoffs
    assert value(p, w, s, d, q=1.0) <= s + 1e-12


risk = st.floats(0.0, 1.0)
spread = st.floats(0.01, 1.0)
sens = st.floats(0.0, 5.0)


@given(p=risk, a=unit, b=unit, image=unit, k=sens, width=spread)
def test_standfast_increases_with_resolve(p: float, a: float, b: float, image: float, k: float, width: float) -> None:
    low, high = sorted((a, b))
    assert standfast_probability(p, low, image, k, width) <= standfast_probability(p, high, image, k, width)


@given(p=risk, resolve=unit, a=unit, b=unit, k=sens, width=spread)
def test_standfast_increases_with_reckless_image(
    p: float, resolve: float, a: float, b: float, k: float, width: float
) -> None:
    low, high = sorted((a, b))
    assert standfast_probability(p, resolve, low, k, width) <= standfast_probability(p, resolve, high, k, width)


@given(a=risk, b=risk, resolve=unit, image=unit, k=sens, width=spread)
def test_standfast_decreases_with_risk(
    a: float, b: float, resolve: float, image: float, k: float, width: float
) -> None:
    low, high = sorted((a, b))
    assert standfast_probability(high, resolve, image, k, width) <= standfast_probability(low, resolve, image, k, width)


@given(p=risk, resolve=unit, image=unit, k=sens, width=spread)
def test_standfast_is_a_probability(p: float, resolve: float, image: float, k: float, width: float) -> None:
    assert 0.0 <= standfast_probability(p, resolve, image, k, width) <= 1.0


def test_standfast_is_one_half_at_the_threshold() -> None:
    # A neutral image (0.5, like the neutral fear) leaves the risk as it is: z = 0.
    assert standfast_probability(0.2, 0.2, 0.5, 2.0, 0.1) == pytest.approx(0.5)
    # One spread above the threshold: the logistic of 1.
    assert standfast_probability(0.2, 0.3, 0.5, 2.0, 0.1) == pytest.approx(1.0 / (1.0 + np.exp(-1.0)))


def test_concession_value() -> None:
    assert concession_value(1.0, 0.1, 3) == pytest.approx(0.7)
    np.testing.assert_allclose(concession_value([0.0, 0.0], [0.0, 0.5], 2), [0.0, -1.0])


# ---- choose ---------------------------------------------------------------------------------

small_ints = hnp.arrays(np.float64, st.integers(1, 8), elements=st.integers(-3, 3).map(float))


@given(values=small_ints)
def test_greedy_choice_is_the_first_best(values: np.ndarray) -> None:
    index = int(choose(values, 0.0))
    assert values[index] == values.max()
    assert index == int(np.flatnonzero(values == values.max())[0])


def test_greedy_choice_ties_and_masks() -> None:
    assert choose([1.0, 1.0, 1.0], 0.0) == 0
    assert choose([0.0, 2.0, 2.0], 0.0) == 1
    assert choose([-np.inf, -5.0, -np.inf], 0.0) == 1
    np.testing.assert_array_equal(choose([[0.0, 1.0], [3.0, 3.0], [2.0, -1.0]], 0.0), [1, 0, 0])


def test_softmax_needs_a_draw() -> None:
    with pytest.raises(ValueError, match="uniform"):
        choose([0.0, 1.0], 0.5)


def test_softmax_maps_the_draw_through_the_cdf() -> None:
    # Equal values at temperature 1: thirds. A draw in [k/3, (k+1)/3) picks option k.
    values = [0.0, 0.0, 0.0]
    draws = [0.0, 0.3333, 0.3334, 0.6666, 0.6667, 0.999999]
    np.testing.assert_array_equal(choose(np.tile(values, (6, 1)), 1.0, draws), [0, 0, 1, 1, 2, 2])


@given(u=st.floats(0.0, 1.0, exclude_max=True))
def test_softmax_never_picks_a_masked_option(u: float) -> None:
    assert choose([-np.inf, 0.0, -np.inf, 1.0, -np.inf], 0.7, u) in (1, 3)


@pytest.mark.parametrize("temperature", [0.25, 1.0, 4.0])
def test_softmax_frequencies_match_the_softmax(temperature: float) -> None:
    # 20,000 seeded draws. Each option's count is checked against its exact binomial interval
    # at 1 - 0.01 / 4, so all four together hold with at least 99% confidence (Bonferroni).
    values = np.array([0.0, 0.5, 1.0, -0.3])
    expected = np.exp(values / temperature)
    expected /= expected.sum()
    draws = 20_000
    uniform = np.random.default_rng(1987).random(draws)
    picks = choose(np.broadcast_to(values, (draws, 4)), temperature, uniform)
    counts = np.bincount(picks, minlength=4)
    for count, probability in zip(counts, expected, strict=True):
        lo, hi = binomial_interval(draws, float(probability), confidence=1 - 0.01 / 4)
        assert lo <= count <= hi


def test_softmax_at_low_temperature_is_greedy() -> None:
    uniform = np.random.default_rng(5).random(1000)
    picks = choose(np.broadcast_to([0.0, 1.0, 0.9], (1000, 3)), 1e-4, uniform)
    assert np.all(picks == 1)
