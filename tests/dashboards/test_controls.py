"""The live page's generated controls: one per trait and alliance field, values from the file, range from the schema."""

from __future__ import annotations

import math
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
import yaml

from dashboards.controls import ALLIANCE_FIELDS, SKIPPED_PARAMS, STATE_TRAITS, Control, controls_for
from scenarios import Scenario, ScenarioError, load_scenario, shipped_scenarios

SHIPPED = list(shipped_scenarios())
LONG_NAMES = ["moscow-strike", "korean-peninsula", "alliance-after-war", "cuban-missile-1962", "rus-prk-history"]


@cache
def scenario(name: str) -> Scenario:
    return load_scenario(name)


@cache
def controls(name: str) -> tuple[Control, ...]:
    return tuple(controls_for(scenario(name)))


def by_path(name: str) -> dict[str, Control]:
    return {c.path: c for c in controls(name)}


def value_in(spec: Scenario, path: str) -> Any:
    """Walk the validated scenario object (not its dump) along a dotted path."""
    node: Any = spec
    for part in path.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def control_of(spec: Scenario, path: str) -> Control:
    return next(c for c in controls_for(spec) if c.path == path)


def vuetify_round(value: float, control: Control) -> float:
    """The value a Vuetify 2 ``v-slider`` emits for `value` (port of VSlider's clamp and ``roundValue``).

    The slider snaps to ``min + k * step`` and then formats with as many decimals as the step has.
    """
    value = min(max(value, control.low), control.high)
    decimals = max(0, -Decimal(repr(float(control.step))).normalize().as_tuple().exponent)
    offset = math.fmod(control.low, control.step)
    snapped = math.floor((value - offset) / control.step + 0.5) * control.step + offset
    return float(f"{min(snapped, control.high):.{decimals}f}")


# --- which controls --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_every_state_gets_its_three_traits_and_every_alliance_its_two_fields(name):
    spec = scenario(name)
    paths = [c.path for c in controls(name)]
    expected_states = [f"states.{code}.{trait}" for code in spec.states for trait in STATE_TRAITS]
    expected_alliances = [f"alliances.{key}.{field}" for key in spec.alliances for field in ALLIANCE_FIELDS]
    assert [p for p in paths if p.startswith("states.")] == expected_states
    assert [p for p in paths if p.startswith("alliances.")] == expected_alliances
    assert len(paths) == len(set(paths)), "a path has two controls"
    groups = {c.path: c.group for c in controls(name)}
    assert {groups[p] for p in expected_states} <= {"States"}
    assert {groups[p] for p in expected_alliances} <= {"Alliances"}


def test_controls_are_labelled_by_code_and_field():
    moscow = by_path("moscow-strike")
    assert moscow["states.USA.fear"].label == "USA fear"
    assert moscow["states.NATO_EU.commitment"].label == "NATO_EU commitment"
    assert moscow["alliances.RUS-PRK.institutionalisation"].label == "RUS-PRK institutionalisation"
    assert moscow["params.cohesion.rate"].label == "cohesion.rate"
    assert moscow["params.max_steps"].group == "Global parameters"


@pytest.mark.parametrize("name", SHIPPED)
def test_global_parameters_get_controls_except_the_calendar(name):
    paths = {c.path for c in controls(name)}
    assert not paths & set(SKIPPED_PARAMS)
    assert {"params.max_steps", "params.risk_sensitivity", "params.cohesion.dissolve_below"} <= paths
    # nothing outside states, alliances and params (no crisis payoffs, no events, no ladder)
    assert all(p.split(".")[0] in {"states", "alliances", "params"} for p in paths)


def test_help_is_the_schema_description():
    moscow = by_path("moscow-strike")
    assert moscow["states.RUS.fear"].help == "Subjective sense of strategic risk."
    assert moscow["params.max_steps"].help.startswith("Step limit")


# --- values come from the scenario file -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_values_are_the_loaded_scenarios_own(name):
    spec = scenario(name)
    for control in controls(name):
        assert control.value == value_in(spec, control.path), control.path
        assert type(control.value) is type(value_in(spec, control.path)), control.path


@pytest.mark.parametrize("name", LONG_NAMES)
def test_trait_and_alliance_values_equal_the_yaml_file(name):
    raw = yaml.safe_load(shipped_scenarios()[name].read_text(encoding="utf-8"))
    for control in controls(name):
        head, key, field = [*control.path.split("."), "", ""][:3]
        if head in ("states", "alliances"):
            assert control.value == raw[head][key][field], control.path


def test_values_follow_overrides_of_the_scenario():
    spec = load_scenario("moscow-strike", {"states.USA.fear": 0.05, "params.max_steps": 17})
    assert control_of(spec, "states.USA.fear").value == 0.05
    assert control_of(spec, "params.max_steps").value == 17


# --- ranges come from the schema ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_unit_fields_span_zero_to_one(name):
    for control in controls(name):
        if control.path.startswith(("states.", "alliances.")):
            assert (control.kind, control.low, control.high) == ("float", 0.0, 1.0), control.path
            # A step a decade below the value holds it exactly (0.02 gets 0.001).
            assert control.step == (0.001 if 0 < control.value < 0.1 else 0.01), control.path


@pytest.mark.parametrize("path", ["states.USA.fear", "alliances.NATO.cohesion", "params.cohesion.dissolve_below"])
def test_one_step_beyond_a_unit_range_is_rejected(path):
    spec = scenario("moscow-strike")
    control = by_path("moscow-strike")[path]
    with pytest.raises(ScenarioError):
        load_scenario(spec, {path: control.low - control.step})
    with pytest.raises(ScenarioError):
        load_scenario(spec, {path: control.high + control.step})


@pytest.mark.parametrize("name", SHIPPED)
def test_max_steps_is_an_int_slider_narrowed_around_its_value(name):
    control = by_path(name)["params.max_steps"]
    assert control.kind == "int"
    assert isinstance(control.low, int) and isinstance(control.high, int)
    assert control.step == 1
    assert 1 <= control.low <= control.value <= control.high
    assert control.high < 100_000, "the schema's 100,000 steps would make an unusable slider"
    assert control.high >= 2 * control.value, "narrowed, but still room to run longer"


def test_open_lower_bound_is_excluded():
    moscow = by_path("moscow-strike")
    for path in ("params.standfast_spread", "params.warheads_for_devastation"):  # both `gt=0`
        control = moscow[path]
        assert control.low > 0.0, path
        assert control.low == pytest.approx(control.step), f"{path}: excluded by one step of the slider"
        with pytest.raises(ScenarioError):
            load_scenario(scenario("moscow-strike"), {path: 0.0})


def test_closed_lower_bound_is_included():
    control = by_path("moscow-strike")["params.decision_noise"]  # ge=0
    assert control.low == 0.0


def test_bool_params_are_checkboxes():
    for name in SHIPPED:
        control = by_path(name)["params.stop_when_crises_end"]
        assert control.kind == "bool"
        assert control.value is value_in(scenario(name), "params.stop_when_crises_end")
    assert all(c.kind != "bool" for c in controls("moscow-strike") if c.path != "params.stop_when_crises_end")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_float_slider_has_enough_positions_and_holds_its_value_on_the_grid(name):
    for control in controls(name):
        if control.kind == "float":
            positions = (control.high - control.low) / control.step
            assert 99 <= positions <= 100_000, (control.path, control.low, control.high, control.step)
            on_grid = round((control.value - control.low) / control.step)
            assert control.low + on_grid * control.step == pytest.approx(control.value), control.path


@pytest.mark.parametrize("name", SHIPPED)
def test_every_range_holds_the_scenarios_value(name):
    outside = [
        (c.path, c.value, c.low, c.high) for c in controls(name) if c.kind != "bool" and not c.low <= c.value <= c.high
    ]
    assert outside == []


@pytest.mark.parametrize("name", SHIPPED)
def test_every_control_is_accepted_as_an_override_at_both_ends(name):
    spec = scenario(name)
    refused = []
    for control in controls(name):
        ends = (False, True) if control.kind == "bool" else (control.low, control.high)
        for value in ends:
            try:
                loaded = load_scenario(spec, {control.path: value})
            except ScenarioError as error:
                refused.append((control.path, value, str(error)))
                continue
            assert value_in(loaded, control.path) == value
    assert refused == []


def test_a_negative_value_lies_within_its_slider():
    spec = load_scenario("moscow-strike", {"params.leaders.mortality_log_base": -1.0})  # schema -30..0
    control = control_of(spec, "params.leaders.mortality_log_base")
    assert control.low <= -1.0 <= control.high


def test_a_small_value_above_an_open_bound_lies_within_its_slider():
    spec = load_scenario("moscow-strike", {"params.warheads_for_devastation": 0.001})
    control = control_of(spec, "params.warheads_for_devastation")
    assert control.low <= 0.001 <= control.high


# --- what the browser's slider can send back -------------------------------------------------------------------


KNOWN_BROWSER_BUGS: dict[tuple[str, str], str] = {}


def _browser_cases(check: str) -> list[Any]:
    cases = []
    for control in controls("moscow-strike"):
        if control.kind == "float":
            reason = KNOWN_BROWSER_BUGS.get((check, control.path))
            marks = pytest.mark.xfail(strict=True, reason=reason) if reason else ()
            cases.append(pytest.param(control.path, marks=marks, id=control.path))
    return cases


@pytest.mark.parametrize("path", _browser_cases("ends"))
def test_values_a_browser_slider_sends_at_its_ends_are_accepted(path):
    spec = scenario("moscow-strike")
    control = by_path("moscow-strike")[path]
    for value in (control.low, control.high):
        sent = vuetify_round(value, control)
        assert value_in(load_scenario(spec, {path: sent}), path) == sent  # ScenarioError if refused


@pytest.mark.parametrize("path", _browser_cases("start"))
def test_a_browser_slider_keeps_the_scenarios_value(path):
    control = by_path("moscow-strike")[path]
    assert vuetify_round(control.value, control) == pytest.approx(control.value)


@pytest.mark.parametrize("name", SHIPPED)
def test_browser_sliders_keep_every_trait_and_alliance_value(name):
    moved = [
        (c.path, c.value, vuetify_round(c.value, c))
        for c in controls(name)
        if c.path.startswith(("states.", "alliances.")) and vuetify_round(c.value, c) != pytest.approx(c.value)
    ]
    assert moved == []


def test_vuetify_round_port_matches_known_slider_output():
    # Sanity of the port itself: a 0..1 slider with step 0.01 sends two decimals and keeps its ends.
    unit = Control("p", "g", "l", "float", 0.5, 0.0, 1.0, 0.01)
    assert vuetify_round(0.123456, unit) == 0.12
    assert vuetify_round(1.0, unit) == 1.0
    assert vuetify_round(-3.0, unit) == 0.0
    shifted = Control("p", "g", "l", "float", 5.0, 0.2, 10.0, 1)
    assert vuetify_round(5.0, shifted) == 5.0  # 5.2 formatted with no decimals
