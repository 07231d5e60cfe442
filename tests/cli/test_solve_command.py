"""`brink solve`: the game, each lead's value and the main line, as text and as JSON; bad input exits 2."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from brink.cli import app
from rules import solve_cache
from rules.belief_equilibrium import solve_beliefs
from rules.crisis_game import GameError
from scenarios import load_scenario
from scenarios.loading import SCENARIO_DIR

MOSCOW_FILE = SCENARIO_DIR / "moscow-strike.yaml"
HAYNES = ("theory/haynes", "--set", "params.game.horizon=10", "--set", "params.game.obstinate_prior=0")
"""Haynes's game as theory.md solves it: ten rounds, complete information."""
BRINK = str(Path(sys.executable).with_name("brink"))


@pytest.fixture(autouse=True)
def no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(solve_cache.CACHE_ENV, raising=False)
    solve_cache.clear_memory()


def brink(*args: str):
    return CliRunner().invoke(app, ["solve", *args])


def solved_json(*args: str) -> dict:
    result = brink(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_haynes_scenario_p1_stands_firm_and_p2_yields() -> None:
    doc = solved_json(*HAYNES)
    assert doc["crisis"] == "rounds" and doc["summary"]["lambda"] is None
    assert doc["summary"]["start_values"] == pytest.approx([0.7, -0.2], abs=1e-9)
    line = doc["main_line"]
    assert [d["mover_name"] for d in line] == ["AAA", "BBB"]
    assert [d["taken"] for d in line] == ["to 1", "yield"] and line[-1]["end"] == "yield"
    assert line[1]["options"][0]["probability"] == 1.0


def test_json_is_the_solution_of_the_scenarios_game() -> None:
    from rules.scenario_game import crisis_game

    doc = solved_json("moscow-strike", "--set", "params.game.horizon=6", "--lambda", "5", "--points", "11")
    spec = load_scenario("moscow-strike", {"params.game.horizon": 6})
    sol = solve_beliefs(crisis_game(spec, "moscow"), 5.0, 11)
    assert doc["summary"]["lambda"] == 5.0 and doc["summary"]["start_values"] == pytest.approx(
        list(sol.start_values()), abs=1e-11)
    assert doc["summary"]["points"] == [len(g) for g in sol.grids]
    first = doc["main_line"][0]
    assert first["mover_name"] == spec.crises["moscow"].first_mover and first["reach"] == 1.0
    assert sum(o["probability"] for o in first["options"]) == pytest.approx(1.0)


def test_human_output_names_the_game_the_values_and_the_line() -> None:
    result = brink(*HAYNES)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "haynes: crisis rounds" in out and "lambda limit" in out and "horizon" in out
    assert "Value at the start (normal types): AAA 0.700, BBB -0.200" in out
    assert "Stage games with several equilibria: 0 " in out  # complete information: one root each
    assert "Main line of play" in out
    assert "to 1 p=1.000 v=0.700" in out and "yield p=1.000 v=0.000" in out
    assert result.stderr == ""


def two_crises(tmp_path: Path) -> Path:
    doc = yaml.safe_load(MOSCOW_FILE.read_text(encoding="utf-8"))
    doc["crises"]["second"] = doc["crises"]["moscow"]
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def assert_one_error_line(result, *needles: str) -> None:
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_several_crises_need_crisis_and_name_the_choices(tmp_path: Path) -> None:
    path = two_crises(tmp_path)
    assert_one_error_line(brink(str(path), "--lambda", "1", "--points", "5"), "--crisis", "moscow, second")
    assert_one_error_line(brink(str(path), "--crisis", "nope"), "--crisis: nope", "moscow, second")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["no-such-scenario"], ["no-such-scenario"]),
        (["moscow-strike", "--set", "oops"], ["--set", "PATH=VALUE"]),
        (["moscow-strike", "--set", "states.RUS.fear=7"], ["states.RUS.fear"]),
        (["moscow-strike", "--crisis", "kyiv"], ["--crisis", "kyiv", "moscow"]),
        (["moscow-strike", "--lambda", "fast"], ["--lambda: fast", ">= 0"]),
        (["moscow-strike", "--lambda", "-1"], ["--lambda: -1"]),
        (["moscow-strike", "--lambda", "nan"], ["--lambda"]),
        (["alliance-after-war"], ["crises", "no crisis"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needles: list[str]) -> None:
    assert_one_error_line(brink(*args), *needles)
    assert_one_error_line(brink(*args, "--json"), *needles)


def test_a_usage_error_of_the_installed_command_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run([BRINK, "solve", "--points", "1"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [done.stderr.strip()] and "--points" in done.stderr
    assert done.stderr.startswith("error: ")


def test_a_game_error_names_the_scenario_and_crisis(monkeypatch: pytest.MonkeyPatch) -> None:
    import rules.scenario_game

    def refuse(spec, crisis_id):
        raise GameError("side 'RUS': the belief solver needs one normal type")

    monkeypatch.setattr(rules.scenario_game, "crisis_game", refuse)
    assert_one_error_line(brink("moscow-strike", "--lambda", "limit", "--points", "5"),
                          "moscow-strike.yaml: crises.moscow: side 'RUS'")


def test_lambda_takes_a_word_for_the_limit() -> None:
    limit = solved_json(*HAYNES, "--lambda", "limit", "--points", "5")
    assert limit["summary"]["lambda"] is None
    assert solved_json(*HAYNES, "--lambda", "inf", "--points", "5")["summary"] == limit["summary"]
    assert not math.isclose(solved_json(*HAYNES, "--lambda", "2")["summary"]["start_values"][0], 0.7)


def test_a_stationary_crisis_with_reputations_is_refused_by_the_solver(tmp_path: Path) -> None:
    doc = yaml.safe_load(MOSCOW_FILE.read_text(encoding="utf-8"))
    doc.setdefault("params", {}).setdefault("game", {})["horizon"] = None
    doc["params"]["game"]["obstinate_prior"] = 0.2
    path = tmp_path / "endless.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert_one_error_line(brink(str(path)), f"{path}: crises.moscow:", "horizon")


def test_the_disk_cache_serves_a_second_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(solve_cache.CACHE_ENV, str(tmp_path))
    first = brink(*HAYNES, "--json")
    assert len(list(tmp_path.glob("*.npz"))) == 1
    solve_cache.clear_memory()
    monkeypatch.setattr(solve_cache, "solve_beliefs", None)  # a second solve would fail
    assert brink(*HAYNES, "--json").stdout == first.stdout
