"""Scenario files, escalation ladders, and the code that reads and validates them.

The YAML files beside this module are the shipped scenarios; ``ladders/`` holds the escalation
ladders and ``theory/`` the minimal crises that match published results.

Modules:
    schema: the pydantic models of the scenario format.
    ladder: the ladder format.
    paths: dotted parameter paths (``states.RUS.recklessness``).
    loading: reading, overriding and validating files.
    reading: the safe YAML reader (duplicate keys, nesting, aliases, file size).
    strict: strict numbers, flags, names and ids shared by the models.
    limits: the documented size limits.
    errors: `ScenarioError`, the one error bad input raises (one line, values cut short).
"""

from scenarios.errors import ScenarioError
from scenarios.ladder import Ladder, Rung
from scenarios.loading import (
    DEFAULT_SCENARIO,
    load_ladder,
    load_scenario,
    resolve_scenario,
    shipped_ladders,
    shipped_scenarios,
)
from scenarios.schema import Scenario

__all__ = [
    "DEFAULT_SCENARIO",
    "Ladder",
    "Rung",
    "Scenario",
    "ScenarioError",
    "load_ladder",
    "load_scenario",
    "resolve_scenario",
    "shipped_ladders",
    "shipped_scenarios",
]
