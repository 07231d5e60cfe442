"""Property: a mutated scenario either loads or fails with one clean ScenarioError.

Mutations start from moscow-strike: delete a key, replace a leaf with a value of another type,
an out-of-range number or a random string, or rename a key (to a near miss or a random string).
Through the command line, bad input must exit 2 with a single ``error:`` line and write nothing.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from brink.api import load
from brink.cli import app
from scenarios import ScenarioError
from scenarios.loading import SCENARIO_DIR

MOSCOW = yaml.safe_load((SCENARIO_DIR / "moscow-strike.yaml").read_text(encoding="utf-8"))
BRINK = Path(sys.executable).with_name("brink")

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair in a document, depth first."""
    found: list[tuple[Any, Any]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        found.append((node, key))
        found.extend(slots(value))
    return found


# Printable text only: control characters and line separators in keys are covered by an explicit test.
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12)

OTHER_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, -0.001, 1.0001, 2, 1.5, 1e9, -1e9, 10**30]),  # out of range almost everywhere
    TEXT,
    st.lists(st.integers(min_value=-3, max_value=12), max_size=3),
    st.dictionaries(TEXT, st.integers(), max_size=2),
)


def near_miss(key: str) -> st.SearchStrategy[str]:
    options = [key + "x", key[1:] or "x", key.upper(), key.replace("_", "")]
    if len(key) > 2:
        options.append(key[:2] + key[3:])  # drop a letter: recklesness
        options.append(key[:1] + key[2] + key[1] + key[3:])  # swap two letters
    return st.sampled_from(options)


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(MOSCOW)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = slots(doc)
        if not places:
            break
        container, key = places[draw(st.integers(min_value=0, max_value=len(places) - 1))]
        operation = draw(st.sampled_from(["delete", "replace", "rename"]))
        if operation == "delete":
            del container[key]
        elif operation == "replace" or isinstance(container, list):
            container[key] = draw(OTHER_VALUES)
        else:
            new_key = draw(st.one_of(near_miss(str(key)), TEXT.filter(bool)))
            container[new_key] = container.pop(key)
    return doc


def write(directory: str, doc: dict[str, Any]) -> Path:
    path = Path(directory) / "mutant.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@SETTINGS
@given(doc=mutated_scenarios())
def test_mutated_scenario_loads_or_raises_one_clean_scenario_error(doc):
    with tempfile.TemporaryDirectory() as directory:
        path = write(directory, doc)
        try:
            scenario = load(path)
        except ScenarioError as error:
            assert error.source
            assert error.problem
            assert "\n" not in str(error)
        else:
            assert scenario.states
            assert scenario.resolved_ladder.rungs


def loads(doc: dict[str, Any]) -> bool:
    with tempfile.TemporaryDirectory() as directory:
        try:
            load(write(directory, doc))
        except ScenarioError:
            return False
    return True


def assert_clean_cli_failure(exit_code: int, stdout: str, stderr: str, out: Path) -> None:
    assert exit_code == 2
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr + stdout
    assert not out.exists()


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(doc=mutated_scenarios().filter(lambda d: not loads(d)))
def test_cli_run_on_mutated_bad_scenario_exits_2_with_one_error_line(doc):
    with tempfile.TemporaryDirectory() as directory:
        path = write(directory, doc)
        out = Path(directory) / "out"
        result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert_clean_cli_failure(result.exit_code, result.stdout, result.stderr, out)
        assert str(path) in result.stderr


def misspell_recklessness(doc):
    doc["states"]["RUS"]["recklesness"] = doc["states"]["RUS"].pop("recklessness")


def fear_string(doc):
    doc["states"]["USA"]["fear"] = "very"


def unknown_member(doc):
    doc["alliances"]["NATO"]["members"] = ["USA", "FRA"]


@pytest.mark.parametrize("mutate", [misspell_recklessness, fear_string, unknown_member])
def test_brink_run_subprocess_on_bad_scenario(tmp_path, mutate):
    doc = copy.deepcopy(MOSCOW)
    mutate(doc)
    path = write(str(tmp_path), doc)
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(BRINK), "run", str(path), "--out", str(out)], capture_output=True, text=True, timeout=60, check=False
    )
    assert_clean_cli_failure(proc.returncode, proc.stdout, proc.stderr, out)
    assert proc.stderr.startswith(f"error: {path}: ")
    assert proc.stdout == ""


@pytest.mark.parametrize("key", ["bad\nkey", "bad\u2028key"])
def test_unknown_key_with_a_line_break_still_gives_a_single_error_line(tmp_path, key):
    doc = copy.deepcopy(MOSCOW)
    doc["states"]["RUS"][key] = 1
    path = write(str(tmp_path), doc)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert_clean_cli_failure(result.exit_code, result.stdout, result.stderr, out)
