"""The closed-form checks of theory.checks, and the published results behind them, through the model.

Every statistical assertion here is seeded, so it is deterministic; the confidence level says
how often it would fail by chance with a fresh seed if the model were right.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from interval_stats import binomial_interval

from agents.policies.backward_induction import solve_view
from batch.stats import mean_interval
from rules.backward_induction import YIELD_ACTION
from rules.risk import critical_risk
from theory.checks import (
    CHECKS,
    SCHELLING_CASES,
    complies,
    first_view,
    play_critical_risk_game,
    threshold_by_bisection,
)
from theory.replicate import replicate

SEED = 0

CHECK_REPS = {"haynes": 20, "critical-risk": 20, "chicken": 10, "attrition": 10, "schelling": 10, "audience-costs": 100}
"""Small replication counts at which each check, at SEED, must pass (audience-costs needs power)."""


@pytest.fixture(scope="module")
def checks():
    """Every registered check run once (a check added later runs at 30 replications)."""
    return {key: check(CHECK_REPS.get(key, 30), SEED) for key, check in CHECKS.items()}


def moves(summary):
    return next(iter(summary["crises"].values()))["moves"]


def test_every_check_returns_a_passing_check_finding(checks):
    for key, finding in checks.items():
        assert finding.key == key
        assert finding.kind == "check", key
        assert finding.passed is True, (key, finding.measured, finding.interval)
        assert finding.verdict == "pass"
        assert finding.source.strip() and finding.title.strip() and finding.expected.strip(), key
        assert finding.measured.strip() and finding.interval.strip(), key
        assert finding.runs > 0, key


def test_each_check_says_what_it_tests(checks):
    # Typed-in strategies test bookkeeping; one decision tests arithmetic; only solved games are derived.
    roles = {key: finding.role for key, finding in checks.items()}
    assert roles["chicken"] == roles["attrition"] == "bookkeeping"
    assert roles["schelling"] == "decision"
    assert roles["haynes"] == roles["critical-risk"] == "derived"
    for key in ("chicken", "attrition"):
        assert checks[key].basis.startswith("Bookkeeping, not theory"), key


def test_the_audience_cost_runs_are_labelled_by_the_policy_they_play():
    from theory.checks import audience_basis

    assert audience_basis("equilibrium")[0] == "derived"
    role, basis = audience_basis("heuristic")
    assert role == "heuristic" and "not Fearon's equilibrium" in basis and "heuristic policy" in basis


# Haynes (2019): the discrete competition in risk taking.


def test_haynes_values_are_exactly_the_published_ones():
    view = first_view("theory/haynes")
    assert (view.rung, view.steps_left) == (0, 10)
    value = solve_view(view).value[view.steps_left, view.rung, 0]
    assert value[0] == pytest.approx(0.7, abs=1e-12)
    assert value[1] == pytest.approx(-0.2, abs=1e-12)


def test_haynes_backward_induction_table():
    # Haynes's solution: firm in rounds 1 and 3, concede in round 2 and from round 4 on.
    # Round r is decided on rung r - 1 with 11 - r moves left, by Player 1 in odd rounds.
    view = first_view("theory/haynes")
    action = solve_view(view).action
    firm = {1: 1, 3: 3}
    for r in range(1, 11):
        expected = firm.get(r, YIELD_ACTION)
        assert action[11 - r, r - 1, (r - 1) % 2] == expected, r


def test_haynes_runs_follow_the_equilibrium_path():
    runs = replicate("theory/haynes", 100, seed=2024)
    for s in runs:
        on_path = (s["outcome"] == "yield" and s["yielder"] == "BBB" and moves(s) == 2) or (
            s["outcome"] == "catastrophe" and moves(s) == 1
        )
        assert on_path, s
    # Player 1's stand in round 1 slips with probability 0.1: 99% exact binomial interval, 100 runs.
    lo, hi = binomial_interval(100, 0.1, 0.99)
    assert lo <= sum(s["outcome"] == "catastrophe" for s in runs) <= hi


# Critical risk (Powell 1987): the less resolute side yields at its first move.


@st.composite
def payoffs(draw):
    """Prevail w > concede s > disaster d, as in theory.checks' random games."""
    w = draw(st.floats(-5.0, 5.0))
    s = w - draw(st.floats(0.01, 5.0))
    d = s - draw(st.floats(0.01, 20.0))
    return w, s, d


def resolve(side):
    return float(critical_risk(*side))


@st.composite
def games(draw):
    """Two sides whose resolves differ by at least 0.06 (the ladder's step is 0.05), random first mover."""
    a = draw(payoffs())
    b = draw(payoffs().filter(lambda b: abs(resolve(b) - resolve(a)) >= 0.06))
    return {"AAA": a, "BBB": b, "resolve": (resolve(a), resolve(b)), "first": draw(st.sampled_from(["AAA", "BBB"]))}


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(game=games(), seed=st.integers(0, 2**16))
def test_less_resolute_side_yields_at_once_and_swapping_payoffs_swaps_the_loser(game, seed):
    expected = "AAA" if game["resolve"][0] < game["resolve"][1] else "BBB"
    assert play_critical_risk_game(game, seed) == (expected, True)
    # The counter-property: the same game with the payoffs exchanged (first mover kept) must be
    # lost by the other side; a check that ignored the payoffs would fail one of the two.
    swapped = {"AAA": game["BBB"], "BBB": game["AAA"], "resolve": game["resolve"][::-1], "first": game["first"]}
    other = "BBB" if expected == "AAA" else "AAA"
    assert play_critical_risk_game(swapped, seed) == (other, True)


def test_the_shipped_critical_risk_game_is_lost_by_the_irresolute_first_mover():
    game = {"AAA": (1.0, 0.0, -1.0), "BBB": (1.0, 0.0, -9.0), "resolve": (0.5, 0.1), "first": "BBB"}
    assert play_critical_risk_game(game, 0) == ("BBB", True)
    # With BBB the more resolute, AAA loses even though BBB still moves first.
    flipped = {"AAA": (1.0, 0.0, -9.0), "BBB": (1.0, 0.0, -1.0), "resolve": (0.1, 0.5), "first": "BBB"}
    assert play_critical_risk_game(flipped, 0) == ("AAA", True)


# Chicken (McAfee): mixed equilibrium, crash frequency q* x q* = 1/16.

CHICKEN_RUNS = 4000


@pytest.fixture(scope="module")
def chicken_runs():
    return replicate("theory/chicken", CHICKEN_RUNS, seed=1998)


def test_chicken_crash_frequency_is_one_in_sixteen(chicken_runs):
    # 99% exact binomial interval around 1/16 for 4000 seeded runs.
    lo, hi = binomial_interval(CHICKEN_RUNS, 1 / 16, 0.99)
    crashes = sum(s["outcome"] == "catastrophe" for s in chicken_runs)
    assert lo <= crashes <= hi


def test_chicken_first_driver_swerves_three_times_in_four(chicken_runs):
    # 99% exact binomial intervals: AAA yields with 3/4, BBB with 1/4 x 3/4 = 3/16.
    assert all(s["outcome"] in ("yield", "catastrophe") for s in chicken_runs)
    lo, hi = binomial_interval(CHICKEN_RUNS, 0.75, 0.99)
    assert lo <= sum(s["yielder"] == "AAA" for s in chicken_runs) <= hi
    lo, hi = binomial_interval(CHICKEN_RUNS, 3 / 16, 0.99)
    assert lo <= sum(s["yielder"] == "BBB" for s in chicken_runs) <= hi
    assert all(moves(s) == 1 for s in chicken_runs if s["yielder"] == "AAA")
    assert all(moves(s) == 2 for s in chicken_runs if s["yielder"] != "AAA")


# War of attrition (Maynard Smith 1974; Hendricks, Weiss & Wilson 1988).


def test_symmetric_attrition_lasts_v_over_2c_rounds():
    runs = replicate("theory/attrition", 250, seed=1974)
    assert all(s["outcome"] == "yield" for s in runs)
    rounds = (np.array([moves(s) for s in runs]) - 0.5) / 2.0  # midpoint of the conceding half-round
    # 99% normal interval for the mean of 250 seeded runs; V / (2c) = 1 / (2 x 0.05) = 10 rounds.
    _, lo, hi = mean_interval(rounds, 0.99)
    assert lo <= 10.0 <= hi
    # The first mover concedes first with 1 / (2 - p), p = 1 - exp(-0.05): 99% exact binomial interval.
    p = -math.expm1(-0.05)
    lo, hi = binomial_interval(250, 1 / (2 - p), 0.99)
    assert lo <= sum(s["yielder"] == "AAA" for s in runs) <= hi


def test_asymmetric_attrition_the_side_valuing_the_prize_more_concedes_first():
    overrides = {"crises.contest.sides.AAA.prevail": 2.0, "crises.contest.sides.BBB.prevail": 0.5}
    runs = replicate("theory/attrition", 300, seed=1988, overrides=overrides)
    # AAA concedes at BBB's c/V = 0.05/0.5 a round, BBB at 0.05/2; AAA moves first in each round.
    p_a, p_b = -math.expm1(-0.1), -math.expm1(-0.025)
    first = p_a / (1 - (1 - p_a) * (1 - p_b))  # about 0.81
    # 99% exact binomial interval for 300 seeded runs; with the stakes read the wrong way round it
    # would be about 0.21.
    lo, hi = binomial_interval(300, first, 0.99)
    assert lo <= sum(s["yielder"] == "AAA" for s in runs) <= hi


# Schelling (1960): comply once the risk q reaches (G - C) / (G - D).

SCHELLING_EXTRA = ((3.0, 0.5, -3.0), (0.5, -2.0, -10.0))
"""Triples not in SCHELLING_CASES (the schelling check covers those): defiance worth more than
prevailing, and less."""


@pytest.mark.parametrize(("g", "c", "d"), SCHELLING_EXTRA)
def test_bisection_recovers_the_schelling_threshold(g, c, d):
    found = threshold_by_bisection(lambda q: complies(g, c, d, q))
    assert found == pytest.approx((g - c) / (g - d), abs=2e-6)


def test_schelling_check_recovers_every_published_case(checks):
    rows = checks["schelling"].rows
    assert list(zip(rows["G"], rows["C"], rows["D"], strict=True)) == list(SCHELLING_CASES)
    assert rows["expected"].tolist() == pytest.approx(((rows["G"] - rows["C"]) / (rows["G"] - rows["D"])).tolist())
    assert ((rows["measured"] - rows["expected"]).abs() <= 2e-6).all()
    assert not set(SCHELLING_EXTRA) & set(SCHELLING_CASES)


def test_compliance_is_monotone_in_the_risk():
    g, c, d = SCHELLING_EXTRA[0]
    threshold = (g - c) / (g - d)  # 5/12
    below = (0.0, 0.1, threshold - 1e-3)
    above = (threshold + 1e-3, 0.7, 1.0)
    assert [complies(g, c, d, q) for q in below] == [False] * 3
    assert [complies(g, c, d, q) for q in above] == [True] * 3


# Audience costs (Fearon 1994).


def test_audience_costs_lower_the_rate_of_backing_down(checks):
    finding = checks["audience-costs"]
    assert finding.passed
    rows = finding.rows.set_index("audience_cost")
    assert list(rows.index) == [0.0, 0.025, 0.05, 0.1, 0.2]
    assert rows.loc[0.2, "p_yield"] < rows.loc[0.0, "p_yield"]
    # The 99% intervals at the two ends do not overlap at 100 seeded runs a condition.
    assert rows.loc[0.2, "hi"] < rows.loc[0.0, "lo"]
    assert (rows["yields"] / CHECK_REPS["audience-costs"]).tolist() == pytest.approx(rows["p_yield"].tolist())
