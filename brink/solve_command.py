"""``brink solve``: a scenario's crisis as one game, solved, with its equilibrium path of play.

The crisis is read as a `rules.crisis_game.CrisisGame` (`rules.scenario_game.crisis_game`),
solved by backward induction over time and beliefs (`rules.belief_equilibrium`, through the
cache of `rules.solve_cache`) at the scenario's logit precision (``params.game.lambda``) or the
limit, and reported as each lead's equilibrium value and the main line of play
(`rules.solve_report`). The solver and numpy load only when the command runs.
"""

from __future__ import annotations

import json
import math
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from brink.console import fail, out_console
from scenarios import DEFAULT_SCENARIO, ScenarioError

if TYPE_CHECKING:
    from rules.belief_equilibrium import BeliefSolution
    from scenarios import Scenario

ENDINGS = {
    "max moves": "the line is cut here", "deliberate": "catastrophe by choice", "slip": "a slip into catastrophe",
    "ally": "an ally's escalation into catastrophe", "fight": "decisive fighting",
}
"""How the table names the ways the main line stops (the keys of `rules.solve_report.Decision` ``end``)."""

LIMIT_WORDS = ("limit", "inf", "infinity")
"""What ``--lambda`` takes for the limit of logit play (the sequential equilibrium)."""


def solve_command(
    scenario: Annotated[
        str, typer.Argument(help="Shipped scenario name (see `brink scenarios`) or a YAML file.")
    ] = DEFAULT_SCENARIO,
    crisis: Annotated[
        str | None, typer.Option(help="The crisis to solve (required when the scenario has several).", metavar="ID")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter: PATH=VALUE, e.g. params.game.horizon=20. Repeatable.",
                     metavar="PATH=VALUE"),
    ] = None,
    lambda_: Annotated[
        str | None,
        typer.Option("--lambda", help="Logit precision (a number >= 0) or 'limit' for the sequential equilibrium; "
                     "default the scenario's params.game.lambda.", metavar="X"),
    ] = None,
    points: Annotated[
        int | None, typer.Option(help="Points of each belief grid; default params.game.belief_points.", min=2)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.", metavar="")] = False,
) -> None:
    """Solve a crisis of a scenario as one game and print each lead's value and the main line of play.

    Nothing is required: SCENARIO defaults to moscow-strike. The main line follows, from the start,
    the normal mover's most probable move that does not yield and the most probable chance outcome
    that keeps the crisis open; each option shows the normal type's probability p and the mover's
    value v. Solutions are cached on disk in the folder named by $BRINK_SOLVE_CACHE, if set.
    """
    from scenarios import load_scenario
    from scenarios.paths import parse_assignment

    try:
        overrides = dict(parse_assignment(text) for text in set_ or [])
        spec = load_scenario(scenario, overrides)
        key = pick_crisis(spec, crisis)
        lam, grid = precision(spec, lambda_), points or int(spec.params.game.belief_points)
        sol = solve_crisis(spec, key, lam, grid)
    except ScenarioError as error:
        raise fail(error) from None
    from rules.solve_report import report, to_json

    document = {"scenario": spec.name, "crisis": key, **report(sol)}
    if as_json:
        sys.stdout.write(json.dumps(to_json(document), indent=2, allow_nan=False) + "\n")
        return
    print_solution(spec, key, document)


def pick_crisis(spec: Scenario, crisis: str | None) -> str:
    """The crisis to solve: ``crisis``, or the scenario's only one.

    Raises:
        ScenarioError: No crisis, several without ``--crisis``, or an id the scenario lacks.
    """
    ids = list(spec.crises)
    if not ids:
        raise ScenarioError(spec.source, "crises", "the scenario has no crisis to solve")
    if crisis is None:
        if len(ids) > 1:
            raise ScenarioError("--crisis", "", f"the scenario has several crises; choose one of {', '.join(ids)}")
        return ids[0]
    if crisis not in spec.crises:
        raise ScenarioError("--crisis", crisis, f"no such crisis; choose one of {', '.join(ids)}")
    return crisis


def precision(spec: Scenario, text: str | None) -> float:
    """Logit precision from ``--lambda``, else the scenario's ``params.game.lambda`` (None: the limit).

    Raises:
        ScenarioError: ``--lambda`` is not a number >= 0 or a word for the limit.
    """
    if text is None:
        from rules.scenario_game import logit_precision

        return logit_precision(spec)
    if text.strip().lower() in LIMIT_WORDS:
        return math.inf
    try:
        lam = float(text)
    except ValueError:
        lam = math.nan
    if not lam >= 0:
        raise ScenarioError("--lambda", text, "must be a number >= 0, or 'limit'")
    return lam


def solve_crisis(spec: Scenario, key: str, lam: float, points: int) -> BeliefSolution:
    """The crisis ``key`` of ``spec`` as a game, solved (through the cache).

    Raises:
        ScenarioError: The crisis is not a game the solver takes, or its equilibrium cannot be traced.
    """
    from rules.crisis_game import GameError
    from rules.qre import TraceError
    from rules.scenario_game import crisis_game
    from rules.solve_cache import solved

    where = f"crises.{key}"
    try:
        return solved(crisis_game(spec, key), lam, points)
    except GameError as error:
        raise ScenarioError(spec.source, where, str(error)) from None
    except TraceError as error:
        shown = "the limit" if math.isinf(lam) else f"lambda {lam:g}"
        raise ScenarioError(
            spec.source, where, f"no equilibrium traced at {shown} ({error}); try another --lambda"
        ) from None


def print_solution(spec: Scenario, key: str, document: dict[str, Any]) -> None:
    """Print the game, each lead's value at the start and the main line as a table."""
    summary = document["summary"]
    say = lambda text: out_console.print(text, markup=False)  # noqa: E731
    horizon = "stationary (no deadline)" if summary["horizon"] is None else f"horizon {summary['horizon']} moves"
    lam = "limit (sequential equilibrium)" if summary["lambda"] is None else f"{summary['lambda']:g}"
    say(f"{spec.name}: crisis {key}")
    say(f"Game: {summary['rungs']} rungs, {horizon}, lambda {lam}, {summary['public_states']} public states, "
        f"belief grid {' x '.join(str(n) for n in summary['points'])}")
    for side in summary["sides"]:
        types = ", ".join(f"{t['name']} {t['prior']:g}" + obstinate_note(t) for t in side["types"])
        say(f"  {side['name']}: {types}")
    values = ", ".join(f"{side['name']} {side['value']:.3f}" for side in summary["sides"])
    say(f"Value at the start (normal types): {values}")
    say(f"Stage games with several equilibria: {summary['multiple_roots']} (the most pooling one is taken)")
    say("")
    print_line(summary, document["main_line"])


def obstinate_note(kind: dict[str, Any]) -> str:
    """`` (obstinate)`` after an obstinate type whose name does not say so."""
    return " (obstinate)" if kind["obstinate"] and "obstinate" not in kind["name"].lower() else ""


def print_line(summary: dict[str, Any], line: list[dict[str, Any]]) -> None:
    """The main line as a table: move, rung, mover, beliefs, reach, each option, what follows.

    Each option stays on one line (``label p=.. v=..``); the rung's name and what follows wrap.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    names = [side["name"] for side in summary["sides"]]
    table = Table(box=box.SIMPLE_HEAD, show_lines=True, collapse_padding=True, pad_edge=False,
                  title_justify="left", title="Main line of play: p is the normal mover's chance of a move, "
                  "v the mover's value of it; obstinate: the public belief that a side is obstinate")
    for header, wrap in (("#", False), ("rung", True), ("mover", False), ("obstinate", False), ("reach", False),
                         ("options", False), ("then", True)):
        table.add_column(header, no_wrap=not wrap, overflow="fold", justify="right" if header == "#" else "left")
    for d in line:
        m = d["mover"]
        options = "\n".join(f"{o['label']} p={o['probability']:.3f} v={o['values'][m]:.3f}" for o in d["options"])
        beliefs = "\n".join(f"{name} {mu:.3f}" for name, mu in zip(names, d["beliefs"], strict=True))
        then = d["taken"] if d["end"] in (None, "yield") else f"{d['taken']}, then {ENDINGS.get(d['end'], d['end'])}"
        cells = (str(d["move"]), f"{d['rung']} {d['rung_name']}".strip(), d["mover_name"], beliefs,
                 f"{d['reach']:.4f}", options, then)
        table.add_row(*(Text(cell) for cell in cells))
    out_console.print(table)
