"""What the ensemble engine refuses, how `choose_simulator` falls back, and the command line's errors.

The ensemble runs one crisis at a time, without scheduled events, with crisis leads that play the
equilibrium or the heuristic policy (in any mix); any other scenario must be refused with one line
naming the scenario and every feature in the way, never approximated. These are exact checks (no randomness).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ensemble_builders import write_yaml
from typer.testing import CliRunner

from batch.design import make_design, parse_vary
from batch.runner import SIMULATORS, SweepPlan, choose_simulator
from brink.cli import app
from ensemble.engine import run_ensemble, simulate
from ensemble.world import UnsupportedScenarioError, check_supported, unsupported
from scenarios import ScenarioError, load_scenario, shipped_scenarios

BRINK = str(Path(sys.executable).with_name("brink"))

REFUSED = {
    "theory/chicken": ["states.AAA.policy is 'mixed'", "states.BBB.policy is 'mixed'"],
    "theory/haynes": ["states.AAA.policy is 'backward_induction'", "states.BBB.policy is 'backward_induction'"],
    "alliance-after-war": ["scheduled events (3)"],
    "rus-prk-history": ["scheduled events (10)"],
}


def two_crises_document() -> dict:
    """Two crises, a scheduled event and a hawk: three reasons to refuse at once."""
    state = {"fear": 0.5, "recklessness": 0.5, "commitment": 0.5, "leader": {"political_hazard": 0.0}}
    sides = {"prevail": 1.0, "concede": 0.0}
    return {
        "name": "two-fronts",
        "states": {
            "AAA": {"name": "A", **state},
            "BBB": {"name": "B", **state},
            "CCC": {"name": "C", **state},
            "DDD": {"name": "D", **state, "policy": "hawk"},
        },
        "crises": {
            "west": {"first_mover": "AAA", "sides": {"AAA": sides, "BBB": sides}},
            "east": {"first_mover": "CCC", "sides": {"CCC": sides, "DDD": sides}},
        },
        "events": [{"at": 3, "kind": "shift", "path": "states.AAA.fear", "by": 0.1}],
    }


@pytest.mark.parametrize("name", list(REFUSED))
def test_unsupported_shipped_scenario_is_refused_in_one_line_naming_every_feature(name):
    spec = load_scenario(name)
    with pytest.raises(UnsupportedScenarioError) as caught:
        check_supported(spec)
    message = str(caught.value)
    assert isinstance(caught.value, ScenarioError)
    assert "\n" not in message
    assert message.startswith(f"--simulator ensemble: {spec.name}: not supported by the ensemble engine")
    for feature in REFUSED[name]:
        assert feature in message, message
    assert len(unsupported(spec)) == len(REFUSED[name])
    with pytest.raises(UnsupportedScenarioError):  # the engine itself refuses, before any run
        run_ensemble(spec, [0, 1, 2])


def test_two_crises_events_and_another_policy_are_all_named(tmp_path):
    spec = load_scenario(write_yaml(tmp_path, two_crises_document(), "two-fronts.yaml"))
    with pytest.raises(UnsupportedScenarioError) as caught:
        simulate(spec, 3, 0)
    message = str(caught.value)
    assert "\n" not in message and "two-fronts" in message
    for feature in ("scheduled events (1)", "2 crises", "states.DDD.policy is 'hawk'"):
        assert feature in message, message
    assert "states.AAA.policy" not in message  # the equilibrium (the default) is supported
    assert "(the ensemble has equilibrium, heuristic)" in message
    # One crisis, no event, and leads playing the equilibrium and the heuristic: supported.
    document = two_crises_document()
    del document["crises"]["east"], document["events"]
    document["states"]["DDD"]["policy"] = "heuristic"
    document["states"]["BBB"]["policy"] = "heuristic"
    assert unsupported(load_scenario(write_yaml(tmp_path, document, "one-front.yaml"))) == []
    # A state outside the crisis may play anything: it never moves.
    document["states"]["CCC"]["policy"] = "hawk"
    assert unsupported(load_scenario(write_yaml(tmp_path, document, "bystander.yaml"))) == []


def test_every_shipped_scenario_is_either_supported_or_refused():
    for name in shipped_scenarios():
        spec = load_scenario(name)
        if unsupported(spec):
            with pytest.raises(UnsupportedScenarioError):
                check_supported(spec)
        else:
            check_supported(spec)
    assert set(REFUSED) <= {name for name in shipped_scenarios() if unsupported(load_scenario(name))}


# --- choose_simulator ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(REFUSED))
def test_auto_falls_back_to_the_agents_and_ensemble_refuses(name):
    spec = load_scenario(name)
    assert choose_simulator("auto", spec) == "agents"
    assert choose_simulator("agents", spec) == "agents"
    with pytest.raises(UnsupportedScenarioError, match="not supported by the ensemble engine"):
        choose_simulator("ensemble", spec)


@pytest.mark.parametrize("name", ["moscow-strike", "korean-peninsula", "cuban-missile-1962", "theory/audience-costs"])
def test_auto_picks_the_ensemble_where_it_can(name):
    spec = load_scenario(name)
    assert choose_simulator("auto", spec) == "ensemble"
    assert choose_simulator("ensemble", spec) == "ensemble"
    assert choose_simulator("agents", spec) == "agents"


def test_an_unknown_simulator_is_a_one_line_error_naming_the_option():
    spec = load_scenario("moscow-strike")
    for bogus in ("bogus", "Ensemble", ""):
        with pytest.raises(ScenarioError) as caught:
            choose_simulator(bogus, spec)
        assert not isinstance(caught.value, UnsupportedScenarioError)
        assert caught.value.source == "--simulator"
        assert str(caught.value).startswith("--simulator: ") and "\n" not in str(caught.value)
        assert all(name in str(caught.value) for name in SIMULATORS)


def test_a_plan_runs_on_agents_or_ensemble_only():
    spec = load_scenario("moscow-strike")
    design = make_design([parse_vary("params.max_steps=5")])
    for simulator in ("agents", "ensemble"):
        plan = SweepPlan(spec=spec, name="moscow-strike", fixed={}, design=design, reps=2, seed=0, chunk=2,
                         simulator=simulator)  # fmt: skip
        assert plan.manifest()["simulator"] == simulator
    with pytest.raises(ScenarioError, match="--simulator"):
        SweepPlan(spec=spec, name="moscow-strike", fixed={}, design=design, reps=2, seed=0, chunk=2, simulator="auto")


# --- the command line ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "simulator", "names"),
    [
        ("theory/chicken", "ensemble", ["--simulator ensemble", "chicken", "states.AAA.policy is 'mixed'"]),
        ("theory/chicken", "bogus", ["--simulator", "bogus", "auto, agents, ensemble"]),
        ("moscow-strike", "bogus", ["--simulator", "bogus"]),
    ],
)
def test_brink_sweep_refuses_in_one_line_with_exit_2_and_writes_nothing(tmp_path, scenario, simulator, names):
    out = tmp_path / "never-written"
    done = subprocess.run(
        [BRINK, "sweep", scenario, "--vary", "params.max_steps=2", "--simulator", simulator, "--reps", "5",
         "--out", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert all(name in lines[0] for name in names), lines[0]
    assert done.stdout == ""
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        [
            "sensitivity",
            "theory/chicken",
            "--param",
            "states.AAA.fear=0:1",
            "--param",
            "states.BBB.fear=0:1",
            "--samples",
            "2",
            "--reps",
            "2",
        ],
        ["calibrate", "theory/chicken", "--param", "states.AAA.fear=0:1", "--target", "p_catastrophe=0.1"],
    ],
)
@pytest.mark.parametrize("simulator", ["ensemble", "bogus"])
def test_sensitivity_and_calibrate_refuse_alike(tmp_path, args, simulator):
    out = tmp_path / "never-written"
    result = CliRunner().invoke(app, [*args, "--simulator", simulator, "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --simulator"), result.stderr
    assert not out.exists()
