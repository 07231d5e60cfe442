"""The Dask engine on a LocalCluster on loopback: the same table as the local engine, resume, and a
worker killed mid-sweep loses no run."""

from __future__ import annotations

import os
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster, fire_and_forget
from typer.testing import CliRunner

from batch.design import check_design, make_design, parse_vary
from batch.results import load_runs
from batch.runner import SweepPlan, execute, run_task, sweep_digest, task_key
from brink.cli import app
from scenarios import load_scenario

SWERVE_A = "states.AAA.policy.yield_probability"
SWERVE_B = "states.BBB.policy.yield_probability"
VARIES = [f"{SWERVE_A}=0.25,0.75", f"{SWERVE_B}=0.25,0.75"]
REPS, CHUNK, SEED = 125, 25, 13
TASKS = 4 * REPS // CHUNK
ARGS = ["theory/chicken", *(x for v in VARIES for x in ("--vary", v)), "--reps", str(REPS), "--chunk", str(CHUNK)]
ARGS += ["--seed", str(SEED)]


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as local:
        with Client(local.scheduler_address) as client:
            # Let the workers import the model while this process computes the local table.
            for worker in client.scheduler_info()["workers"]:
                fire_and_forget(client.submit(__import__, "batch.runner", workers=[worker], pure=False))
        yield local


@pytest.fixture(scope="module")
def plan():
    spec = load_scenario("theory/chicken")
    design = make_design([parse_vary(v) for v in VARIES], "grid", None, SEED, base=spec)
    check_design(spec, design)
    return SweepPlan(spec=spec, name="theory/chicken", fixed={}, design=design, reps=REPS, seed=SEED, chunk=CHUNK)


@pytest.fixture(scope="module")
def local_sweep(plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "sweep"
    execute(plan, out, engine="local", workers=1)
    return out


@pytest.fixture(scope="module")
def local_table(local_sweep):
    return load_runs(local_sweep)


def parts_of(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("task-*.parquet")) if (out / "parts").is_dir() else []


def assert_complete(runs: pd.DataFrame) -> None:
    assert len(runs) == 4 * REPS
    assert not runs.duplicated(["cell", "rep"]).any()
    assert set(zip(runs["cell"], runs["rep"], strict=True)) == {(c, r) for c in range(4) for r in range(REPS)}


def test_dask_sweep_from_the_command_line_equals_the_local_table(cluster, local_table, tmp_path):
    out = tmp_path / "dask"
    result = CliRunner().invoke(
        app, ["sweep", *ARGS, "--engine", "dask", "--address", cluster.scheduler_address, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"{4 * REPS} runs in 4 cells x {REPS} replications ({4 * REPS} run now, 0 already done)" in result.stdout
    assert len(parts_of(out)) == TASKS
    runs = load_runs(out)
    assert_complete(runs)
    assert runs.equals(local_table)


def test_dask_resume_runs_only_the_missing_tasks(cluster, plan, local_sweep, local_table, tmp_path):
    out = tmp_path / "resumed"
    shutil.copytree(local_sweep, out)
    parts = parts_of(out)
    for index in (0, 7, TASKS - 1):
        parts[index].unlink()
    outcome = execute(plan, out, engine="dask", address=cluster.scheduler_address, resume=True)
    assert (outcome.ran, outcome.skipped, outcome.errors) == (3 * CHUNK, 4 * REPS - 3 * CHUNK, 0)
    assert load_runs(out).equals(local_table)


def test_killing_a_worker_mid_sweep_loses_no_run(cluster, plan, local_table, tmp_path):
    out = tmp_path / "killed"
    with Client(cluster.scheduler_address) as client, ThreadPoolExecutor(1) as background:
        before = client.run(os.getpid)
        assert len(before) == 2
        sweep = background.submit(execute, plan, out, engine="dask", address=cluster.scheduler_address)
        deadline = time.monotonic() + 60
        victim = None
        while victim is None:
            assert not sweep.done(), f"precondition: the sweep ended before a worker was killed: {sweep.result()}"
            assert time.monotonic() < deadline, "no part file within 60 s"
            if parts_of(out):
                busy = [worker for worker, keys in client.processing().items() if keys]
                victim = busy[0] if busy else None
            if victim is None:
                time.sleep(0.002)
        os.kill(before[victim], signal.SIGKILL)
        written_at_kill = len(parts_of(out))
        outcome = sweep.result(timeout=120)
        assert 0 < written_at_kill < TASKS, "precondition: the kill landed mid-sweep"
        assert (outcome.runs, outcome.ran, outcome.skipped, outcome.errors) == (4 * REPS, 4 * REPS, 0, 0)
        runs = load_runs(out)
        assert_complete(runs)
        assert runs.equals(local_table)
        assert len(parts_of(out)) == TASKS
        assert not list((out / "parts").glob(".*"))
        # The nanny restarts the killed worker: a new process takes its place.
        client.wait_for_workers(2, timeout=60)
        after = client.run(os.getpid)
        assert before[victim] not in after.values()


def test_concurrent_sweep_with_another_design_does_not_share_results(cluster, tmp_path):
    spec = load_scenario("theory/chicken")

    def small_plan(values: str) -> SweepPlan:
        design = make_design([parse_vary(f"{SWERVE_A}={values}")], base=spec)
        return SweepPlan(spec=spec, name="theory/chicken", fixed={}, design=design, reps=4, seed=0, chunk=4)

    other, mine = small_plan("0.1,0.2"), small_plan("0.8,0.9")
    execute(mine, tmp_path / "local")
    with Client(cluster.scheduler_address) as client:
        # Another user's sweep of the same scenario and seed, still holding its first task's result.
        task = other.tasks[0]
        key = task_key(sweep_digest(other), task)
        assert key != task_key(sweep_digest(mine), task)
        held = client.submit(run_task, spec, other.design.overrides(task.cell), task, 0, key=key, pure=False)
        assert held.result()[0][SWERVE_A] == 0.1
        execute(mine, tmp_path / "dask", engine="dask", address=cluster.scheduler_address)
    runs = load_runs(tmp_path / "dask")
    assert sorted(runs[SWERVE_A].unique()) == [0.8, 0.9]
    assert runs.equals(load_runs(tmp_path / "local"))
