"""`--resume` trusts a part file only once it reads back whole as its task's, runs a damaged one again
and says so, and leaves a live writer's temporaries alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from batch.design import check_design, make_design, parse_vary
from batch.files import partial_name
from batch.results import load_runs
from batch.runner import SweepPlan, Task, choose_simulator, damaged_notice, execute, unstarted
from brink.cli import app
from scenarios import load_scenario

SWERVE_A = "states.AAA.policy.yield_probability"
VARY = f"{SWERVE_A}=0.25,0.75"
REPS, CHUNK, SEED = 8, 2, 5
TASKS, RUNS = 2 * REPS // CHUNK, 2 * REPS
SWEEP = ["theory/chicken", "--vary", VARY, "--reps", str(REPS), "--chunk", str(CHUNK), "--seed", str(SEED)]


@pytest.fixture(scope="module")
def plan() -> SweepPlan:
    spec = load_scenario("theory/chicken")
    design = make_design([parse_vary(VARY)], base=spec)
    check_design(spec, design)
    simulator = choose_simulator("auto", spec)  # what `brink sweep` picks, so the command can resume these folders
    return SweepPlan(
        spec=spec,
        name="theory/chicken",
        fixed={},
        design=design,
        reps=REPS,
        seed=SEED,
        chunk=CHUNK,
        simulator=simulator,
    )


@pytest.fixture(scope="module")
def finished(plan, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("resume") / "full"
    execute(plan, out)
    return out


@pytest.fixture
def copy(finished, tmp_path) -> Path:
    out = tmp_path / "sweep"
    shutil.copytree(finished, out)
    return out


def part(out: Path, index: int) -> Path:
    return out / "parts" / f"task-{index:06d}.parquet"


def stamps(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted((out / "parts").glob("task-*.parquet"))}


def cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def rewrite(path: Path, change) -> None:
    pq.write_table(change(pq.read_table(path)), path)


def retyped(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("duration")
    return table.set_column(index, "duration", table.column("duration").cast(pa.float64()))


DAMAGES = {
    "cut in half": (cut_in_half, "does not read back (ArrowInvalid: "),
    "empty": (lambda path: path.write_bytes(b""), "does not read back ("),
    "not parquet": (lambda path: path.write_bytes(b"PAR1" + bytes(range(256)) * 2 + b"PAR1"), "does not read back ("),
    "a row short": (lambda path: rewrite(path, lambda t: t.slice(0, CHUNK - 1)), f"has {CHUNK - 1} rows, not {CHUNK}"),
    "a column short": (lambda path: rewrite(path, lambda t: t.drop_columns(["duration"])), "has other columns"),
    "another type": (lambda path: rewrite(path, retyped), "has other column types than this sweep's"),
    "another task's": (None, "holds the rows of another task"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_resume_runs_a_damaged_part_again_and_keeps_the_sound_ones(plan, finished, copy, damage):
    change, problem = DAMAGES[damage]
    victim = part(copy, 5)
    if change is None:
        shutil.copyfile(part(copy, 4), victim)  # the rows of task 4 under task 5's name
    else:
        change(victim)
    before = stamps(copy)
    time.sleep(0.01)
    lines: list[str] = []
    outcome = execute(plan, copy, resume=True, notice=lines.append)
    assert (outcome.runs, outcome.ran, outcome.skipped, outcome.rerun) == (RUNS, CHUNK, RUNS - CHUNK, 1)
    assert len(lines) == 1
    assert lines[0].startswith(f"resume: re-running 1 damaged part file (removed): task-000005.parquet {problem}")
    after = stamps(copy)
    assert after.pop(victim.name) != before.pop(victim.name)
    assert after == before  # sound part files are not run again
    assert load_runs(copy).equals(load_runs(finished))
    assert sorted(os.listdir(copy / "parts")) == sorted(stamps(finished))


def test_resume_of_a_sound_sweep_reruns_nothing_and_says_nothing(plan, finished, copy):
    lines: list[str] = []
    outcome = execute(plan, copy, resume=True, notice=lines.append)
    assert (outcome.ran, outcome.skipped, outcome.rerun) == (0, RUNS, 0)
    assert lines == []


def test_the_command_says_how_many_parts_it_runs_again(finished, copy):
    cut_in_half(part(copy, 1))
    rewrite(part(copy, 6), lambda t: t.slice(0, 1))
    part(copy, 7).unlink()  # a missing part is not a damaged one
    result = CliRunner().invoke(app, ["sweep", *SWEEP, "--out", str(copy), "--resume"])
    assert result.exit_code == 0, result.output
    notice = [line for line in result.stderr.splitlines() if line.startswith("resume:")]
    assert len(notice) == 1
    assert notice[0].startswith("resume: re-running 2 damaged part files (removed): task-000001.parquet does not")
    assert notice[0].endswith("; task-000006.parquet has 1 rows, not 2")
    assert f"({3 * CHUNK} run now, {RUNS - 3 * CHUNK} already done, 2 damaged part files run again)" in result.stdout
    assert load_runs(copy).equals(load_runs(finished))


def test_the_notice_names_three_damaged_parts_and_counts_the_rest():
    damaged = [(Task(i, 0, 0, 2), "has 1 rows, not 2") for i in range(5)]
    assert damaged_notice(damaged) == (
        "resume: re-running 5 damaged part files (removed): task-000000.parquet has 1 rows, not 2; "
        "task-000001.parquet has 1 rows, not 2; task-000002.parquet has 1 rows, not 2; and 2 more"
    )


# --- temporaries of other writers --------------------------------------------------------------------------------


@pytest.fixture
def live_writer():
    """The process id of a running process (standing in for another sweep writing into the folder)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield child.pid
    child.kill()
    child.wait()


@pytest.fixture
def dead_writer() -> int:
    """The process id of a process that has ended (a writer killed mid-write)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def temporary_of(path: Path, pid: int) -> Path:
    name = partial_name(path).name
    own = f"{os.getpid()}-"
    assert own in name
    return path.with_name(name.replace(own, f"{pid}-"))


def test_resume_leaves_a_live_writers_temporaries_and_removes_a_dead_ones(
    plan, finished, copy, live_writer, dead_writer
):
    part(copy, 2).unlink()
    part(copy, 3).unlink()
    live = temporary_of(part(copy, 2), live_writer)
    dead = temporary_of(part(copy, 3), dead_writer)
    dead_manifest = temporary_of(copy / "manifest.json", dead_writer)
    live_manifest = temporary_of(copy / "manifest.json", live_writer)
    for path in (live, dead, dead_manifest, live_manifest):
        path.write_bytes(b"PAR1 half a file")
    outcome = execute(plan, copy, resume=True)
    assert (outcome.ran, outcome.rerun) == (2 * CHUNK, 0)
    assert live.read_bytes() == b"PAR1 half a file"
    assert live_manifest.exists()
    assert not dead.exists() and not dead_manifest.exists()
    assert load_runs(copy).equals(load_runs(finished))


def test_a_folder_left_by_a_start_without_manifest_counts_as_unstarted(tmp_path, dead_writer):
    out = tmp_path / "sweep"
    (out / "parts").mkdir(parents=True)
    assert unstarted(out)
    (out / "cells.parquet").write_bytes(b"cells")
    temporary_of(out / "manifest.json", dead_writer).write_text("{")
    temporary_of(out / "parts" / "task-000000.parquet", dead_writer).write_bytes(b"PAR1")
    assert unstarted(out)
    (out / "parts" / "task-000000.parquet").write_bytes(b"PAR1")
    assert not unstarted(out)
    (out / "parts" / "task-000000.parquet").unlink()
    (out / "notes.txt").write_text("mine")
    assert not unstarted(out)


def test_summary_after_resume_equals_the_uninterrupted_one(finished, copy, tmp_path):
    reference = tmp_path / "reference"
    shutil.copytree(finished, reference)
    cut_in_half(part(copy, 0))
    assert CliRunner().invoke(app, ["summarize", str(copy)]).exit_code == 2
    result = CliRunner().invoke(app, ["sweep", *SWEEP, "--out", str(copy), "--resume"])
    assert result.exit_code == 0, result.output
    for folder in (reference, copy):
        assert CliRunner().invoke(app, ["summarize", str(folder)]).exit_code == 0
    pd.testing.assert_frame_equal(pd.read_csv(copy / "summary.csv"), pd.read_csv(reference / "summary.csv"))
