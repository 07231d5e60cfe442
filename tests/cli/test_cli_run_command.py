"""`brink run`: readable summary, --json, --out files, --force, --simulator, byte-identical reruns, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from summary_contract import REQUIRED
from typer.testing import CliRunner

from brink.api import EVENT_COLUMNS, OUTPUT_FILES, run
from brink.cli import app
from scenarios import load_ladder, load_scenario
from scenarios.loading import SCENARIO_DIR

EVENTS_HEADER = ",".join(EVENT_COLUMNS)
RUNGS = load_ladder("default").rungs
HAWKS = ("--set", "states.RUS.policy=hawk", "--set", "states.USA.policy=hawk")


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


def first_seed(predicate, *, scenario: str = "moscow-strike", overrides=None, simulator: str = "agents") -> int:
    """The first seed below 200 whose run's summary satisfies `predicate`."""
    for seed in range(200):
        summary = run(scenario, seed=seed, overrides=overrides, simulator=simulator).summary
        if predicate(summary["crises"][next(iter(summary["crises"]))]):
            return seed
    raise AssertionError("no seed below 200 gives this outcome")


def outcome_line(stdout: str) -> str:
    [line] = [line for line in stdout.splitlines() if line.startswith("  Outcome: ")]
    return line


@pytest.mark.parametrize(("seed", "fear"), [(3, "0.9"), (11, "0.9")])
def test_run_prints_who_yielded_and_at_which_rung(seed, fear):
    expected = run("moscow-strike", seed=seed, overrides={"states.USA.fear": float(fear)}).summary
    assert expected["outcome"] == "yield", "precondition: this seed ends in a yield"
    result = brink("run", "moscow-strike", "--seed", str(seed), "--set", f"states.USA.fear={fear}")
    assert result.exit_code == 0, result.output
    crisis = expected["crises"]["moscow"]
    verb = "was defeated" if crisis["yield_cause"] == "defeat" else "yielded by choice"
    rung = crisis["yield_rung"]
    assert f"{expected['yielder']} {verb} at rung {rung} ({RUNGS[rung].name})" in result.stdout
    assert f"Highest rung: {expected['max_rung']} ({expected['max_rung_name']})" in result.stdout
    assert f"seed {seed}" in result.stdout
    assert result.stderr == ""


def test_a_defeat_is_told_apart_from_yielding_by_choice():
    seed = first_seed(lambda c: c["yield_cause"] == "defeat")
    crisis = run("moscow-strike", seed=seed).summary["crises"]["moscow"]
    line = outcome_line(brink("run", "--seed", str(seed)).stdout)
    rung = crisis["yield_rung"]
    assert line.startswith(f"  Outcome: {crisis['yielder']} was defeated at rung {rung} ({RUNGS[rung].name})")
    assert line.endswith("decided by fighting, not by choice")
    assert "yielded" not in line
    chosen = first_seed(lambda c: c["yield_cause"] == "choice")
    assert "yielded by choice at rung" in outcome_line(brink("run", "--seed", str(chosen)).stdout)


def test_a_slip_names_who_held_which_rung_and_is_nobodys_first_use():
    seed = first_seed(lambda c: c["catastrophe_cause"] == "slip")
    crisis = run("moscow-strike", seed=seed).summary["crises"]["moscow"]
    assert crisis["first_deliberate_nuclear_user"] is None and crisis["nuclear_used"]
    result = brink("run", "moscow-strike", "--seed", str(seed))
    assert result.exit_code == 0
    held = crisis["slip_rung"]
    assert outcome_line(result.stdout).endswith(
        f"CATASTROPHE (All-out nuclear war) after {crisis['moves']} moves: the crisis slipped out of control "
        f"while {crisis['slip_holder']} held rung {held} ({RUNGS[held].name})"
    )
    assert "Highest rung: 10 (All-out nuclear war)" in result.stdout
    assert "  Nuclear use: only in the catastrophe; no side chose a nuclear rung" in result.stdout.splitlines()
    assert "first" not in result.stdout.lower().replace("moves first", "")


def test_a_deliberate_move_to_all_out_war_names_the_side_that_chose_it():
    summary = json.loads(brink("run", "--seed", "0", "--json", *HAWKS).stdout)
    assert summary["catastrophe_cause"] == "deliberate", "precondition: two hawks choose all-out war"
    events = run("moscow-strike", seed=0, overrides={"states.RUS.policy": "hawk", "states.USA.policy": "hawk"}).events
    [chooser] = events.loc[events["cause"] == "deliberate", "actor"]
    result = brink("run", "--seed", "0", *HAWKS)
    assert outcome_line(result.stdout).endswith(f": a deliberate move to all-out war by {chooser}")
    assert f"Nuclear use: yes, first deliberately by {summary['first_deliberate_nuclear_user']}" in result.stdout


HEURISTIC = {"states.RUS.policy": "heuristic", "states.USA.policy": "heuristic"}
"""Both leads on the heuristic, which sometimes goes nuclear short of catastrophe (the equilibrium does not)."""


def test_deliberate_nuclear_use_short_of_catastrophe_names_the_first_user():
    seed = first_seed(
        lambda c: c["first_deliberate_nuclear_user"] is not None and not c["catastrophe"], overrides=HEURISTIC
    )
    crisis = run("moscow-strike", seed=seed, overrides=HEURISTIC).summary["crises"]["moscow"]
    sets = [arg for path, value in HEURISTIC.items() for arg in ("--set", f"{path}={value}")]
    result = brink("run", "--seed", str(seed), *sets)
    assert f"  Nuclear use: yes, first deliberately by {crisis['first_deliberate_nuclear_user']}" in result.stdout
    quiet = first_seed(lambda c: not c["nuclear_used"])
    assert "  Nuclear use: no" in brink("run", "--seed", str(quiet)).stdout.splitlines()


def test_a_name_with_markup_is_printed_as_text(tmp_path):
    path = tmp_path / "odd.yaml"
    text = (SCENARIO_DIR / "moscow-strike.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("name: moscow-strike", "name: odd [bold]name", 1), encoding="utf-8")
    assert load_scenario(path).name == "odd [bold]name"
    result = brink("run", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("odd [bold]name (seed 0,")


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
    # Seed 4 ends alike at both fears (the U.S. side yields at its first move); a hawkish U.S. side does not.
    low, high = tmp_path / "low", tmp_path / "high"
    assert run_out(low, "--set", "states.USA.fear=0.1").exit_code == 0
    assert run_out(high, "--set", "states.USA.fear=0.9", "--set", "states.USA.policy=hawk").exit_code == 0
    assert (low / "summary.json").read_bytes() != (high / "summary.json").read_bytes()
    agents_low = pd.read_parquet(low / "agents.parquet")
    assert set(agents_low.loc[agents_low["state"] == "USA", "fear"]) == {0.1}


def test_a_folder_that_holds_files_is_refused_before_the_run_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run_out(out)
    assert_clean_failure(result, f"error: {out}: folder is not empty; pass --force to write into it")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "mine"


def test_force_writes_into_a_folder_that_holds_files_and_keeps_them(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "summary.json").write_text("stale")
    result = run_out(out, "--force")
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "notes.txt"])
    assert json.loads((out / "summary.json").read_text())["seed"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_folder_needs_no_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert run_out(out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


@pytest.mark.parametrize("seed", [1, 7])
def test_simulator_ensemble_prints_the_replay_of_that_seed(seed):
    from ensemble.rows import replay_summary

    spec = load_scenario("moscow-strike", {"states.USA.fear": 0.3})
    args = ("run", "--seed", str(seed), "--set", "states.USA.fear=0.3")
    summary = json.loads(brink(*args, "--json", "--simulator", "ensemble").stdout)
    expected = json.loads(json.dumps(replay_summary(spec, seed)))
    assert summary["simulator"] == "ensemble"
    assert {k: v for k, v in summary.items() if k != "simulator"} == expected
    text = brink(*args, "--simulator", "ensemble").stdout
    assert f"Highest rung: {expected['max_rung']} ({expected['max_rung_name']})" in text
    assert json.loads(brink(*args, "--json").stdout)["simulator"] == "agents"


def test_simulator_ensemble_writes_its_outputs_and_says_so_in_provenance(tmp_path):
    out = tmp_path / "ens"
    result = brink("run", "--seed", "2", "--simulator", "ensemble", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert json.loads((out / "provenance.json").read_text())["simulator"] == "ensemble"
    assert json.loads((out / "summary.json").read_text())["simulator"] == "ensemble"


def test_simulator_ensemble_refuses_a_scenario_it_does_not_support(tmp_path):
    out = tmp_path / "out"
    result = brink("run", "--simulator", "ensemble", *HAWKS, "--out", str(out))
    assert_clean_failure(result, "not supported by the ensemble engine")
    assert not out.exists()


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


def test_explain_prints_each_move_with_the_belief_and_the_stage_game_it_faced():
    # seed 3: Russia climbs to rung 7, then the U.S. side yields; the table shows why, as events.csv does.
    expected = run("moscow-strike", seed=3)
    assert (expected.summary["yielder"], expected.summary["yield_rung"]) == ("USA", 7), "precondition"
    result = brink("run", "moscow-strike", "--seed", "3", "--explain")
    assert result.exit_code == 0, result.output
    table = " ".join(result.stdout.split("Crisis moscow: moves and why", 1)[1].split())  # any terminal width
    moves = expected.events[expected.events["options"] != ""]
    assert len(moves) == expected.summary["crises"]["moscow"]["moves"]
    for row in moves.itertuples():
        assert f"{float(row.belief):.3f}" in table and f"{float(row.posterior):.3f}" in table
        assert row.mover_type in ("normal", "obstinate") and row.mover_type in table
        for option in row.options.split("; "):
            assert option in table, option
    yielding = moves.iloc[-1]
    assert (yielding["actor"], yielding["action"]) == ("USA", "yields")
    assert yielding["options"].startswith("yield p=")
    assert "yields (mixed)" in table  # the normal U.S. type is indifferent: its yield is drawn from a mix


def test_explain_without_an_event_log_says_so(capsys):
    # A run on the ensemble keeps no event log (`brink.api.run`): there is nothing to explain.
    from brink.cli import print_moves

    print_moves(pd.DataFrame(columns=list(EVENT_COLUMNS)))
    assert "No moves to explain" in capsys.readouterr().out


def test_a_scenario_naming_the_trait_policy_is_refused_with_its_new_name(tmp_path):
    path = tmp_path / "old.yaml"
    text = (SCENARIO_DIR / "moscow-strike.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("    fear: 0.35\n", "    fear: 0.35\n    policy: trait\n", 1), encoding="utf-8")
    assert_clean_failure(brink("run", str(path)), "was renamed 'heuristic'")
