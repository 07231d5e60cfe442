"""Data series, as name-to-function dicts that the command line and dashboards both read, and the belief log.

Names follow the dotted paths of the scenario: ``crisis.moscow.rung``,
``alliance.RUS-PRK.cohesion``, ``image.moscow.RUS`` (how reckless the other side sees RUS's bloc),
``resolve.moscow.RUS`` (how resolved the other side believes RUS to be), ``obstinate.moscow.RUS``
(the public posterior that RUS's lead is the obstinate type of the crisis game).

Every state's beliefs about every state (N x N of each kind) are not agent series, which would
hold 2 N values per state and step; `BeliefLog` keeps them in long format, a row only where a
value changed (``beliefs.parquet``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from agents import StateAgent
    from model.brinkmanship import BrinkmanshipModel

DIGITS = 6
"""Decimals every reporter rounds a float to, so that the outputs are stable text and bytes."""
BELIEF_KINDS = ("recklessness", "resolve", "obstinate")
"""``belief_recklessness[i, j]``: how reckless `i` thinks `j` is; ``belief_resolve[i, j]``: `i`'s
estimate of `j`'s critical risk (these two are the heuristic policy's ratchet, `rules.beliefs`);
``belief_obstinate[i, j]``: the public posterior, which every observer `i` holds, that `j` is the
obstinate type of the crisis game it leads a side in (Bayes' rule on the equilibrium,
`rules.crisis_play`; NaN until `j` leads a crisis). docs/odd.md, state variables."""
BELIEF_COLUMNS = ("step", "observer", "target", "kind", "value")


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


def _obstinate(key: str, index: int, model: BrinkmanshipModel) -> float:
    from model.crisis import obstinate_posterior

    return round(obstinate_posterior(model.crisis(key), index), 6)


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
            series[f"obstinate.{crisis.id}.{side.code}"] = partial(_obstinate, crisis.id, index)
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


def agent_reporters(model: BrinkmanshipModel) -> dict[str, Callable[[StateAgent], Any] | str]:
    """Per-state series: traits, leader and damage (beliefs are in `BeliefLog`)."""
    series: dict[str, Callable[[StateAgent], Any] | str] = {"state": "code"}
    for trait in ("fear", "recklessness", "commitment", "damage"):
        series[trait] = partial(_trait, trait)
    series["leader"] = _leader
    series["leader_age"] = _leader_age
    return series


def belief_values(model: BrinkmanshipModel) -> np.ndarray:
    """The beliefs now, observer x target x kind (`BELIEF_KINDS`), rounded to `DIGITS` decimals."""
    stacked = np.stack([model.belief_recklessness, model.belief_resolve, model.belief_obstinate], axis=-1)
    return np.round(stacked, DIGITS)


class BeliefLog:
    """Every state's beliefs about every state, recorded where the data collector records.

    A record of step `s` keeps one row (step, observer, target, kind, value) per belief on the
    first record, then only per belief whose value differs from its last recorded one. The belief
    at step `s` is the value of its latest row at or before `s` (`beliefs_wide` rebuilds them all).
    A run of N states and T steps in which m beliefs change keeps 3 N^2 + m rows instead of the
    3 N^2 (T + 1) values of one column per target (a 300-state run, 270,000 per step).

    Args:
        model: The model; its beliefs now are the first record (step 0 for a new model).
    """

    def __init__(self, model: BrinkmanshipModel) -> None:
        self.codes: tuple[str, ...] = tuple(state.code for state in model.states)
        self._last: np.ndarray | None = None
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self.record(model)

    def record(self, model: BrinkmanshipModel) -> int:
        """Record the beliefs at the model's step that differ from their last record; return how many."""
        values = belief_values(model)
        if self._last is None:
            changed = np.ones(values.shape, dtype=bool)
        else:
            changed = (values != self._last) & ~(np.isnan(values) & np.isnan(self._last))
        observer, target, kind = np.nonzero(changed)  # by observer, then target, then kind
        step = np.full(len(observer), model.steps, dtype=np.int64)
        indices = (observer.astype(np.int32), target.astype(np.int32), kind.astype(np.int8))
        self._chunks.append((step, *indices, values[changed]))
        self._last = values
        return len(observer)

    def frame(self) -> pd.DataFrame:
        """The rows recorded, as a table with `BELIEF_COLUMNS` (state codes and kinds categorical)."""
        columns = [np.concatenate(parts) for parts in zip(*self._chunks, strict=True)]
        return belief_frame(self.codes, *columns)


def belief_frame(
    codes: Sequence[str],
    step: np.ndarray,
    observer: np.ndarray,
    target: np.ndarray,
    kind: np.ndarray,
    value: np.ndarray,
) -> pd.DataFrame:
    """A belief table from state indices into `codes` and kind indices into `BELIEF_KINDS`."""
    import pandas as pd

    states = pd.CategoricalDtype(list(codes), ordered=True)
    return pd.DataFrame(
        {
            "step": np.asarray(step, dtype=np.int64),
            "observer": pd.Categorical.from_codes(observer, dtype=states),
            "target": pd.Categorical.from_codes(target, dtype=states),
            "kind": pd.Categorical.from_codes(kind, dtype=pd.CategoricalDtype(list(BELIEF_KINDS), ordered=True)),
            "value": np.asarray(value, dtype=np.float64),
        }
    )


def empty_beliefs(codes: Sequence[str] = ()) -> pd.DataFrame:
    """A belief table without rows (a run on the ensemble engine keeps no beliefs)."""
    none = np.zeros(0, dtype=np.int64)
    return belief_frame(codes, none, none, none, none, np.zeros(0))


def beliefs_wide(beliefs: pd.DataFrame, steps: Sequence[int]) -> pd.DataFrame:
    """The beliefs at each of `steps` in wide format: one row per step and observer.

    Columns ``step``, ``state`` (the observer) and, for each target in state order,
    ``belief.recklessness.TARGET``, ``belief.resolve.TARGET`` and ``belief.obstinate.TARGET``: what
    a step's row of the log or an earlier one says. Steps before the first record are empty (NaN).
    """
    import pandas as pd

    codes = list(beliefs["observer"].cat.categories)
    wide = beliefs.pivot_table(
        index=["step", "observer"], columns=["target", "kind"], values="value", observed=True, aggfunc="last"
    )
    order = pd.MultiIndex.from_product([codes, list(BELIEF_KINDS)], names=["target", "kind"])
    rows = pd.MultiIndex.from_product([list(steps), codes], names=["step", "observer"])
    wide = wide.reindex(columns=order).reindex(rows).groupby(level="observer", observed=True).ffill()
    wide.columns = [f"belief.{kind}.{target}" for target, kind in wide.columns]
    return wide.rename_axis(index={"observer": "state"}).reset_index()
