"""The live page's controls, generated from a scenario's parameter paths.

Every slider is a dotted path of the scenario (``states.RUS.fear``); its range comes from the
schema's bounds and its starting value from the scenario file, so no default is written twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt

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
    low, high = _bounds(field.metadata if field is not None else [], value)
    if isinstance(value, int):
        return Control(path, group, label, "int", value, int(low), int(high), 1, help_text)
    return Control(path, group, label, "float", value, low, high, _step(low, high), help_text)


def _bounds(metadata: list[Any], value: float) -> tuple[float, float]:
    """Slider range: the schema's bounds, narrowed around `value` when they are very wide."""
    low, high, open_low = -math.inf, math.inf, False
    for item in metadata:
        if isinstance(item, Ge):
            low = float(item.ge)
        elif isinstance(item, Gt):
            low, open_low = float(item.gt), True
        elif isinstance(item, Le):
            high = float(item.le)
        elif isinstance(item, Lt):
            high = float(item.lt)
    scale = max(abs(float(value)), 1.0)
    if high - low > WIDE_RANGE * scale:
        high = min(high, max(4.0 * scale, float(value)))
        low = max(low, -high if value < 0 else low)
    if open_low:
        low = low + (high - low) / 1000
    return low, high


def _step(low: float, high: float) -> float:
    """A round step giving about 100 to 1,000 positions."""
    span = high - low
    return 10 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01
