"""The ``brink`` command: run, validate and list scenarios.

Starting it is fast: this module imports only the command line itself, and each command imports
the model, pandas, the batch runner or the dashboard when it runs, so ``brink --help`` and
``brink validate`` never load Mesa, SciPy, Solara or Dask.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from brink.batch_commands import calibrate_command, sensitivity_command, summarize_command, sweep_command
from brink.console import check_seed, err_console, fail, out_console, print_error
from brink.dashboard_commands import assets_command, dashboard_command
from brink.solve_command import solve_command
from brink.tables import Column, FormatOption, Rows, TableFormat, print_rows
from scenarios import DEFAULT_SCENARIO, ScenarioError

if TYPE_CHECKING:
    import pandas as pd

    from brink.api import RunResult
    from scenarios import Scenario

app = typer.Typer(
    help=(
        "Brinkmanship: simulate alliance politics and nuclear crisis escalation. "
        "Start with `brink scenarios`, then `brink run SCENARIO --seed N --set PATH=VALUE`. "
        "Every option of every command is optional unless its help marks it required."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ScenarioArg = Annotated[
    str, typer.Argument(help="Shipped scenario name (see `brink scenarios`) or a YAML file.", show_default=True)
]


class Simulator(StrEnum):
    """What `brink run` runs on (the names `brink.api.run` takes)."""

    agents = "agents"
    ensemble = "ensemble"


ExplainOption = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="After the summary, print each crisis's moves with why they were made: the mover's belief "
        "that the opponent is obstinate and each option's equilibrium probability and value.",
        metavar="",
    ),
]
"""`brink run --explain`."""
ForceOption = Annotated[
    bool, typer.Option("--force", help="Write into an --out folder that already holds files.", metavar="")
]
"""`brink run --force`."""


@app.command("run")
def run_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    seed: Annotated[int, typer.Option(help="Seed of the run's random generator (0 or more).", metavar="INT")] = 0,
    steps: Annotated[
        int | None, typer.Option(help="Step limit (sets params.max_steps); default the scenario's.", min=1)
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a parameter: PATH=VALUE, e.g. states.RUS.fear=0.7. Repeatable.",
            metavar="PATH=VALUE",
        ),
    ] = None,
    simulator: Annotated[
        Simulator,
        typer.Option(
            help="agents: the Mesa model, with its time series and event log. ensemble: one replication on "
            "the ensemble engine, the summary only (refuses a scenario the engine does not support). A batch "
            "row's seed, --set values and simulator reproduce that row.",
            case_sensitive=False,
        ),
    ] = Simulator.agents,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write summary.json, timeseries.parquet, agents.parquet, beliefs.parquet, events.csv and "
            "provenance.json into this folder (created if missing; refused if it holds files, unless --force).",
            metavar="DIR",
        ),
    ] = None,
    force: ForceOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.", metavar="")] = False,
    explain: ExplainOption = False,
) -> None:
    """Run one scenario and print a summary of what happened.

    Nothing is required: SCENARIO defaults to moscow-strike, the seed to 0. --force only matters with --out.
    """
    from batch.files import check_output_dir
    from brink.api import OUTPUT_FILES, run, summary_json
    from scenarios.paths import parse_assignment
    try:
        check_seed(seed)
        overrides = dict(parse_assignment(text) for text in set_ or [])
        if out is not None:  # refuse a bad folder before the run, not after it
            check_output_dir(out, empty=not force)
        result = run(scenario, seed=seed, steps=steps, overrides=overrides, simulator=simulator.value)
    except ScenarioError as error:
        raise fail(error) from None
    if out is not None:
        _write_run(result, out, force)
    if as_json:
        sys.stdout.write(summary_json(result.summary))
        return
    print_summary(result.summary, result.spec, result.events)
    if explain:
        print_moves(result.events)
    if out is not None:
        out_console.print(f"\nwrote {out}/: {', '.join(OUTPUT_FILES)}", markup=False)


def _write_run(result: RunResult, out: Path, force: bool) -> None:
    """Write a run's files into `out` (`brink.api.write_outputs`); bad folders and write errors exit 2."""
    from brink.api import write_outputs

    try:
        write_outputs(result, out, force=force)
    except ScenarioError as error:
        raise fail(error) from None
    except OSError as error:
        raise fail(ScenarioError(str(out), "--out", f"cannot write: {error.strerror or error}")) from None


def print_summary(summary: dict[str, Any], spec: Scenario, events: pd.DataFrame | None = None) -> None:
    """Print a readable summary of a run (fields of `model.summary.summarize`).

    Args:
        summary: The run's summary.
        spec: The scenario as run.
        events: The run's event log, if any (it names the side that chose all-out war).
    """
    out_console.print(f"[bold]{escape(spec.name)}[/bold] (seed {summary['seed']}, {summary['steps']} steps)")
    if spec.title:
        out_console.print(spec.title, markup=False)
    for key, crisis in summary["crises"].items():
        _print_crisis(key, crisis, spec, events)
    if not summary["crises"]:
        out_console.print(f"\nNo crisis; the run covers {summary['final_year'] - spec.params.start_year:.1f} years.")
    if summary.get("alliances"):
        out_console.print("\nAlliances:")
        for key, alliance in summary["alliances"].items():
            if not alliance["initially_active"] and not alliance["survived"]:
                fate = "not in force"
            elif alliance["survived"]:
                fate = "survived"
            else:
                fate = f"dissolved at step {alliance['dissolved_at']}"
            out_console.print(f"  {key}: {fate}, cohesion {alliance['final_cohesion']:.2f}", markup=False)
    if summary.get("successions"):
        changes = ", ".join(f"{code} x{n}" for code, n in summary["successions"].items())
        out_console.print(f"\nLeader successions: {changes}", markup=False)


MOVE_ACTIONS = ("yields", "hold", "escalate")
"""Event actions that are a side's move (an escalation that skips rungs starts with "escalate")."""

MOVE_COLUMNS = (
    Column("step", key=True),
    Column("mover"),
    Column("type"),
    Column("move"),
    Column("rung"),
    Column("belief", "belief before"),
    Column("posterior", "posterior after"),
    Column("options", "options (p, v)"),
)
"""`brink run --explain`: one row per move (`model.outcomes.WHY_FIELDS`)."""

MIXING = 1e-9
"""An option with at least this equilibrium probability is played; two or more such options are a mix."""


def print_moves(events: pd.DataFrame) -> None:
    """Print each crisis's moves with their why-fields (`model.outcomes.WHY_FIELDS`) as tables.

    ``type`` is the type the mover was drawn to be (the analyst's view; its opponent does not see
    it). ``belief before`` is the mover's public belief that its opponent is obstinate, ``posterior
    after`` the opponent's Bayes posterior that the mover is obstinate after the move. ``options``
    lists each move open to the mover with the normal type's equilibrium probability and value
    (empty when no lead of the crisis plays the equilibrium); a move drawn from a mix says so.
    A run on the ensemble has no event log.
    """
    if events.empty or "options" not in events.columns:
        out_console.print("\nNo moves to explain (the run has no event log).", markup=False)
        return
    moves = events[events["action"].astype(str).str.startswith(MOVE_ACTIONS)]
    for crisis, rows in moves.groupby("crisis", sort=False):
        title = (f"Crisis {crisis}: moves and why (p: the normal type's equilibrium probability, v: its value; "
                 "beliefs: that the other side is obstinate)")
        table = Rows(MOVE_COLUMNS, title=title, lines=True)
        for row in rows.itertuples(index=False):
            table.rows.append((int(row.step), str(row.actor), str(row.mover_type), _move_text(row), row.rung,
                               _number(row.belief), _number(row.posterior), str(row.options).replace("; ", "\n")))
        out_console.print()
        print_rows(table, TableFormat.table)


def _number(value: Any) -> str:
    """A why-field's number to three places ("" when the line has none)."""
    if value is None or value == "" or (isinstance(value, float) and value != value):  # NaN
        return ""
    return f"{float(value):.3f}"


def _move_text(row: Any) -> str:
    """The move's action, marked "(mixed)" when the normal type drew it from a mix of options."""
    played = [float(part.split(" p=")[1].split()[0]) for part in str(row.options).split("; ") if " p=" in part]
    mixed = row.mover_type == "normal" and sum(p >= MIXING for p in played) > 1
    return f"{row.action} (mixed)" if mixed else str(row.action)


def _print_crisis(key: str, crisis: dict[str, Any], spec: Scenario, events: pd.DataFrame | None) -> None:
    """Print one crisis of a summary: outcome and its cause, highest rung, nuclear use, allies."""
    first = spec.crises[key].first_mover
    other = next(side for side in spec.crises[key].sides if side != first)
    say = lambda text: out_console.print(text, markup=False)  # noqa: E731
    say(f"\nCrisis {key}: {first} moves first against {other}")
    what, why = outcome_text(crisis, spec, _ending_event(events, key))
    after = f" after {crisis['moves']} moves" if "moves" in crisis else ""
    say(f"  Outcome: {what}{after}" + (f": {why}" if why else ""))
    say(f"  Highest rung: {crisis['max_rung']} ({crisis['max_rung_name']})")
    say(f"  Nuclear use: {nuclear_text(crisis)}")
    for side, allies in crisis.get("joined", {}).items():
        if allies:
            say(f"  Fighting with {side}: {', '.join(allies)}")
    for side, allies in crisis.get("declined", {}).items():
        if allies:
            say(f"  Stayed out despite a treaty with {side}: {', '.join(allies)}")


def outcome_text(crisis: dict[str, Any], spec: Scenario, ending: dict[str, Any] | None = None) -> tuple[str, str]:
    """How a crisis ended, in words: what happened, and why (empty when there is no more to say).

    Yields are told by choice or in defeat, catastrophes by cause, from the summary's fields
    (`yield_cause`, `catastrophe_cause`, `slip_holder`, `slip_rung`; see `model.outcomes`). A slip
    is the crisis slipping out of control while a side held a rung, never anyone's use of force.

    Args:
        crisis: One crisis of a summary.
        spec: The scenario as run (rung names).
        ending: The event that ended the crisis, if the run has an event log (it names the side that
            chose all-out war).
    """
    outcome = crisis["outcome"]
    if outcome == "yield":
        rung = f"rung {crisis['yield_rung']} ({_rung_name(spec, crisis['yield_rung'])})"
        if crisis.get("yield_cause") == "defeat":
            return f"{crisis['yielder']} was defeated at {rung}", "decided by fighting, not by choice"
        return f"{crisis['yielder']} yielded by choice at {rung}", ""
    if outcome != "catastrophe":
        return outcome, ""
    top = f"CATASTROPHE ({spec.resolved_ladder.rungs[-1].name})"
    cause = crisis.get("catastrophe_cause")
    if cause == "slip":
        held = crisis.get("slip_rung")
        rung = f"rung {held} ({_rung_name(spec, held)})" if held is not None else "its rung"
        return top, f"the crisis slipped out of control while {crisis.get('slip_holder')} held {rung}"
    if cause == "deliberate":
        by = f" by {ending['actor']}" if ending and ending.get("actor") else ""
        return top, f"a deliberate move to all-out war{by}"
    if cause == "defeat":
        return top, "decisive fighting ended in all-out war"
    return top, ""


def nuclear_text(crisis: dict[str, Any]) -> str:
    """Whether nuclear weapons were used, naming only a side that chose a nuclear rung.

    A catastrophe on a nuclear top rung that nobody chose (a slip) is nuclear use, but no side's
    first use (field contract of `model.summary`).
    """
    user = crisis.get("first_deliberate_nuclear_user")
    if user:
        return f"yes, first deliberately by {user}"
    if crisis.get("nuclear_used"):
        return "only in the catastrophe; no side chose a nuclear rung"
    return "no"


def _ending_event(events: pd.DataFrame | None, crisis: str) -> dict[str, Any] | None:
    """The event that ended `crisis` (the one whose ``cause`` is set), or None."""
    if events is None or events.empty or "cause" not in events.columns:
        return None
    ends = events[(events["crisis"] == crisis) & (events["cause"].fillna("").astype(str) != "")]
    return None if ends.empty else ends.iloc[-1].to_dict()


def _rung_name(spec: Scenario, rung: int | None) -> str:
    return "" if rung is None else spec.resolved_ladder.rungs[rung].name


@app.command("validate")
def validate_command(
    scenarios: Annotated[
        list[str], typer.Argument(help="Scenario names or files to check (at least one).", metavar="SCENARIO")
    ],
) -> None:
    """Check scenario files; print one line per file, exit 2 if any is invalid.

    At least one SCENARIO is required.
    """
    from scenarios import load_scenario

    bad = 0
    for reference in scenarios:
        try:
            spec = load_scenario(reference)
        except ScenarioError as error:
            bad += 1
            print_error(error)
            continue
        out_console.print(f"ok: {reference} ({spec.name}; ladder {spec.resolved_ladder.name})", markup=False)
    if bad:
        raise typer.Exit(code=2)


@app.command("scenarios")
def scenarios_command(fmt: FormatOption = TableFormat.table) -> None:
    """List the shipped scenarios with the claim each lets you test.

    Nothing is required.
    """
    from scenarios import shipped_scenarios
    from scenarios.loading import read_yaml

    rows = Rows([Column("name", key=True), Column("description", "what it lets you test")], lines=True)
    for name, path in shipped_scenarios().items():
        try:
            data = read_yaml(path)
        except ScenarioError as error:
            raise fail(error) from None
        rows.rows.append((name, str(data.get("description", "")).strip()))
    print_rows(rows, fmt)


@app.command("paths")
def paths_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    fmt: FormatOption = TableFormat.table,
    as_json: Annotated[
        bool, typer.Option("--json", help="The same as --format json: one object, path: value.", metavar="")
    ] = False,
) -> None:
    """List the parameter paths of a scenario that --set, sweeps and sliders can change, with their values.

    Nothing is required: SCENARIO defaults to moscow-strike.
    """
    from scenarios import load_scenario
    from scenarios.paths import tunable_paths

    try:
        spec = load_scenario(scenario)
    except ScenarioError as error:
        raise fail(error) from None
    paths = tunable_paths(spec.model_dump(by_alias=True, mode="json", exclude={"ladder"}))
    fmt = TableFormat.json if as_json else fmt
    rows = Rows([Column("path", key=True), Column("value")], list(paths.items()), mapping=True)
    if fmt in (TableFormat.table, TableFormat.markdown):  # as --set takes them: true, not "yes"
        rows.rows = [(path, json.dumps(value)) for path, value in paths.items()]
    print_rows(rows, fmt)


LADDER_COLUMNS = (
    Column("rung", key=True),
    Column("name"),
    Column("stage"),
    Column("threshold"),
    Column("kahn"),
    Column("nuclear"),
    Column("civilian"),
    Column("armed_attack", "attack"),
    Column("slip"),
    Column("decisive"),
)


@app.command("ladder")
def ladder_command(
    name: Annotated[str, typer.Argument(help="Shipped ladder name or a ladder file.")] = "default",
    fmt: FormatOption = TableFormat.table,
) -> None:
    """Show the rungs of an escalation ladder (`brink ladder kahn-44`).

    Nothing is required: NAME defaults to the default ladder. "threshold" names the firebreaks crossed
    on reaching the rung; "attack" marks an armed attack (it triggers defence clauses); slip and
    decisive are per-step probabilities. A table too wide for the terminal prints one block per rung.
    """
    from scenarios import load_ladder, shipped_ladders

    try:
        ladder = load_ladder(name)
    except ScenarioError as error:
        raise fail(error) from None
    thresholds: dict[int, list[str]] = {}
    for threshold in ladder.thresholds:
        thresholds.setdefault(threshold.at, []).append(threshold.name)
    rows = Rows(LADDER_COLUMNS, title=f"{ladder.name}: {', '.join(shipped_ladders())} shipped")
    for rung in ladder.rungs:
        rows.rows.append(
            (
                rung.id,
                rung.name,
                rung.stage,
                "; ".join(thresholds.get(rung.id, [])) or None,
                rung.kahn,
                rung.nuclear,
                rung.civilian,
                rung.armed_attack,
                rung.slip,
                rung.decisive,
            )
        )
    print_rows(rows, fmt)


THEORY_COLUMNS = (
    Column("key", key=True),
    *(Column(name) for name in ("role", "result", "source", "expected", "measured", "interval", "verdict")),
)


@app.command("theory")
def theory_command(
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write theory.md, theory.json, plots (theory-figures/) and data (theory-data/) here.", metavar="DIR"
        ),
    ] = None,
    reps: Annotated[
        int,
        typer.Option(
            help="Replications per condition (checks scale it to their needs); below 100 the statistical "
            "checks lack power.",
            min=20,
        ),
    ] = 300,
    seed: Annotated[int, typer.Option(help="Root seed of every experiment (0 or more).", metavar="INT")] = 0,
    workers: Annotated[
        int, typer.Option(help="Processes to spread replications over; the results do not depend on it.", min=1)
    ] = 1,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Run only this check or claim (repeatable); see the table's keys.", metavar="KEY"),
    ] = None,
    fmt: FormatOption = TableFormat.table,
) -> None:
    """Reproduce published results and measure the essays' claims; print the theory table.

    Nothing is required: without --only every check and claim runs. Exits 1 when a closed-form check
    fails. A claim the model does not bear out is reported, not an error.
    """
    from batch.files import check_output_dir
    from theory.report import EXPERIMENTS, run_all, table_rows

    try:
        check_seed(seed)
        unknown = [key for key in only or [] if key not in EXPERIMENTS]
        if unknown:
            choices = ", ".join(EXPERIMENTS)
            raise ScenarioError("--only", unknown[0][:80], f"no such check or claim; choose from {choices}")
        if out is not None:
            check_output_dir(out)
        with err_console.status("") as status:
            findings = run_all(
                reps,
                seed,
                only,
                progress=lambda key, i, n: status.update(f"running {key} ({i}/{n}) ..."),
                workers=workers,
            )
    except ScenarioError as error:
        raise fail(error) from None
    rows = [tuple(row[c.name] for c in THEORY_COLUMNS) for row in table_rows(findings)]
    print_rows(Rows(THEORY_COLUMNS, rows, lines=True), fmt)
    if out is not None:
        _write_theory(findings, out, reps, seed, fmt)
    if any(f.kind == "check" and not f.passed for f in findings):
        raise typer.Exit(code=1)


def _write_theory(findings: list[Any], out: Path, reps: int, seed: int, fmt: TableFormat) -> None:
    """Write the theory report to `out` and say so (on stderr when stdout carries CSV or JSON)."""
    from theory.report import write_report

    try:
        write_report(findings, out, reps, seed)
    except ScenarioError as error:
        raise fail(error) from None
    except OSError as error:
        raise fail(ScenarioError(str(out), "--out", f"cannot write: {error.strerror or error}")) from None
    console = err_console if fmt in (TableFormat.csv, TableFormat.json) else out_console
    console.print(f"wrote {out / 'theory.md'}", markup=False)


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of scenario files (no options)."""
    from scenarios import Scenario

    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


app.command("sweep")(sweep_command)
app.command("summarize")(summarize_command)
app.command("sensitivity")(sensitivity_command)
app.command("calibrate")(calibrate_command)
app.command("assets")(assets_command)
app.command("dashboard")(dashboard_command)
app.command("solve")(solve_command)


def main() -> None:
    """Entry point of the ``brink`` command.

    Usage errors (an unknown option, a value of the wrong type or out of range) print one line,
    ``error: ...``, and exit with status 2, like every other bad input.
    """
    try:
        code = app(standalone_mode=False)
    except Exception as error:
        # Click's UsageError family (also as vendored by typer) carries exit_code 2.
        if getattr(error, "exit_code", None) == 2 and hasattr(error, "format_message"):
            message = error.format_message()
            if message:  # empty when the help was shown instead (no command given)
                err_console.print(f"error: {message}", markup=False)
            sys.exit(2)
        if type(error).__name__ == "Abort":  # Ctrl-C outside a batch's own handling
            err_console.print("aborted")
            sys.exit(130)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
