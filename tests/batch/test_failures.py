"""A sweep stopped by its machine (a full disk, a read-only folder, a lost Dask scheduler) ends with one
line and exit status 2, saying how many runs are saved; `--resume` finishes it. `brink summarize` on a
damaged part file or manifest names the file and the problem."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import shutil
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from distributed.client import FutureCancelledError
from distributed.comm.core import CommClosedError
from typer.testing import CliRunner

import batch.runner as runner
from batch.design import check_design, make_design, parse_vary
from batch.files import atomic_write, cannot_write, failed_path, partial_name
from batch.results import load_runs
from batch.runner import SweepFailedError, SweepPlan, execute
from brink.cli import app
from scenarios import load_scenario

SWERVE_A = "states.AAA.policy.yield_probability"
VARY = f"{SWERVE_A}=0.25,0.75"
SWEEP = ["theory/chicken", "--vary", VARY, "--reps", "8", "--chunk", "2", "--seed", "3"]
"""2 cells x 8 replications in tasks of 2: 8 part files of 2 runs, 16 runs."""
RUNS, TASKS, CHUNK = 16, 8, 2
ADDRESS = "tcp://127.0.0.1:8786"
AS_ROOT = os.name == "posix" and os.geteuid() == 0
needs_permissions = pytest.mark.skipif(AS_ROOT, reason="root writes into read-only folders anyway")


def brink(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def sweep(out: Path, *more: str):
    return brink("sweep", *SWEEP, "--out", out, *more)


def parts(out: Path) -> list[str]:
    """Every name in the parts folder, hidden temporaries included."""
    return sorted(os.listdir(out / "parts"))


def task_names(indices) -> list[str]:
    return [f"task-{i:06d}.parquet" for i in indices]


def stopped_line(where: str, problem: str, saved: int, out: Path) -> str:
    return f"error: {where}: {problem}; {saved} of {RUNS} runs are saved in {out}; finish with --resume"


def assert_one_line(result, line: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [line]


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The uninterrupted sweep, by the command line."""
    out = tmp_path_factory.mktemp("failures") / "full"
    result = sweep(out)
    assert result.exit_code == 0, result.output
    return out, load_runs(out)


@pytest.fixture
def fresh_copy(full, tmp_path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(full[0], out)
    return out


def finish(out: Path, full_runs: pd.DataFrame, ran: int) -> None:
    """`--resume` runs exactly the missing runs, and the table equals the uninterrupted sweep's."""
    result = sweep(out, "--resume")
    assert result.exit_code == 0, result.output
    assert f"({ran} run now, {RUNS - ran} already done)" in result.stdout
    assert parts(out) == task_names(range(TASKS))
    assert load_runs(out).equals(full_runs)


# --- batch.files ----------------------------------------------------------------------------------------------


def test_cannot_write_gives_the_systems_words_for_the_error_number():
    pyarrows = OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")
    assert cannot_write(pyarrows) == "cannot write: No space left on device"
    assert cannot_write(PermissionError(errno.EACCES, "Permission denied", "x")) == "cannot write: Permission denied"
    assert cannot_write(OSError("disk on fire")) == "cannot write: disk on fire"


def test_failed_path_names_a_temporary_by_its_destination(tmp_path):
    target = tmp_path / "parts" / "task-000003.parquet"
    temporary = partial_name(target)
    assert temporary != target
    assert failed_path(OSError(errno.ENOSPC, "full", str(temporary)), tmp_path) == target
    assert failed_path(OSError(errno.ENOSPC, "full", str(target)), tmp_path) == target
    assert failed_path(OSError(errno.ENOSPC, "full"), tmp_path) == tmp_path


def test_atomic_write_raises_the_writes_error_when_the_clean_up_fails_too(tmp_path, monkeypatch):
    target = tmp_path / "summary.csv"

    def full_disk(path: Path) -> None:
        path.write_text("half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    def read_only(self, missing_ok=False):  # a read-only file system refuses every unlink
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    with pytest.raises(OSError) as caught:
        atomic_write(target, full_disk)
    assert caught.value.errno == errno.ENOSPC
    assert not target.exists()


# --- a full disk, a read-only file system, no permission ---------------------------------------------------------


def fail_parts_after(monkeypatch, kept: int, code: int) -> list[str]:
    """Make every part file after the first `kept` fail to write with `code`, half written first."""
    real = pq.write_table
    written: list[str] = []

    def write_table(table, where, *args, **kwargs):
        if not isinstance(where, str | Path) or "task-" not in Path(where).name:  # cells.parquet comes here too
            return real(table, where, *args, **kwargs)
        if len(written) >= kept:
            Path(where).write_bytes(b"PAR1" + b"\0" * 64)
            raise OSError(code, f"Error writing bytes to file. Detail: [errno {code}] {os.strerror(code)}")
        written.append(Path(where).name)
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_table)
    return written


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES], ids=errno.errorcode.get)
def test_a_part_that_cannot_be_written_ends_the_sweep_with_one_line(full, tmp_path, monkeypatch, code):
    out = tmp_path / "sweep"
    fail_parts_after(monkeypatch, 3, code)
    result = sweep(out)
    where = out / "parts" / "task-000003.parquet"
    assert_one_line(result, stopped_line(str(where), f"cannot write: {os.strerror(code)}", 3 * CHUNK, out))
    assert parts(out) == task_names(range(3))  # the temporary of the failed write is gone
    monkeypatch.undo()
    finish(out, full[1], ran=RUNS - 3 * CHUNK)


def test_a_manifest_that_cannot_be_written_ends_the_sweep_with_one_line(full, tmp_path, monkeypatch):
    out = tmp_path / "sweep"
    real = runner.atomic_write

    def atomic_write(path: Path, write) -> None:
        def full_disk(temporary: Path) -> None:
            temporary.write_text('{"form')
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(temporary))

        real(path, full_disk if path.name == "manifest.json" else write)

    monkeypatch.setattr(runner, "atomic_write", atomic_write)
    result = sweep(out)
    assert_one_line(result, stopped_line(str(out / "manifest.json"), "cannot write: No space left on device", 0, out))
    assert sorted(os.listdir(out)) == ["cells.parquet", "parts"]
    monkeypatch.undo()
    # What a start that failed leaves is no sweep, and not someone else's files either: --resume starts it.
    finish(out, full[1], ran=RUNS)


def test_a_folder_with_other_files_and_no_manifest_is_still_refused(tmp_path):
    out = tmp_path / "sweep"
    (out / "parts").mkdir(parents=True)
    (out / "parts" / "notes.txt").write_text("mine")
    result = sweep(out, "--resume")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {out}: --out: is not empty and holds no sweep; choose an empty or new folder"
    ]
    assert (out / "parts" / "notes.txt").read_text() == "mine"


@needs_permissions
def test_a_read_only_parts_folder_ends_a_fresh_sweep_with_one_line(full, tmp_path):
    out = tmp_path / "sweep"
    (out / "parts").mkdir(parents=True)
    (out / "parts").chmod(0o555)
    try:
        result = sweep(out)
        where = out / "parts" / "task-000000.parquet"
        assert_one_line(result, stopped_line(str(where), "cannot write: Permission denied", 0, out))
        assert parts(out) == []
    finally:
        (out / "parts").chmod(0o755)
    finish(out, full[1], ran=RUNS)


@needs_permissions
def test_a_read_only_result_folder_ends_the_sweep_before_any_run(full, tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = sweep(out)
        assert_one_line(result, stopped_line(str(out / "parts"), "cannot write: Permission denied", 0, out))
        assert os.listdir(out) == []
    finally:
        out.chmod(0o755)
    finish(out, full[1], ran=RUNS)


@needs_permissions
def test_resume_into_a_read_only_parts_folder_says_how_many_runs_are_saved(full, fresh_copy):
    for name in task_names(range(3, TASKS)):
        (fresh_copy / "parts" / name).unlink()
    (fresh_copy / "parts").chmod(0o555)
    try:
        result = sweep(fresh_copy, "--resume")
        where = fresh_copy / "parts" / "task-000003.parquet"
        assert_one_line(result, stopped_line(str(where), "cannot write: Permission denied", 3 * CHUNK, fresh_copy))
    finally:
        (fresh_copy / "parts").chmod(0o755)
    finish(fresh_copy, full[1], ran=RUNS - 3 * CHUNK)


# --- a lost engine ------------------------------------------------------------------------------------------------


class FakeFuture:
    def __init__(self, compute, error: BaseException | None) -> None:
        self.compute, self.error = compute, error

    def result(self):
        if self.error is not None:
            raise self.error
        return self.compute()


class FakeClient:
    """A Dask client whose scheduler answers `answered` tasks, then is lost with `error`."""

    def __init__(self, answered: int, error: BaseException, lost_at: str = "result") -> None:
        self.answered, self.error, self.lost_at = answered, error, lost_at
        self.submitted = 0
        self.cancelled: list[FakeFuture] = []
        self.closed = 0

    def scatter(self, value, broadcast=False):
        if self.lost_at == "scatter":
            raise self.error
        return value

    def submit(self, function, *args, key=None, pure=True):
        error = self.error if self.submitted >= self.answered and self.lost_at == "result" else None
        self.submitted += 1
        return FakeFuture(lambda: function(*args), error)

    def cancel(self, futures):
        self.cancelled += futures

    def close(self):
        self.closed += 1


def fake_dask(monkeypatch, client: FakeClient) -> None:
    import distributed

    def as_completed(futures):
        for i, future in enumerate(futures):
            if client.lost_at == "as_completed" and i == client.answered:
                raise client.error
            yield future

    monkeypatch.setattr(runner, "connect", lambda address: client)
    monkeypatch.setattr(distributed, "as_completed", as_completed)


LOST = {
    "future-cancelled": (FutureCancelledError("brink-task-3", "scheduler-connection-lost"), "result"),
    "cancelled": (asyncio.CancelledError(), "result"),
    "comm-closed": (CommClosedError("in <TCP (closed)  local=tcp://127.0.0.1:50000>: Stream is closed"), "result"),
    "os-error": (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), "result"),
    "comm-closed-while-waiting": (CommClosedError("Stream is closed"), "as_completed"),
}


@pytest.mark.parametrize("case", list(LOST))
def test_losing_the_dask_scheduler_ends_the_sweep_with_one_line(full, tmp_path, monkeypatch, case):
    error, lost_at = LOST[case]
    client = FakeClient(3, error, lost_at)
    fake_dask(monkeypatch, client)
    out = tmp_path / "sweep"
    result = sweep(out, "--engine", "dask", "--address", ADDRESS)
    said = f"{type(error).__name__}: {error}" if case != "cancelled" else "CancelledError"
    problem = f"lost the Dask scheduler ({said})"
    assert_one_line(result, stopped_line(f"--address: {ADDRESS}", problem, 3 * CHUNK, out))
    assert parts(out) == task_names(range(3))
    assert client.closed == 2  # after the check of the address, and after the sweep
    assert client.cancelled == []  # a lost scheduler has nothing left to cancel
    monkeypatch.undo()
    finish(out, full[1], ran=RUNS - 3 * CHUNK)


def test_a_scheduler_lost_before_the_first_task_saves_nothing(tmp_path, monkeypatch):
    client = FakeClient(0, CommClosedError("Stream is closed"), "scatter")
    fake_dask(monkeypatch, client)
    out = tmp_path / "sweep"
    result = sweep(out, "--engine", "dask", "--address", ADDRESS)
    problem = "lost the Dask scheduler (CommClosedError: Stream is closed)"
    assert_one_line(result, stopped_line(f"--address: {ADDRESS}", problem, 0, out))
    assert parts(out) == []


@pytest.fixture(scope="module")
def plan() -> SweepPlan:
    spec = load_scenario("theory/chicken")
    design = make_design([parse_vary(VARY)], base=spec)
    check_design(spec, design)
    return SweepPlan(spec=spec, name="theory/chicken", fixed={}, design=design, reps=8, seed=3, chunk=CHUNK)


def test_a_task_that_raises_on_the_cluster_is_not_taken_for_a_lost_scheduler(plan, tmp_path, monkeypatch):
    client = FakeClient(2, ValueError("a bug in a task"))
    fake_dask(monkeypatch, client)
    with pytest.raises(ValueError, match="a bug in a task"):
        execute(plan, tmp_path / "sweep", engine="dask", address=ADDRESS)
    assert len(client.cancelled) == TASKS  # the other tasks are cancelled, the client closed
    assert client.closed == 2


class BreakingPool(Executor):
    """A process pool whose workers die after `answered` tasks."""

    def __init__(self, answered: int) -> None:
        self.answered, self.submitted = answered, 0

    def submit(self, function, /, *args, **kwargs):
        future: Future = Future()
        if self.submitted < self.answered:
            future.set_result(function(*args, **kwargs))
        else:
            future.set_exception(BrokenProcessPool("A child process terminated abruptly"))
        self.submitted += 1
        return future


def test_a_local_worker_that_dies_ends_the_sweep_with_what_is_saved(plan, tmp_path):
    out = tmp_path / "sweep"
    with pytest.raises(SweepFailedError) as caught:
        execute(plan, out, executor=BreakingPool(3))
    saved = [name for name in parts(out) if name.startswith("task-")]
    assert parts(out) == saved and len(saved) <= 3  # the tasks that finished before the broken one came up
    assert (caught.value.done, caught.value.total) == (CHUNK * len(saved), RUNS)
    assert str(caught.value) == (
        f"--workers: 1: lost a worker process (A child process terminated abruptly); {CHUNK * len(saved)} of "
        f"{RUNS} runs are saved in {out}; finish with --resume"
    )


# --- brink summarize on damaged files -------------------------------------------------------------------------------


def summarize_fails(out: Path, fragment: str) -> str:
    result = brink("summarize", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0]
    assert not (out / "summary.csv").exists()
    return lines[0]


def test_summarize_names_a_part_file_cut_in_half(fresh_copy):
    part = fresh_copy / "parts" / "task-000005.parquet"
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])
    line = summarize_fails(fresh_copy, f"error: {part}: cannot read this part file (")
    assert line.endswith("; the sweep's command with --resume runs its task again")


def test_summarize_names_a_part_file_without_the_error_column(fresh_copy):
    part = fresh_copy / "parts" / "task-000002.parquet"
    pq.write_table(pq.read_table(part).drop_columns(["error"]), part)
    summarize_fails(fresh_copy, f"error: {part}: error: missing from this part file")


BAD_MANIFESTS = {
    "not-json": ('{"format": 2,', ": cannot read the manifest: "),
    "not-utf8": (b"\xff\xfe{}", ": cannot read the manifest: "),
    "not-an-object": ("[1, 2]", ": cannot read the manifest: expected a JSON object, got [1, 2]"),
    "no-scenario": (("scenario", None), ": scenario: missing from the manifest"),
    "runs-is-text": (("runs", "16"), ": runs: expected a whole number, got '16'"),
    "runs-is-true": (("runs", True), ": runs: expected a whole number, got True"),
    "design-is-a-list": (("design", []), ": design: expected an object, got []"),
    "no-kind": (("design.kind", None), ": design.kind: missing from the manifest"),
    "vary-is-text": (("design.vary", "x"), ": design.vary: expected a list, got 'x'"),
    "vary-without-path": (("design.vary", [{"values": [1]}]), ": design.vary[0]: expected an object with a text path"),
    "low-is-text": (("design.vary", [{"path": "x", "low": "0", "high": 1}]), ": design.vary[0].low: expected a number"),
}


def damage_manifest(path: Path, damage) -> None:
    if isinstance(damage, bytes | str):
        path.write_bytes(damage if isinstance(damage, bytes) else damage.encode())
        return
    (dotted, value), manifest = damage, json.loads(path.read_text())
    *parents, key = dotted.split(".")
    place = manifest
    for parent in parents:
        place = place[parent]
    if value is None:
        del place[key]
    else:
        place[key] = value
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
def test_summarize_names_a_malformed_manifest_and_its_field(fresh_copy, case):
    damage, fragment = BAD_MANIFESTS[case]
    damage_manifest(fresh_copy / "manifest.json", damage)
    summarize_fails(fresh_copy, f"error: {fresh_copy / 'manifest.json'}{fragment}")
