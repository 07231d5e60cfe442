"""The live page's controls, generated from a scenario's parameter paths.

Every slider is a dotted path of the scenario (``states.RUS.fear``); its range comes from the
schema's bounds and its starting value from the scenario file, so no default is written twice.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic.fields import FieldInfo

from scenarios import Scenario
from scenarios.loading import field_for_path
from scenarios.paths import tunable_paths

STATE_TRAITS = ("fear", "recklessness", "commitment")
ALLIANCE_FIELDS = ("institutionalisation", "cohesion")
SKIPPED_PARAMS = ("params.start_year", "params.step_years")
"""Global parameters without a slider: the run's calendar (set it in the file or with `--set`)."""

WIDE_RANGE = 20.0
"""A schema range wider than this many times the scenario's value is narrowed for the slider."""


@dataclass(frozen=True)
class Control:
    """One control on the live page.

    Attributes:
        path: Dotted scenario path it sets.
        group: Heading it is shown under ("States", "Alliances", "Global parameters").
        label: Short label, e.g. ``RUS fear``.
        kind: "float", "int" or "bool".
        value: The scenario's own value.
        low: Smallest value (sliders only).
        high: Largest value (sliders only).
        step: Slider step.
        help: The schema's description of the field.
    """

    path: str
    group: str
    label: str
    kind: str
    value: float | int | bool
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    help: str = ""


def controls_for(scenario: Scenario) -> list[Control]:
    """Controls for each state's traits, each alliance's institutionalisation and cohesion, and `params`."""
    document = scenario.model_dump(by_alias=True, mode="python")
    tunable = tunable_paths(document)
    controls: list[Control] = []
    for code in scenario.states:
        for trait in STATE_TRAITS:
            controls.append(_control(document, f"states.{code}.{trait}", "States", f"{code} {trait}", tunable))
    for key in scenario.alliances:
        for name in ALLIANCE_FIELDS:
            controls.append(_control(document, f"alliances.{key}.{name}", "Alliances", f"{key} {name}", tunable))
    for path in tunable:
        if path.startswith("params.") and path not in SKIPPED_PARAMS:
            controls.append(_control(document, path, "Global parameters", path.removeprefix("params."), tunable))
    return controls


def _control(document: dict[str, Any], path: str, group: str, label: str, tunable: dict[str, Any]) -> Control:
    value = tunable[path]
    field = field_for_path(document, path)
    help_text = (field.description or "") if field is not None else ""
    if isinstance(value, bool):
        return Control(path, group, label, "bool", value, help=help_text)
    metadata = schema_bounds(field)
    if isinstance(value, int):
        low, high, _ = slider_range(metadata, value, integer=True)
        return Control(path, group, label, "int", value, int(low), int(high), 1, help_text)
    low, high, step = slider_range(metadata, value)
    return Control(path, group, label, "float", value, low, high, step, help_text)


def schema_bounds(field: FieldInfo | None) -> list[Any]:
    """A field's bound constraints, also when they sit in the non-null part of ``X | None``."""
    if field is None:
        return []
    if field.metadata:
        return list(field.metadata)
    for member in typing.get_args(field.annotation):
        for item in getattr(member, "__metadata__", ()):
            if isinstance(item, FieldInfo):
                return list(item.metadata)
    return []


def slider_range(metadata: list[Any], value: float, integer: bool = False) -> tuple[float, float, float]:
    """A slider's (low, high, step) for a field with schema bounds `metadata` and value `value`.

    The range is the schema's, narrowed around the value when it is very wide (``max_steps``
    allows 100,000). The step holds the value exactly, and both ends lie on the step's grid
    inside the schema's bounds, so whatever the browser's slider sends back (it snaps to
    ``low + k * step`` and rounds to the step's decimals) is a value the schema accepts, and
    showing the slider does not move the value.
    """
    low, high, open_low, open_high = -math.inf, math.inf, False, False
    for item in metadata:
        if isinstance(item, Ge):
            low = float(item.ge)
        elif isinstance(item, Gt):
            low, open_low = float(item.gt), True
        elif isinstance(item, Le):
            high = float(item.le)
        elif isinstance(item, Lt):
            high, open_high = float(item.lt), True
    scale = max(abs(float(value)), 1.0)
    if high - low > WIDE_RANGE * scale:
        low, high = max(low, value - 4 * scale), min(high, value + 4 * scale)
    step = 1.0 if integer else _step(high - low, float(value))
    grid_low, grid_high = math.ceil(round(low / step, 9)) * step, math.floor(round(high / step, 9)) * step
    if open_low and grid_low <= low:
        grid_low += step
    if open_high and grid_high >= high:
        grid_high -= step
    digits = max(0, -math.floor(math.log10(step)))
    return round(grid_low, digits), round(grid_high, digits), step


def _step(span: float, value: float) -> float:
    """A power of ten giving at least about 100 positions over `span` that holds `value` exactly."""
    step = 10.0 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01
    if value:
        step = min(step, 10.0 ** (math.floor(math.log10(abs(value))) - 1))
        while step > 1e-6 and abs(round(value / step) * step - value) > 1e-9 * max(abs(value), 1.0):
            step /= 10
    return float(f"{step:.0e}")
