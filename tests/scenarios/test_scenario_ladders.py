"""The shipped escalation ladders, and errors from malformed ladder files."""

from __future__ import annotations

import copy

import pytest
import yaml

from scenarios import ScenarioError, load_ladder, load_scenario, shipped_ladders
from scenarios.loading import LADDER_DIR

SIZES = {"default": 11, "kahn-44": 45}


def test_shipped_ladders_include_default_and_kahn_44():
    assert {"default", "kahn-44"} <= set(shipped_ladders())


@pytest.mark.parametrize(("name", "size"), SIZES.items())
def test_shipped_ladder_shape(name, size):
    ladder = load_ladder(name)
    assert ladder.name == name
    assert len(ladder.rungs) == size
    assert ladder.top == size - 1
    assert [r.id for r in ladder.rungs] == list(range(size))
    slips = [r.slip for r in ladder.rungs]
    assert slips == sorted(slips), "slip risk must not fall as the ladder rises"
    assert slips[0] == 0.0
    assert slips[-1] == 1.0
    assert [r.catastrophe for r in ladder.rungs] == [False] * (size - 1) + [True]
    assert ladder.rungs[-1].nuclear
    assert not ladder.rungs[0].nuclear
    assert not ladder.rungs[0].armed_attack
    assert all(t.at <= ladder.top for t in ladder.thresholds)
    assert all(r.stage in ladder.stages for r in ladder.rungs)
    kahn = [r.kahn for r in ladder.rungs]
    assert kahn == sorted(kahn)
    assert kahn[-1] == 44


def test_kahn_ladder_rung_ids_are_kahns_numbers():
    assert [r.kahn for r in load_ladder("kahn-44").rungs] == list(range(45))


def test_ladder_arrays_match_rungs_and_are_read_only():
    ladder = load_ladder("default")
    arrays = ladder.arrays
    assert arrays["slip"].tolist() == [r.slip for r in ladder.rungs]
    assert arrays["nuclear"].tolist() == [r.nuclear for r in ladder.rungs]
    with pytest.raises(ValueError):
        arrays["slip"][0] = 0.5


def test_thresholds_crossed_on_the_way_up():
    ladder = load_ladder("default")
    assert ladder.thresholds_crossed(4, 8) == ["Nuclear war is unthinkable", "No nuclear use"]
    assert ladder.thresholds_crossed(8, 8) == []
    assert ladder.thresholds_crossed(9, 10) == ["Central war", "City targeting"]


def default_document():
    return yaml.safe_load((LADDER_DIR / "default.yaml").read_text(encoding="utf-8"))


def break_slip(doc):
    doc["rungs"][3]["slip"] = 1.5


def drop_nuclear(doc):
    del doc["rungs"][2]["nuclear"]


def misspell_decisive(doc):
    doc["rungs"][5]["decisve"] = doc["rungs"][5]["decisive"]


def middle_catastrophe(doc):
    doc["rungs"][4]["catastrophe"] = True


def shuffled_ids(doc):
    doc["rungs"][2]["id"], doc["rungs"][3]["id"] = 3, 2


def bad_threshold(doc):
    doc["thresholds"].append({"at": 11, "name": "Beyond"})


MALFORMED = [
    (break_slip, "rungs.3.slip", "less than or equal to 1"),
    (drop_nuclear, "rungs.2.nuclear", "required field is missing"),
    (misspell_decisive, "rungs.5.decisve", "did you mean 'decisive'"),
    (middle_catastrophe, "", "only the top rung"),
    (shuffled_ids, "", "rung ids must run 0, 1, 2"),
    (bad_threshold, "", "above the top rung"),
]


@pytest.mark.parametrize(("mutate", "path", "problem"), MALFORMED, ids=[m[0].__name__ for m in MALFORMED])
def test_malformed_ladder_file_names_file_and_field(tmp_path, mutate, path, problem):
    doc = default_document()
    mutate(doc)
    ladder_file = tmp_path / "broken.yaml"
    ladder_file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_ladder(str(ladder_file))
    error = caught.value
    assert error.source == str(ladder_file)
    assert error.path == path
    assert problem in error.problem


def test_scenario_with_malformed_ladder_file_blames_the_ladder_file(tmp_path, moscow):
    doc = default_document()
    break_slip(doc)
    (tmp_path / "ladders").mkdir()
    ladder_file = tmp_path / "ladders" / "mine.yaml"
    ladder_file.write_text(yaml.safe_dump(doc), encoding="utf-8")
    moscow["ladder"] = "ladders/mine.yaml"  # relative to the scenario file
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(moscow), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario_file)
    assert caught.value.source == str(ladder_file)
    assert caught.value.path == "rungs.3.slip"


def test_scenario_with_relative_ladder_file_loads_it(tmp_path, moscow):
    doc = default_document()
    doc["name"] = "mine"
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    moscow["ladder"] = "mine.yaml"
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text(yaml.safe_dump(moscow), encoding="utf-8")
    assert load_scenario(scenario_file).resolved_ladder.name == "mine"


def test_scenario_naming_a_missing_ladder_suggests_a_shipped_one(write_yaml, moscow):
    moscow["ladder"] = "kahn44"
    path = write_yaml(moscow)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    assert caught.value.path == "ladder"
    assert "did you mean 'kahn-44'" in caught.value.problem


def test_inline_ladder_loads(write_yaml, moscow):
    moscow["ladder"] = default_document()
    assert len(load_scenario(write_yaml(moscow)).resolved_ladder.rungs) == 11


def test_malformed_inline_ladder_names_the_rung_field(write_yaml, moscow):
    ladder = default_document()
    break_slip(ladder)
    moscow["ladder"] = copy.deepcopy(ladder)
    path = write_yaml(moscow)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    assert caught.value.path == "ladder.rungs.3.slip"
    assert "less than or equal to 1" in caught.value.problem
