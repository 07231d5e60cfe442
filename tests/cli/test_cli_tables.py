"""Tables: `--format table|markdown|csv|json` on every table command; keys never cut in a pipe or narrow terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from brink.cli import app
from brink.tables import Column, Rows, render
from scenarios import load_ladder, load_scenario, shipped_scenarios
from scenarios.paths import tunable_paths

BRINK = str(Path(sys.executable).with_name("brink"))
DEFAULT = load_ladder("default")
TABLE_COMMANDS = [["scenarios"], ["paths", "moscow-strike"], ["ladder", "kahn-44"]]


def brink(*args: str):
    return CliRunner().invoke(app, list(args))


def piped(args: list[str], columns: int | None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The installed command with stdout to a pipe (and COLUMNS set, as a terminal of that width would)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([BRINK, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def rows_of(text: str, fmt: str) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return json.loads(text)


# The shared printer.

LONG_KEYS = ["attrition-and-a-much-longer-key", "critical-risk", "x"]


def long_rows() -> Rows:
    text = "a sentence long enough to wrap several times in a narrow column of a table " * 3
    return Rows([Column("key", key=True), Column("result"), Column("verdict")], [(k, text, "pass") for k in LONG_KEYS])


@pytest.mark.parametrize("width", [30, 50, 80, 200])
def test_table_never_cuts_or_folds_a_key_or_a_header_at_any_width(width):
    output = render(long_rows(), "table", width=width)
    lines = output.splitlines()
    for key in LONG_KEYS:
        assert any(key in line for line in lines), (key, output)
    assert "…" not in output
    assert all(h in output for h in ("key", "result", "verdict"))


def test_table_fits_the_width_when_it_can_and_does_not_stretch():
    narrow = render(long_rows(), "table", width=80)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert "┃ key" in narrow  # drawn as a box table at 80 columns
    small = Rows([Column("a", key=True), Column("b")], [("x", "y")])
    assert max(len(line) for line in render(small, "table", width=200).splitlines()) < 20


def test_table_too_wide_for_the_terminal_prints_one_block_per_row():
    output = render(long_rows(), "table", width=30)
    blocks = output.strip().split("\n\n")
    assert [block.splitlines()[0] for block in blocks] == LONG_KEYS
    assert all(line.startswith("  result") for line in (b.splitlines()[1] for b in blocks))


def test_cells_are_text_not_markup():
    rows = Rows([Column("name", key=True), Column("note")], [("[/bold]", "[red]not red[/red]")])
    for fmt in ("table", "markdown", "csv", "json"):
        assert "[/bold]" in render(rows, fmt) and "[red]not red[/red]" in render(rows, fmt), fmt


def test_markdown_escapes_pipes_and_joins_lines():
    rows = Rows([Column("k", "the key", key=True), Column("v")], [("a|b", "one\ntwo")], title="T")
    assert render(rows, "markdown") == "**T**\n\n| the key | v |\n|---|---|\n| a\\|b | one two |\n"


def test_csv_and_json_keep_values_and_types():
    columns = [Column("rung", key=True), Column("nuclear"), Column("slip"), Column("note")]
    rows = Rows(columns, [(3, True, 0.0002, None)])
    assert render(rows, "csv") == "rung,nuclear,slip,note\n3,true,0.0002,\n"
    assert json.loads(render(rows, "json")) == [{"rung": 3, "nuclear": True, "slip": 0.0002, "note": None}]
    mapping = Rows([Column("path", key=True), Column("value")], [("a.b", 1.5), ("c", False)], mapping=True)
    assert json.loads(render(mapping, "json")) == {"a.b": 1.5, "c": False}


# The commands.


@pytest.mark.parametrize("args", [["theory", "--only", "attrition", "--only", "critical-risk", "--reps", "20"]])
@pytest.mark.parametrize("columns", [None, 80, 60])
def test_theory_keys_are_whole_in_a_pipe_and_a_narrow_terminal(tmp_path, args, columns):
    done = piped(args, columns, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    words = done.stdout.split()
    assert "attrition" in words and "critical-risk" in words
    assert "Hendricks," in words  # long words are not broken either
    assert max(len(line) for line in done.stdout.splitlines()) <= (columns or 80)


@pytest.mark.parametrize("columns", [None, 60])
def test_ladder_in_a_pipe_shows_every_rung_and_name_whole(tmp_path, columns):
    done = piped(["ladder"], columns, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    flat = " ".join(done.stdout.split())
    for rung in DEFAULT.rungs:
        assert f"rung {rung.id}" in flat
        assert rung.name in flat
    for threshold in DEFAULT.thresholds:
        assert threshold.name in flat


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_ladder_rows_in_csv_and_json(fmt):
    result = brink("ladder", "default", "--format", fmt)
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout, fmt)
    assert [int(r["rung"]) for r in rows] == [r.id for r in DEFAULT.rungs]
    assert [r["name"] for r in rows] == [r.name for r in DEFAULT.rungs]
    truth = {True: "true", False: "false"} if fmt == "csv" else {True: True, False: False}
    assert [r["nuclear"] for r in rows] == [truth[r.nuclear] for r in DEFAULT.rungs]
    assert [float(r["slip"]) for r in rows] == [r.slip for r in DEFAULT.rungs]
    # Two firebreaks are crossed on reaching the top rung; both are named.
    assert rows[-1]["threshold"] == "Central war; City targeting"
    assert rows[2]["threshold"] == "Don't rock the boat"


def test_scenarios_in_every_format():
    names = list(shipped_scenarios())
    as_json = json.loads(brink("scenarios", "--format", "json").stdout)
    assert [r["name"] for r in as_json] == names
    assert all(r["description"] for r in as_json)
    as_csv = rows_of(brink("scenarios", "--format", "csv").stdout, "csv")
    assert as_csv == as_json
    markdown = brink("scenarios", "--format", "markdown").stdout.splitlines()
    assert markdown[:2] == ["| name | what it lets you test |", "|---|---|"]
    assert len(markdown) == 2 + len(names)
    assert markdown[2].startswith(f"| {names[0]} | ")


def test_paths_formats_agree_with_the_scenario():
    spec = load_scenario("moscow-strike")
    expected = tunable_paths(spec.model_dump(by_alias=True, mode="json", exclude={"ladder"}))
    assert json.loads(brink("paths", "--format", "json").stdout) == expected
    assert brink("paths", "--json").stdout == brink("paths", "--format", "json").stdout
    as_csv = rows_of(brink("paths", "--format", "csv").stdout, "csv")
    assert [r["path"] for r in as_csv] == list(expected)
    assert {r["path"]: r["value"] for r in as_csv}["alliances.RUS-PRK.active"] == "true"
    table = brink("paths").stdout
    assert "alliances.RUS-PRK.institutionalisation" in table and "│ true" in table


def test_paths_keys_whole_in_a_narrow_pipe(tmp_path):
    done = piped(["paths", "moscow-strike"], 40, tmp_path)
    assert done.returncode == 0, done.stderr
    spec = load_scenario("moscow-strike")
    for path in tunable_paths(spec.model_dump(by_alias=True, mode="json", exclude={"ladder"})):
        assert path in done.stdout.split(), path


def test_a_name_with_markup_prints_as_text(tmp_path):
    doc = yaml.safe_load(shipped_ladder_file("default").read_text(encoding="utf-8"))
    doc["rungs"][1]["name"] = "Pressure [bold]and [red]more"
    path = tmp_path / "ladder.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = brink("ladder", str(path), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert rows_of(result.stdout, "csv")[1]["name"] == "Pressure [bold]and [red]more"
    table = brink("ladder", str(path))
    assert table.exit_code == 0 and "Pressure [bold]and [red]more" in " ".join(table.stdout.split())


def shipped_ladder_file(name: str) -> Path:
    from scenarios.loading import LADDER_DIR

    return LADDER_DIR / f"{name}.yaml"


@pytest.mark.parametrize("args", TABLE_COMMANDS)
def test_unknown_format_is_one_usage_error_line(tmp_path, args):
    done = piped([*args, "--format", "xml"], None, tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ") and "--format" in line and "xml" in line


@pytest.mark.parametrize("args", TABLE_COMMANDS)
def test_format_is_offered_in_help(args):
    result = brink(args[0], "--help")
    assert result.exit_code == 0
    assert "--format" in result.stdout and "markdown" in result.stdout and "csv" in result.stdout
