"""`brink run`: readable summary, --json, --out files, byte-identical reruns, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from summary_contract import REQUIRED
from typer.testing import CliRunner

from brink.api import OUTPUT_FILES, run
from brink.cli import app
from scenarios import load_ladder

EVENTS_HEADER = "step,year,crisis,actor,action,rung,rung_name,next_mover,detail"
RUNGS = load_ladder("default").rungs


def brink(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_clean_failure(result, fragment: str = "") -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


@pytest.mark.parametrize(("seed", "fear"), [(3, "0.9"), (11, "0.9")])
def test_run_prints_who_yielded_and_at_which_rung(seed, fear):
    expected = run("moscow-strike", seed=seed, overrides={"states.USA.fear": float(fear)}).summary
    assert expected["outcome"] == "yield", "precondition: this seed ends in a yield"
    result = brink("run", "moscow-strike", "--seed", str(seed), "--set", f"states.USA.fear={fear}")
    assert result.exit_code == 0, result.output
    crisis = expected["crises"]["moscow"]
    verb = "was defeated" if crisis["yield_cause"] == "defeat" else "yielded"
    rung = crisis["yield_rung"]
    assert f"{expected['yielder']} {verb} at rung {rung} ({RUNGS[rung].name})" in result.stdout
    assert f"Highest rung: {expected['max_rung']} ({expected['max_rung_name']})" in result.stdout
    assert f"seed {seed}" in result.stdout
    assert result.stderr == ""


def test_run_prints_catastrophe():
    seed = next(s for s in range(20) if run("moscow-strike", seed=s).summary["catastrophe"])
    result = brink("run", "moscow-strike", "--seed", str(seed))
    assert result.exit_code == 0
    assert "CATASTROPHE" in result.stdout
    assert "Highest rung: 10 (All-out nuclear war)" in result.stdout


@pytest.mark.parametrize("seed", [0, 5])
def test_run_json_prints_the_summary(seed):
    result = brink("run", "moscow-strike", "--json", "--seed", str(seed), "--set", "states.RUS.recklessness=0.8")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    for field in REQUIRED:
        assert field in summary
    for alliance in summary["alliances"].values():
        assert {"survived", "final_cohesion", "dissolved_at"} <= set(alliance)
    expected = run("moscow-strike", seed=seed, overrides={"states.RUS.recklessness": 0.8}).summary
    assert summary == json.loads(json.dumps(expected))
    assert summary["seed"] == seed


def test_run_steps_limits_the_run():
    summary = json.loads(brink("run", "--json", "--steps", "2", "--set", "states.USA.fear=0.1").stdout)
    assert summary["steps"] <= 2


def run_out(out: Path, *extra: str):
    return brink("run", "moscow-strike", "--seed", "4", "--out", str(out), *extra)


def test_run_out_writes_the_four_files(tmp_path):
    out = tmp_path / "a"
    result = run_out(out, "--set", "states.USA.fear=0.7")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    expected = run("moscow-strike", seed=4, overrides={"states.USA.fear": 0.7})
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(expected.summary))
    events = (out / "events.csv").read_text().splitlines()
    assert events[0] == EVENTS_HEADER
    assert len(events) - 1 == len(expected.events)
    timeseries = pd.read_parquet(out / "timeseries.parquet")
    assert timeseries.columns[0] == "step"
    assert timeseries["step"].tolist() == list(range(expected.summary["steps"] + 1))
    pd.testing.assert_frame_equal(timeseries, expected.timeseries, check_dtype=False)
    agents = pd.read_parquet(out / "agents.parquet")
    assert {"step", "state", "fear", "recklessness", "commitment"} <= set(agents.columns)
    assert len(agents) == 5 * (expected.summary["steps"] + 1)
    assert str(out) in result.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_same_seed_and_set_give_byte_identical_files(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_out(first, "--set", "states.USA.fear=0.7", "--set", "alliances.RUS-PRK.active=false").exit_code == 0
    assert run_out(second, "--set", "states.USA.fear=0.7", "--set", "alliances.RUS-PRK.active=false").exit_code == 0
    for name in OUTPUT_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_different_set_changes_the_summary(tmp_path):
    low, high = tmp_path / "low", tmp_path / "high"
    assert run_out(low, "--set", "states.USA.fear=0.1").exit_code == 0
    assert run_out(high, "--set", "states.USA.fear=0.9").exit_code == 0
    assert (low / "summary.json").read_bytes() != (high / "summary.json").read_bytes()
    agents_low = pd.read_parquet(low / "agents.parquet")
    assert set(agents_low.loc[agents_low["state"] == "USA", "fear"]) == {0.1}


def test_existing_out_directory_keeps_extra_files_and_gets_new_outputs(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "summary.json").write_text("stale")
    result = run_out(out)
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "notes.txt"])
    assert json.loads((out / "summary.json").read_text())["seed"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_out_pointing_to_a_file_exits_2_and_writes_nothing(tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me")
    result = run_out(target)
    assert_clean_failure(result, "exists and is not a directory")
    assert target.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_out_below_a_file_exits_2_and_writes_nothing(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("keep me")
    result = run_out(blocker / "sub")
    assert_clean_failure(result)
    assert blocker.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


@pytest.mark.parametrize(
    ("assignment", "fragment"),
    [
        ("states.RUS.recklesness=0.5", "did you mean 'states.RUS.recklessness'?"),
        ("alliances.RUS-PRK.instituionalisation=0.5", "did you mean 'alliances.RUS-PRK.institutionalisation'?"),
        ("states.RUS.fear=1.5", "--set: states.RUS.fear: Input should be less than or equal to 1"),
        ("states.RUS.fear", "expected PATH=VALUE"),
        ("states.RUS.fear=high", "valid number"),
        ("states.RUS.fear=[1,", "not valid YAML"),
    ],
)
def test_bad_set_exits_2_with_one_error_line_and_writes_nothing(tmp_path, assignment, fragment):
    out = tmp_path / "out"
    result = run_out(out, "--set", assignment)
    assert_clean_failure(result, fragment)
    assert not out.exists()


def test_unknown_scenario_exits_2_with_suggestion(tmp_path):
    out = tmp_path / "out"
    result = brink("run", "moscow-strik", "--out", str(out))
    assert_clean_failure(result, "did you mean 'moscow-strike'?")
    assert not out.exists()
