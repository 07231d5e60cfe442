"""The ensemble engine inside the batch runner: determinism, resume, Dask, the rows' schema and seeds,
`brink summarize`, `sensitivity` and `calibrate`, and the memory a task needs.

Everything here is exact (fixed seeds, equal tables, equal bytes).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import tracemalloc
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from batch.design import check_design, make_design, parse_vary
from batch.results import load_runs
from batch.rows import OUTCOME_FIELDS, table_schema
from batch.runner import SEEDS, SweepPlan, Task, ensemble_task, execute
from batch.seeds import run_seed, run_seeds
from brink.cli import app
from ensemble.engine import Outcomes, run_ensemble, simulate
from ensemble.world import build_world
from scenarios import ScenarioError, load_scenario

BRINK = str(Path(sys.executable).with_name("brink"))
RECKLESS = "states.RUS.recklessness"
FEAR = "states.USA.fear"
VARIES = [f"{RECKLESS}=0.3,0.9", f"{FEAR}=0.2,0.6"]
REPS, CHUNK, SEED = 60, 25, 11  # tasks of 25, 25 and 10 replications in each of 4 cells
TASKS = 4 * 3


def brink(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def make_plan(simulator: str = "ensemble", *, varies=VARIES, reps=REPS, chunk=CHUNK, seed=SEED, name="moscow-strike"):
    """The plan `brink sweep` builds from the same arguments."""
    spec = load_scenario(name)
    design = make_design([parse_vary(v) for v in varies], "grid", None, seed, base=spec)
    check_design(spec, design)
    return SweepPlan(spec=spec, name=name, fixed={}, design=design, reps=reps, seed=seed, chunk=chunk,
                     simulator=simulator)  # fmt: skip


def part_files(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("task-*.parquet"))


def sweep_args(out: Path, *extra: str, reps: int = REPS, chunk: int = CHUNK, seed: int = SEED) -> list[str]:
    """The `brink sweep` command of `make_plan`."""
    args = ["sweep", "moscow-strike", *(x for v in VARIES for x in ("--vary", v))]
    return [*args, "--reps", str(reps), "--chunk", str(chunk), "--seed", str(seed), "--out", str(out), *extra]


@pytest.fixture(scope="module")
def plan():
    return make_plan()


@pytest.fixture(scope="module")
def serial(plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("ensemble") / "serial"
    outcome = execute(plan, out, workers=1)
    assert (outcome.runs, outcome.ran, outcome.skipped, outcome.errors) == (4 * REPS, 4 * REPS, 0, 0)
    return out


@pytest.fixture(scope="module")
def table(serial):
    return load_runs(serial)


# --- determinism -------------------------------------------------------------------------------------------------


def test_simulate_is_a_function_of_its_seed():
    spec = load_scenario("moscow-strike")
    first, again, other = simulate(spec, 500, 7), simulate(spec, 500, 7), simulate(spec, 500, 8)
    same = run_ensemble(spec, run_seeds(7, 500))
    for field in fields(Outcomes):
        assert np.array_equal(getattr(first, field.name), getattr(again, field.name)), field.name
        assert np.array_equal(getattr(first, field.name), getattr(same, field.name)), field.name
    assert first.status.shape == (500,) and first.damage.shape == (500, 5) and first.active.shape == (500, 2)
    assert len(np.unique(first.moves)) > 3, "precondition: the runs differ from each other"
    assert not np.array_equal(first.moves, other.moves)
    assert not np.array_equal(first.damage, other.damage)


def test_the_same_command_twice_writes_byte_identical_part_files(tmp_path):
    # Once as a separate `brink` process, once in this one: nothing depends on the process.
    done = subprocess.run([BRINK, *sweep_args(tmp_path / "first", "--simulator", "ensemble")], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{4 * REPS} runs in 4 cells x {REPS} replications" in done.stdout
    again = brink(*sweep_args(tmp_path / "second", "--simulator", "ensemble"))
    assert again.exit_code == 0, again.output
    first, second = part_files(tmp_path / "first"), part_files(tmp_path / "second")
    assert [p.name for p in first] == [p.name for p in second] and len(first) == TASKS
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    for name in ("manifest.json", "cells.parquet"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()
    other = brink(*sweep_args(tmp_path / "other", "--simulator", "ensemble", seed=SEED + 1))
    assert other.exit_code == 0, other.output
    assert not load_runs(tmp_path / "other")["duration"].equals(load_runs(tmp_path / "first")["duration"])


def test_the_command_line_table_equals_the_library_table(table, tmp_path):
    result = brink(*sweep_args(tmp_path / "cli", "--simulator", "ensemble"))
    assert result.exit_code == 0, result.output
    assert load_runs(tmp_path / "cli").equals(table)


def test_two_workers_give_the_same_table_as_one(plan, table, tmp_path):
    outcome = execute(plan, tmp_path / "two", workers=2)
    assert (outcome.ran, outcome.errors) == (4 * REPS, 0)
    assert load_runs(tmp_path / "two").equals(table)


def test_manifest_records_the_ensemble_and_its_seeds(serial):
    manifest = json.loads((serial / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["simulator"] == "ensemble"
    assert manifest["seeds"] == SEEDS["ensemble"] != SEEDS["agents"]
    assert (manifest["reps"], manifest["chunk"], manifest["tasks"], manifest["runs"]) == (REPS, CHUNK, TASKS, 4 * REPS)


def test_auto_runs_the_ensemble_where_it_can_and_the_agents_elsewhere(tmp_path):
    supported = brink("sweep", "moscow-strike", "--vary", f"{RECKLESS}=0.3", "--reps", "3", "--out", tmp_path / "a")
    refused = brink("sweep", "theory/chicken", "--vary", "params.max_steps=2", "--reps", "3", "--out", tmp_path / "b")
    assert supported.exit_code == 0 and refused.exit_code == 0, supported.output + refused.output
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["simulator"] == "ensemble"
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["simulator"] == "agents"
    assert load_runs(tmp_path / "b")["seed"].tolist() == [run_seed(0, i) for i in range(3)]


# --- resume ------------------------------------------------------------------------------------------------------


def test_resume_reruns_exactly_the_deleted_task(plan, serial, table, tmp_path):
    out = tmp_path / "crashed"
    shutil.copytree(serial, out)
    parts = part_files(out)
    lost = parts[5]  # cell 1, replications 50 .. 59
    kept = {p: p.stat().st_mtime_ns for p in parts if p != lost}
    before = lost.read_bytes()
    lost.unlink()
    time.sleep(0.01)
    outcome = execute(plan, out, resume=True)
    assert (outcome.runs, outcome.ran, outcome.skipped, outcome.errors) == (4 * REPS, 10, 4 * REPS - 10, 0)
    assert part_files(out) == parts
    assert {p: p.stat().st_mtime_ns for p in kept} == kept
    assert lost.read_bytes() == before
    assert load_runs(out).equals(table)


def test_resume_from_the_command_line_finishes_the_table(serial, table, tmp_path):
    out = tmp_path / "crashed"
    shutil.copytree(serial, out)
    part_files(out)[0].unlink()
    result = brink(*sweep_args(out, "--simulator", "ensemble", "--resume"))
    assert result.exit_code == 0, result.output
    assert f"({CHUNK} run now, {4 * REPS - CHUNK} already done)" in result.stdout
    assert load_runs(out).equals(table)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("first", "then"), [("agents", "ensemble"), ("ensemble", "agents")])
def test_resume_on_the_other_simulator_is_refused(tmp_path, first, then):
    out = tmp_path / "sweep"
    execute(make_plan(first, reps=4, chunk=2), out)
    part_files(out)[1].unlink()
    before = snapshot(out)
    with pytest.raises(ScenarioError) as caught:
        execute(make_plan(then, reps=4, chunk=2), out, resume=True)
    assert caught.value.path in ("seeds", "simulator")
    assert "--resume needs the same scenario, design, reps and seed" in str(caught.value)
    assert snapshot(out) == before
    result = brink(*sweep_args(out, "--simulator", then, "--resume", reps=4, chunk=2))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "--resume needs" in result.stderr
    assert snapshot(out) == before


def test_a_manifest_from_before_the_ensemble_resumes_as_an_agents_sweep(tmp_path):
    out = tmp_path / "old"
    plan = make_plan("agents", reps=4, chunk=2)
    execute(plan, out)
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["simulator"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    part_files(out)[0].unlink()
    assert execute(plan, out, resume=True).ran == 2
    with pytest.raises(ScenarioError):
        execute(make_plan("ensemble", reps=4, chunk=2), out, resume=True)


# --- Dask ----------------------------------------------------------------------------------------------------------


def test_a_dask_sweep_equals_the_local_one(plan, table, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        outcome = execute(plan, tmp_path / "dask", engine="dask", address=cluster.scheduler_address)
        assert (outcome.ran, outcome.errors) == (4 * REPS, 0)
        assert load_runs(tmp_path / "dask").equals(table)
        shutil.rmtree(tmp_path / "dask" / "parts")
        (tmp_path / "dask" / "parts").mkdir()
        result = brink(*sweep_args(tmp_path / "dask", "--simulator", "ensemble", "--resume", "--engine", "dask",
                                   "--address", cluster.scheduler_address))  # fmt: skip
        assert result.exit_code == 0, result.output
        assert load_runs(tmp_path / "dask").equals(table)


# --- rows ----------------------------------------------------------------------------------------------------------


def test_part_files_have_the_agent_sweeps_schema(plan, serial, tmp_path):
    schema = table_schema(plan.spec, plan.design)
    for path in part_files(serial):
        assert pq.read_schema(path).remove_metadata() == schema.remove_metadata(), path.name
    agents = make_plan("agents", reps=3, chunk=3)
    execute(agents, tmp_path / "agents")
    agent_schema = pq.read_schema(part_files(tmp_path / "agents")[0]).remove_metadata()
    assert agent_schema == pq.read_schema(part_files(serial)[0]).remove_metadata()
    assert list(OUTCOME_FIELDS) == [n for n in schema.names if n in OUTCOME_FIELDS]


def test_every_row_carries_its_own_replication_seed(plan, table):
    for task in plan.tasks:
        last = task.first_rep + task.count - 1
        rows = table[(table["cell"] == task.cell) & table["rep"].between(task.first_rep, last)]
        assert len(rows) == task.count
        assert rows["seed"].tolist() == run_seeds(SEED, task.count, task.first_rep)
        assert rows["rep"].tolist() == list(range(task.first_rep, task.first_rep + task.count))
    assert table["seed"].nunique() == REPS  # the agent model's seeds, the same in every cell
    assert table["error"].isna().all() and table["outcome"].notna().all()
    cells = table.groupby("cell")[[RECKLESS, FEAR]].first()
    assert cells.to_dict("list") == {RECKLESS: [0.3, 0.3, 0.9, 0.9], FEAR: [0.2, 0.6, 0.2, 0.6]}


def test_a_task_is_one_ensemble_run_of_its_cell(plan, table):
    """A part file's rows are `outcome_columns` of `run_ensemble` on the cell's scenario with the rows' seeds."""
    task = plan.tasks[7]  # cell 2 (a reckless Russia, a bold United States), replications 25 .. 49
    spec = load_scenario(plan.spec, plan.design.overrides(task.cell))
    outcomes = run_ensemble(spec, run_seeds(SEED, task.count, task.first_rep))
    rows = table[(table["cell"] == task.cell) & (table["rep"] >= task.first_rep)].head(task.count)
    codes = list(spec.states)
    assert rows["duration"].tolist() == outcomes.moves.tolist()
    assert rows["max_rung"].tolist() == outcomes.max_rung.tolist()
    yielders = [None if pd.isna(code) else code for code in rows["yielder"]]
    leads = [codes[i] for i in build_world(spec).crisis.leads]
    assert yielders == [leads[i] if i >= 0 else None for i in outcomes.yielder]
    assert len(set(yielders)) > 1 and rows["duration"].nunique() >= 3, "precondition: the runs differ"
    assert np.allclose(rows["damage.PRK"], outcomes.damage[:, codes.index("PRK")], atol=1e-6)
    for name in ("outcome", "yielder", "max_rung", "catastrophe_cause", "slip_holder", "duration"):
        assert rows[f"crisis.moscow.{name}"].equals(rows[name]), name  # one crisis: its columns repeat the first


def test_a_cell_that_fails_validation_gives_the_same_error_rows_on_both_simulators(tmp_path):
    # Each value is valid with the other at its base value, but not every pair: concede must stay below prevail.
    varies = ["crises.moscow.sides.USA.prevail=0.2:1.2", "crises.moscow.sides.USA.concede=-0.5:0.95"]
    spec = load_scenario("moscow-strike")
    design = make_design([parse_vary(v) for v in varies], "lhs", 10, 4, base=spec)  # cell 2 is invalid
    check_design(spec, design)
    tables = {}
    for simulator in ("agents", "ensemble"):
        plan = SweepPlan(spec=spec, name="moscow-strike", fixed={}, design=design, reps=3, seed=0, chunk=3,
                         simulator=simulator)  # fmt: skip
        execute(plan, tmp_path / simulator)
        tables[simulator] = load_runs(tmp_path / simulator)
    agents, ensemble = tables["agents"], tables["ensemble"]
    failed = agents["error"].notna()
    assert 0 < failed.sum() < len(agents), "precondition: some cells, not all, are invalid"
    assert ensemble["error"].tolist() == agents["error"].tolist()
    assert ensemble["error"].dropna().str.startswith("ScenarioError: --vary: ").all()
    assert ensemble.loc[failed, "outcome"].isna().all() and ensemble.loc[~failed, "outcome"].notna().all()


# --- summarize, sensitivity, calibrate ---------------------------------------------------------------------------


def test_summarize_works_on_an_ensemble_sweep(serial, tmp_path):
    out = tmp_path / "sweep"
    shutil.copytree(serial, out)
    result = brink("summarize", out)
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 4 and (summary["runs"] == REPS).all() and (summary["errors"] == 0).all()
    assert list(summary.columns[:2]) == [RECKLESS, FEAR]
    runs = load_runs(out)
    for _, row in summary.iterrows():
        group = runs[(runs[RECKLESS] == row[RECKLESS]) & (runs[FEAR] == row[FEAR])]
        assert row["p_yield"] == pytest.approx((group["outcome"] == "yield").mean(), abs=1e-6)
        assert row["duration_mean"] == pytest.approx(group["duration"].mean(), rel=1e-5)


def test_sensitivity_runs_on_the_ensemble(tmp_path):
    out = tmp_path / "sens"
    result = brink(
        "sensitivity", "moscow-strike", "--param", f"{RECKLESS}=0.2:0.9", "--param", f"{FEAR}=0.2:0.8",
        "--samples", "4", "--reps", "40", "--chunk", "40", "--simulator", "ensemble", "--metric", "p_yielder_USA",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(out / "indices.csv")
    assert set(indices["parameter"]) == {RECKLESS, FEAR} and set(indices["metric"]) == {"p_yielder_USA"}
    assert np.isfinite(indices["ST"]).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["simulator"] == "ensemble" and manifest["runs"] == 4 * 4 * 40
    runs = load_runs(out)
    assert sorted(set(runs["seed"])) == sorted(run_seeds(0, 40))


def test_calibrate_runs_on_the_ensemble(tmp_path):
    out = tmp_path / "cal"
    result = brink(
        "calibrate", "moscow-strike", "--param", f"{FEAR}=0.1:0.9", "--target", "p_yielder_USA=0.7:0.1",
        "--trials", "3", "--reps", "50", "--chunk", "50", "--simulator", "ensemble", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    best = json.loads((out / "best.json").read_text())
    assert best["trials"] == 3 and set(best["parameters"]) == {FEAR}
    assert 0.0 <= best["targets"][0]["simulated"] <= 1.0
    trials = sorted((out / "trials").iterdir())
    assert len(trials) == 3
    for folder in trials:
        assert json.loads((folder / "manifest.json").read_text())["simulator"] == "ensemble"
        assert len(load_runs(folder)) == 50


# --- chunking ------------------------------------------------------------------------------------------------------


def test_chunks_bound_memory_and_give_the_same_rows():
    """20,000 replications in one task finish; a task's peak memory grows with its size (so --chunk bounds
    it); and two tasks of 10,000 give exactly the rows of one task of 20,000 (each replication draws from
    its own seed). The crisis game is solved before the measurements, as a worker solves it once
    (`rules.solve_cache`)."""
    spec = load_scenario("moscow-strike")
    design = make_design([parse_vary(f"{RECKLESS}=0.6")])
    schema = table_schema(spec, design)
    overrides = design.overrides(0)
    ensemble_task(spec, overrides, Task(0, 0, 0, 10), 5, schema)  # the crisis game solved once, before measuring
    peaks, tables = {}, {}
    chunkings = {"whole": [Task(0, 0, 0, 20_000)], "halves": [Task(0, 0, 0, 10_000), Task(1, 0, 10_000, 10_000)]}
    for name, tasks in chunkings.items():
        parts = []
        for task in tasks:
            tracemalloc.start()
            parts.append(ensemble_task(spec, overrides, task, 5, schema).to_pandas())
            peaks[task.count] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        tables[name] = pd.concat(parts, ignore_index=True)
    whole, halves = tables["whole"], tables["halves"]
    assert len(whole) == 20_000 and whole["error"].isna().all()
    assert whole["rep"].tolist() == list(range(20_000)) and whole["seed"].tolist() == run_seeds(5, 20_000)
    assert 0.35 < peaks[10_000] / peaks[20_000] < 0.65, peaks
    assert peaks[20_000] / 20_000 < 20_000, f"{peaks[20_000] / 20_000:.0f} bytes a replication"
    assert whole["outcome"].nunique() == 3 and whole["duration"].nunique() > 10, "precondition: the runs differ"
    pd.testing.assert_frame_equal(whole, halves)
