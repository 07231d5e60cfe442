"""Data series, as name-to-function dicts that the command line and dashboards both read.

Names follow the dotted paths of the scenario: ``crisis.moscow.rung``,
``alliance.RUS-PRK.cohesion``, ``image.moscow.RUS`` (how reckless the other side sees RUS's bloc),
``resolve.moscow.RUS`` (how resolved the other side believes RUS to be).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents import StateAgent
    from model.brinkmanship import BrinkmanshipModel


def _year(model: BrinkmanshipModel) -> float:
    return round(model.year, 6)


def _rung(key: str, model: BrinkmanshipModel) -> int:
    return model.crisis(key).rung


def _mover(key: str, model: BrinkmanshipModel) -> str:
    return model.crisis(key).mover_code()


def _status(key: str, model: BrinkmanshipModel) -> str:
    return model.crisis(key).status


def _image(key: str, index: int, model: BrinkmanshipModel) -> float:
    from model.crisis import reckless_image

    crisis = model.crisis(key)
    observer = crisis.sides[1 - index].lead
    return round(reckless_image(model, crisis, observer, index), 6)


def _resolve(key: str, index: int, model: BrinkmanshipModel) -> float:
    crisis = model.crisis(key)
    observer, target = crisis.sides[1 - index].lead, crisis.sides[index].lead
    return round(float(model.belief_resolve[observer.index, target.index]), 6)


def _cohesion(key: str, model: BrinkmanshipModel) -> float:
    return round(model.alliance(key).cohesion, 6)


def _active(key: str, model: BrinkmanshipModel) -> bool:
    return model.alliance(key).active


def _damage(code: str, model: BrinkmanshipModel) -> float:
    return round(model.state(code).damage, 6)


def _context(name: str, model: BrinkmanshipModel) -> bool:
    return model.context[name]


def model_reporters(model: BrinkmanshipModel) -> dict[str, Callable[[BrinkmanshipModel], Any]]:
    """Model-level series for this model's crises, alliances, states and context flags."""
    series: dict[str, Callable[[BrinkmanshipModel], Any]] = {"year": _year}
    for crisis in model.crises:
        series[f"crisis.{crisis.id}.rung"] = partial(_rung, crisis.id)
        series[f"crisis.{crisis.id}.mover"] = partial(_mover, crisis.id)
        series[f"crisis.{crisis.id}.status"] = partial(_status, crisis.id)
        for index, side in enumerate(crisis.sides):
            series[f"image.{crisis.id}.{side.code}"] = partial(_image, crisis.id, index)
            series[f"resolve.{crisis.id}.{side.code}"] = partial(_resolve, crisis.id, index)
    for alliance in model.alliances:
        series[f"alliance.{alliance.id}.cohesion"] = partial(_cohesion, alliance.id)
        series[f"alliance.{alliance.id}.active"] = partial(_active, alliance.id)
    for state in model.states:
        series[f"damage.{state.code}"] = partial(_damage, state.code)
    for name in model.context:
        series[f"context.{name}"] = partial(_context, name)
    return series


def _trait(name: str, agent: StateAgent) -> float:
    return round(float(getattr(agent, name)), 6)


def _leader(agent: StateAgent) -> str:
    return agent.leader.name


def _leader_age(agent: StateAgent) -> float:
    return round(agent.leader.age, 4)


def _belief(kind: str, target: int, agent: StateAgent) -> float:
    table = agent.model.belief_recklessness if kind == "recklessness" else agent.model.belief_resolve
    return round(float(table[agent.index, target]), 6)


def agent_reporters(model: BrinkmanshipModel) -> dict[str, Callable[[StateAgent], Any] | str]:
    """Per-state series: traits, leader, damage, and beliefs about every other state."""
    series: dict[str, Callable[[StateAgent], Any] | str] = {"state": "code"}
    for trait in ("fear", "recklessness", "commitment", "damage"):
        series[trait] = partial(_trait, trait)
    series["leader"] = _leader
    series["leader_age"] = _leader_age
    for target in model.states:
        series[f"belief.recklessness.{target.code}"] = partial(_belief, "recklessness", target.index)
        series[f"belief.resolve.{target.code}"] = partial(_belief, "resolve", target.index)
    return series
