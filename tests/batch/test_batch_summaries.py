"""Batch summaries that say what happened: yielding by choice and by defeat, catastrophe by cause, the rung
of the yield, and the same columns for every crisis of a scenario (rows as `batch.rows` writes them)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from batch.calibrate import Target, check_targets
from batch.design import make_design
from batch.results import load_runs, possible_metrics, reported_metrics, summarize_runs
from batch.runner import SweepPlan, execute
from batch.sensitivity import metric_columns
from model.outcomes import CATASTROPHE_CAUSES
from scenarios import ScenarioError, load_scenario

Z95 = 1.959963984540054

# One crisis's fields per kind of run: outcome, yielder, yield_cause, yield_rung, catastrophe_cause,
# max_rung, duration, nuclear_used.
CHOICE = ("yield", "USA", "choice", 3, None, 3, 4, False)
DEFEAT = ("yield", "RUS", "defeat", 5, None, 5, 6, False)
NUCLEAR_CHOICE = ("yield", "USA", "choice", 8, None, 8, 9, True)
SLIP = ("catastrophe", None, None, None, "slip", 10, 8, True)
DELIBERATE = ("catastrophe", None, None, None, "deliberate", 10, 7, True)
STALEMATE = ("stalemate", None, None, None, None, 6, 12, False)
PENDING = ("not_started", None, None, None, None, 0, 0, False)
FIELDS = (
    "outcome", "yielder", "yield_cause", "yield_rung", "catastrophe_cause", "max_rung", "duration", "nuclear_used",
)  # fmt: skip

# (north crisis, south crisis, count): the first crisis is north, so it is also at top level.
KINDS = [
    (CHOICE, STALEMATE, 10),
    (DEFEAT, PENDING, 6),
    (SLIP, CHOICE, 5),
    (DELIBERATE, DEFEAT, 3),
    (NUCLEAR_CHOICE, SLIP, 2),
]


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval, written out independently of batch.stats."""
    p = k / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return max(centre - half, 0.0), min(centre + half, 1.0)


def crisis_columns(prefix: str, kind: tuple) -> dict:
    row = dict(zip((f"{prefix}{f}" for f in FIELDS), kind, strict=True))
    row[f"{prefix}catastrophe"] = kind[0] == "catastrophe"
    row[f"{prefix}first_deliberate_nuclear_user"] = "RUS" if kind[4] == "deliberate" else None
    row[f"{prefix}slip_holder"] = "USA" if kind[4] == "slip" else None
    return row


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    """26 runs of a two-crisis scenario in two cells of path x, and two runs that raised."""
    rows = []
    for north, south, count in KINDS:
        for _ in range(count):
            rep = len(rows)
            row = {"cell": rep % 2, "rep": rep, "seed": 1000 + rep, "x": [0.1, 0.2][rep % 2]}
            row |= crisis_columns("", north) | {"max_rung_name": f"rung {north[5]}", "steps": 20, "final_year": 2030.0}
            row |= crisis_columns("crisis.north.", north) | crisis_columns("crisis.south.", south)
            row |= {"alliance.NATO.survived": rep % 3 != 0, "alliance.NATO.dissolved_year": 2031.0 if rep % 3 else None}
            rows.append(row | {"error": None})
    rows += [{"cell": c, "rep": 100 + c, "seed": 5, "x": [0.1, 0.2][c], "error": "ValueError: boom"} for c in (0, 1)]
    return pd.DataFrame(rows)


def test_yielding_is_split_by_choice_and_defeat_and_catastrophe_by_cause(runs):
    row = summarize_runs(runs, []).iloc[0]
    assert (row["runs"], row["errors"]) == (26, 2)
    expected = {
        "p_yield": 18, "p_yield_choice": 12, "p_defeat": 6, "p_catastrophe": 8, "p_catastrophe_slip": 5,
        "p_catastrophe_deliberate": 3, "p_stalemate": 0, "p_yielder_USA": 12, "p_yielder_RUS": 6, "p_nuclear_used": 10,
    }  # fmt: skip
    for name, k in expected.items():
        assert row[name] == pytest.approx(k / 26), name
        lo, hi = wilson(k, 26)
        assert (row[f"{name}_lo"], row[f"{name}_hi"]) == (pytest.approx(lo), pytest.approx(hi)), name
    assert row["p_yield_choice"] + row["p_defeat"] == pytest.approx(row["p_yield"])
    causes = sum(row[f"p_catastrophe_{cause}"] for cause in CATASTROPHE_CAUSES)
    assert causes == pytest.approx(row["p_catastrophe"])


def test_the_rung_of_the_yield_is_summarised_over_the_runs_that_yielded(runs):
    row = summarize_runs(runs, []).iloc[0]
    rungs = pd.Series([3] * 10 + [5] * 6 + [8] * 2, dtype=float)
    assert row["yield_rung_mean"] == pytest.approx(rungs.mean())  # 4.22, not the mean over all 26 runs
    for q in (10, 50, 90):
        assert row[f"yield_rung_q{q}"] == pytest.approx(rungs.quantile(q / 100))
    assert row["max_rung_mean"] == pytest.approx(runs["max_rung"].dropna().mean())


def test_every_crisis_gets_its_own_columns(runs):
    row = summarize_runs(runs, []).iloc[0]
    south = {
        "p_yield": 8, "p_yield_choice": 5, "p_defeat": 3, "p_catastrophe": 2, "p_catastrophe_slip": 2,
        "p_catastrophe_deliberate": 0, "p_stalemate": 10, "p_not_started": 6, "p_yielder_USA": 5, "p_yielder_RUS": 3,
        "p_nuclear_used": 2,
    }  # fmt: skip
    for name, k in south.items():
        assert row[f"crisis.south.{name}"] == pytest.approx(k / 26), name
        assert row[f"crisis.south.{name}_lo"] == pytest.approx(wilson(k, 26)[0]), name
    for name in ("p_yield", "p_defeat", "p_catastrophe_slip", "p_yielder_USA", "max_rung_mean", "yield_rung_q50"):
        assert row[f"crisis.north.{name}"] == row[name]  # the first crisis is also at top level
    yields = pd.Series([3] * 5 + [5] * 3, dtype=float)
    assert row["crisis.south.yield_rung_mean"] == pytest.approx(yields.mean())
    assert row["crisis.south.duration_mean"] == pytest.approx(runs["crisis.south.duration"].dropna().mean())


def test_groups_are_summarised_alike(runs):
    table = summarize_runs(runs, ["x"])
    assert table["x"].tolist() == [0.1, 0.2]
    for _, row in table.iterrows():
        group = runs[(runs["x"] == row["x"]) & runs["error"].isna()]
        n = len(group)
        assert row["runs"] == n and row["errors"] == 1
        defeats = int((group["crisis.south.yield_cause"] == "defeat").sum())
        assert row["crisis.south.p_defeat"] == pytest.approx(defeats / n)
        slips = int((group["catastrophe_cause"] == "slip").sum())
        assert row["p_catastrophe_slip_hi"] == pytest.approx(wilson(slips, n)[1])


def test_possible_metrics_name_every_metric_a_summary_has(runs):
    table = summarize_runs(runs, [])
    produced = [c for c in table.columns if c not in ("runs", "errors") and not c.endswith(("_lo", "_hi"))]
    possible = possible_metrics(["NATO"], ["RUS", "USA"], ["north", "south"])
    assert set(produced) <= set(possible), sorted(set(produced) - set(possible))
    assert len(possible) == len(set(possible))
    for name in ("p_defeat", "p_yield_choice", "p_catastrophe_deliberate", "yield_rung_q90", "crisis.south.p_defeat"):
        assert name in possible
    check_targets([Target("crisis.south.p_catastrophe_slip", 0.1), Target("p_defeat", 0.02)], possible)
    with pytest.raises(ScenarioError, match="p_first_nuclear_user"):
        check_targets([Target("p_first_nuclear_user", 0.1)], possible)


def test_shares_of_the_first_crisis_are_reported_once(runs):
    table = summarize_runs(runs, ["cell"])
    shown = reported_metrics(table.columns, runs.columns)
    assert "p_defeat" in shown and "crisis.south.p_defeat" in shown
    assert not any(c.startswith("crisis.north.") for c in shown)
    assert not any(c.endswith(("_lo", "_hi", "_mean")) for c in shown)
    analysed = metric_columns(table, runs.columns)
    assert "crisis.south.duration_mean" in analysed and "yield_rung_mean" in analysed
    assert not any(c.startswith("crisis.north.") for c in analysed)


def test_a_summary_without_crisis_columns_lists_only_what_happened():
    # A sweep written before per-crisis columns: no stalemate share is invented.
    runs = pd.DataFrame(
        {"cell": [0, 0], "rep": [0, 1], "outcome": ["yield", "catastrophe"], "yielder": ["AAA", None],
         "yield_cause": ["choice", None], "nuclear_used": [False, True], "max_rung": [1, 2], "error": [None, None]}
    )  # fmt: skip
    row = summarize_runs(runs, []).iloc[0]
    assert "p_stalemate" not in row.index and "p_catastrophe_slip" not in row.index
    assert row["p_yield_choice"] == 0.5 and row["p_defeat"] == 0.0


@pytest.fixture(scope="module")
def moscow_runs(tmp_path_factory) -> pd.DataFrame:
    """800 replications of moscow-strike as it is, on the ensemble engine."""
    spec = load_scenario("moscow-strike")
    plan = SweepPlan(
        spec=spec, name="moscow-strike", fixed={}, design=make_design([]), reps=800, seed=3, chunk=400,
        simulator="ensemble",
    )  # fmt: skip
    out = tmp_path_factory.mktemp("moscow") / "sweep"
    execute(plan, out)
    return load_runs(out)


def test_defeat_is_told_apart_from_choice_on_real_rows(moscow_runs):
    row = summarize_runs(moscow_runs, []).iloc[0]
    ended = moscow_runs[moscow_runs["outcome"] == "yield"]
    defeats = int((ended["yield_cause"] == "defeat").sum())
    assert defeats > 0 and (ended["yield_cause"] == "choice").sum() > 0, "precondition: both kinds of yield"
    assert row["p_defeat"] == pytest.approx(defeats / 800)
    assert row["p_yield_choice"] == pytest.approx((len(ended) - defeats) / 800)
    assert row["yield_rung_mean"] == pytest.approx(ended["yield_rung"].astype(float).mean())
    causes = moscow_runs.loc[moscow_runs["outcome"] == "catastrophe", "catastrophe_cause"]
    assert len(causes) > 0 and causes.notna().all()
    assert row["p_catastrophe_slip"] == pytest.approx((causes == "slip").sum() / 800)
    causes = sum(row[f"p_catastrophe_{cause}"] for cause in CATASTROPHE_CAUSES)
    assert causes == pytest.approx(row["p_catastrophe"])
    assert np.isclose(row["p_yield"], len(ended) / 800)
    # The scenario's one crisis has the same shares under its own name.
    for name in ("p_defeat", "p_catastrophe_slip", "p_stalemate", "yield_rung_mean"):
        assert row[f"crisis.moscow.{name}"] == row[name], name
