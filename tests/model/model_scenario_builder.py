"""Tiny scenarios for model tests, written to a temporary directory.

The tiny ladder has no slip and no decisive fighting below the top rung, so deterministic
policies give deterministic crises:

    0 Quiet, 1 Pressure, 2 Clash (armed attack), 3 Nuclear shot (nuclear, armed attack),
    4 All-out war (nuclear, catastrophe).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


def _rung(rid: int, name: str, **flags: Any) -> dict[str, Any]:
    rung = {
        "id": rid,
        "name": name,
        "stage": "Only stage",
        "kahn": rid,
        "nuclear": False,
        "civilian": False,
        "armed_attack": False,
        "damage_target": 0.0,
        "damage_self": 0.0,
        "slip": 0.0,
        "decisive": 0.0,
    }
    rung.update(flags)
    return rung


TINY_LADDER: dict[str, Any] = {
    "name": "tiny",
    "rungs": [
        _rung(0, "Quiet"),
        _rung(1, "Pressure"),
        _rung(2, "Clash", armed_attack=True),
        _rung(3, "Nuclear shot", nuclear=True, armed_attack=True),
        _rung(
            4,
            "All-out war",
            nuclear=True,
            civilian=True,
            armed_attack=True,
            damage_target=1.0,
            damage_self=1.0,
            slip=1.0,
            catastrophe=True,
        ),
    ],
}
TINY_TOP = 4
NUCLEAR_RUNGS = (3, 4)


def state(name: str, **fields: Any) -> dict[str, Any]:
    """A state spec whose leader never leaves office (no political hazard, no mortality)."""
    spec: dict[str, Any] = {
        "name": name,
        "fear": 0.5,
        "recklessness": 0.5,
        "commitment": 0.5,
        "warheads": 100,
        "leader": {"name": f"Leader of {name}", "age": 50.0, "political_hazard": 0.0},
    }
    spec.update(fields)
    return spec


def scripted(*moves: Any, then: str = "hold") -> dict[str, Any]:
    """A scripted policy spec."""
    return {"name": "scripted", "moves": list(moves), "then": then}


def base_scenario() -> dict[str, Any]:
    """Three states, the tiny ladder, yearly steps, no noise in cohesion and no leader deaths."""
    return {
        "name": "tiny",
        "ladder": copy.deepcopy(TINY_LADDER),
        "params": {
            "max_steps": 10,
            "step_years": 1.0,
            "leaders": {"mortality_log_base": -30.0},
            "cohesion": {"noise_sd": 0.0},
        },
        "states": {"AAA": state("Aland"), "BBB": state("Bland"), "CCC": state("Cland")},
    }


def crisis(first: str, second: str, **fields: Any) -> dict[str, Any]:
    """A crisis between two lead states; `first` moves first."""
    spec: dict[str, Any] = {
        "first_mover": first,
        "sides": {first: {"prevail": 1.0, "concede": -1.0}, second: {"prevail": 1.0, "concede": -1.0}},
    }
    spec.update(fields)
    return spec


def write(directory: Path, document: dict[str, Any], name: str = "scenario.yaml") -> Path:
    """Write a scenario document as YAML and return its path."""
    path = Path(directory) / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path
