"""The batch commands: ``brink sweep``, ``summarize``, ``sensitivity`` and ``calibrate``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from brink.console import check_seed, err_console, fail, out_console, print_error
from brink.tables import FormatOption, TableFormat
from scenarios import DEFAULT_SCENARIO, Scenario, ScenarioError, load_scenario
from scenarios.paths import parse_assignment

if TYPE_CHECKING:
    from batch.runner import SweepOutcome, SweepPlan

ScenarioOption = Annotated[str, typer.Argument(help="Shipped scenario name or a YAML file.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Fix a parameter for every run: PATH=VALUE. Repeatable."),
]
RepsOption = Annotated[int, typer.Option(help="Replications per cell.", min=1)]
OutOption = Annotated[
    Path | None,
    typer.Option(help="Required. The result folder (Parquet part files and manifest.json).", show_default=False),
]
SeedOption = Annotated[int, typer.Option(help="Root seed (0 or more); all run and design seeds derive from it.")]
WorkersOption = Annotated[int, typer.Option(help="Local worker processes (1 runs in this process).", min=1)]
EngineOption = Annotated[str, typer.Option(help="local (a process pool) or dask (a Dask cluster, see --address).")]
AddressOption = Annotated[str | None, typer.Option(help="Dask scheduler address, tcp://HOST:PORT.")]
ChunkOption = Annotated[int, typer.Option(help="Replications per task (one Parquet part file each).", min=1)]
ResumeOption = Annotated[bool, typer.Option(help="Finish the batch already in --out: run only the missing tasks.")]
SimulatorOption = Annotated[
    str,
    typer.Option(
        help="auto (the ensemble engine where the scenario allows, else the agent model), agents (the Mesa "
        "model, one run at a time) or ensemble (all of a task's replications at once as arrays; refuses a "
        "scenario it does not support).",
    ),
]
ParamOption = Annotated[
    list[str] | None,
    typer.Option(help="Required. A parameter and its range: PATH=LO:HI. Repeatable.", show_default=False),
]


class RateColumn(ProgressColumn):
    """Runs per second since the command started."""

    def __init__(self) -> None:
        super().__init__()
        self.started = time.monotonic()
        self.first: float | None = None

    def render(self, task: Task) -> Text:
        """The rate of runs finished by this command (resumed runs excluded)."""
        if self.first is None:
            self.first = task.completed
        elapsed = time.monotonic() - self.started
        done = task.completed - self.first
        return Text(f"{done / elapsed:,.0f} runs/s" if elapsed > 0 and done else "- runs/s")


def run_plan(plan: SweepPlan, out: Path, **engine: Any) -> SweepOutcome:
    """Run a plan with a progress bar; on Ctrl-C say how to resume and exit 130.

    A sweep stopped by its machine (a full disk, a read-only folder, a lost Dask scheduler) ends
    with one line, ``error: ...``, saying how many runs are saved and to finish with --resume,
    and exit status 2, like a run whose --out cannot be written (`brink.cli`).

    Raises:
        ScenarioError: Bad engine, address or output folder.
    """
    from batch.runner import SweepFailedError, SweepInterruptedError, execute

    columns = (TextColumn("runs"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn())
    progress = Progress(*columns, console=err_console, transient=False)
    bars: list[Any] = []

    def report(done: int, total: int) -> None:
        # The bar appears only once execute has checked the engine, address and folder, so bad
        # input prints nothing but its one error line.
        if not bars:
            progress.start()
            bars.append(progress.add_task("runs", total=total))
        progress.update(bars[0], completed=done, total=total)

    def notice(text: str) -> None:
        err_console.print(text, markup=False)

    try:
        return execute(plan, out, progress=report, notice=notice, **engine)
    except SweepFailedError as failure:
        if bars:  # the error line is the only one left: the bar is erased from a terminal, not printed to a file
            progress.live.transient = True
            progress.live.stop()  # Progress.stop would add a blank line to a file
            bars.clear()
        print_error(str(failure))
        raise typer.Exit(code=2) from None
    except SweepInterruptedError as stop:
        progress.stop()
        err_console.print(
            f"interrupted: {stop.done} of {stop.total} runs are saved in {out}; finish with --resume", markup=False
        )
        raise typer.Exit(code=130) from None
    finally:
        if bars:
            progress.stop()


def load_batch(scenario: str, seed: int, out: Path | None, set_: list[str] | None) -> tuple[dict[str, Any], Scenario]:
    """Check a batch command's seed and folder; load its scenario with the fixed overrides.

    Raises:
        ScenarioError: Negative seed, no --out, bad --set or bad scenario.
    """
    check_seed(seed)
    if out is None:
        raise ScenarioError("--out", "", "give a result folder with --out DIR")
    fixed = dict(parse_assignment(text) for text in set_ or [])
    return fixed, load_scenario(scenario, fixed)


def sweep_command(
    scenario: ScenarioOption = DEFAULT_SCENARIO,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="A varied path: PATH=LIST (0.1,0.5,0.9), PATH=START:STOP:COUNT, or PATH=LO:HI with --design "
            "lhs|sobol. Repeatable; a grid crosses them. Optional: without it the scenario as it is runs --reps "
            "times (one cell).",
        ),
    ] = None,
    design: Annotated[
        str, typer.Option(help="grid, lhs (Latin hypercube) or sobol; lhs and sobol need --vary PATH=LO:HI.")
    ] = "grid",
    samples: Annotated[
        int | None, typer.Option(help="Points of an lhs or sobol design (required by them; a grid takes none).")
    ] = None,
    reps: RepsOption = 100,
    out: OutOption = None,
    seed: SeedOption = 0,
    set_: SetOption = None,
    workers: WorkersOption = 1,
    engine: EngineOption = "local",
    address: AddressOption = None,
    chunk: ChunkOption = 50,
    resume: ResumeOption = False,
    simulator: SimulatorOption = "auto",
) -> None:
    """Run a scenario over a design of parameter values, --reps replications each (requires --out).

    Without --vary the design is one cell, the scenario as it is (with --set), run --reps times;
    `brink summarize --plot` then shows the distributions of its outcomes. Results go to --out as
    Parquet part files, one per task, with manifest.json. Ctrl-C, a crash or a killed process loses
    at most the tasks in flight; --resume finishes the rest.
    """
    from batch.design import check_design, make_design, parse_vary
    from batch.runner import SweepPlan, choose_simulator

    try:
        fixed, spec = load_batch(scenario, seed, out, set_)
        the_design = make_design([parse_vary(text) for text in vary or []], design, samples, seed, base=spec)
        check_design(spec, the_design)
        plan = SweepPlan(
            spec=spec, name=scenario, fixed=fixed, design=the_design, reps=reps, seed=seed, chunk=chunk,
            simulator=choose_simulator(simulator, spec),
        )  # fmt: skip
        outcome = run_plan(plan, out, engine=engine, workers=workers, address=address, resume=resume)
    except ScenarioError as error:
        raise fail(error) from None
    cells = len(the_design.cells)
    out_console.print(
        f"{outcome.runs} runs in {cells} cell{'' if cells == 1 else 's'} x {reps} replications "
        f"({outcome.ran} run now, {outcome.skipped} already done{rerun_note(outcome.rerun)}); {outcome.errors} raised "
        "(see the error column)."
    )
    out_console.print(f"results: {out}/parts/*.parquet; summarise with `brink summarize {out}`", markup=False)


def rerun_note(rerun: int) -> str:
    """How many damaged part files a resume ran again, for the sweep's closing line ("" for none)."""
    return f", {rerun} damaged part file{'' if rerun == 1 else 's'} run again" if rerun else ""


def check_groups(by: list[str] | None, paths: list[str], plot: bool) -> list[str]:
    """The paths `summarize` groups by: `by`, or every varied path.

    Raises:
        ScenarioError: A `by` path the sweep did not vary, or `plot` with more than two paths.
    """
    groups = list(by) if by else paths
    for path in groups:
        if path not in paths:
            choices = ", ".join(paths) if paths else "none: this sweep varied nothing"
            raise ScenarioError("--by", path, f"not a varied path of this sweep; choose from {choices}")
    if plot and len(groups) > 2:
        raise ScenarioError("--plot", "", f"plots take one or two paths, not {len(groups)}; choose them with --by")
    return groups


def summary_rows(table: Any, groups: list[str], title: str, shown: list[str]) -> Any:
    """The printed summary: one line per metric for a single group, else one line per group."""
    from brink.tables import Column, Rows

    def value(x: Any) -> Any:
        return round(float(x), 4) if isinstance(x, float) else x.item() if hasattr(x, "item") else x

    if not groups:
        row = table.iloc[0]
        lines = [["runs", int(row["runs"]), None, None], ["errors", int(row["errors"]), None, None]]
        for c in shown:
            lo, hi = (value(row.get(f"{c}_{end}")) if f"{c}_{end}" in row.index else None for end in ("lo", "hi"))
            lines.append([c, value(row[c]), lo, hi])
        columns = [Column("metric", key=True), Column("value"), Column("lo", "95% lo"), Column("hi", "95% hi")]
        return Rows(columns, lines, title=title)
    columns = [Column(g, key=True) for g in groups] + [Column(c) for c in ("runs", "errors", *shown)]
    lines = [[value(r[c]) for c in (*groups, "runs", "errors", *shown)] for _, r in table.iterrows()]
    return Rows(columns, lines, title=title)


def summarize_command(
    out: Annotated[Path, typer.Argument(help="A sweep's result folder.", metavar="DIR", show_default=False)],
    by: Annotated[
        list[str] | None,
        typer.Option(help="Group by this varied path (repeatable; default: every varied path). Writes its own files."),
    ] = None,
    plot: Annotated[
        bool, typer.Option(help="Also write PNG plots to DIR/plots/ (at most two paths to group by).")
    ] = False,
    fmt: FormatOption = TableFormat.table,
) -> None:
    """Outcome shares per cell with Wilson 95% intervals, and rung, duration and yield-rung statistics.

    Writes DIR/summary.csv: per cell (or per value of --by) the share of each outcome, of
    yielding by choice and defeat, of each cause of catastrophe, of each yielder, of nuclear use
    and of each alliance's survival, with intervals, for the first crisis and for every crisis
    (crisis.ID.*). With --by the table goes to DIR/summary-by-PATH[+PATH].csv and the plots get
    the same suffix, so the full summary is never overwritten. --plot draws: for a sweep without
    --vary, outcome shares (bars with intervals) and histograms of the highest rung, the duration
    and the yield rung; for one path, each share against it; for two, a heatmap per share on the
    fixed scale 0-1 with its value and interval in each cell (lhs, sobol and sensitivity designs:
    the cells as coloured points beside a binned heatmap).
    """
    from batch.results import (
        load_runs,
        read_manifest,
        reported_metrics,
        summarize_runs,
        summary_suffix,
        varied_paths,
        write_plots,
        write_summary,
    )
    from brink.tables import print_rows

    try:
        manifest = read_manifest(out)
        groups = check_groups(by, varied_paths(manifest), plot)
        runs = load_runs(out)
    except ScenarioError as error:
        raise fail(error) from None
    table = summarize_runs(runs, groups)
    suffix = summary_suffix(groups) if by else ""
    path = out / f"summary{suffix}.csv"
    write_summary(table, path)
    shown = reported_metrics(table.columns, runs.columns, means=True)
    title = f"{manifest['scenario']}: {len(runs)} runs of {manifest['runs']}"
    print_rows(summary_rows(table, groups, title, shown), fmt)
    notes = out_console if TableFormat(fmt) in (TableFormat.table, TableFormat.markdown) else err_console
    notes.print(f"wrote {path} (with the intervals and rung, duration and yield-rung quantiles)", markup=False)
    if plot:
        written = write_plots(out / "plots", table, runs, groups, manifest, suffix)
        notes.print(f"wrote {len(written)} plots to {out / 'plots'}", markup=False)


def sensitivity_command(
    scenario: ScenarioOption = DEFAULT_SCENARIO,
    param: ParamOption = None,
    method: Annotated[
        str, typer.Option(help="sobol (first and total order; two or more --param) or morris (elementary effects).")
    ] = "sobol",
    samples: Annotated[
        int, typer.Option(help="Base samples N: sobol runs N x (D + 2) cells, morris N x (D + 1).", min=2)
    ] = 64,
    reps: RepsOption = 50,
    out: OutOption = None,
    seed: SeedOption = 0,
    set_: SetOption = None,
    metric: Annotated[
        list[str] | None, typer.Option(help="Outcome metric to analyse (repeatable; default: every one).")
    ] = None,
    workers: WorkersOption = 1,
    engine: EngineOption = "local",
    address: AddressOption = None,
    chunk: ChunkOption = 50,
    resume: ResumeOption = False,
    simulator: SimulatorOption = "auto",
) -> None:
    """Sobol or Morris sensitivity of every outcome metric to the given parameters (SALib).

    Requires --param (two or more for sobol) and --out. Runs the cells SALib asks for, --reps
    replications each, through the sweep runner (so it resumes and runs on Dask), then writes
    indices.csv and a bar plot per metric to --out. The metrics are the shares and means of
    `brink summarize`.
    """
    from batch.design import check_design, parse_vary
    from batch.results import load_runs, possible_metrics, summarize_runs
    from batch.runner import SweepPlan, choose_simulator
    from batch.sensitivity import sensitivity_design

    try:
        fixed, spec = load_batch(scenario, seed, out, set_)
        varies = [parse_vary(text) for text in param or []]
        the_design = sensitivity_design(varies, method, samples, seed, spec)
        check_design(spec, the_design)
        everything = possible_metrics(list(spec.alliances), list(spec.states), list(spec.crises))
        possible = [m for m in everything if "_q" not in m]
        for name in metric or []:
            if name not in possible:
                raise ScenarioError("--metric", name, f"no such metric; choose from {', '.join(possible)}")
        plan = SweepPlan(
            spec=spec, name=scenario, fixed=fixed, design=the_design, reps=reps, seed=seed, chunk=chunk,
            simulator=choose_simulator(simulator, spec),
        )  # fmt: skip
        outcome = run_plan(plan, out, engine=engine, workers=workers, address=address, resume=resume)
        runs = load_runs(out)
        per_cell = summarize_runs(runs, ["cell"])
    except ScenarioError as error:
        raise fail(error) from None
    title = f"{method} indices, {outcome.runs} runs ({len(the_design.cells)} cells x {reps})"
    write_indices(the_design, runs, per_cell, list(metric or []), method, seed, out, title)


def write_indices(
    design: Any, runs: Any, per_cell: Any, metrics: list[str], method: str, seed: int, out: Path, title: str
) -> None:
    """Analyse the metrics (every share and mean when none are given), write indices.csv and plots, print them."""
    from batch.sensitivity import analyse, metric_columns, plot_indices

    # A metric no run produced (an outcome that never happened) is reported as not analysed.
    chosen = metrics or metric_columns(per_cell, runs.columns)
    for name in chosen:
        if name not in per_cell.columns:
            per_cell[name] = float("nan")
    indices = analyse(design, per_cell, chosen, method, seed)
    indices.to_csv(out / "indices.csv", index=False, float_format="%.6g")
    (out / "plots").mkdir(exist_ok=True)
    analysed = [m for m in chosen if not indices[(indices["metric"] == m) & (indices["parameter"] != "")].empty]
    for name in analysed:
        plot_indices(indices, name, method, out / "plots" / f"indices-{name}.png")
    shown = [c for c in indices.columns if c != "note"]
    view = Table(title=title)
    for column in shown:
        view.add_column(column, overflow="fold")
    for _, row in indices[indices["parameter"] != ""].iterrows():
        view.add_row(*(Text(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c])) for c in shown))
    out_console.print(view)
    skipped = indices[indices["parameter"] == ""]
    for _, row in skipped.iterrows():
        out_console.print(f"{row['metric']}: not analysed ({row['note']})", markup=False)
    out_console.print(f"wrote {out / 'indices.csv'} and {len(analysed)} plots to {out / 'plots'}", markup=False)


def calibrate_command(
    scenario: ScenarioOption = DEFAULT_SCENARIO,
    param: ParamOption = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            help="A target: METRIC=VALUE or METRIC=VALUE:SCALE (a metric of `brink summarize`). Repeatable; "
            "required unless --targets-file gives them.",
        ),
    ] = None,
    targets_file: Annotated[
        Path | None,
        typer.Option(help="Read targets from a history file (its `targets` list), e.g. scenarios/data/*.yaml."),
    ] = None,
    trials: Annotated[
        int, typer.Option(help="Trials in the study (a resumed study runs up to this many).", min=1)
    ] = 50,
    reps: RepsOption = 50,
    out: OutOption = None,
    seed: SeedOption = 0,
    set_: SetOption = None,
    workers: WorkersOption = 1,
    engine: EngineOption = "local",
    address: AddressOption = None,
    chunk: ChunkOption = 50,
    resume: ResumeOption = False,
    simulator: SimulatorOption = "auto",
) -> None:
    """Search parameter values whose simulated outcomes best match targets (optuna, TPE sampler).

    Requires --param, --out, and --target or --targets-file. Each trial runs --reps replications
    through the sweep runner; the study is stored in --out/study.db so --resume continues it.
    Prints the best values and writes best.json, trials.csv and importance.csv (parameter
    importances). A target's METRIC is a share or statistic of `brink summarize`.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        setup = calibration_setup(scenario, param, target, targets_file, out, seed, set_, simulator)
        if engine == "dask":
            from batch.runner import connect

            connect(address or "").close()
        prepare_study_folder(out, resume)
    except ScenarioError as error:
        raise fail(error) from None
    study = optuna.create_study(
        study_name="calibration",
        storage=f"sqlite:///{out / 'study.db'}",
        sampler=optuna.samplers.TPESampler(seed=seed),
        direction="minimize",
        load_if_exists=True,
    )
    for stale in study.get_trials(states=(optuna.trial.TrialState.RUNNING,)):
        study._storage.set_trial_state_values(stale._trial_id, optuna.trial.TrialState.FAIL)  # interrupted earlier
    engines = {"engine": engine, "workers": workers, "address": address}
    done = run_trials(setup, study, trials, out, reps, chunk, engines)
    report_calibration(setup, study, done, out, reps)


@dataclass(frozen=True)
class CalibrationSetup:
    """A calibration's checked input: scenario, parameters, targets and simulator."""

    name: str
    spec: Scenario
    fixed: dict[str, Any]
    varies: list[Any]
    goals: list[Any]
    sources: list[str]
    simulator: str
    seed: int
    integer_paths: set[str]


def calibration_setup(
    scenario: str, param: list[str] | None, target: list[str] | None, targets_file: Path | None, out: Path | None,
    seed: int, set_: list[str] | None, simulator: str,
) -> CalibrationSetup:  # fmt: skip
    """Check a calibration's scenario, parameters and targets before anything runs.

    Raises:
        ScenarioError: The first bad option: no --param or bounds, no target, an unknown metric, ...
    """
    from batch.calibrate import TARGET_SOURCE, check_targets, load_targets, parse_target
    from batch.design import Vary, check_design, is_integer_field, make_design, parse_vary
    from batch.results import possible_metrics
    from batch.runner import choose_simulator

    fixed, spec = load_batch(scenario, seed, out, set_)
    varies = [parse_vary(text) for text in param or []]
    if not varies:
        raise ScenarioError("--param", "", "give at least one --param PATH=LO:HI")
    for v in varies:
        if not v.is_bounds:
            raise ScenarioError("--param", v.path, "give bounds LO:HI")
    check_design(spec, make_design([Vary(v.path, values=(v.low, v.high)) for v in varies]))
    goals = [parse_target(text) for text in target or []]
    sources: list[str] = []
    if targets_file is not None:
        more, sources = load_targets(targets_file)
        goals += more
    if not goals:
        raise ScenarioError(TARGET_SOURCE, "", "give at least one --target METRIC=VALUE or --targets-file")
    check_targets(goals, possible_metrics(list(spec.alliances), list(spec.states), list(spec.crises)))
    full = spec.model_dump(by_alias=True, mode="python")
    integer_paths = {v.path for v in varies if is_integer_field(full, v.path)}
    return CalibrationSetup(
        scenario, spec, fixed, varies, goals, sources, choose_simulator(simulator, spec), seed, integer_paths
    )


def prepare_study_folder(out: Path, resume: bool) -> None:
    """Create the calibration's folder; refuse one that holds a study unless resuming.

    Raises:
        ScenarioError: A study is there and `resume` is off, or `out` is not a folder.
    """
    from batch.files import check_output_dir

    if (out / "study.db").exists() and not resume:
        raise ScenarioError(str(out), "--out", "already holds a calibration; pass --resume to continue it")
    check_output_dir(out)
    out.mkdir(parents=True, exist_ok=True)


def run_trials(
    setup: CalibrationSetup, study: Any, trials: int, out: Path, reps: int, chunk: int, engines: dict[str, Any]
) -> int:
    """Run trials until the study has `trials` complete ones; return how many it has.

    Each trial is one cell of `reps` replications in ``out/trials/NNNN``; Ctrl-C exits 130, and a
    trial stopped by its machine (a full disk, a lost Dask scheduler) prints one error line and
    exits 2 (see `run_plan`).
    """
    import optuna

    from batch.runner import SweepFailedError, local_pool

    done = len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))
    workers = engines["workers"]
    pool = local_pool(workers) if engines["engine"] == "local" and workers > 1 else None
    columns = (TextColumn("trials"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err_console) as progress:
            bar = progress.add_task("trials", total=trials, completed=done)
            try:
                while done < trials:
                    run_trial(setup, study, out, reps, chunk, {**engines, "executor": pool})
                    done += 1
                    progress.update(bar, completed=done)
            except SweepFailedError:
                progress.live.transient = True  # the error line is the only one left
                raise
    except KeyboardInterrupt:
        err_console.print(f"interrupted after {done} of {trials} trials; continue with --resume", markup=False)
        raise typer.Exit(code=130) from None
    except SweepFailedError as failure:
        print_error(f"{failure.where}: {failure.problem}; {done} of {trials} trials are done; continue with --resume")
        raise typer.Exit(code=2) from None
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return done


def run_trial(setup: CalibrationSetup, study: Any, out: Path, reps: int, chunk: int, engines: dict[str, Any]) -> None:
    """Ask the study for a trial, run its cell in ``out/trials/NNNN`` and tell the study its loss.

    Raises:
        SweepFailedError: The trial's sweep was stopped by its machine (`batch.runner.execute`).
    """
    from batch.calibrate import loss, suggest
    from batch.design import Vary, make_design
    from batch.results import load_runs, summarize_runs
    from batch.runner import SweepPlan, execute

    trial = study.ask()
    values = suggest(trial, setup.varies, setup.integer_paths)
    cell = make_design([Vary(path, values=(value,)) for path, value in values.items()])
    plan = SweepPlan(
        spec=setup.spec, name=setup.name, fixed=setup.fixed, design=cell, reps=reps, seed=setup.seed,
        chunk=chunk, simulator=setup.simulator,
    )  # fmt: skip
    folder = out / "trials" / f"{trial.number:04d}"
    execute(plan, folder, resume=True, **engines)
    metrics = summarize_runs(load_runs(folder), []).iloc[0].to_dict()
    total, _ = loss(metrics, setup.goals)
    for goal in setup.goals:
        trial.set_user_attr(goal.metric, _finite(metrics.get(goal.metric)))
    study.tell(trial, total)


def report_calibration(setup: CalibrationSetup, study: Any, done: int, out: Path, reps: int) -> None:
    """Write best.json, trials.csv and importance.csv, and print the best values and the fit."""
    import json

    from batch.calibrate import importance_table

    best = study.best_trial
    importance = importance_table(study)
    importance.to_csv(out / "importance.csv", index=False, float_format="%.6g")
    study.trials_dataframe().to_csv(out / "trials.csv", index=False)
    report = {
        "scenario": setup.name,
        "trials": done,
        "reps": reps,
        "root_seed": setup.seed,
        "best_trial": best.number,
        "loss": best.value,
        "parameters": best.params,
        "targets": [
            {"metric": g.metric, "target": g.value, "scale": g.scale, "simulated": best.user_attrs.get(g.metric)}
            for g in setup.goals
        ],
        "sources": setup.sources,
    }
    (out / "best.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    view = Table("parameter", "best value", "importance", title=f"best of {done} trials: loss {best.value:.4g}")
    weights = dict(zip(importance["parameter"], importance["importance"], strict=True))
    for path, value in best.params.items():
        view.add_row(Text(path), f"{value:.4g}", f"{weights.get(path, float('nan')):.3f}")
    out_console.print(view)
    fit = Table("metric", "target", "simulated", title="fit")
    for g in setup.goals:
        simulated = best.user_attrs.get(g.metric)
        fit.add_row(Text(g.metric), f"{g.value:g}", "n/a" if simulated is None else f"{simulated:.4g}")
    out_console.print(fit)
    out_console.print(f"wrote {out / 'best.json'}, trials.csv and importance.csv", markup=False)


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value == value else None
