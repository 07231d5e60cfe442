"""Read a sweep's part files and summarise them: outcome probabilities with Wilson intervals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from batch.runner import MANIFEST, PARTS
from batch.stats import wilson_interval
from scenarios import ScenarioError

QUANTILES = (0.1, 0.5, 0.9)


def read_manifest(out: Path) -> dict[str, Any]:
    """The sweep's manifest.

    Raises:
        ScenarioError: `out` holds no sweep.
    """
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise ScenarioError(str(out), "", f"holds no sweep (no {MANIFEST})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ScenarioError(str(path), "", f"cannot read the manifest: {error}") from None


def load_runs(out: Path) -> pd.DataFrame:
    """Every finished run of the sweep in `out`, one row each, sorted by cell and replication."""
    read_manifest(out)
    parts = sorted((Path(out) / PARTS).glob("task-*.parquet"))
    if not parts:
        raise ScenarioError(str(out), "", "holds no finished runs yet")
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    return frame.sort_values(["cell", "rep"], kind="stable").reset_index(drop=True)


def varied_paths(manifest: dict[str, Any]) -> list[str]:
    """The paths the sweep varied."""
    return [v["path"] for v in manifest["design"]["vary"]]


def outcome_indicators(runs: pd.DataFrame) -> dict[str, pd.Series]:
    """Named 0/1 columns whose means are the outcome probabilities."""
    ok = runs["error"].isna()
    indicators: dict[str, pd.Series] = {}
    for outcome in sorted(runs.loc[ok, "outcome"].dropna().unique()):
        indicators[f"p_{outcome}"] = runs["outcome"] == outcome
    for code in sorted(runs.loc[ok, "yielder"].dropna().unique()):
        indicators[f"p_yielder_{code}"] = runs["yielder"] == code
    indicators["p_nuclear_used"] = runs["nuclear_used"].fillna(False).astype(bool)
    for column in runs.columns:
        if column.startswith("alliance.") and column.endswith(".survived"):
            indicators[f"p_{column}"] = runs[column].fillna(False).astype(bool)
    return indicators


def summarize_runs(runs: pd.DataFrame, by: list[str], confidence: float = 0.95) -> pd.DataFrame:
    """Summarise runs per group of `by` values.

    Each row has the group's runs and errors, outcome probabilities with Wilson intervals, and
    the mean and quantiles of the highest rung, of the duration (moves of the first crisis) and
    of each alliance's year of dissolution (over the runs in which it dissolved).
    Runs that raised are counted in ``errors`` and left out of every probability.
    """
    ok = runs["error"].isna()
    indicators = outcome_indicators(runs[ok]) if ok.any() else {}
    rows = []
    groups = runs.groupby(by, sort=True, dropna=False) if by else [((), runs)]
    for key, everything in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(by, key, strict=True))
        group = everything[ok.loc[everything.index]]
        n = len(group)
        row["runs"] = n
        row["errors"] = len(everything) - n
        for name, series in indicators.items():
            k = int(series.reindex(group.index, fill_value=False).sum())
            lo, hi = wilson_interval(k, n, confidence) if n else (np.nan, np.nan)
            row |= {name: k / n if n else np.nan, f"{name}_lo": lo, f"{name}_hi": hi}
        for column in ("max_rung", "duration", *(c for c in runs.columns if c.endswith(".dissolved_year"))):
            values = group[column].dropna().astype(float)
            row[f"{column}_mean"] = float(values.mean()) if len(values) else np.nan
            for q in QUANTILES:
                row[f"{column}_q{int(q * 100)}"] = float(values.quantile(q)) if len(values) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def possible_metrics(alliances: list[str], codes: list[str]) -> list[str]:
    """Metric names a scenario's summary can have (see `batch.results.summarize_runs`)."""
    names = [f"p_{o}" for o in ("yield", "catastrophe", "stalemate", "no_crisis", "not_started")]
    names += [f"p_yielder_{c}" for c in codes] + ["p_nuclear_used"]
    for alliance in alliances:
        names.append(f"p_alliance.{alliance}.survived")
        names += [f"alliance.{alliance}.dissolved_year_{s}" for s in ("mean", "q10", "q50", "q90")]
    for column in ("max_rung", "duration"):
        names += [f"{column}_{s}" for s in ("mean", "q10", "q50", "q90")]
    return names


def plot_summary(table: pd.DataFrame, by: list[str], metric: str, path: Path) -> None:
    """A line plot with intervals (one varied path) or a heatmap (two) of `metric`."""
    figure, axes = plt.subplots(figsize=(6.0, 4.0), dpi=100)
    if len(by) == 1:
        ordered = table.sort_values(by[0])
        y = ordered[metric]
        below = (y - ordered.get(f"{metric}_lo", y)).clip(lower=0)
        above = (ordered.get(f"{metric}_hi", y) - y).clip(lower=0)
        axes.errorbar(ordered[by[0]], y, yerr=[below, above], marker="o", capsize=3)
        axes.set_xlabel(by[0])
        axes.set_ylabel(metric)
        axes.grid(alpha=0.3)
    else:
        grid = table.pivot_table(index=by[1], columns=by[0], values=metric, aggfunc="mean")
        image = axes.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        axes.set_xticks(range(len(grid.columns)), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.columns])
        axes.set_yticks(range(len(grid.index)), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.index])
        axes.set_xlabel(by[0])
        axes.set_ylabel(by[1])
        figure.colorbar(image, ax=axes, label=metric)
    axes.set_title(metric, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)
