"""Dotted parameter paths: PATH=VALUE parsing, checking, setting, overriding and listing."""

from __future__ import annotations

import pytest

from brink.api import load
from scenarios import ScenarioError, load_scenario
from scenarios.paths import OVERRIDE_SOURCE, check_path, leaf_paths, parse_assignment, set_path, tunable_paths


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("states.RUS.fear=0.9", ("states.RUS.fear", 0.9)),
        ("params.max_steps=20", ("params.max_steps", 20)),
        ("alliances.RUS-PRK.active=false", ("alliances.RUS-PRK.active", False)),
        ("  states.USA.fear = 0.25 ", ("states.USA.fear", 0.25)),
        ("alliances.NATO.members=[USA, NATO_EU]", ("alliances.NATO.members", ["USA", "NATO_EU"])),
        ("states.RUS.name=Russia=RF", ("states.RUS.name", "Russia=RF")),
        ("states.RUS.policy=hawk", ("states.RUS.policy", "hawk")),
    ],
)
def test_parse_assignment(text, expected):
    assert parse_assignment(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("states.RUS.fear", "expected PATH=VALUE"),
        ("=0.3", "expected PATH=VALUE"),
        ("states.RUS.fear=", "missing value"),
        ("states.RUS.fear=   ", "missing value"),
        ("states.RUS.fear=[1,", "not valid YAML"),
    ],
)
def test_parse_assignment_errors(text, fragment):
    with pytest.raises(ScenarioError) as caught:
        parse_assignment(text)
    assert caught.value.source == OVERRIDE_SOURCE
    assert fragment in caught.value.problem


@pytest.fixture
def full():
    return load_scenario("moscow-strike").model_dump(by_alias=True, mode="python")


@pytest.mark.parametrize(
    "path",
    [
        "states.RUS.recklessness",
        "alliances.RUS-PRK.institutionalisation",
        "params.max_steps",
        "params.cohesion.rate",  # a default, absent from the file
        "crises.moscow.sides.USA.prevail",
        "crises.moscow.sides.USA.with",
        "states.RUS.doctrine.jumps.0.to",
    ],
)
def test_check_path_accepts_fields_of_the_defaulted_scenario(full, path):
    check_path(full, path)


@pytest.mark.parametrize(
    ("path", "suggestion"),
    [
        ("states.RUS.recklesness", "states.RUS.recklessness"),
        ("alliances.RUS-PRK.instituionalisation", "alliances.RUS-PRK.institutionalisation"),
        ("stats.RUS.fear", "states"),
        ("params.cohesion.rat", "params.cohesion.rate"),
        ("states.RUZ.fear", "states.RUS"),
    ],
)
def test_check_path_suggests_the_nearest_path(full, path, suggestion):
    with pytest.raises(ScenarioError) as caught:
        check_path(full, path)
    error = caught.value
    assert (error.source, error.path) == (OVERRIDE_SOURCE, path)
    assert f"did you mean '{suggestion}'" in error.problem


def test_check_path_without_a_close_match_lists_what_is_there(full):
    with pytest.raises(ScenarioError) as caught:
        check_path(full, "params.qqqqqqq")
    assert "did you mean" not in caught.value.problem
    assert "params has:" in caught.value.problem
    assert "max_steps" in caught.value.problem


def test_check_path_rejects_a_path_below_a_leaf(full):
    with pytest.raises(ScenarioError):
        check_path(full, "states.RUS.fear.more")


def test_set_path_creates_nested_mappings():
    raw: dict = {"params": {"max_steps": 5}}
    set_path(raw, "params.cohesion.rate", 3.0)
    set_path(raw, "a.b.c.d", 1)
    assert raw == {"params": {"max_steps": 5, "cohesion": {"rate": 3.0}}, "a": {"b": {"c": {"d": 1}}}}


def test_set_path_indexes_lists_and_replaces_scalars_on_the_way():
    raw = {"events": [{"at": 1}, {"at": 2}], "x": 5}
    set_path(raw, "events.1.at", 9)
    set_path(raw, "x.y", 1)
    assert raw == {"events": [{"at": 1}, {"at": 9}], "x": {"y": 1}}


def test_override_absent_from_the_file_keeps_other_defaults(moscow):
    assert "cohesion" not in moscow["params"]
    scenario = load("moscow-strike", {"params.cohesion.rate": 3.0})
    assert scenario.params.cohesion.rate == 3.0
    assert scenario.params.cohesion.noise_sd == load("moscow-strike").params.cohesion.noise_sd
    assert scenario.params.max_steps == 60  # the file's value survives


def test_overrides_apply_and_revalidate():
    scenario = load(
        "moscow-strike",
        {"states.RUS.recklessness": 0.9, "alliances.RUS-PRK.active": False, "states.RUS.doctrine.jumps.0.to": 8},
    )
    assert scenario.states["RUS"].recklessness == 0.9
    assert scenario.alliances["RUS-PRK"].active is False
    assert scenario.states["RUS"].doctrine.jumps[0].to == 8


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"states.RUS.fear": 2}, "states.RUS.fear", "less than or equal to 1"),
        ({"states.RUS.fear": "high"}, "states.RUS.fear", "valid number"),
        ({"states.RUS.recklesness": 0.5}, "states.RUS.recklesness", "did you mean 'states.RUS.recklessness'"),
        ({"crises.moscow.start_rung": 10}, "crises.moscow.start_rung", "not on ladder"),
    ],
)
def test_bad_override_is_blamed_on_set(overrides, path, fragment):
    with pytest.raises(ScenarioError) as caught:
        load("moscow-strike", overrides)
    error = caught.value
    assert error.path == path
    assert fragment in error.problem
    if "not on ladder" not in fragment:
        assert error.source == OVERRIDE_SOURCE


def test_tunable_paths_of_moscow_strike():
    spec = load("moscow-strike")
    paths = tunable_paths(spec.model_dump(by_alias=True, mode="json", exclude={"ladder"}))
    assert paths["states.RUS.recklessness"] == 0.6
    assert paths["alliances.RUS-PRK.institutionalisation"] == 0.35
    assert paths["alliances.RUS-PRK.active"] is True
    assert paths["params.max_steps"] == 60
    assert paths["params.cohesion.rate"] == spec.params.cohesion.rate
    assert paths["crises.moscow.sides.USA.prevail"] == 1.0
    assert "states.RUS.name" not in paths  # strings are not tunable
    assert not any(p.startswith(("events.", "ladder.")) for p in paths)
    assert all(isinstance(v, bool | int | float) for v in paths.values())
    # every tunable path is a valid override path
    full = spec.model_dump(by_alias=True, mode="python")
    for path in paths:
        check_path(full, path)


def test_leaf_paths_flattens_mappings_and_lists():
    assert leaf_paths({"a": {"b": 1, "c": [2, {"d": 3}]}, "e": {}, "f": []}) == {
        "a.b": 1,
        "a.c.0": 2,
        "a.c.1.d": 3,
        "e": {},
        "f": [],
    }
