"""Run a sweep's tasks locally or on a Dask cluster, writing one Parquet part file per task.

A task is a chunk of replications of one cell. The main process writes each task's rows to
``parts/task-NNNNNN.parquet`` as the task completes (to a temporary name, then renamed), so an
interruption loses only the tasks in flight, and ``resume`` runs exactly the tasks whose part
file is missing or does not read back whole as its task's (`check_part`). Seeds depend only on
the root seed and the replication index, so the table is the same whatever the engine, the
number of workers or the number of interruptions. A full disk, a read-only folder or a lost
Dask scheduler stops the sweep with `SweepFailedError`, which says how many runs are saved.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import multiprocessing
import os
import platform
from collections.abc import Callable, Generator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from batch.design import VARY_SOURCE, Design
from batch.files import (
    atomic_write,
    cannot_write,
    check_output_dir,
    failed_path,
    is_temporary,
    remove_stale_partials,
)
from batch.orphans import pool_initializer
from batch.rows import run_row, table_schema
from batch.seeds import run_seed, run_seeds
from scenarios import Scenario, ScenarioError, load_scenario
from scenarios.errors import clip
from scenarios.paths import OVERRIDE_SOURCE

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")
SIMULATORS: tuple[str, ...] = ("auto", "agents", "ensemble")
"""auto: the ensemble engine where the scenario allows, else the agent model."""
MANIFEST = "manifest.json"
CELLS = "cells.parquet"
PARTS = "parts"
PART_NAMES = r"task-\d+\.parquet"
"""Names of part files (a pattern for `batch.files.remove_stale_partials`)."""
FORMAT = 2
"""2: per-crisis outcome columns and catastrophe causes; every ensemble row has its own seed."""


@dataclass(frozen=True)
class Task:
    """A chunk of replications of one cell: ``first_rep .. first_rep + count - 1``."""

    index: int
    cell: int
    first_rep: int
    count: int


def plan_tasks(cells: int, reps: int, chunk: int) -> list[Task]:
    """Cut every cell's replications into chunks of at most `chunk`, cell by cell."""
    tasks: list[Task] = []
    for cell in range(cells):
        for first in range(0, reps, chunk):
            tasks.append(Task(len(tasks), cell, first, min(chunk, reps - first)))
    return tasks


def scenario_hash(spec: Scenario) -> str:
    """SHA-256 of the scenario's full content, its ladder included."""
    document = {
        "scenario": spec.model_dump(mode="json", by_alias=True),
        "ladder": spec.resolved_ladder.model_dump(mode="json"),
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the results."""
    found = {"python": platform.python_version()}
    for package in ("brinkmanship", "mesa", "numpy", "pandas", "pyarrow", "pydantic"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    return found


@dataclass(frozen=True)
class SweepPlan:
    """Everything that fixes a sweep's results.

    Attributes:
        spec: The scenario with the fixed (``--set``) overrides applied.
        name: The scenario as the user named it.
        fixed: The fixed overrides.
        design: The varied cells.
        reps: Replications per cell.
        seed: Root seed.
        chunk: Replications per task.
        simulator: "agents" (the Mesa model, one run at a time) or "ensemble" (all of a task's
            replications at once as arrays; see `choose_simulator`).
    """

    spec: Scenario
    name: str
    fixed: dict[str, Any]
    design: Design
    reps: int
    seed: int
    chunk: int
    simulator: str = "agents"
    tasks: list[Task] = field(init=False)

    def __post_init__(self) -> None:
        if self.seed < 0:
            raise ScenarioError("--seed", str(self.seed), "must be 0 or more")
        if self.reps < 1 or self.chunk < 1:
            raise ScenarioError("--reps" if self.reps < 1 else "--chunk", "", "must be 1 or more")
        if self.simulator not in ("agents", "ensemble"):
            raise ScenarioError("--simulator", self.simulator, "a plan runs on agents or ensemble")
        object.__setattr__(self, "tasks", plan_tasks(len(self.design.cells), self.reps, self.chunk))

    @property
    def runs(self) -> int:
        """Number of runs in the sweep."""
        return len(self.design.cells) * self.reps

    def manifest(self) -> dict[str, Any]:
        """The manifest: what the results came from."""
        return {
            "format": FORMAT,
            "scenario": self.name,
            "scenario_sha256": scenario_hash(self.spec),
            "fixed": self.fixed,
            "design": self.design.describe(),
            "reps": self.reps,
            "root_seed": self.seed,
            "seeds": SEEDS[self.simulator],
            "simulator": self.simulator,
            "chunk": self.chunk,
            "tasks": len(self.tasks),
            "runs": self.runs,
            "versions": versions(),
        }


SEEDS = {
    "agents": "numpy.random.SeedSequence(root_seed, spawn_key=(rep,)); the same in every cell",
    "ensemble": "numpy.random.SeedSequence(root_seed, spawn_key=(rep,)); the same in every cell; each draw a "
    "splitmix64 hash of (seed, stream, step, slot) (ensemble.streams)",
}


def choose_simulator(choice: str, spec: Scenario) -> str:
    """The simulator a batch runs on: "agents" or "ensemble".

    Args:
        choice: "auto" (the ensemble where the scenario allows it, else the agents), "agents",
            or "ensemble" (never falls back).
        spec: The scenario.

    Raises:
        ScenarioError: An unknown choice, or "ensemble" for a scenario it does not support.
    """
    from ensemble.world import check_supported, unsupported

    if choice not in SIMULATORS:
        raise ScenarioError("--simulator", choice, f"unknown simulator; choose from {', '.join(SIMULATORS)}")
    if choice == "agents":
        return "agents"
    if choice == "ensemble":
        check_supported(spec)
        return "ensemble"
    return "agents" if unsupported(spec) else "ensemble"


def task_table(
    spec: Scenario, plan_cells: dict[str, Any], task: Task, root_seed: int, simulator: str, schema: pa.Schema
) -> pa.Table:
    """Run one task on `simulator` and return its rows as a table with `schema`."""
    if simulator == "ensemble":
        return ensemble_task(spec, plan_cells, task, root_seed, schema)
    return pa.Table.from_pylist(run_task(spec, plan_cells, task, root_seed), schema=schema)


def ensemble_task(
    spec: Scenario, plan_cells: dict[str, Any], task: Task, root_seed: int, schema: pa.Schema
) -> pa.Table:
    """Run all of a task's replications at once on the ensemble engine (`ensemble.engine`).

    Each replication runs on its own seed, `batch.seeds.run_seed` (the agent model's), written to
    its row's ``seed`` column; ``replay_summary(cell_spec, seed)`` reproduces the row alone.
    """
    from ensemble.engine import run_ensemble
    from ensemble.rows import outcome_columns
    from ensemble.world import build_world

    seeds = np.array(run_seeds(root_seed, task.count, task.first_rep), dtype=np.int64)
    identity: dict[str, Any] = {
        "cell": np.full(task.count, task.cell, dtype=np.int64),
        "rep": np.arange(task.first_rep, task.first_rep + task.count, dtype=np.int64),
        "seed": seeds,
    }
    identity.update({path: np.full(task.count, value) for path, value in plan_cells.items()})
    try:
        cell_spec = load_scenario(spec, plan_cells)
        outcomes = run_ensemble(cell_spec, seeds)
        columns = outcome_columns(cell_spec, build_world(cell_spec), outcomes)
    except ScenarioError as error:
        if error.source == OVERRIDE_SOURCE:
            error = ScenarioError(VARY_SOURCE, error.path, error.problem)
        columns = {"error": np.full(task.count, f"ScenarioError: {error}", dtype=object)}
    except Exception as error:  # recorded like a failing agent run: the sweep goes on
        columns = {"error": np.full(task.count, f"{type(error).__name__}: {error}", dtype=object)}
    arrays = {**identity, **columns}
    return pa.table(
        {f.name: arrays.get(f.name, pa.nulls(task.count, f.type)) for f in schema}, schema=schema
    )


def run_task(spec: Scenario, plan_cells: dict[str, Any], task: Task, root_seed: int) -> list[dict[str, Any]]:
    """Run one task; a run that raises becomes a row with its error and seed, not a lost run.

    Args:
        spec: The scenario with the fixed overrides applied.
        plan_cells: The cell's path overrides.
        task: Which replications.
        root_seed: The sweep's root seed.
    """
    try:
        cell_spec: Scenario | None = load_scenario(spec, plan_cells)
        problem = ""
    except ScenarioError as error:
        if error.source == OVERRIDE_SOURCE:  # the fixed overrides are already in `spec`
            error = ScenarioError(VARY_SOURCE, error.path, error.problem)
        cell_spec, problem = None, f"ScenarioError: {error}"
    from model.brinkmanship import BrinkmanshipModel  # Mesa, loaded when an agent-model task runs

    rows = []
    for rep in range(task.first_rep, task.first_rep + task.count):
        seed = run_seed(root_seed, rep)
        identity = {"cell": task.cell, "rep": rep, "seed": seed, **plan_cells}
        if cell_spec is None:
            rows.append({**identity, "error": problem})
            continue
        try:
            model = BrinkmanshipModel(scenario=cell_spec, rng=seed)
            model.run()
            rows.append({**identity, **run_row(model)})
        except Exception as error:  # a failing run is recorded with its seed; the sweep goes on
            rows.append({**identity, "error": f"{type(error).__name__}: {error}"})
    return rows


class SweepInterruptedError(Exception):
    """The sweep stopped early (Ctrl-C); the finished tasks' part files are kept."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        super().__init__(f"interrupted after {done} of {total} runs")


class SweepFailedError(Exception):
    """The sweep stopped on a failure of the machine, not of a run; the finished tasks' part files are kept.

    A part file or the manifest could not be written (a full disk, a read-only file system, no
    permission), or the engine was lost (the Dask scheduler, a local worker process). The message
    is one line: what failed, how many runs are saved, and that ``--resume`` finishes the sweep.

    Attributes:
        done: Runs saved in part files.
        total: Runs in the sweep.
        out: The result folder.
        where: What failed: a file, or the option naming the engine (``--address: ADDRESS``).
        problem: What went wrong, in words.
    """

    def __init__(self, done: int, total: int, out: Path, where: str, problem: str) -> None:
        self.done, self.total, self.out = done, total, Path(out)
        self.where, self.problem = clip(where, 160), clip(problem, 200)
        super().__init__(
            f"{self.where}: {self.problem}; {done} of {total} runs are saved in {clip(str(out), 160)}; "
            "finish with --resume"
        )


class EngineLostError(Exception):
    """The engine running the tasks went away: the Dask scheduler, or a local worker process."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")


def part_path(out: Path, task: Task) -> Path:
    """Where a task's rows go."""
    return out / PARTS / f"task-{task.index:06d}.parquet"


def write_part(out: Path, task: Task, rows: list[dict[str, Any]] | pa.Table, schema: pa.Schema) -> None:
    """Write a task's rows (or its table) whole, under a temporary name first."""
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=schema)
    atomic_write(part_path(out, task), lambda path: pq.write_table(table, path))


def check_part(path: Path, task: Task, schema: pa.Schema) -> str:
    """What is wrong with a task's part file: "" when it reads back whole, with the task's columns and rows.

    Every column of every row group is read (and decompressed), so a file cut short or damaged
    inside is found as well as one that is empty or is another task's.
    """
    try:
        table = pq.read_table(path)
    except Exception as error:  # a damaged file fails in many ways (Arrow, Thrift, OSError): all mean "run it again"
        return f"does not read back ({type(error).__name__}: {clip(str(error), 100)})"
    if table.schema.names != schema.names:
        return "has other columns than this sweep's"
    if not table.schema.equals(schema, check_metadata=False):
        return "has other column types than this sweep's"
    if table.num_rows != task.count:
        return f"has {table.num_rows} rows, not {task.count}"
    cells, reps = (table.column(name).to_numpy(zero_copy_only=False) for name in ("cell", "rep"))
    expected = np.arange(task.first_rep, task.first_rep + task.count)
    if not (np.all(cells == task.cell) and np.array_equal(reps, expected)):
        return "holds the rows of another task"
    return ""


def verify_parts(plan: SweepPlan, out: Path) -> tuple[set[int], list[tuple[Task, str]]]:
    """The indices of the tasks whose part file is sound (`check_part`), and every other part file's problem."""
    schema = table_schema(plan.spec, plan.design)
    done: set[int] = set()
    damaged: list[tuple[Task, str]] = []
    for task in plan.tasks:
        path = part_path(out, task)
        if not path.exists():
            continue
        problem = check_part(path, task, schema)
        if problem:
            damaged.append((task, problem))
        else:
            done.add(task.index)
    return done, damaged


def damaged_notice(damaged: list[tuple[Task, str]], shown: int = 3) -> str:
    """One line saying how many part files are run again, naming the first `shown` and their problems."""
    named = "; ".join(f"{part_path(Path(), task).name} {problem}" for task, problem in damaged[:shown])
    more = f"; and {len(damaged) - shown} more" if len(damaged) > shown else ""
    files = "part file" if len(damaged) == 1 else "part files"
    return f"resume: re-running {len(damaged)} damaged {files} (removed): {named}{more}"


def unstarted(out: Path) -> bool:
    """Whether the folder `out` is empty but for what a sweep that could not write its manifest leaves.

    That is its cells, an empty parts folder and temporaries (`batch.files.is_temporary`): the
    manifest, written last, is what makes a folder hold a sweep, so ``--resume`` starts it anew.
    """
    for entry in out.iterdir():
        if entry.name == PARTS and entry.is_dir() and not entry.is_symlink():
            if not all(is_temporary(name) for name in os.listdir(entry)):
                return False
        elif entry.name != CELLS and not is_temporary(entry.name):
            return False
    return True


def open_sweep(plan: SweepPlan, out: Path, resume: bool) -> None:
    """Check the sweep already in `out` against `plan`, or start one: parts folder, cells and manifest.

    The manifest is written last: a folder holds a sweep once it is there.

    Raises:
        ScenarioError: `out` holds another sweep; or it holds results and ``resume`` is off.
        OSError: The folder, the cells or the manifest cannot be written.
    """
    manifest = plan.manifest()
    existing = out / MANIFEST
    if existing.exists():
        if not resume:
            raise ScenarioError(
                str(out), "--out", "already holds a sweep; pass --resume to finish it, or choose another folder"
            )
        try:
            previous = json.loads(existing.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ScenarioError(str(existing), "", f"cannot read the manifest: {error}") from None
        if not isinstance(previous, dict):
            raise ScenarioError(str(existing), "", "cannot read the manifest: expected a JSON object")
        previous.setdefault("simulator", "agents")  # manifests from before the ensemble engine
        for key in manifest:
            if key != "versions" and previous.get(key) != manifest[key]:
                raise ScenarioError(
                    str(existing),
                    key,
                    "differs from this sweep's; --resume needs the same scenario, design, reps and seed",
                )
    elif out.exists() and not unstarted(out):
        raise ScenarioError(str(out), "--out", "is not empty and holds no sweep; choose an empty or new folder")
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    if not existing.exists():
        atomic_write(out / CELLS, lambda path: plan.design.cells.to_parquet(path, index=False))
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        atomic_write(existing, lambda path: path.write_text(text, encoding="utf-8"))


def prepare_output(
    plan: SweepPlan, out: Path, resume: bool, notice: Callable[[str], None] | None = None
) -> tuple[set[int], int]:
    """Create or check the result folder; return the indices of the tasks done and how many parts are re-run.

    Every part file already there is read back (`check_part`); one that is not whole, or not its
    task's, is removed so that its task runs again, and `notice` is told. Temporaries of killed
    writers are removed, those of a live one left (`batch.files.remove_stale_partials`).

    Raises:
        ScenarioError: `out` is a file or lies below one; it holds another sweep; or it holds
            results and ``resume`` is off.
        SweepFailedError: The folder, the manifest or a damaged part file cannot be written or removed.
    """
    check_output_dir(out)
    try:
        open_sweep(plan, out, resume)
    except OSError as error:  # no part file is there yet: a sweep starts with its manifest
        raise SweepFailedError(0, plan.runs, out, str(failed_path(error, out)), cannot_write(error)) from None
    done, damaged = verify_parts(plan, out)
    try:
        remove_stale_partials(out, [MANIFEST, CELLS])
        remove_stale_partials(out / PARTS, pattern=PART_NAMES)
        for task, _ in damaged:
            part_path(out, task).unlink(missing_ok=True)
    except OSError as error:
        saved = sum(t.count for t in plan.tasks if t.index in done)
        where = str(failed_path(error, out / PARTS))
        raise SweepFailedError(saved, plan.runs, out, where, cannot_write(error)) from None
    if damaged and notice is not None:
        notice(damaged_notice(damaged))
    return done, len(damaged)


TaskStream = Generator[tuple[Task, pa.Table], None, None]


def local_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool for `execute` (``executor=``), to share between several batches."""
    # spawn: forking a process that already runs native threads may deadlock, and Python 3.12.1's
    # forkserver can fail at exit removing its temporary folder twice (CPython gh-79429). Workers
    # exit when the sweep dies, even by kill -9 (`batch.orphans`).
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, **pool_initializer())


def _local(plan: SweepPlan, todo: list[Task], workers: int, executor: Executor | None) -> TaskStream:
    schema = table_schema(plan.spec, plan.design)

    def job(task: Task) -> tuple[Any, ...]:
        return (plan.spec, plan.design.overrides(task.cell), task, plan.seed, plan.simulator, schema)

    if executor is None and workers <= 1:
        for task in todo:
            yield task, task_table(*job(task))
        return
    pool = executor if executor is not None else local_pool(workers)
    slots = 4 * max(workers, getattr(pool, "_max_workers", 1))
    pending: dict[Future[pa.Table], Task] = {}
    queue = iter(todo)

    def top_up() -> None:
        # Keep a few tasks per worker queued, so an interruption loses little and memory stays flat.
        while len(pending) < slots:
            task = next(queue, None)
            if task is None:
                return
            pending[pool.submit(task_table, *job(task))] = task

    try:
        top_up()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                task = pending.pop(future)
                yield task, future.result()
            top_up()
    except BrokenProcessPool as error:  # a worker was killed (the out-of-memory killer, kill -9)
        raise EngineLostError(f"--workers: {workers}", f"lost a worker process ({error})") from None
    finally:
        for future in pending:
            future.cancel()
        if executor is None:
            pool.shutdown(wait=True, cancel_futures=True)


DASK_SCHEMES = ("tcp", "tls", "inproc", "ws", "wss", "ucx")
SCHEDULER_LOST = (asyncio.CancelledError, concurrent.futures.CancelledError, OSError)
"""What the Dask client raises when it loses the scheduler: a cancelled future (``FutureCancelledError``,
a ``CancelledError``), a closed connection (``CommClosedError``, an ``OSError``) or a time-out (``TimeoutError``,
an ``OSError``)."""


def connect(address: str) -> Any:
    """A Dask client for the scheduler at `address`.

    Raises:
        ScenarioError: The address is malformed or no scheduler answers there within 5 s.
    """
    from distributed import Client

    scheme, sep, rest = address.partition("://")
    if not sep or scheme not in DASK_SCHEMES or not rest:
        raise ScenarioError("--address", address, "expected a scheduler address such as tcp://HOST:PORT")
    try:
        return Client(address, timeout="5s")
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise ScenarioError("--address", address, f"no Dask scheduler answers: {error}") from None


def sweep_digest(plan: SweepPlan) -> str:
    """A short hash of everything that fixes the sweep's results (the manifest but versions)."""
    sweep = {k: v for k, v in plan.manifest().items() if k != "versions"}
    return hashlib.sha256(json.dumps(sweep, sort_keys=True, default=str).encode()).hexdigest()[:16]


def task_key(digest: str, task: Task) -> str:
    """The Dask key of a task: it names the whole sweep, so two sweeps never share a result."""
    return f"brink-{digest}-task-{task.index}"


def _dask(plan: SweepPlan, todo: list[Task], address: str) -> TaskStream:
    client = connect(address)
    try:
        yield from _dask_results(client, plan, todo)
    except SCHEDULER_LOST as error:
        said = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        problem = f"lost the Dask scheduler ({said})"
        raise EngineLostError(f"--address: {address}", problem) from None
    finally:
        with contextlib.suppress(Exception):  # closing a client whose scheduler is gone may fail too
            client.close()


def _dask_results(client: Any, plan: SweepPlan, todo: list[Task]) -> TaskStream:
    from distributed import as_completed

    schema = table_schema(plan.spec, plan.design)
    digest = sweep_digest(plan)
    spec = client.scatter(plan.spec, broadcast=True)
    futures = {}
    for task in todo:
        overrides = plan.design.overrides(task.cell)
        future = client.submit(
            task_table, spec, overrides, task, plan.seed, plan.simulator, schema,
            key=task_key(digest, task), pure=False,
        )  # fmt: skip
        futures[future] = task
    try:
        for future in as_completed(futures):
            yield futures[future], future.result()
    except SCHEDULER_LOST:
        raise  # nothing left to cancel
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        raise


@dataclass
class SweepOutcome:
    """What a call of `execute` did.

    Attributes:
        runs: Runs in the sweep.
        ran: Runs run by this call.
        skipped: Runs already done (in sound part files).
        errors: Runs of this call that raised (see the ``error`` column).
        rerun: Damaged part files found on resume, removed and run again.
    """

    runs: int
    ran: int
    skipped: int
    errors: int
    rerun: int = 0


def execute(
    plan: SweepPlan,
    out: Path,
    *,
    engine: str = "local",
    workers: int = 1,
    address: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
    notice: Callable[[str], None] | None = None,
) -> SweepOutcome:
    """Run the sweep's missing tasks and write their part files.

    Args:
        plan: The sweep.
        out: Result folder.
        engine: "local" (a process pool; serial with one worker) or "dask".
        workers: Local processes.
        address: Dask scheduler address (engine "dask").
        resume: Finish the sweep already in `out`.
        progress: Called with (runs done, runs in the sweep) after every task.
        executor: A local process pool to use instead of starting one (see `local_pool`).
        notice: Called with a line to show the user (damaged part files that are run again).

    Raises:
        ScenarioError: Bad engine, address or output folder (before any run starts).
        SweepInterruptedError: Ctrl-C; the finished tasks are kept.
        SweepFailedError: A part file or the manifest cannot be written (a full disk, a read-only
            file system), or the engine is lost; the finished tasks are kept.
    """
    if engine not in ENGINES:
        raise ScenarioError("--engine", engine, f"unknown engine; choose from {', '.join(ENGINES)}")
    if engine == "dask" and not address:
        raise ScenarioError("--address", "", "the dask engine needs --address tcp://HOST:PORT")
    if engine == "dask":
        connect(address or "").close()  # fail on a bad address before anything is written
    out = Path(out)
    done, rerun = prepare_output(plan, out, resume, notice)
    todo = [t for t in plan.tasks if t.index not in done]
    finished = sum(t.count for t in plan.tasks if t.index in done)
    if progress is not None:
        progress(finished, plan.runs)
    stream = _dask(plan, todo, address or "") if engine == "dask" else _local(plan, todo, workers, executor)
    ran, errors = write_parts(plan, out, stream, finished, progress)
    return SweepOutcome(runs=plan.runs, ran=ran, skipped=finished, errors=errors, rerun=rerun)


def write_parts(
    plan: SweepPlan, out: Path, stream: TaskStream, finished: int, progress: Callable[[int, int], None] | None
) -> tuple[int, int]:
    """Write each task's part file as its table arrives; return (runs run, runs that raised).

    Raises:
        SweepInterruptedError: Ctrl-C.
        SweepFailedError: A part file cannot be written, or the engine is lost.
    """
    schema = table_schema(plan.spec, plan.design)
    errors = ran = 0
    try:
        for task, table in stream:
            try:
                write_part(out, task, table, schema)
            except OSError as error:
                where = str(part_path(out, task))
                raise SweepFailedError(finished + ran, plan.runs, out, where, cannot_write(error)) from None
            errors += len(table) - table.column("error").null_count
            ran += task.count
            if progress is not None:
                progress(finished + ran, plan.runs)
    except KeyboardInterrupt:
        raise SweepInterruptedError(finished + ran, plan.runs) from None
    except EngineLostError as lost:
        raise SweepFailedError(finished + ran, plan.runs, out, lost.where, lost.problem) from None
    finally:
        stream.close()  # stops the engine: cancels the queued tasks, waits for those in flight
    return ran, errors
