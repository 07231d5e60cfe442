"""Bad scenario files give one ScenarioError naming the file, the dotted path and the problem."""

from __future__ import annotations

import pytest

from scenarios import ScenarioError, load_scenario


def rename(doc, dotted, new_key):
    *parents, last = dotted.split(".")
    node = doc
    for key in parents:
        node = node[key]
    node[new_key] = node.pop(last)


def put(doc, dotted, value):
    *parents, last = dotted.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] = value


def load_error(write_yaml, doc) -> tuple[ScenarioError, str]:
    path = write_yaml(doc)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.source == str(path)
    assert str(error).startswith(f"{path}: ")
    assert "\n" not in str(error)
    return error, str(path)


# (id, mutation, expected dotted path, fragments the problem must contain)
CASES = [
    # near-miss keys on optional fields: "did you mean"
    (
        "typo-optional-state-field",
        lambda d: put(d, "states.USA.audience_cots", 1.0),
        "states.USA.audience_cots",
        ["unknown field 'audience_cots'", "did you mean 'audience_cost'"],
    ),
    ("typo-top-level", lambda d: put(d, "paramz", {}), "paramz", ["did you mean 'params'"]),
    (
        "typo-params",
        lambda d: rename(d, "params.max_steps", "max_stepz"),
        "params.max_stepz",
        ["did you mean 'max_steps'"],
    ),
    (
        "typo-alliance-optional",
        lambda d: rename(d, "alliances.NATO.shared_threat", "shared_thret"),
        "alliances.NATO.shared_thret",
        ["did you mean 'shared_threat'"],
    ),
    # out of range
    ("fear-above-1", lambda d: put(d, "states.RUS.fear", 1.5), "states.RUS.fear", ["less than or equal to 1", "1.5"]),
    ("max-steps-0", lambda d: put(d, "params.max_steps", 0), "params.max_steps", ["greater than or equal to 1"]),
    (
        "cohesion-negative",
        lambda d: put(d, "alliances.NATO.cohesion", -0.1),
        "alliances.NATO.cohesion",
        ["greater than or equal to 0"],
    ),
    ("warheads-negative", lambda d: put(d, "states.PRK.warheads", -5), "states.PRK.warheads", ["greater than"]),
    (
        "relation-out-of-range",
        lambda d: put(d, "relations", {"RUS-USA": 2.0}),
        "relations.RUS-USA",
        ["less than or equal to 1"],
    ),
    # wrong types
    ("fear-string", lambda d: put(d, "states.RUS.fear", "high"), "states.RUS.fear", ["valid number", "'high'"]),
    ("max-steps-string", lambda d: put(d, "params.max_steps", "many"), "params.max_steps", ["valid integer"]),
    ("states-list", lambda d: put(d, "states", ["RUS", "USA"]), "states", ["valid dictionary"]),
    ("members-string", lambda d: put(d, "alliances.NATO.members", "USA"), "alliances.NATO.members", ["valid list"]),
    (
        "active-not-bool",
        lambda d: put(d, "alliances.NATO.active", "perhaps"),
        "alliances.NATO.active",
        ["valid boolean"],
    ),
    # policies
    (
        "unknown-policy",
        lambda d: put(d, "states.RUS.policy", "hwak"),
        "states.RUS.policy",
        ["unknown policy 'hwak'", "did you mean 'hawk'"],
    ),
    (
        "unknown-policy-far",
        lambda d: put(d, "states.RUS.policy", {"name": "zzzzzz"}),
        "states.RUS.policy",
        ["unknown policy 'zzzzzz'", "known:", "heuristic"],
    ),
    (
        "policy-extra-param",
        lambda d: put(d, "states.RUS.policy", {"name": "hawk", "jmp": True}),
        "states.RUS.policy",
        ["policy 'hawk'", "jmp"],
    ),
    (
        "policy-missing-param",
        lambda d: put(d, "states.RUS.policy", {"name": "scripted"}),
        "states.RUS.policy",
        ["policy 'scripted'", "moves"],
    ),
    (
        "policy-bad-param",
        lambda d: put(d, "states.RUS.policy", {"name": "scripted", "moves": ["fly"]}),
        "states.RUS.policy",
        ["policy 'scripted'", "moves"],
    ),
    # unknown state ids in references
    (
        "alliance-member",
        lambda d: put(d, "alliances.NATO.members", ["USA", "NATO_UE"]),
        "alliances.NATO.members",
        ["unknown id 'NATO_UE'", "did you mean 'NATO_EU'"],
    ),
    (
        "crisis-with",
        lambda d: put(d, "crises.moscow.sides.USA.with", ["UKX"]),
        "crises.moscow.sides.USA.with",
        ["unknown id 'UKX'", "did you mean 'UKR'"],
    ),
    (
        "crisis-side",
        lambda d: rename(d, "crises.moscow.sides.USA", "USB"),
        "crises.moscow.sides",
        ["unknown id 'USB'", "did you mean 'USA'"],
    ),
    ("first-mover", lambda d: put(d, "crises.moscow.first_mover", "UKR"), "crises.moscow", ["first_mover 'UKR'"]),
    (
        "beliefs-target",
        lambda d: put(d, "beliefs", {"USA": {"RUZ": {"recklessness": 0.2}}}),
        "beliefs.USA",
        ["unknown id 'RUZ'", "did you mean 'RUS'"],
    ),
    ("relations-key", lambda d: put(d, "relations", {"RUS-XYZ": 0.2}), "relations.RUS-XYZ", ["unknown id 'XYZ'"]),
    (
        "event-succession-state",
        lambda d: put(d, "events", [{"kind": "succession", "at": 3, "state": "RUX"}]),
        "events.0.state",
        ["unknown id 'RUX'", "did you mean 'RUS'"],
    ),
    (
        "event-align-state",
        lambda d: put(d, "events", [{"kind": "align", "at": 3, "states": ["RUS", "CHN"], "relation": 0.5}]),
        "events.0.states",
        ["unknown id 'CHN'"],
    ),
    (
        "event-strike-crisis",
        lambda d: put(d, "events", [{"kind": "strike", "at": 2, "crisis": "moscw", "by": "RUS", "rung": 8}]),
        "events.0.crisis",
        ["unknown id 'moscw'", "did you mean 'moscow'"],
    ),
    (
        "event-strike-by",
        lambda d: put(d, "events", [{"kind": "strike", "at": 2, "crisis": "moscow", "by": "UKR", "rung": 8}]),
        "events.0.by",
        ["unknown id 'UKR'"],
    ),
    (
        "event-set-path",
        lambda d: put(d, "events", [{"kind": "set", "at": 2, "path": "states.RUS.fer", "value": 0.3}]),
        "events.0.path",
        ["did you mean 'fear'"],
    ),
    (
        "event-set-path-state",
        lambda d: put(d, "events", [{"kind": "set", "at": 2, "path": "states.RUZ.fear", "value": 0.3}]),
        "events.0.path",
        ["unknown id 'RUZ'"],
    ),
    (
        "event-war-context",
        lambda d: put(d, "events", [{"kind": "war_end", "at": 2, "context": "ukraine_wr"}]),
        "events.0.context",
        ["did you mean 'ukraine_war'"],
    ),
    ("event-kind", lambda d: put(d, "events", [{"kind": "sett", "at": 2}]), "events.0", ["'sett'", "'set'"]),
    (
        "event-at-0",
        lambda d: put(d, "events", [{"kind": "war_end", "at": 0, "context": "ukraine_war"}]),
        "events.0.at",
        ["greater than or equal to 1"],
    ),
    (
        "war-context",
        lambda d: put(d, "alliances.NATO.war_context", "cold_war"),
        "alliances.NATO.war_context",
        ["'cold_war' is not in context"],
    ),
    ("state-code", lambda d: rename(d, "states.PRK", "NKOREA"), "states", ["'NKOREA'", "alpha-3"]),
    # missing required
    ("missing-states", lambda d: d.pop("states"), "states", ["required field is missing"]),
    (
        "missing-cohesion",
        lambda d: d["alliances"]["NATO"].pop("cohesion"),
        "alliances.NATO.cohesion",
        ["required field is missing"],
    ),
    # rungs beyond the ladder
    (
        "start-rung-top",
        lambda d: put(d, "crises.moscow.start_rung", 10),
        "crises.moscow.start_rung",
        ["rung 10 is not on ladder 'default'", "at most 9"],
    ),
    (
        "strike-rung",
        lambda d: put(d, "events", [{"kind": "strike", "at": 2, "crisis": "moscow", "by": "RUS", "rung": 11}]),
        "events.0.rung",
        ["rung 11 is not on ladder 'default'"],
    ),
    (
        "jump-rung",
        lambda d: put(d, "states.RUS.doctrine.jumps.0.to", 12),
        "states.RUS.doctrine.jumps.0.to",
        ["rung 12 is not on ladder 'default'"],
    ),
    (
        "jump-too-short",
        lambda d: put(d, "states.RUS.doctrine.jumps.0.to", 6),
        "states.RUS.doctrine.jumps.0",
        ["must skip at least one rung"],
    ),
]


@pytest.mark.parametrize(("mutate", "path", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_scenario_error_names_file_path_and_problem(write_yaml, moscow, mutate, path, fragments):
    mutate(moscow)
    error, _ = load_error(write_yaml, moscow)
    assert error.path == path
    for fragment in fragments:
        assert fragment in error.problem
    assert str(error).endswith(f"{path}: {error.problem}")


def test_misspelled_required_state_field_suggests_the_right_name(write_yaml, moscow):
    rename(moscow, "states.RUS.recklessness", "recklesness")
    error, _ = load_error(write_yaml, moscow)
    assert "recklesness" in str(error)
    assert "did you mean 'recklessness'" in error.problem


def test_misspelled_required_alliance_field_suggests_the_right_name(write_yaml, moscow):
    rename(moscow, "alliances.RUS-PRK.institutionalisation", "instituionalisation")
    error, _ = load_error(write_yaml, moscow)
    assert error.path.startswith("alliances.RUS-PRK.")
    assert "instituionalisation" in str(error)
    assert "did you mean 'institutionalisation'" in error.problem


def test_the_moscow_fixture_itself_is_valid(write_yaml, moscow):
    assert load_scenario(write_yaml(moscow)).name == "moscow-strike"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("name: x\nstates: [\n", ["not valid YAML", "line 3"]),
        ("name: x\n  states: {RUS: 1}\n", ["not valid YAML", "line 2"]),
        ("name: 'unterminated\n", ["not valid YAML"]),
        ("- 1\n- 2\n", ["expected a mapping", "list"]),
        ("just text\n", ["expected a mapping", "str"]),
        ("", ["expected a mapping", "NoneType"]),
    ],
    ids=["unclosed-flow", "bad-indent", "unterminated-quote", "list", "scalar", "empty"],
)
def test_unparsable_or_non_mapping_file(write_yaml, text, fragments):
    path = write_yaml(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert (error.source, error.path) == (str(path), "")
    for fragment in fragments:
        assert fragment in error.problem
    assert "\n" not in str(error)


def test_undecodable_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00\x80 not utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    assert "cannot read file" in caught.value.problem


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    assert "no such file" in caught.value.problem


def test_directory_is_not_a_scenario(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path)
    assert caught.value.source == str(tmp_path)
    assert "is not a file" in caught.value.problem


def test_near_miss_shipped_name_is_suggested():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("moscow-strik")
    assert "did you mean 'moscow-strike'" in caught.value.problem


def test_scenario_error_text_format():
    assert str(ScenarioError("f.yaml", "states.RUS.fear", "too big")) == "f.yaml: states.RUS.fear: too big"
    assert str(ScenarioError("f.yaml", "", "not YAML")) == "f.yaml: not YAML"


def test_unreadable_file(monkeypatch, write_yaml, moscow):
    path = write_yaml(moscow)

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(path), "open", refuse)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.source == str(path)
    assert caught.value.problem == "cannot read file: Permission denied"
