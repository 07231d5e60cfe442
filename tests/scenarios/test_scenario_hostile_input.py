"""Scenario files that validate but are wrong, and hostile input: each is refused with one short line.

Duplicate keys, dotted ids, events after the step limit, ladder overrides that change what rung
numbers mean, booleans taken as numbers, NaN and infinity, deep nesting, alias bombs, markup and
escape codes in names, huge names and values, and the documented size limits.
"""

from __future__ import annotations

import copy
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from brink import console
from brink.cli import app
from scenarios import ScenarioError, limits, load_ladder, load_scenario, reading, shipped_ladders, shipped_scenarios
from scenarios.errors import LINE_CHARS
from scenarios.loading import LADDER_DIR, SCENARIO_DIR, rung_numbers
from scenarios.paths import parse_assignment

BRINK = str(Path(sys.executable).with_name("brink"))
MOSCOW_TEXT = (SCENARIO_DIR / "moscow-strike.yaml").read_text(encoding="utf-8")


def refused(write_yaml, document: Any, overrides: dict[str, Any] | None = None) -> ScenarioError:
    """Load a document (or text) that must be refused; check the error is one bounded line."""
    path = write_yaml(document)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides or {})
    text = str(caught.value)
    assert "\n" not in text and len(text) <= LINE_CHARS, text[:200]
    return caught.value


# ------------------------------------------------------------------------------------ duplicate keys


@pytest.mark.parametrize(
    ("old", "new", "key", "line", "first"),
    [
        ("    fear: 0.35\n", "    fear: 0.35\n    fear: 0.9\n", "fear", 23, 22),  # in a state
        ("name: moscow-strike\n", "name: moscow-strike\nname: other\n", "name", 2, 1),  # at the top
        ("  NATO_EU:\n", "  RUS:\n    name: again\n  NATO_EU:\n", "RUS", 51, 20),  # a second state RUS
    ],
)
def test_a_key_given_twice_names_the_key_and_both_lines(write_yaml, old, new, key, line, first):
    assert MOSCOW_TEXT.count(old) >= 1
    error = refused(write_yaml, MOSCOW_TEXT.replace(old, new, 1))
    assert error.problem.startswith(f"not valid YAML: line {line}, column ")
    assert f"duplicate key '{key}' (first given on line {first})" in error.problem


def test_a_duplicate_key_in_a_flow_mapping_a_ladder_file_or_an_override_is_refused(tmp_path, write_yaml, moscow):
    text = MOSCOW_TEXT.replace("- {from: 5, to: 9}", "- {from: 5, to: 9, to: 10}")
    assert "duplicate key 'to'" in refused(write_yaml, text).problem
    ladder_text = (LADDER_DIR / "default.yaml").read_text(encoding="utf-8")
    ladder_text = ladder_text.replace("name: default", "name: a\nname: b", 1)
    (tmp_path / "twice.yaml").write_text(ladder_text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="duplicate key 'name'") as caught:
        load_ladder(str(tmp_path / "twice.yaml"))
    assert caught.value.source == str(tmp_path / "twice.yaml")
    with pytest.raises(ScenarioError, match="duplicate key 'name'") as caught:
        parse_assignment("states.RUS.policy={name: hawk, name: dove}")
    assert caught.value.source == "--set"


def test_keys_merged_in_with_an_anchor_may_be_overridden(write_yaml):
    text = MOSCOW_TEXT.replace("  RUS:\n    name: Russia\n", "  RUS: &russia\n    name: Russia\n", 1)
    text = text.replace("  NATO_EU:\n", "  BLR:\n    <<: *russia\n    name: Belarus\n    warheads: 0\n  NATO_EU:\n", 1)
    path = write_yaml(text)
    spec = load_scenario(path)
    assert spec.states["BLR"].name == "Belarus" and spec.states["BLR"].fear == spec.states["RUS"].fear


@pytest.mark.parametrize("name", sorted(shipped_scenarios()) + [f"ladder:{n}" for n in sorted(shipped_ladders())])
def test_libyaml_and_pure_python_loaders_read_every_shipped_file_the_same(name):
    path = shipped_ladders()[name[7:]] if name.startswith("ladder:") else shipped_scenarios()[name]
    text = path.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=reading.StrictLoader) == yaml.load(text, Loader=reading.PureStrictLoader)
    assert yaml.load(text, Loader=reading.StrictLoader) == yaml.safe_load(text)
    if yaml.__with_libyaml__:
        assert issubclass(reading.StrictLoader, yaml.CSafeLoader)


# --------------------------------------------------------------------------------------- dotted ids


@pytest.mark.parametrize(
    ("old", "new", "where", "kind"),
    [
        ("  moscow:\n", "  bala.kot:\n", "crises", "crisis id 'bala.kot'"),
        ("  NATO:\n", "  NATO.2:\n", "alliances", "alliance id 'NATO.2'"),
        ("ukraine_war", "ukraine.war", "context", "context flag 'ukraine.war'"),
    ],
)
def test_ids_with_a_dot_are_refused(write_yaml, old, new, where, kind):
    error = refused(write_yaml, MOSCOW_TEXT.replace(old, new))
    assert error.path == where
    assert f"{kind} contains '.'" in error.problem


def test_a_ladder_named_with_a_dot_or_markup_is_refused(write_yaml, moscow):
    ladder = yaml.safe_load((LADDER_DIR / "default.yaml").read_text(encoding="utf-8"))
    for name in ("v1.2", "[/bold]"):
        moscow["ladder"] = dict(ladder, name=name)
        assert f"ladder name '{name}'" in refused(write_yaml, moscow).problem


# ------------------------------------------------------------------------- events after the step limit


def test_an_event_after_the_step_limit_is_refused_and_at_never_is_allowed(write_yaml, moscow):
    moscow["events"] = [{"kind": "war_end", "at": 61, "context": "ukraine_war"}]
    error = refused(write_yaml, moscow)
    assert (error.path, error.source) == ("events.0.at", str(write_yaml(moscow)))
    assert "step 61 is after the step limit (params.max_steps = 60)" in error.problem
    moscow["events"] = [{"kind": "war_end", "at": 60, "context": "ukraine_war"}]
    assert load_scenario(write_yaml(moscow)).events[0].at == 60
    moscow["events"] = [{"kind": "war_end", "at": "never", "context": "ukraine_war"}]
    spec = load_scenario(write_yaml(moscow))
    assert spec.model_dump(mode="json")["events"][0]["at"] == "never"
    assert load_scenario(spec).model_dump(mode="json")["events"][0]["at"] == "never"  # survives a reload
    moscow["events"] = [{"kind": "war_end", "at": "nevr", "context": "ukraine_war"}]
    assert "a step number (1 or more) or 'never'" in refused(write_yaml, moscow).problem


def test_an_override_that_moves_an_event_past_the_limit_is_refused_one_that_shortens_the_run_is_not():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("rus-prk-history", {"events.0.at": 155})
    assert (caught.value.source, caught.value.path) == ("--set", "events.0.at")
    short = load_scenario("rus-prk-history", {"params.max_steps": 40})  # its later events do not fire
    assert short.params.max_steps == 40 and max(e.at for e in short.events) > 40


def test_the_switched_off_succession_of_alliance_after_war_fires_when_brought_in():
    from brink import run

    spec = load_scenario("alliance-after-war")
    assert spec.model_dump(mode="json")["events"][2]["at"] == "never"
    forced = run("alliance-after-war", seed=3, overrides={"events.2.at": 12})
    assert "succeeded by Putin's successor" in " ".join(forced.events["detail"].astype(str))
    plain = run("alliance-after-war", seed=3)
    assert "succeeded by Putin's successor" not in " ".join(plain.events["detail"].astype(str))


# ------------------------------------------------------------------------------------- ladder overrides


def test_a_ladder_override_that_would_change_what_rung_numbers_mean_is_refused():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("moscow-strike", {"ladder": "kahn-44"})
    error = caught.value
    assert (error.source, error.path) == ("--set", "ladder")
    assert "written for ladder 'default'" in error.problem and "'kahn-44'" in error.problem
    assert "crises.moscow.start_rung = 6" in error.problem and "states.RUS.doctrine.jumps.0" in error.problem


def test_a_ladder_override_is_allowed_when_the_rungs_are_rewritten_too_or_none_are_named():
    jumps = [{"from": 13, "to": 21}]
    rewritten = {"ladder": "kahn-44", "crises.moscow.start_rung": 13, "states.RUS.doctrine.jumps": jumps}
    assert load_scenario("moscow-strike", rewritten).resolved_ladder.name == "kahn-44"
    assert load_scenario("moscow-strike", {"ladder": "default"}).resolved_ladder.name == "default"
    no_rungs = load_scenario("alliance-after-war")
    assert rung_numbers(no_rungs) == {}
    assert load_scenario("alliance-after-war", {"ladder": "kahn-44"}).resolved_ladder.name == "kahn-44"


def test_rung_numbers_lists_start_rungs_jumps_strikes_and_scripted_rungs(write_yaml, moscow):
    moscow["states"]["USA"]["policy"] = {"name": "scripted", "moves": ["hold", 7]}
    moscow["events"] = [{"kind": "strike", "at": 2, "crisis": "moscow", "by": "USA", "rung": 7}]
    found = rung_numbers(load_scenario(write_yaml(moscow)))
    assert set(found) == {
        "crises.moscow.start_rung",
        "states.RUS.doctrine.jumps.0",
        "states.USA.policy.moves",
        "events.0.rung",
    }


# ------------------------------------------------------------------------ booleans, NaN, type swaps


@pytest.mark.parametrize(
    ("path", "value", "wanted"),
    [
        ("states.RUS.fear", True, "valid number, not a boolean"),
        ("states.RUS.warheads", False, "valid integer, not a boolean"),
        ("params.max_steps", True, "valid integer, not a boolean"),
        ("crises.moscow.sides.RUS.prevail", True, "valid number, not a boolean"),
        ("states.RUS.fear", "0.35", "valid number, not a string"),
        ("alliances.NATO.active", 1, "valid boolean (true or false), not a number"),
        ("context.ukraine_war", 0, "valid boolean (true or false), not a number"),
        ("alliances.NATO.active", "yes", "valid boolean (true or false), not a string"),
        ("states.RUS.fear", float("nan"), "finite number"),
        ("params.cohesion.rate", float("inf"), "finite number"),
        ("states.RUS.policy", {"name": "mixed", "yield_probability": True}, "yield_probability: Input should be"),
        ("states.RUS.policy", {"name": "scripted", "moves": [True]}, "moves: item 0: Input should be a valid"),
        ("states.RUS.policy", {"name": "hawk", "jump": 1}, "jump: Input should be a valid boolean"),
    ],
)
def test_booleans_numbers_and_strings_are_not_taken_for_one_another(write_yaml, moscow, path, value, wanted):
    *parents, last = path.split(".")
    node = moscow
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    error = refused(write_yaml, moscow)
    assert error.path == path or error.path == ".".join(parents)
    assert wanted in error.problem


def test_relations_and_traits_refuse_booleans_too(write_yaml, moscow):
    moscow["relations"] = {"RUS-USA": True}
    assert refused(write_yaml, moscow).path == "relations.RUS-USA"
    moscow["relations"] = {}
    moscow["events"] = [{"kind": "succession", "at": 2, "state": "RUS", "traits": {"fear": True}}]
    assert refused(write_yaml, moscow).path == "events.0.traits.fear"


# ----------------------------------------------------------------------------------------- set events


@pytest.mark.parametrize(
    ("path", "value", "wanted"),
    [
        ("states.RUS.warheads", float("nan"), "finite number"),
        ("states.RUS.fear", float("inf"), "finite number"),
        ("states.RUS.fear", 1.5, "less than or equal to 1 (got 1.5) for states.RUS.fear"),
        ("states.RUS.conventional", -1.0, "greater than or equal to 0"),
        ("states.RUS.warheads", 2.5, "valid integer, got a number with a fractional part"),
        ("states.RUS.fear", True, "valid number, not a boolean"),
        ("alliances.NATO.active", 0, "valid boolean (true or false), not a number"),
        ("context.ukraine_war", 1, "valid boolean (true or false), not a number"),
        ("relations.RUS-USA", 2.0, "less than or equal to 1"),
    ],
)
def test_a_set_event_value_is_checked_against_the_field_it_sets(write_yaml, moscow, path, value, wanted):
    moscow["events"] = [{"kind": "set", "at": 3, "path": path, "value": value}]
    error = refused(write_yaml, moscow)
    assert error.path == "events.0.value"
    assert wanted in error.problem


def test_set_events_within_bounds_pass_and_shift_may_not_change_a_flag(write_yaml, moscow):
    fine = [("states.RUS.fear", 0.9), ("states.RUS.warheads", 100), ("alliances.NATO.active", False)]
    moscow["events"] = [{"kind": "set", "at": 3, "path": p, "value": v} for p, v in fine]
    assert len(load_scenario(write_yaml(moscow)).events) == 3
    moscow["events"] = [{"kind": "shift", "at": 3, "path": "alliances.NATO.active", "by": 1.0}]
    assert "a set event changes it, not a shift" in refused(write_yaml, moscow).problem


def test_a_nan_set_through_an_override_is_refused():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("rus-prk-history", dict([parse_assignment("events.6.by=.nan")]))
    assert (caught.value.source, caught.value.path) == ("--set", "events.6.by")


# -------------------------------------------------------------------------- nesting, aliases, tags


@pytest.mark.parametrize("depth", [33, 500, 5_000, 100_000])
@pytest.mark.parametrize("loader", ["libyaml", "pure"])
def test_deeply_nested_yaml_gives_one_line(monkeypatch, write_yaml, depth, loader):
    if loader == "pure":
        monkeypatch.setattr(reading, "StrictLoader", reading.PureStrictLoader)
    error = refused(write_yaml, "name: x\nstates: " + "[" * depth + "]" * depth + "\n")
    assert error.problem.startswith("not valid YAML")
    assert "nest" in error.problem or "nesting" in error.problem


def test_an_alias_bomb_and_an_alias_inside_itself_are_refused_before_construction(write_yaml):
    levels = ["&l0 [x, x, x, x, x, x, x, x, x, x]"] + [f"&l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = refused(write_yaml, "name: x\nstates: [" + ", ".join(levels) + "]\n")
    assert "more than 500,000 values once aliases are expanded" in bomb.problem
    loop = refused(write_yaml, "name: &a [*a]\n")
    assert "an alias refers to a value that contains it" in loop.problem


def test_python_tags_are_not_constructed(write_yaml, tmp_path):
    marker = tmp_path / "pwned"
    error = refused(write_yaml, f'name: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert "not valid YAML" in error.problem and not marker.exists()


# ------------------------------------------------------------------------ names, markup, long values


def test_names_with_control_characters_are_refused(write_yaml, moscow):
    for text in ("Russia\x1b[31m", "Russia\x07", "Rus\u2028sia", "Rus\nsia"):
        moscow["states"]["RUS"]["name"] = text
        assert "control character" in refused(write_yaml, moscow).problem
    moscow["states"]["RUS"]["name"] = "Russia"
    moscow["description"] = "two\nlines\tand a tab"
    assert load_scenario(write_yaml(moscow)).description.startswith("two")


def test_fail_prints_markup_emoji_and_escape_codes_as_written(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(console, "err_console", Console(file=stream, highlight=False, soft_wrap=True, emoji=False))
    console.fail(ScenarioError("f[/bold].yaml", "states.RUS", "name ':smile:' [red]x[/red] \x1b[2J"))
    assert stream.getvalue() == "error: f[/bold].yaml: states.RUS: name ':smile:' [red]x[/red] \\x1b[2J\n"


def test_brink_validate_prints_a_markup_name_as_text(write_yaml, moscow):
    moscow["name"] = "[/bold]moscow :smile: [red]"
    path = write_yaml(moscow)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "([/bold]moscow :smile: [red]; ladder default)" in result.stdout


def test_a_100000_character_ladder_name_or_scenario_path_gives_one_short_line(write_yaml, moscow):
    moscow["ladder"] = "l" * 100_000
    error = refused(write_yaml, moscow)
    assert error.path == "ladder" and "at most 4096 characters" in error.problem
    moscow["ladder"] = "l" * 4_000  # a valid string, but no such file (too long a name for the file system)
    assert "no shipped ladder or file 'lll" in refused(write_yaml, moscow).problem
    with pytest.raises(ScenarioError) as caught:
        load_scenario("s" * 100_000)
    assert "no such file or shipped scenario" in caught.value.problem and len(str(caught.value)) <= LINE_CHARS


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["states"]["RUS"].__setitem__("fear", "v" * 500_000),
        lambda d: d["states"]["RUS"].__setitem__("k" * 100_000, 1),
        lambda d: d["alliances"]["NATO"].__setitem__("members", ["USA", "Z" * 100_000]),
        lambda d: d["crises"]["moscow"].__setitem__("first_mover", "F" * 100_000),
    ],
)
def test_error_lines_cut_huge_values(write_yaml, moscow, mutate):
    mutate(moscow)
    error = refused(write_yaml, moscow)
    assert "…" in str(error)


def test_a_known_ids_list_is_cut_to_a_few(write_yaml, moscow):
    moscow["states"].update(many_states(150))
    moscow["alliances"]["NATO"]["members"] = ["USA", "XYZ"]
    error = refused(write_yaml, moscow)
    assert "more)" in error.problem and len(error.problem) < 300


# --------------------------------------------------------------------------------------- size limits


def many_states(count: int) -> dict[str, Any]:
    codes = [f"{a}{b}{c}" for a in "QWXZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    return {code: {"name": code, "fear": 0.5, "recklessness": 0.5, "commitment": 0.5} for code in codes[:count]}


def _ladder_with(rungs: int) -> dict[str, Any]:
    ladder = yaml.safe_load((LADDER_DIR / "default.yaml").read_text(encoding="utf-8"))
    rung = {k: v for k, v in ladder["rungs"][1].items() if k != "catastrophe"}
    out = [dict(rung, id=i, name=f"Rung {i}") for i in range(rungs)]
    out[-1].update(slip=1.0, catastrophe=True)
    return {"name": "long", "rungs": out}


def _alliances(n: int) -> dict[str, Any]:
    treaty = {"members": ["RUS", "PRK"], "automaticity": 1, "institutionalisation": 0, "cohesion": 1}
    return {f"A{i}": dict(treaty) for i in range(n)}


def _set(key: str, make) -> Any:
    return lambda d, n: d.__setitem__(key, make(d, n))


def _rename_nato(d: dict[str, Any], n: int) -> None:
    d["alliances"]["A" * n] = d["alliances"].pop("NATO")


def _ids(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


SHIFT = {"kind": "shift", "at": 1, "path": "states.RUS.fear", "by": 0.0}
SIZE_CASES = {  # what grows, to how many: (grow the document to n, the limit, the path blamed)
    "states": (lambda d, n: d["states"].update(many_states(n - len(d["states"]))), limits.STATES, "states"),
    "events": (_set("events", lambda d, n: [dict(SHIFT) for _ in range(n)]), limits.EVENTS, "events"),
    "alliances": (_set("alliances", lambda d, n: _alliances(n)), limits.ALLIANCES, "alliances"),
    "crises": (_set("crises", lambda d, n: dict.fromkeys(_ids(n), d["crises"]["moscow"])), limits.CRISES, "crises"),
    "context": (lambda d, n: d["context"].update(dict.fromkeys(_ids(n - 1), True)), limits.CONTEXT_FLAGS, "context"),
    "rungs": (lambda d, n: (d.__setitem__("ladder", _ladder_with(n)), d.pop("crises")), limits.RUNGS, "ladder.rungs"),
    "name": (_set("name", lambda d, n: "n" * n), limits.NAME_CHARS, "name"),
    "state name": (lambda d, n: d["states"]["RUS"].__setitem__("name", "n" * n), limits.NAME_CHARS, "states.RUS.name"),
    "description": (_set("description", lambda d, n: "d" * n), limits.TEXT_CHARS, "description"),
    "alliance id": (_rename_nato, limits.ID_CHARS, "alliances"),
}


@pytest.mark.parametrize("case", sorted(SIZE_CASES))
def test_each_size_limit_is_enforced_with_its_own_error_and_the_limit_itself_is_allowed(write_yaml, moscow, case):
    grow, limit, where = SIZE_CASES[case]
    at_limit = copy.deepcopy(moscow)
    grow(at_limit, limit)
    load_scenario(write_yaml(at_limit))
    over = copy.deepcopy(moscow)
    grow(over, limit + 1)
    error = refused(write_yaml, over)
    assert error.path == where
    assert f"{limit:,}" in error.problem or str(limit) in error.problem


def test_a_file_over_2_mib_is_refused_before_it_is_read(monkeypatch, tmp_path):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:  # 512 MB, sparse: takes no disk space
        handle.truncate(512 * 1024 * 1024)

    def never(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", never)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(huge)
    assert caught.value.problem == f"file is larger than the limit of {limits.FILE_BYTES:,} bytes"


def test_a_file_that_reports_a_small_size_is_still_read_only_up_to_the_limit(monkeypatch, tmp_path):
    grown = tmp_path / "grown.yaml"
    grown.write_text("name: x\n" + "#" * limits.FILE_BYTES, encoding="utf-8")
    real_stat = Path.stat

    def small(self: Path, **kwargs: Any) -> os.stat_result:
        return os.stat_result((0,) * 10) if self == grown else real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", small)
    with pytest.raises(ScenarioError, match="larger than the limit"):
        reading.read_text(grown)


# ------------------------------------------------------------------------------- through the command


@pytest.mark.parametrize(
    "text",
    [
        "name: x\nstates: " + "[" * 100_000 + "]" * 100_000 + "\n",
        MOSCOW_TEXT.replace("name: Russia", "name: '[/bold]Russia'").replace("    fear: 0.35\n", "    fear: true\n"),
        MOSCOW_TEXT.replace("ladder: default", "ladder: " + "l" * 100_000),
    ],
)
def test_brink_validate_subprocess_gives_one_line_and_exit_2(tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run([BRINK, "validate", str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr[-500:]
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ") and len(lines[0]) <= 7 + LINE_CHARS
