"""Sweeps at library level: equal tables whatever the workers, the manifest, resume after a crash,
kill -9 and Ctrl-C, and runs that raise."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import model.brinkmanship as brinkmanship
from batch.design import check_design, make_design, parse_vary
from batch.results import load_runs, summarize_runs
from batch.runner import SweepPlan, execute, plan_tasks, scenario_hash
from batch.seeds import run_seed, run_seeds
from brink.cli import app
from model import BrinkmanshipModel, summarize
from scenarios import ScenarioError, load_scenario

BRINK = Path(sys.executable).with_name("brink")
RECKLESS = "states.RUS.recklessness"
SWERVE_A = "states.AAA.policy.yield_probability"
SWERVE_B = "states.BBB.policy.yield_probability"


def make_plan(name, varies, *, reps, seed, chunk, kind="grid", samples=None, fixed=None) -> SweepPlan:
    """The plan `brink sweep` builds from the same arguments."""
    fixed = dict(fixed or {})
    spec = load_scenario(name, fixed)
    design = make_design([parse_vary(text) for text in varies], kind, samples, seed, base=spec)
    check_design(spec, design)
    return SweepPlan(spec=spec, name=name, fixed=fixed, design=design, reps=reps, seed=seed, chunk=chunk)


def part_files(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("task-*.parquet"))


def assert_complete(runs: pd.DataFrame, cells: int, reps: int) -> None:
    assert len(runs) == cells * reps
    assert not runs.duplicated(["cell", "rep"]).any()
    expected = {(c, r) for c in range(cells) for r in range(reps)}
    assert set(zip(runs["cell"], runs["rep"], strict=True)) == expected


# --- equal tables whatever the number of workers ----------------------------------------------------------


@pytest.fixture(scope="module")
def moscow_plan():
    # Chunks of 4 over 6 replications: tasks of 4 and 2 runs per cell.
    return make_plan("moscow-strike", [f"{RECKLESS}=0.3,0.9"], reps=6, seed=11, chunk=4)


@pytest.fixture(scope="module")
def moscow_serial(moscow_plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("moscow") / "serial"
    outcome = execute(moscow_plan, out, workers=1)
    return out, outcome


def test_run_seeds_are_the_seed_sequence_children_of_the_root_seed():
    children = np.random.SeedSequence(11).spawn(50)
    assert run_seeds(11, 50) == [int(child.generate_state(1, dtype=np.uint64)[0]) >> 1 for child in children]
    assert all(0 <= seed < 2**63 for seed in run_seeds(11, 50))  # fits the signed 64-bit seed column
    assert run_seed(11, 37) == run_seeds(11, 50)[37]  # depends only on the root seed and the index
    assert len(set(run_seeds(11, 50))) == 50
    assert set(run_seeds(11, 50)).isdisjoint(run_seeds(12, 50))


@pytest.mark.parametrize("root", [0, 1, 2**32 - 1, 2**32, 2**63 + 5, 2**64, 2**130 + 7])
def test_run_seeds_computed_at_once_are_seed_sequences_words_for_any_root_and_replication(root):
    """`run_seeds` runs numpy's SeedSequence hash on arrays; it must give SeedSequence's words exactly,
    for roots of one to five 32-bit words and for replications past 2**32 (keys of two words)."""

    def reference(rep: int) -> int:
        state = np.random.SeedSequence(root, spawn_key=(rep,)).generate_state(1, dtype=np.uint64)
        return int(state[0] >> np.uint64(1))

    reps = [*range(40), *range(2**32 - 3, 2**32 + 3)]
    assert run_seeds(root, 40) + run_seeds(root, 6, 2**32 - 3) == [reference(rep) for rep in reps]
    assert run_seed(root, 2**40 + 1) == reference(2**40 + 1)
    with pytest.raises(ValueError, match="non-negative"):
        run_seeds(root, 3, -1)


def test_plan_cuts_every_cell_into_chunks():
    tasks = plan_tasks(cells=2, reps=7, chunk=3)
    assert [(t.index, t.cell, t.first_rep, t.count) for t in tasks] == [
        (0, 0, 0, 3),
        (1, 0, 3, 3),
        (2, 0, 6, 1),
        (3, 1, 0, 3),
        (4, 1, 3, 3),
        (5, 1, 6, 1),
    ]


def test_serial_sweep_writes_one_row_per_run(moscow_serial, moscow_plan):
    out, outcome = moscow_serial
    assert (outcome.runs, outcome.ran, outcome.skipped, outcome.errors) == (12, 12, 0, 0)
    assert [p.name for p in part_files(out)] == [f"task-{i:06d}.parquet" for i in range(4)]
    runs = load_runs(out)
    assert_complete(runs, cells=2, reps=6)
    assert list(runs.columns[:4]) == ["cell", "rep", "seed", RECKLESS]
    assert runs["error"].isna().all()
    assert runs["outcome"].notna().all()
    assert runs["seed"].tolist() == run_seeds(11, 6) * 2  # common random numbers: same seeds in every cell
    assert runs[RECKLESS].tolist() == [0.3] * 6 + [0.9] * 6
    assert {"alliance.NATO.survived", "alliance.RUS-PRK.survived", "damage.RUS", "damage.PRK"} <= set(runs.columns)
    cells = pd.read_parquet(out / "cells.parquet")
    pd.testing.assert_frame_equal(cells, moscow_plan.design.cells)


def test_two_workers_give_the_same_table_as_one(moscow_serial, moscow_plan, tmp_path):
    serial, _ = moscow_serial
    outcome = execute(moscow_plan, tmp_path / "two", workers=2)
    assert (outcome.ran, outcome.errors) == (12, 0)
    assert load_runs(tmp_path / "two").equals(load_runs(serial))


def test_sweep_rows_equal_plain_runs_of_the_model(moscow_serial):
    runs = load_runs(moscow_serial[0])
    assert runs["max_rung"].nunique() > 1 or runs["outcome"].nunique() > 1, "precondition: runs differ"
    for _, row in runs.iterrows():
        seed = run_seed(11, int(row["rep"]))
        assert row["seed"] == seed
        model = BrinkmanshipModel(scenario=load_scenario("moscow-strike", {RECKLESS: row[RECKLESS]}), rng=seed)
        model.run()
        summary = summarize(model)
        crisis = next(iter(summary["crises"].values()))
        assert row["outcome"] == summary["outcome"]
        assert row["max_rung"] == summary["max_rung"]
        assert row["steps"] == summary["steps"]
        assert row["duration"] == crisis["moves"]
        assert row["nuclear_used"] == summary["nuclear_used"]
        assert row["catastrophe"] == summary["catastrophe"]
        for name in ("yield_cause", "yield_rung", "first_deliberate_nuclear_user", "catastrophe_cause", "slip_holder"):
            assert (None if pd.isna(row[name]) else row[name]) == summary[name], name
        assert (row["yielder"] if pd.notna(row["yielder"]) else None) == summary["yielder"]
        for code, damage in summary["damage"].items():
            assert row[f"damage.{code}"] == pytest.approx(damage)
        for alliance, fate in summary["alliances"].items():
            assert row[f"alliance.{alliance}.survived"] == fate["survived"]


TWO_CRISES = {
    "name": "two-crises",
    "ladder": "default",
    "params": {"max_steps": 40, "decision_noise": 0.3, "stop_when_crises_end": True},
    "states": {
        code: {"name": code, "fear": fear, "recklessness": 0.5, "commitment": 0.5, "warheads": 100}
        for code, fear in (("AAA", 0.3), ("BBB", 0.6), ("CCC", 0.4))
    },
    "crises": {
        "first": {"first_mover": "AAA", "start_rung": 5, "sides": {"AAA": {"prevail": 1.0, "concede": -0.5},
                                                                     "BBB": {"prevail": 1.0, "concede": -0.5}}},
        "later": {"first_mover": "CCC", "start_rung": 7, "start_step": 3,
                  "sides": {"CCC": {"prevail": 1.0, "concede": -0.2}, "AAA": {"prevail": 1.0, "concede": -0.2}}},
    },
}  # fmt: skip
CRISIS_COLUMNS = ("outcome", "yielder", "yield_cause", "yield_rung", "max_rung", "nuclear_used",
                  "first_deliberate_nuclear_user", "catastrophe", "catastrophe_cause", "slip_holder")  # fmt: skip


def test_rows_carry_the_outcome_of_every_crisis(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(TWO_CRISES, sort_keys=False), encoding="utf-8")
    plan = make_plan(str(path), ["states.BBB.fear=0.2,0.9"], reps=10, seed=3, chunk=4)
    execute(plan, tmp_path / "sweep")
    runs = load_runs(tmp_path / "sweep")
    assert runs["error"].isna().all()
    names = [f"crisis.{c}.{f}" for c in ("first", "later") for f in (*CRISIS_COLUMNS, "duration")]
    assert [n for n in runs.columns if n.startswith("crisis.")] == names
    for _, row in runs.iterrows():
        spec = load_scenario(plan.spec, plan.design.overrides(int(row["cell"])))
        model = BrinkmanshipModel(scenario=spec, rng=int(row["seed"]))
        model.run()
        crises = summarize(model)["crises"]
        for key, facts in crises.items():
            for name in CRISIS_COLUMNS:
                value = row[f"crisis.{key}.{name}"]
                assert (None if pd.isna(value) else value) == facts[name], (key, name)
            assert row[f"crisis.{key}.duration"] == facts["moves"]
    for name in CRISIS_COLUMNS:  # the top-level columns are the first crisis's
        assert runs[name].equals(runs[f"crisis.first.{name}"]), name
    differ = (runs["crisis.first.outcome"] != runs["crisis.later.outcome"]) | (
        runs["crisis.first.max_rung"] != runs["crisis.later.max_rung"]
    )
    assert differ.any() and runs["crisis.later.outcome"].nunique() > 1, "precondition: the two crises differ"


def test_manifest_records_what_the_results_came_from(moscow_serial, moscow_plan):
    out, _ = moscow_serial
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"] == "moscow-strike"
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["scenario_sha256"])
    assert manifest["scenario_sha256"] == scenario_hash(load_scenario("moscow-strike"))
    assert manifest["root_seed"] == 11
    assert manifest["reps"] == 6 and manifest["runs"] == 12 and manifest["tasks"] == 4 and manifest["chunk"] == 4
    assert manifest["design"] == {
        "kind": "grid",
        "samples": None,
        "seed": None,
        "vary": [{"path": RECKLESS, "values": [0.3, 0.9]}],
        "cells": 2,
    }
    assert manifest["fixed"] == {}
    assert {"python", "brinkmanship", "mesa", "numpy", "pandas", "pyarrow"} <= set(manifest["versions"])
    assert manifest["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert "unknown" not in manifest["versions"].values()


def test_manifest_hash_and_fixed_follow_the_set_overrides(tmp_path):
    plan = make_plan("theory/chicken", [f"{SWERVE_A}=0.25,0.75"], reps=2, seed=0, chunk=2, fixed={SWERVE_B: 0.5})
    execute(plan, tmp_path / "fixed")
    manifest = json.loads((tmp_path / "fixed" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fixed"] == {SWERVE_B: 0.5}
    assert manifest["scenario_sha256"] == scenario_hash(load_scenario("theory/chicken", {SWERVE_B: 0.5}))
    assert manifest["scenario_sha256"] != scenario_hash(load_scenario("theory/chicken"))


def test_progress_is_reported_after_every_task(tmp_path):
    plan = make_plan("theory/chicken", [f"{SWERVE_A}=0.25,0.75"], reps=5, seed=0, chunk=2)
    calls = []
    execute(plan, tmp_path / "p", progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 10), (2, 10), (4, 10), (5, 10), (7, 10), (9, 10), (10, 10)]


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    def sweep(name: str, seed: int) -> Path:
        plan = make_plan("theory/chicken", [f"{SWERVE_A}=0.25,0.75"], reps=12, seed=seed, chunk=5)
        execute(plan, tmp_path / name)
        return tmp_path / name

    first, second, other = sweep("first", 3), sweep("second", 3), sweep("other", 4)
    names = [p.name for p in part_files(first)]
    assert names == [p.name for p in part_files(second)] and len(names) == 6
    for name in names:
        assert (first / "parts" / name).read_bytes() == (second / "parts" / name).read_bytes(), name
    for name in ("manifest.json", "cells.parquet"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    a, b = load_runs(first), load_runs(other)
    assert set(a["seed"]).isdisjoint(set(b["seed"]))
    assert not a["outcome"].equals(b["outcome"])


# --- resume ------------------------------------------------------------------------------------------------


CHICKEN_GRID = [f"{SWERVE_A}=0.25,0.5,0.75"]


@pytest.fixture(scope="module")
def chicken_plan():
    return make_plan("theory/chicken", CHICKEN_GRID, reps=20, seed=8, chunk=5)  # 12 tasks of 5 runs


@pytest.fixture(scope="module")
def chicken_full(chicken_plan, tmp_path_factory):
    out = tmp_path_factory.mktemp("chicken") / "full"
    execute(chicken_plan, out)
    return load_runs(out)


def test_resume_runs_exactly_the_missing_tasks(chicken_plan, chicken_full, tmp_path):
    out = tmp_path / "crashed"
    execute(chicken_plan, out)
    parts = part_files(out)
    lost = [parts[i] for i in (1, 5, 11)]
    kept = {p: p.stat().st_mtime_ns for p in parts if p not in lost}
    for path in lost:
        path.unlink()
    time.sleep(0.01)
    outcome = execute(chicken_plan, out, resume=True)
    assert (outcome.runs, outcome.ran, outcome.skipped, outcome.errors) == (60, 15, 45, 0)
    assert part_files(out) == parts
    assert {p: p.stat().st_mtime_ns for p in kept} == kept  # finished tasks are not rerun
    runs = load_runs(out)
    assert_complete(runs, cells=3, reps=20)
    assert runs.equals(chicken_full)


def test_resume_of_a_finished_sweep_runs_nothing(chicken_plan, chicken_full, tmp_path):
    out = tmp_path / "done"
    execute(chicken_plan, out)
    outcome = execute(chicken_plan, out, resume=True)
    assert (outcome.ran, outcome.skipped) == (0, 60)
    assert load_runs(out).equals(chicken_full)


def test_resume_cleans_stale_partial_files(chicken_plan, chicken_full, tmp_path):
    out = tmp_path / "partial"
    execute(chicken_plan, out)
    victim = part_files(out)[3]
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a writer that has exited: its temporaries are stale
    stale = victim.with_name(f".{victim.name}.partial-{child.pid}")
    stale.write_bytes(victim.read_bytes()[:100])  # a write cut short by a crash
    victim.unlink()
    outcome = execute(chicken_plan, out, resume=True)
    assert outcome.ran == 5
    assert not stale.exists()
    assert sorted(p.name for p in (out / "parts").iterdir()) == [f"task-{i:06d}.parquet" for i in range(12)]
    assert load_runs(out).equals(chicken_full)


def test_resume_into_an_empty_folder_runs_the_whole_sweep(chicken_plan, chicken_full, tmp_path):
    outcome = execute(chicken_plan, tmp_path / "fresh", resume=True)
    assert (outcome.ran, outcome.skipped) == (60, 0)
    assert load_runs(tmp_path / "fresh").equals(chicken_full)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_existing_sweep_is_refused_without_resume(chicken_plan, tmp_path):
    out = tmp_path / "taken"
    execute(chicken_plan, out)
    part_files(out)[0].unlink()
    before = snapshot(out)
    with pytest.raises(ScenarioError, match="already holds a sweep; pass --resume"):
        execute(chicken_plan, out)
    assert snapshot(out) == before


def test_folder_with_other_files_is_refused(chicken_plan, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    for resume in (False, True):
        with pytest.raises(ScenarioError, match="holds no sweep"):
            execute(chicken_plan, out, resume=resume)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"reps": 21}, "reps"),
        ({"seed": 9}, "root_seed"),
        ({"chunk": 4}, "chunk"),
        ({"varies": [f"{SWERVE_A}=0.25,0.5,0.8"]}, "design"),
        ({"varies": [f"{SWERVE_B}=0.25,0.5,0.75"]}, "design"),
        ({"fixed": {SWERVE_B: 0.5}}, "scenario_sha256"),
        ({"name": "theory/haynes", "varies": []}, "scenario"),
    ],
)
def test_resume_with_another_plan_is_refused(chicken_plan, tmp_path, change, key):
    out = tmp_path / "sweep"
    execute(chicken_plan, out)
    part_files(out)[2].unlink()
    before = snapshot(out)
    arguments = {"name": "theory/chicken", "varies": CHICKEN_GRID, "reps": 20, "seed": 8, "chunk": 5} | change
    if not arguments["varies"]:
        arguments["varies"] = ["params.max_steps=5,6,7"]
    other = make_plan(arguments.pop("name"), arguments.pop("varies"), **arguments)
    with pytest.raises(ScenarioError) as caught:
        execute(other, out, resume=True)
    assert caught.value.path == key
    assert "--resume needs the same scenario, design, reps and seed" in str(caught.value)
    assert snapshot(out) == before


def test_out_below_a_file_is_refused(chicken_plan, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    with pytest.raises(ScenarioError, match="exists and is not a directory"):
        execute(chicken_plan, blocker / "sub")
    with pytest.raises(ScenarioError, match="exists and is not a directory"):
        execute(chicken_plan, blocker)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert blocker.read_text() == "keep"


# --- kill -9 and Ctrl-C on a real `brink sweep` process ------------------------------------------------------

INTERRUPTED = ["theory/chicken", "--vary", f"{SWERVE_A}=0.25,0.75", "--reps", "150", "--chunk", "10", "--seed", "5"]
INTERRUPTED_TASKS, INTERRUPTED_RUNS = 30, 300


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("uninterrupted") / "sweep"
    plan = make_plan("theory/chicken", [f"{SWERVE_A}=0.25,0.75"], reps=150, seed=5, chunk=10)
    execute(plan, out)
    return plan, load_runs(out)


def start_sweep(out: Path) -> subprocess.Popen:
    """Start `brink sweep` and return once its first part file is written."""
    process = subprocess.Popen(
        [str(BRINK), "sweep", *INTERRUPTED, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a shell job
    )
    deadline = time.monotonic() + 60
    while not ((out / "parts").is_dir() and any((out / "parts").glob("task-*.parquet"))):
        if process.poll() is not None:
            pytest.fail(f"brink sweep ended before writing a part file: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("brink sweep wrote no part file within 60 s")
        time.sleep(0.002)
    return process


def test_kill_9_loses_only_tasks_in_flight_and_resume_finishes(uninterrupted, tmp_path):
    _, expected = uninterrupted
    out = tmp_path / "killed"
    process = start_sweep(out)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    saved = part_files(out)
    assert 0 < len(saved) < INTERRUPTED_TASKS, "precondition: the kill landed mid-sweep"
    for path in saved:
        assert len(pd.read_parquet(path)) == 10  # every part file that exists is whole
    result = CliRunner().invoke(app, ["sweep", *INTERRUPTED, "--out", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    done = 10 * len(saved)
    assert f"({INTERRUPTED_RUNS - done} run now, {done} already done); 0 raised" in result.stdout
    runs = load_runs(out)
    assert_complete(runs, cells=2, reps=150)
    assert runs.equals(expected)
    assert not list((out / "parts").glob(".*"))


def test_ctrl_c_keeps_finished_tasks_exits_130_and_resume_finishes(uninterrupted, tmp_path):
    plan, expected = uninterrupted
    out = tmp_path / "interrupted"
    process = start_sweep(out)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    message = re.search(r"interrupted: (\d+) of 300 runs are saved in (.+); finish with --resume", stderr)
    assert message, stderr
    saved = part_files(out)
    assert 0 < len(saved) < INTERRUPTED_TASKS, "precondition: the interrupt landed mid-sweep"
    assert int(message.group(1)) == 10 * len(saved)
    assert message.group(2) == str(out)
    assert "runs in" not in stdout  # no completion report
    outcome = execute(plan, out, resume=True)
    assert (outcome.ran, outcome.skipped) == (INTERRUPTED_RUNS - 10 * len(saved), 10 * len(saved))
    runs = load_runs(out)
    assert_complete(runs, cells=2, reps=150)
    assert runs.equals(expected)


# --- runs that raise -------------------------------------------------------------------------------------------


def test_runs_that_raise_are_recorded_with_error_and_seed(chicken_plan, chicken_full, tmp_path, monkeypatch):
    seeds = run_seeds(8, 20)
    at_construction, at_run = seeds[1], seeds[13]
    real = brinkmanship.BrinkmanshipModel  # what `runner.run_task` imports when an agent task runs

    def flaky(*, scenario, rng):
        if rng == at_construction:
            raise RuntimeError(f"cannot build at seed {rng}")
        model = real(scenario=scenario, rng=rng)
        if rng == at_run:

            def explode() -> None:
                raise ValueError("blew up mid-run")

            model.run = explode
        return model

    monkeypatch.setattr(brinkmanship, "BrinkmanshipModel", flaky)
    out = tmp_path / "flaky"
    outcome = execute(chicken_plan, out)
    assert (outcome.runs, outcome.ran, outcome.errors) == (60, 60, 6)
    runs = load_runs(out)
    assert_complete(runs, cells=3, reps=20)
    failed = runs[runs["error"].notna()]
    assert sorted(zip(failed["cell"], failed["rep"], strict=True)) == [(c, r) for c in range(3) for r in (1, 13)]
    for _, row in failed.iterrows():
        assert row["seed"] == seeds[row["rep"]]
        assert row[SWERVE_A] == [0.25, 0.5, 0.75][row["cell"]]
        expected = f"RuntimeError: cannot build at seed {at_construction}" if row["rep"] == 1 else None
        assert row["error"] == (expected or "ValueError: blew up mid-run")
        assert pd.isna(row["outcome"]) and pd.isna(row["max_rung"])
    fine = runs["error"].isna()
    # Every other run is there, unchanged (columns with nulls read back as float or object).
    pd.testing.assert_frame_equal(runs[fine], chicken_full[fine], check_dtype=False)

    table = summarize_runs(runs, [SWERVE_A])
    assert table["runs"].tolist() == [18, 18, 18]
    assert table["errors"].tolist() == [2, 2, 2]
    for _, row in table.iterrows():
        ok = runs[fine & (runs[SWERVE_A] == row[SWERVE_A])]
        assert row["p_yield"] == pytest.approx((ok["outcome"] == "yield").mean())
        assert row["max_rung_mean"] == pytest.approx(ok["max_rung"].mean())


LHS_INVALID = [
    "crises.contest.sides.AAA.prevail=0.2:1.2",
    "crises.contest.sides.AAA.concede=-0.2:0.95",
]


@pytest.fixture(scope="module")
def invalid_cells(tmp_path_factory):
    """An lhs sweep whose cells 0 and 4 put concede above prevail: they pass check_design (each
    value is valid on its own) and every run in them fails when the cell's scenario is built."""
    plan = make_plan("theory/attrition", LHS_INVALID, reps=3, seed=0, chunk=3, kind="lhs", samples=6)
    cells = plan.design.cells
    bad = cells[cells["crises.contest.sides.AAA.prevail"] <= cells["crises.contest.sides.AAA.concede"]]
    assert bad["cell"].tolist() == [0, 4], "precondition: the design has two invalid cells"
    out = tmp_path_factory.mktemp("lhs") / "sweep"
    outcome = execute(plan, out)
    return outcome, load_runs(out)


def test_cell_that_fails_validation_is_recorded_not_dropped(invalid_cells):
    outcome, runs = invalid_cells
    assert (outcome.ran, outcome.errors) == (18, 6)
    assert_complete(runs, cells=6, reps=3)
    failed = runs[runs["error"].notna()]
    assert sorted(set(failed["cell"])) == [0, 4]
    assert failed["error"].str.startswith("ScenarioError: ").all()
    assert failed["error"].str.contains("must exceed concede").all()
    assert failed["seed"].tolist() == run_seeds(0, 3) * 2
    assert runs.loc[runs["error"].isna(), "outcome"].notna().all()


def test_summary_keeps_cells_whose_runs_all_raised(invalid_cells):
    _, runs = invalid_cells
    table = summarize_runs(runs, ["crises.contest.sides.AAA.prevail", "crises.contest.sides.AAA.concede"])
    assert len(table) == 6
    assert table["errors"].sum() == 6


def test_error_of_a_varied_cell_does_not_blame_set(invalid_cells):
    _, runs = invalid_cells
    errors = runs["error"].dropna()
    assert not errors.str.contains("--set").any()
