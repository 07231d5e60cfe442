"""`brink validate`, `scenarios`, `paths`, `ladder`, `schema` and the help texts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from brink.cli import app
from scenarios import Scenario
from scenarios.loading import SCENARIO_DIR

MOSCOW_FILE = SCENARIO_DIR / "moscow-strike.yaml"
BRINK = Path(sys.executable).with_name("brink")


def brink(*args: str):
    return CliRunner().invoke(app, list(args))


def bad_copy(tmp_path: Path) -> Path:
    doc = yaml.safe_load(MOSCOW_FILE.read_text(encoding="utf-8"))
    doc["states"]["USA"]["fear"] = 7
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("reference", ["moscow-strike", str(MOSCOW_FILE)])
def test_validate_good_scenario(reference):
    result = brink("validate", reference)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ok: {reference} (moscow-strike; ladder default)"
    assert result.stderr == ""


def test_validate_bad_scenario_exits_2_with_one_error_line(tmp_path):
    path = bad_copy(tmp_path)
    result = brink("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: states.USA.fear: Input should be less than or equal to 1 (got 7)"
    ]
    assert result.stdout == ""


def test_validate_reports_every_file_and_fails_if_any_is_bad(tmp_path):
    bad = bad_copy(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    result = brink("validate", "moscow-strike", str(bad), str(broken))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == ["ok: moscow-strike (moscow-strike; ladder default)"]
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {bad}: states.USA.fear:")
    assert errors[1].startswith(f"error: {broken}: not valid YAML")


def test_validate_subprocess_bad_yaml_has_no_traceback(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("states:\n  RUS: {fear: 0.3\n", encoding="utf-8")
    proc = subprocess.run(
        [str(BRINK), "validate", str(broken)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith(f"error: {broken}: not valid YAML: line ")
    assert "Traceback" not in proc.stderr


def test_scenarios_lists_moscow_strike():
    result = brink("scenarios")
    assert result.exit_code == 0
    assert "moscow-strike" in result.stdout
    assert "Ukraine, helped by NATO" in result.stdout


def test_paths_json_lists_tunable_paths_with_values():
    result = brink("paths", "moscow-strike", "--json")
    assert result.exit_code == 0
    paths = json.loads(result.stdout)
    assert paths["states.RUS.recklessness"] == 0.6
    assert paths["alliances.RUS-PRK.institutionalisation"] == 0.35
    assert paths["params.max_steps"] == 60
    assert "params.cohesion.rate" in paths
    assert not any(p.startswith(("ladder", "events")) for p in paths)


def test_paths_table_prints_each_path_with_its_value_as_set_takes_it():
    result = brink("paths", "moscow-strike")
    assert result.exit_code == 0
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in result.stdout.splitlines() if line.startswith("│")]
    assert ["states.RUS.recklessness", "0.6"] in cells
    assert ["alliances.RUS-PRK.active", "true"] in cells


def test_paths_on_bad_file_exits_2(tmp_path):
    result = brink("paths", str(bad_copy(tmp_path)))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1


def test_schema_prints_the_json_schema():
    result = brink("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "properties" in schema
    assert {"states", "alliances", "crises", "events", "params", "ladder"} <= set(schema["properties"])
    assert "states" in schema["required"]
    assert schema == json.loads(json.dumps(Scenario.model_json_schema(by_alias=True)))


@pytest.mark.parametrize(("name", "size"), [("default", 11), ("kahn-44", 45)])
def test_ladder_shows_every_rung(name, size):
    result = brink("ladder", name)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{name}: ")
    rungs = json.loads(brink("ladder", name, "--format", "json").stdout)
    assert [row["rung"] for row in rungs] == list(range(size))
    flat = " ".join(result.stdout.split())
    assert all(row["name"] in flat for row in rungs)


def test_ladder_unknown_name_exits_2_with_suggestion():
    result = brink("ladder", "kahn44")
    assert result.exit_code == 2
    assert "did you mean 'kahn-44'?" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"]])
def test_help_mentions_set_and_seed(args):
    result = brink(*args)
    assert result.exit_code == 0
    assert "--set" in result.stdout
    assert "--seed" in result.stdout


def test_no_arguments_shows_help():
    result = brink()
    assert "run" in result.output
    assert "validate" in result.output


def help_text(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.replace("│", " ").split())


def test_help_of_validate_says_a_scenario_is_required():
    text = help_text("validate")
    assert "[required]" in text and "At least one SCENARIO is required" in text


@pytest.mark.parametrize("command", ["run", "scenarios", "paths", "ladder", "theory"])
def test_help_says_nothing_is_required_where_nothing_is(command):
    text = help_text(command)
    assert "Nothing is required" in text
    assert "[required]" not in text


def test_run_help_describes_force_simulator_and_the_files_written():
    text = help_text("run")
    assert "--force Write into an --out folder that already holds files." in text
    assert "--simulator <agents|ensemble>" in text and "[default: agents]" in text
    assert "provenance.json" in text and "refused if it holds files, unless --force" in text
    assert "--set PATH=VALUE" in text and "--out DIR" in text
    assert "--json <bool>" not in text and "--force <bool>" not in text  # flags take no value


@pytest.mark.parametrize("command", ["scenarios", "paths", "ladder", "theory"])
def test_table_commands_offer_every_format(command):
    assert "--format <table|markdown|csv|json>" in help_text(command)
