"""Shipped scenarios validate and run, and the published docs match the code."""

import json
from pathlib import Path

import pytest

from agents.policies import POLICIES
from brink import run
from scenarios import Scenario, load_scenario, shipped_ladders, shipped_scenarios

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_shipped_scenario_runs_and_describes_its_claim(name: str) -> None:
    spec = load_scenario(name)
    assert spec.name == Path(name).name
    assert len(spec.description.split()) >= 15, "each shipped scenario says what claim it tests"
    first = run(name, seed=11, steps=min(spec.params.max_steps, 40))
    again = run(name, seed=11, steps=min(spec.params.max_steps, 40))
    assert first.summary == again.summary
    assert first.summary["outcome"] in {"yield", "catastrophe", "stalemate", "no_crisis"}
    assert first.summary["steps"] <= spec.params.max_steps


@pytest.mark.parametrize("name", sorted(shipped_ladders()))
def test_shipped_ladders_rise_to_a_single_catastrophe(name: str) -> None:
    from scenarios import load_ladder

    ladder = load_ladder(name)
    slips = [r.slip for r in ladder.rungs]
    assert slips == sorted(slips)
    assert [r.catastrophe for r in ladder.rungs].count(True) == 1
    assert ladder.rungs[-1].catastrophe and ladder.rungs[-1].slip == 1.0


def test_published_json_schema_matches_the_models() -> None:
    published = json.loads((ROOT / "docs" / "scenario.schema.json").read_text())
    assert published == Scenario.model_json_schema(by_alias=True), "run `make docs`"


def test_docs_name_every_policy() -> None:
    odd = (ROOT / "docs" / "odd.md").read_text()
    reference = (ROOT / "docs" / "scenarios.md").read_text()
    for name in POLICIES:
        assert f"`{name}`" in odd, f"docs/odd.md does not describe policy {name}"
        assert name in reference, f"docs/scenarios.md does not mention policy {name}"


def test_readme_names_the_two_set_up_commands_and_ci_calls_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
