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


def test_paths_plain_prints_path_equals_value():
    result = brink("paths", "moscow-strike")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "states.RUS.recklessness = 0.6" in lines
    assert "alliances.RUS-PRK.active = true" in lines


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
    first_cells = [line.split("│")[1].strip() for line in result.stdout.splitlines() if line.startswith("│")]
    assert [int(cell) for cell in first_cells if cell.isdigit()] == list(range(size))


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
