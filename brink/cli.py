"""The ``brink`` command: run, validate and list scenarios."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from batch.files import check_output_dir
from brink.api import run, summary_json, write_outputs
from brink.batch_commands import calibrate_command, sensitivity_command, summarize_command, sweep_command
from brink.console import check_seed, err_console, fail, out_console
from brink.dashboard_commands import assets_command, dashboard_command
from scenarios import (
    DEFAULT_SCENARIO,
    Scenario,
    ScenarioError,
    load_ladder,
    load_scenario,
    shipped_ladders,
    shipped_scenarios,
)
from scenarios.loading import read_yaml
from scenarios.paths import parse_assignment, tunable_paths

app = typer.Typer(
    help=(
        "Brinkmanship: simulate alliance politics and nuclear crisis escalation. "
        "Start with `brink scenarios`, then `brink run SCENARIO --seed N --set PATH=VALUE`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ScenarioArg = Annotated[str, typer.Argument(help="Shipped scenario name (see `brink scenarios`) or a YAML file.")]


@app.command("run")
def run_command(
    scenario: Annotated[
        str, typer.Argument(help="Shipped scenario name (see `brink scenarios`) or a YAML file.")
    ] = DEFAULT_SCENARIO,
    seed: Annotated[int, typer.Option(help="Seed of the run's random generator (0 or more).")] = 0,
    steps: Annotated[int | None, typer.Option(help="Step limit (sets params.max_steps).", min=1)] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter: PATH=VALUE, e.g. states.RUS.fear=0.7. Repeatable."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write summary.json, timeseries.parquet, agents.parquet and events.csv here."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
) -> None:
    """Run one scenario and print a summary of what happened."""
    try:
        check_seed(seed)
        overrides = dict(parse_assignment(text) for text in set_ or [])
        if out is not None:
            check_output_dir(out)
        result = run(scenario, seed=seed, steps=steps, overrides=overrides)
    except ScenarioError as error:
        raise fail(error) from None
    if out is not None:
        try:
            write_outputs(result, out)
        except OSError as error:
            raise fail(ScenarioError(str(out), "--out", f"cannot write: {error.strerror or error}")) from None
    if as_json:
        sys.stdout.write(summary_json(result.summary))
        return
    print_summary(result.summary, result.model.spec)
    if out is not None:
        out_console.print(f"\nwrote {out}/: summary.json, timeseries.parquet, agents.parquet, events.csv")


def print_summary(summary: dict[str, Any], spec: Scenario) -> None:
    """Print a readable summary of a run."""
    out_console.print(f"[bold]{spec.name}[/bold] (seed {summary['seed']}, {summary['steps']} steps)")
    if spec.title:
        out_console.print(spec.title)
    for key, crisis in summary["crises"].items():
        a, b = crisis["sides"]
        out_console.print(f"\nCrisis [bold]{key}[/bold]: {a} moves first against {b}")
        outcome = crisis["outcome"]
        if outcome == "yield":
            how = "was defeated" if crisis["yield_cause"] == "defeat" else "yielded"
            out_console.print(
                f"  Outcome: {crisis['yielder']} {how} at rung {crisis['yield_rung']} "
                f"({_rung_name(spec, crisis['yield_rung'])}) after {crisis['moves']} moves"
            )
        elif outcome == "catastrophe":
            top = spec.resolved_ladder.rungs[-1].name
            out_console.print(f"  Outcome: CATASTROPHE ({top}) after {crisis['moves']} moves")
        else:
            out_console.print(f"  Outcome: {outcome} after {crisis['moves']} moves")
        out_console.print(f"  Highest rung: {crisis['max_rung']} ({crisis['max_rung_name']})")
        nuclear = f"yes, first by {crisis['first_nuclear_user']}" if crisis["nuclear_used"] else "no"
        out_console.print(f"  Nuclear use: {nuclear}")
        for side, allies in crisis["joined"].items():
            if allies:
                out_console.print(f"  Fighting with {side}: {', '.join(allies)}")
        for side, allies in crisis["declined"].items():
            if allies:
                out_console.print(f"  Stayed out despite a treaty with {side}: {', '.join(allies)}")
    if not summary["crises"]:
        out_console.print(f"\nNo crisis; the run covers {summary['final_year'] - spec.params.start_year:.1f} years.")
    if summary["alliances"]:
        out_console.print("\nAlliances:")
        for key, alliance in summary["alliances"].items():
            if not alliance["initially_active"] and not alliance["survived"]:
                fate = "not in force"
            elif alliance["survived"]:
                fate = "survived"
            else:
                fate = f"dissolved at step {alliance['dissolved_at']}"
            out_console.print(f"  {key}: {fate}, cohesion {alliance['final_cohesion']:.2f}")
    if summary["successions"]:
        changes = ", ".join(f"{code} x{n}" for code, n in summary["successions"].items())
        out_console.print(f"\nLeader successions: {changes}")


def _rung_name(spec: Scenario, rung: int | None) -> str:
    return "" if rung is None else spec.resolved_ladder.rungs[rung].name


@app.command("validate")
def validate_command(
    scenarios: Annotated[list[str], typer.Argument(help="Scenario names or files to check.")],
) -> None:
    """Check scenario files; print one line per file, exit 2 if any is invalid."""
    bad = 0
    for reference in scenarios:
        try:
            spec = load_scenario(reference)
        except ScenarioError as error:
            bad += 1
            err_console.print(f"error: {error}", markup=False)
            continue
        out_console.print(f"ok: {reference} ({spec.name}; ladder {spec.resolved_ladder.name})", markup=False)
    if bad:
        raise typer.Exit(code=2)


@app.command("scenarios")
def scenarios_command() -> None:
    """List the shipped scenarios with the claim each lets you test."""
    table = Table("name", "what it lets you test", show_lines=True)
    for name, path in shipped_scenarios().items():
        try:
            data = read_yaml(path)
        except ScenarioError as error:
            raise fail(error) from None
        text = str(data.get("description", "")).strip()
        table.add_row(name, text)
    out_console.print(table)


@app.command("paths")
def paths_command(
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    as_json: Annotated[bool, typer.Option("--json", help="Print as a JSON object.")] = False,
) -> None:
    """List the parameter paths of a scenario that --set, sweeps and sliders can change."""
    try:
        spec = load_scenario(scenario)
    except ScenarioError as error:
        raise fail(error) from None
    paths = tunable_paths(spec.model_dump(by_alias=True, mode="json", exclude={"ladder"}))
    if as_json:
        sys.stdout.write(json.dumps(paths, indent=2) + "\n")
        return
    for path, value in paths.items():
        out_console.print(f"{path} = {json.dumps(value)}", markup=False)


@app.command("ladder")
def ladder_command(
    name: Annotated[str, typer.Argument(help="Shipped ladder name or a ladder file.")] = "default",
) -> None:
    """Show the rungs of an escalation ladder (`brink ladder kahn-44`)."""
    try:
        ladder = load_ladder(name)
    except ScenarioError as error:
        raise fail(error) from None
    table = Table(
        "rung",
        "name",
        "stage",
        "kahn",
        "nuclear",
        "civilian",
        "attack",
        "slip",
        "decisive",
        title=f"{ladder.name}: {', '.join(shipped_ladders())} shipped",
    )
    thresholds = {t.at: t.name for t in ladder.thresholds}
    for rung in ladder.rungs:
        if rung.id in thresholds:
            table.add_row("", f"--- {thresholds[rung.id]} ---", "", "", "", "", "", "", "")
        flag = lambda b: "yes" if b else ""  # noqa: E731
        table.add_row(
            str(rung.id),
            rung.name,
            rung.stage,
            str(rung.kahn),
            flag(rung.nuclear),
            flag(rung.civilian),
            flag(rung.armed_attack),
            f"{rung.slip:g}",
            f"{rung.decisive:g}",
        )
    out_console.print(table)


@app.command("theory")
def theory_command(
    out: Annotated[
        Path | None,
        typer.Option(help="Write theory.md, theory.json, plots (theory-figures/) and data (theory-data/) here."),
    ] = None,
    reps: Annotated[
        int,
        typer.Option(
            help="Replications per condition (checks scale it to their needs); below 100 the statistical "
            "checks lack power.",
            min=20,
        ),
    ] = 300,
    seed: Annotated[int, typer.Option(help="Root seed of every experiment (0 or more).")] = 0,
    workers: Annotated[
        int, typer.Option(help="Processes to spread replications over; the results do not depend on it.", min=1)
    ] = 1,
    only: Annotated[
        list[str] | None, typer.Option(help="Run only this check or claim (repeatable); see the table's keys.")
    ] = None,
) -> None:
    """Reproduce published results and measure the essays' claims; print the theory table.

    Exits 1 when a closed-form check fails. A claim the model does not bear out is reported, not an error.
    """
    from theory.report import EXPERIMENTS, run_all, table_rows, write_report

    try:
        check_seed(seed)
    except ScenarioError as error:
        raise fail(error) from None
    unknown = [key for key in only or [] if key not in EXPERIMENTS]
    if unknown:
        raise fail(ScenarioError("--only", unknown[0], f"no such check or claim; choose from {', '.join(EXPERIMENTS)}"))
    try:
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
    columns = ("result", "source", "expected", "measured", "interval", "verdict")
    table = Table("key", *columns, show_lines=True)
    for row in table_rows(findings):
        table.add_row(row["key"], *(row[c] for c in columns))
    out_console.print(table)
    if out is not None:
        try:
            write_report(findings, out, reps, seed)
        except OSError as error:
            raise fail(ScenarioError(str(out), "--out", f"cannot write: {error.strerror or error}")) from None
        out_console.print(f"wrote {out / 'theory.md'}")
    if any(f.kind == "check" and not f.passed for f in findings):
        raise typer.Exit(code=1)


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of scenario files."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


app.command("sweep")(sweep_command)
app.command("summarize")(summarize_command)
app.command("sensitivity")(sensitivity_command)
app.command("calibrate")(calibrate_command)
app.command("assets")(assets_command)
app.command("dashboard")(dashboard_command)


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
