"""The batch commands: ``brink sweep``, ``summarize``, ``sensitivity`` and ``calibrate``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from brink.console import check_seed, err_console, fail, out_console
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
OutOption = Annotated[Path | None, typer.Option(help="Result folder (Parquet part files and manifest.json).")]
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
ParamOption = Annotated[list[str] | None, typer.Option(help="A parameter and its range: PATH=LO:HI. Repeatable.")]


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

    Raises:
        ScenarioError: Bad engine, address or output folder.
    """
    from batch.runner import SweepInterruptedError, execute

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

    try:
        return execute(plan, out, progress=report, **engine)
    except SweepInterruptedError as stop:
        progress.stop()
        err_console.print(f"interrupted: {stop.done} of {stop.total} runs are saved in {out}; finish with --resume")
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
            "lhs|sobol. Repeatable; a grid crosses them.",
        ),
    ] = None,
    design: Annotated[str, typer.Option(help="grid, lhs (Latin hypercube) or sobol.")] = "grid",
    samples: Annotated[int | None, typer.Option(help="Points of an lhs or sobol design.")] = None,
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
    """Run a scenario over a design of parameter values, many replications each.

    Results go to --out as Parquet part files, one per task, with manifest.json. Ctrl-C, a crash
    or a killed process loses at most the tasks in flight; --resume finishes the rest.
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
    out_console.print(
        f"{outcome.runs} runs in {len(the_design.cells)} cells x {reps} replications "
        f"({outcome.ran} run now, {outcome.skipped} already done); {outcome.errors} raised (see the error column)."
    )
    out_console.print(f"results: {out}/parts/*.parquet; summarise with `brink summarize {out}`")


def summarize_command(
    out: Annotated[Path, typer.Argument(help="A sweep's result folder.")],
    by: Annotated[
        list[str] | None, typer.Option(help="Group by this varied path (repeatable; default: every varied path).")
    ] = None,
    plot: Annotated[bool, typer.Option(help="Write plots (PNG) for one or two --by paths to DIR/plots/.")] = False,
) -> None:
    """Outcome probabilities per cell with Wilson 95% intervals, and rung and duration statistics.

    Writes DIR/summary.csv; with --plot, a line plot (one path) or heatmap (two paths) per outcome.
    """
    from batch.results import load_runs, plot_summary, read_manifest, summarize_runs, varied_paths

    try:
        manifest = read_manifest(out)
        paths = varied_paths(manifest)
        groups = list(by) if by else paths
        for path in groups:
            if path not in paths:
                raise ScenarioError("--by", path, f"not a varied path of this sweep; choose from {', '.join(paths)}")
        if plot and not 1 <= len(groups) <= 2:
            raise ScenarioError("--plot", "", f"plots take one or two paths, not {len(groups)}; choose them with --by")
        runs = load_runs(out)
    except ScenarioError as error:
        raise fail(error) from None
    table = summarize_runs(runs, groups)
    table.to_csv(out / "summary.csv", index=False, float_format="%.6g")
    shown = [
        c
        for c in table.columns
        if c in groups or c in ("runs", "errors") or (c.startswith("p_") and not c.endswith(("_lo", "_hi")))
    ]
    shown += ["max_rung_mean", "duration_mean"]
    view = Table(title=f"{manifest['scenario']}: {len(runs)} runs of {manifest['runs']}")
    for column in shown:
        view.add_column(column, overflow="fold")
    for _, row in table.iterrows():
        view.add_row(*(f"{row[c]:.3g}" if isinstance(row[c], float) else str(row[c]) for c in shown))
    out_console.print(view)
    out_console.print(f"wrote {out / 'summary.csv'} (with the intervals and rung and duration quantiles)")
    if plot:
        (out / "plots").mkdir(exist_ok=True)
        metrics = [c for c in table.columns if c.startswith("p_") and not c.endswith(("_lo", "_hi"))]
        for metric in metrics:
            plot_summary(table, groups, metric, out / "plots" / f"{metric}.png")
        out_console.print(f"wrote {len(metrics)} plots to {out / 'plots'}")


def sensitivity_command(
    scenario: ScenarioOption = DEFAULT_SCENARIO,
    param: ParamOption = None,
    method: Annotated[
        str, typer.Option(help="sobol (first and total order) or morris (elementary effects).")
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

    Runs the cells SALib asks for, --reps replications each, through the sweep runner (so it
    resumes and runs on Dask), then writes indices.csv and a bar plot per metric to --out.
    """
    from batch.design import check_design, parse_vary
    from batch.results import load_runs, possible_metrics, summarize_runs
    from batch.runner import SweepPlan, choose_simulator
    from batch.sensitivity import analyse, metric_columns, plot_indices, sensitivity_design

    try:
        fixed, spec = load_batch(scenario, seed, out, set_)
        varies = [parse_vary(text) for text in param or []]
        the_design = sensitivity_design(varies, method, samples, seed, spec)
        check_design(spec, the_design)
        possible = [m for m in possible_metrics(list(spec.alliances), list(spec.states)) if "_q" not in m]
        for name in metric or []:
            if name not in possible:
                raise ScenarioError("--metric", name, f"no such metric; choose from {', '.join(possible)}")
        plan = SweepPlan(
            spec=spec, name=scenario, fixed=fixed, design=the_design, reps=reps, seed=seed, chunk=chunk,
            simulator=choose_simulator(simulator, spec),
        )  # fmt: skip
        outcome = run_plan(plan, out, engine=engine, workers=workers, address=address, resume=resume)
        per_cell = summarize_runs(load_runs(out), ["cell"])
    except ScenarioError as error:
        raise fail(error) from None
    # A metric no run produced (an outcome that never happened) is reported as not analysed.
    chosen = list(metric) if metric else metric_columns(per_cell)
    for name in chosen:
        if name not in per_cell.columns:
            per_cell[name] = float("nan")
    indices = analyse(the_design, per_cell, chosen, method, seed)
    indices.to_csv(out / "indices.csv", index=False, float_format="%.6g")
    (out / "plots").mkdir(exist_ok=True)
    analysed = [m for m in chosen if not indices[(indices["metric"] == m) & (indices["parameter"] != "")].empty]
    for name in analysed:
        plot_indices(indices, name, method, out / "plots" / f"indices-{name}.png")
    shown = [c for c in indices.columns if c != "note"]
    view = Table(title=f"{method} indices, {outcome.runs} runs ({len(the_design.cells)} cells x {reps})")
    for column in shown:
        view.add_column(column, overflow="fold")
    for _, row in indices[indices["parameter"] != ""].iterrows():
        view.add_row(*(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in shown))
    out_console.print(view)
    skipped = indices[indices["parameter"] == ""]
    for _, row in skipped.iterrows():
        out_console.print(f"{row['metric']}: not analysed ({row['note']})")
    out_console.print(f"wrote {out / 'indices.csv'} and {len(analysed)} plots to {out / 'plots'}")


def calibrate_command(
    scenario: ScenarioOption = DEFAULT_SCENARIO,
    param: ParamOption = None,
    target: Annotated[
        list[str] | None,
        typer.Option(help="A target: METRIC=VALUE or METRIC=VALUE:SCALE (a metric of `brink summarize`). Repeatable."),
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

    Each trial runs --reps replications through the sweep runner; the study is stored in
    --out/study.db so --resume continues it. Prints the best values and writes best.json,
    trials.csv and importance.csv (parameter importances).
    """
    import json

    import optuna

    from batch.calibrate import (
        TARGET_SOURCE,
        check_targets,
        importance_table,
        load_targets,
        loss,
        parse_target,
        suggest,
    )
    from batch.design import Vary, check_design, is_integer_field, make_design, parse_vary
    from batch.files import check_output_dir
    from batch.results import load_runs, possible_metrics, summarize_runs
    from batch.runner import SweepPlan, choose_simulator, execute, local_pool

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        fixed, spec = load_batch(scenario, seed, out, set_)
        varies = [parse_vary(text) for text in param or []]
        if not varies:
            raise ScenarioError("--param", "", "give at least one --param PATH=LO:HI")
        for v in varies:
            if not v.is_bounds:
                raise ScenarioError("--param", v.path, "give bounds LO:HI")
        corners = make_design([Vary(v.path, values=(v.low, v.high)) for v in varies])
        check_design(spec, corners)
        goals = [parse_target(text) for text in target or []]
        sources: list[str] = []
        if targets_file is not None:
            more, sources = load_targets(targets_file)
            goals += more
        if not goals:
            raise ScenarioError(TARGET_SOURCE, "", "give at least one --target METRIC=VALUE or --targets-file")
        check_targets(goals, possible_metrics(list(spec.alliances), list(spec.states)))
        chosen_simulator = choose_simulator(simulator, spec)
        if engine == "dask":
            from batch.runner import connect

            connect(address or "").close()
        study_path = out / "study.db"
        if study_path.exists() and not resume:
            raise ScenarioError(str(out), "--out", "already holds a calibration; pass --resume to continue it")
        check_output_dir(out)
        out.mkdir(parents=True, exist_ok=True)
    except ScenarioError as error:
        raise fail(error) from None
    full = spec.model_dump(by_alias=True, mode="python")
    integer_paths = {v.path for v in varies if is_integer_field(full, v.path)}
    study = optuna.create_study(
        study_name="calibration",
        storage=f"sqlite:///{study_path}",
        sampler=optuna.samplers.TPESampler(seed=seed),
        direction="minimize",
        load_if_exists=True,
    )
    for stale in study.get_trials(states=(optuna.trial.TrialState.RUNNING,)):
        study._storage.set_trial_state_values(stale._trial_id, optuna.trial.TrialState.FAIL)  # interrupted earlier
    done = len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))
    pool = local_pool(workers) if engine == "local" and workers > 1 else None
    columns = (TextColumn("trials"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err_console) as progress:
            bar = progress.add_task("trials", total=trials, completed=done)
            while done < trials:
                trial = study.ask()
                values = suggest(trial, varies, integer_paths)
                cell = make_design([Vary(path, values=(value,)) for path, value in values.items()])
                plan = SweepPlan(
                    spec=spec, name=scenario, fixed=fixed, design=cell, reps=reps, seed=seed, chunk=chunk,
                    simulator=chosen_simulator,
                )  # fmt: skip
                folder = out / "trials" / f"{trial.number:04d}"
                execute(plan, folder, engine=engine, workers=workers, address=address, resume=True, executor=pool)
                metrics = summarize_runs(load_runs(folder), []).iloc[0].to_dict()
                total, _ = loss(metrics, goals)
                for goal in goals:
                    trial.set_user_attr(goal.metric, _finite(metrics.get(goal.metric)))
                study.tell(trial, total)
                done += 1
                progress.update(bar, completed=done)
    except KeyboardInterrupt:
        err_console.print(f"interrupted after {done} of {trials} trials; continue with --resume")
        raise typer.Exit(code=130) from None
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    best = study.best_trial
    importance = importance_table(study)
    importance.to_csv(out / "importance.csv", index=False, float_format="%.6g")
    study.trials_dataframe().to_csv(out / "trials.csv", index=False)
    report = {
        "scenario": scenario,
        "trials": done,
        "reps": reps,
        "root_seed": seed,
        "best_trial": best.number,
        "loss": best.value,
        "parameters": best.params,
        "targets": [
            {"metric": g.metric, "target": g.value, "scale": g.scale, "simulated": best.user_attrs.get(g.metric)}
            for g in goals
        ],
        "sources": sources,
    }
    (out / "best.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    view = Table("parameter", "best value", "importance", title=f"best of {done} trials: loss {best.value:.4g}")
    weights = dict(zip(importance["parameter"], importance["importance"], strict=True))
    for path, value in best.params.items():
        view.add_row(path, f"{value:.4g}", f"{weights.get(path, float('nan')):.3f}")
    out_console.print(view)
    fit = Table("metric", "target", "simulated", title="fit")
    for g in goals:
        simulated = best.user_attrs.get(g.metric)
        fit.add_row(g.metric, f"{g.value:g}", "n/a" if simulated is None else f"{simulated:.4g}")
    out_console.print(fit)
    out_console.print(f"wrote {out / 'best.json'}, trials.csv and importance.csv")


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value == value else None
