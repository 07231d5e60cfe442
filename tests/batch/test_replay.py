"""Every batch row replays alone from its ``seed`` column, on either simulator.

Small sweeps run through `batch.runner` with a fixed (``--set``) override and a varied
(``--vary``) path; then rows, many of them not the first of their task, are rerun from their
cell's scenario and their own seed: `BrinkmanshipModel(scenario=cell_spec, rng=seed)` for agent
rows, `ensemble.rows.replay_summary(cell_spec, seed)` for ensemble rows, and `brink.api.run` with
the row's parameters for both. Every outcome column must come back exactly (no tolerance).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from batch.design import check_design, make_design, parse_vary
from batch.results import load_runs
from batch.rows import run_row, summary_row
from batch.runner import SweepPlan, execute
from batch.seeds import run_seed
from brink.api import run
from ensemble.rows import replay_summary
from model import BrinkmanshipModel
from scenarios import Scenario, ScenarioError, load_scenario

VARY = "states.USA.fear=0.2,0.7"
FIXED = {"params.leaders.mortality_log_base": -4.0, "params.decision_noise": 0.1}
"""Leaders who die often (successions shake alliances and redraw traits) and noisier choices."""
SEED = 17


def plain(value: Any) -> Any:
    """A table value as a plain Python value (None for missing)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def make_plan(simulator: str, reps: int, chunk: int) -> SweepPlan:
    """The plan of ``brink sweep moscow-strike --set ... --vary ... --simulator SIMULATOR``."""
    spec = load_scenario("moscow-strike", FIXED)
    design = make_design([parse_vary(VARY)], "grid", None, SEED, base=spec)
    check_design(spec, design)
    return SweepPlan(spec=spec, name="moscow-strike", fixed=dict(FIXED), design=design, reps=reps, seed=SEED,
                     chunk=chunk, simulator=simulator)  # fmt: skip


def sweep(tmp_path: Path, simulator: str, reps: int, chunk: int) -> tuple[SweepPlan, pd.DataFrame]:
    plan = make_plan(simulator, reps, chunk)
    execute(plan, tmp_path / simulator)
    runs = load_runs(tmp_path / simulator)
    assert len(runs) == 2 * reps and runs["error"].isna().all()
    return plan, runs


def cell_spec(plan: SweepPlan, row: pd.Series) -> Scenario:
    """The scenario a row ran: the fixed overrides (in ``plan.spec``) and its cell's varied values."""
    return load_scenario(plan.spec, plan.design.overrides(int(row["cell"])))


def differences(row: pd.Series, replayed: dict[str, Any]) -> list[str]:
    """Outcome columns of `row` (all but identity and parameters) that `replayed` does not reproduce."""
    skip = {"cell", "rep", "seed", VARY.split("=")[0]}
    found = [name for name in row.index if name not in skip and plain(row[name]) != plain(replayed.get(name, "?"))]
    return [f"{name}: row {plain(row[name])!r}, replay {plain(replayed.get(name))!r}" for name in found]


def not_first_of_task(runs: pd.DataFrame, chunk: int) -> pd.Series:
    return runs["rep"] % chunk != 0


@pytest.fixture(scope="module")
def agents(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("replay"), "agents", reps=12, chunk=5)  # tasks of 5, 5, 2


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("replay"), "ensemble", reps=400, chunk=150)  # tasks of 150, 150, 100


def test_every_row_has_its_replications_own_seed(agents, ensemble):
    for _, runs in (agents, ensemble):
        assert runs["seed"].tolist() == [run_seed(SEED, int(rep)) for rep in runs["rep"]]


def test_agent_rows_replay_exactly_from_their_seed(agents):
    plan, runs = agents
    assert runs["outcome"].nunique() > 1 or runs["yielder"].nunique() > 1, "precondition: the runs differ"
    assert not_first_of_task(runs, 5).sum() >= 16
    for _, row in runs.iterrows():
        model = BrinkmanshipModel(scenario=cell_spec(plan, row), rng=int(row["seed"]))
        model.run()
        assert not differences(row, run_row(model)), (int(row["cell"]), int(row["rep"]))


def test_ensemble_rows_replay_exactly_from_their_seed(ensemble):
    plan, runs = ensemble
    picked = runs[(runs["rep"] % 7 == 3) | (runs["rep"] % 150 == 149) | runs["catastrophe"]]
    assert len(picked) >= 120 and not_first_of_task(picked, 150).mean() > 0.9
    assert set(picked["outcome"]) >= {"yield", "catastrophe"} and picked["catastrophe_cause"].notna().sum() >= 10
    assert picked["yield_cause"].nunique() == 2 or picked["yielder"].nunique() == 2, "precondition: varied rows"
    for _, row in picked.iterrows():
        spec = cell_spec(plan, row)
        summary = replay_summary(spec, int(row["seed"]))
        replayed = summary_row(summary, spec.params.step_years, spec.params.start_year)
        assert not differences(row, replayed), (int(row["cell"]), int(row["rep"]))
        assert summary["seed"] == row["seed"]


def test_a_replayed_ensemble_summary_is_the_rows_run_not_its_tasks_neighbours(ensemble):
    """Replications that share a task but differ in seed end differently; each replays as itself."""
    plan, runs = ensemble
    rows = runs[(runs["cell"] == 1) & runs["rep"].between(150, 299)]
    spec = cell_spec(plan, rows.iloc[0])
    durations = [replay_summary(spec, int(seed))["crises"]["moscow"]["moves"] for seed in rows["seed"]]
    assert durations == rows["duration"].tolist()
    assert len(set(durations)) >= 4


@pytest.mark.parametrize("simulator", ["agents", "ensemble"])
def test_brink_run_with_a_rows_seed_and_parameters_reproduces_it(agents, ensemble, simulator):
    """As `brink run moscow-strike --seed S --set ... --simulator X` does (`brink.api.run`)."""
    plan, runs = agents if simulator == "agents" else ensemble
    rows = runs[not_first_of_task(runs, 5 if simulator == "agents" else 150)].iloc[::7].head(8)
    for _, row in rows.iterrows():
        overrides = {**FIXED, **plan.design.overrides(int(row["cell"]))}
        result = run("moscow-strike", seed=int(row["seed"]), overrides=overrides, simulator=simulator)
        spec = result.spec
        replayed = summary_row(result.summary, spec.params.step_years, spec.params.start_year)
        assert not differences(row, replayed), (simulator, int(row["cell"]), int(row["rep"]))


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True])
def test_replay_refuses_a_seed_outside_the_seed_range(seed):
    with pytest.raises(ScenarioError, match=r"2\*\*64"):
        replay_summary(load_scenario("moscow-strike"), seed)
