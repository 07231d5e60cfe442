"""The run summary: required fields, their consistency, and what overrides do to it."""

from __future__ import annotations

import math

import pytest
from summary_contract import ALLIANCE_FIELDS, REQUIRED

from brink.api import run
from scenarios import load_ladder

OUTCOMES = {"yield", "catastrophe", "stalemate"}
DEFAULT_LADDER = load_ladder("default")


@pytest.mark.parametrize("seed", range(6))
def test_moscow_strike_summary_has_consistent_required_fields(seed):
    result = run("moscow-strike", seed=seed)
    summary = result.summary
    for field in REQUIRED:
        assert field in summary, field
    assert summary["scenario"] == "moscow-strike"
    assert summary["seed"] == seed
    assert summary["steps"] == result.model.steps == len(result.timeseries) - 1
    assert 1 <= summary["steps"] <= 60
    assert summary["outcome"] in OUTCOMES
    assert summary["max_rung"] in range(len(DEFAULT_LADDER.rungs))
    assert summary["max_rung_name"] == DEFAULT_LADDER.rungs[summary["max_rung"]].name
    assert summary["max_rung"] >= 6  # the crisis opens on rung 6
    assert summary["max_rung"] == max(result.timeseries["crisis.moscow.rung"])
    assert summary["catastrophe"] is (summary["outcome"] == "catastrophe")
    deliberate = summary["first_deliberate_nuclear_user"]
    assert summary["nuclear_used"] is (deliberate is not None or summary["catastrophe"])
    assert deliberate in (None, "RUS", "USA")
    if summary["catastrophe"]:
        assert summary["max_rung"] == DEFAULT_LADDER.top
        assert summary["nuclear_used"] is True
        assert summary["catastrophe_cause"] in ("slip", "deliberate", "ally")
        assert (summary["slip_holder"] in ("RUS", "USA")) is (summary["catastrophe_cause"] == "slip")
    else:
        assert (summary["catastrophe_cause"], summary["slip_holder"], summary["slip_rung"]) == (None, None, None)
    if summary["outcome"] == "yield":
        assert summary["yielder"] in ("RUS", "USA")
    else:
        assert summary["yielder"] is None
    if deliberate is not None:
        assert summary["max_rung"] >= 8
    assert set(summary["alliances"]) == {"RUS-PRK", "NATO"}
    for key, alliance in summary["alliances"].items():
        for field in ALLIANCE_FIELDS:
            assert field in alliance, (key, field)
        assert 0.0 <= alliance["final_cohesion"] <= 1.0
        assert alliance["final_cohesion"] == pytest.approx(result.timeseries[f"alliance.{key}.cohesion"].iloc[-1])
        assert (alliance["dissolved_at"] is None) is alliance["survived"]


def test_switching_off_the_rus_prk_treaty_keeps_prk_out():
    for seed in range(4):
        summary = run("moscow-strike", seed=seed, overrides={"alliances.RUS-PRK.active": False}).summary
        assert summary["crises"]["moscow"]["joined"]["RUS"] == []
        assert summary["crises"]["moscow"]["declined"]["RUS"] == []
        treaty = summary["alliances"]["RUS-PRK"]
        assert treaty["initially_active"] is False
        assert treaty["survived"] is False
        assert treaty["dissolved_at"] is None


def test_scenario_without_crisis_reports_no_crisis(make_scenario):
    summary = run(make_scenario(), seed=0).summary
    for field in REQUIRED:
        assert field in summary
    assert summary["outcome"] == "no_crisis"
    assert summary["steps"] == 10  # no crisis to end the run: it runs to max_steps
    assert (summary["yielder"], summary["first_deliberate_nuclear_user"]) == (None, None)
    assert (summary["yield_cause"], summary["yield_rung"], summary["catastrophe_cause"]) == (None, None, None)
    assert (summary["slip_holder"], summary["slip_rung"]) == (None, None)
    assert (summary["nuclear_used"], summary["catastrophe"], summary["max_rung"]) == (False, False, 0)
    assert summary["max_rung_name"] == "Quiet"
    assert summary["crises"] == {}


def usa_yield_rate(fear: float, seeds: range) -> float:
    yields = sum(
        run("moscow-strike", seed=seed, overrides={"states.USA.fear": fear}).summary["yielder"] == "USA"
        for seed in seeds
    )
    return yields / len(seeds)


def test_a_fearful_usa_yields_more_often_than_a_fearless_one():
    """One-sided two-proportion z-test at 99% confidence (z > 2.326), 100 fixed seeds per arm.

    Independent seeds 0..99 for fear 1 and 100..199 for fear 0. In the crisis game's equilibrium
    fear makes catastrophe worse relative to conceding (`rules.scenario_game.disaster_value`); the
    U.S. side's yield rates are about 0.93 and 0.24 (400 seeds each), so the power is far above 0.99.
    """
    n = 100
    fearful = usa_yield_rate(1.0, range(0, n))
    fearless = usa_yield_rate(0.0, range(n, 2 * n))
    pooled = (fearful + fearless) / 2
    standard_error = math.sqrt(pooled * (1 - pooled) * 2 / n)
    z = (fearful - fearless) / standard_error if standard_error > 0 else math.inf
    assert z > 2.326, f"USA yield rate {fearful:.2f} at fear 1 vs {fearless:.2f} at fear 0 (z = {z:.2f})"
