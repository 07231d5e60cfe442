"""Calibration with optuna: find parameter values whose simulated outcomes match targets.

Each trial is one cell run ``reps`` times through the sweep runner (into ``trials/NNNN/``, on
the same seeds every trial), summarised like ``brink summarize``, and scored by
``sum(((simulated - target) / scale) ** 2)`` over the targets. The study lives in SQLite
(``study.db``), so an interrupted calibration resumes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from batch.design import Vary
from scenarios import ScenarioError
from scenarios.reading import read_yaml

TARGET_SOURCE = "--target"
MISSING_PENALTY = 100.0
"""Loss of a target the trial cannot compute (e.g. a dissolution year when nothing dissolved)."""
STUDY = "calibration"


@dataclass(frozen=True)
class Target:
    """A metric (a column of `batch.results.summarize_runs`), its target value and its scale."""

    metric: str
    value: float
    scale: float = 1.0


def parse_target(text: str) -> Target:
    """Parse ``METRIC=VALUE`` or ``METRIC=VALUE:SCALE``.

    Raises:
        ScenarioError: No ``=``, a value or scale that is not a finite number, or a scale <= 0.
    """
    metric, sep, spec = (part.strip() for part in text.partition("="))
    if not sep or not metric or not spec:
        raise ScenarioError(TARGET_SOURCE, metric or text, "expected METRIC=VALUE[:SCALE], e.g. p_yielder_USA=0.8")
    value_text, _, scale_text = spec.partition(":")
    try:
        value = float(value_text)
        scale = float(scale_text) if scale_text else 1.0
    except ValueError:
        raise ScenarioError(TARGET_SOURCE, metric, f"{spec!r} is not VALUE or VALUE:SCALE with numbers") from None
    if not (math.isfinite(value) and math.isfinite(scale)) or scale <= 0:
        raise ScenarioError(TARGET_SOURCE, metric, "the value must be finite and the scale positive")
    return Target(metric, value, scale)


def load_targets(path: Path) -> tuple[list[Target], list[str]]:
    """Targets and sources from a history file (``targets: [{metric, value, scale}]``, ``sources``).

    Raises:
        ScenarioError: The file cannot be read or a target is malformed.
    """
    document = read_yaml(Path(path))
    try:
        targets = [Target(str(t["metric"]), float(t["value"]), float(t.get("scale", 1.0))) for t in document["targets"]]
    except (KeyError, TypeError, ValueError) as error:
        raise ScenarioError(str(path), "targets", f"cannot read the targets: {error}") from None
    return targets, [str(s) for s in document.get("sources", [])]


def loss(metrics: dict[str, float], targets: list[Target]) -> tuple[float, dict[str, float]]:
    """Total loss and each target's term; a metric that is missing or NaN costs `MISSING_PENALTY`."""
    terms = {}
    for target in targets:
        simulated = metrics.get(target.metric, math.nan)
        if simulated is None or not math.isfinite(simulated):
            terms[target.metric] = MISSING_PENALTY
        else:
            terms[target.metric] = ((simulated - target.value) / target.scale) ** 2
    return sum(terms.values()), terms


def check_targets(targets: list[Target], available: list[str]) -> None:
    """Refuse a target whose metric the summary of this scenario cannot have.

    Raises:
        ScenarioError: Unknown metric, with the available ones.
    """
    for target in targets:
        if target.metric not in available:
            close = [a for a in available if a.split("_")[-1] == target.metric.split("_")[-1]][:3]
            hint = f"; did you mean {close[0]!r}?" if close else f"; choose from {', '.join(available)}"
            raise ScenarioError(TARGET_SOURCE, target.metric, f"no such metric{hint}")


def suggest(trial: Any, varies: list[Vary], integer_paths: set[str]) -> dict[str, Any]:
    """The trial's parameter values, one per varied path."""
    values: dict[str, Any] = {}
    for v in varies:
        if v.path in integer_paths:
            values[v.path] = trial.suggest_int(v.path, math.ceil(v.low or 0), math.floor(v.high or 0))
        else:
            values[v.path] = trial.suggest_float(v.path, v.low, v.high)
    return values


def importance_table(study: Any) -> pd.DataFrame:
    """Parameter importances by PED-ANOVA (optuna's evaluator that needs no scikit-learn).

    Empty with fewer than two complete trials.
    """
    import optuna

    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 2:
        return pd.DataFrame(columns=["parameter", "importance"])
    evaluator = optuna.importance.PedAnovaImportanceEvaluator()
    importances = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return pd.DataFrame({"parameter": list(importances), "importance": list(importances.values())})
