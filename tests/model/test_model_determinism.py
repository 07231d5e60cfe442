"""Seeds, overrides and Mesa's batch runner."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from brink.api import run
from model import BrinkmanshipModel, summarize

OVERRIDES = {"states.USA.fear": 0.45, "alliances.NATO.cohesion": 0.7}


@pytest.mark.parametrize("seed", [0, 7, 123])
def test_same_seed_and_overrides_give_identical_results(seed):
    first = run("moscow-strike", seed=seed, overrides=OVERRIDES)
    second = run("moscow-strike", seed=seed, overrides=dict(OVERRIDES))
    assert first.summary == second.summary
    pd.testing.assert_frame_equal(first.timeseries, second.timeseries)
    pd.testing.assert_frame_equal(first.agents, second.agents)
    pd.testing.assert_frame_equal(first.events, second.events)


def fingerprint(result):
    return (
        result.summary["outcome"],
        result.summary["steps"],
        tuple(result.timeseries["crisis.moscow.rung"]),
        tuple(result.timeseries["alliance.NATO.cohesion"]),
    )


def test_different_seeds_differ_somewhere():
    prints = {fingerprint(run("moscow-strike", seed=seed)) for seed in range(5)}
    assert len(prints) >= 2
    # cohesion noise alone makes every seed's alliance path different
    cohesion = {p[3] for p in prints}
    assert len(cohesion) == len(prints)


def test_overrides_change_the_run():
    base = run("moscow-strike", seed=2)
    changed = run("moscow-strike", seed=2, overrides={"alliances.NATO.cohesion": 0.5})
    assert base.timeseries["alliance.NATO.cohesion"].iloc[0] == pytest.approx(0.85)
    assert changed.timeseries["alliance.NATO.cohesion"].iloc[0] == pytest.approx(0.5)


def test_rng_given_as_string_equals_rng_given_as_int():
    by_text = BrinkmanshipModel(scenario="moscow-strike", rng="42")
    by_int = BrinkmanshipModel(scenario="moscow-strike", rng=42)
    by_text.run()
    by_int.run()
    assert by_text.seed == 42
    assert summarize(by_text) == summarize(by_int)
    pd.testing.assert_frame_equal(
        by_text.datacollector.get_model_vars_dataframe(), by_int.datacollector.get_model_vars_dataframe()
    )


def test_rng_given_as_generator_runs_and_has_no_seed_in_summary():
    a = BrinkmanshipModel(scenario="moscow-strike", rng=np.random.default_rng(5))
    b = BrinkmanshipModel(scenario="moscow-strike", rng=np.random.default_rng(5))
    a.run()
    b.run()
    assert summarize(a)["seed"] is None
    assert summarize(a) == summarize(b)


def test_keyword_paths_override_and_win_over_overrides_dict():
    model = BrinkmanshipModel(
        scenario="moscow-strike", rng=1, overrides={"params.max_steps": 50}, **{"params.max_steps": 2}
    )
    assert model.params.max_steps == 2
    model.run()
    assert model.steps <= 2


def test_batch_run_returns_reporter_columns_and_respects_max_steps():
    rows = mesa.batch_run(
        BrinkmanshipModel,
        {"scenario": "moscow-strike", "params.max_steps": [5, 10]},
        rng=[1, 2],
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    for column in ("crisis.moscow.rung", "crisis.moscow.status", "alliance.RUS-PRK.cohesion", "fear", "state"):
        assert column in frame.columns
    assert set(frame["params.max_steps"]) == {5, 10}
    assert set(frame["rng"]) == {1, 2}
    assert frame["RunId"].nunique() == 4
    assert (frame["Step"] <= frame["params.max_steps"]).all()
    assert frame["crisis.moscow.rung"].between(0, 10).all()
    # a run stopped at its step limit has its crisis in stalemate, never still active
    assert not (frame["crisis.moscow.status"] == "active").any()
    # each (run, step) row set has one row per state
    assert frame.groupby("RunId")["state"].nunique().eq(5).all()
