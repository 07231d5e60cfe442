"""Read a sweep's part files and summarise them: outcome probabilities with Wilson intervals, and plots.

The summary has, for the first crisis at top level and again for every crisis under
``crisis.<id>.`` (the row columns of `batch.rows`), the share of runs that ended in each
outcome, yielding split into yielding by choice and defeat, catastrophe split by its cause, the
share of each yielder and of nuclear use, and statistics of the highest rung, the duration and
the rung of the yield. Plotting imports matplotlib only when a plot is drawn.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from batch.files import atomic_write
from batch.runner import MANIFEST, PARTS
from batch.stats import wilson_interval
from model.outcomes import CATASTROPHE_CAUSES, CHOICE, DEFEAT, NO_CRISIS, NOT_STARTED
from scenarios import ScenarioError
from scenarios.errors import clip
from scenarios.errors import shown as quoted

QUANTILES = (0.1, 0.5, 0.9)
CORE_OUTCOMES = ("yield", "catastrophe", "stalemate")
"""Outcomes whose share every summary of a crisis has, even when no run ended in them."""
YIELD_CAUSES = (("p_yield_choice", CHOICE), ("p_defeat", DEFEAT))
"""Shares of a yield by its cause (``yield_cause``, `model.outcomes`); ``p_catastrophe`` is split into
``p_catastrophe_<cause>`` for every cause in `model.outcomes.CATASTROPHE_CAUSES`."""
STATISTICS = ("max_rung", "duration", "yield_rung")
"""Numeric fields of a crisis summarised by mean and quantiles (yield_rung: over the runs that ended in a yield)."""
CRISIS_PREFIX = "crisis."
CONFIDENCE = 0.95


def read_manifest(out: Path) -> dict[str, Any]:
    """The sweep's manifest, checked for the fields a summary reads (`check_manifest`).

    Raises:
        ScenarioError: `out` holds no sweep, or its manifest cannot be read or lacks a field.
    """
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise ScenarioError(str(out), "", f"holds no sweep (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioError(str(path), "", f"cannot read the manifest: {error.strerror or error}") from None
    except ValueError as error:  # bad JSON, or bytes that are not UTF-8
        raise ScenarioError(str(path), "", f"cannot read the manifest: {error}") from None
    check_manifest(manifest, str(path))
    return manifest


MANIFEST_FIELDS: tuple[tuple[str, type | tuple[type, ...], str], ...] = (
    ("scenario", str, "a text"),
    ("runs", int, "a whole number"),
    ("design", dict, "an object"),
    ("design.kind", str, "a text"),
    ("design.vary", list, "a list"),
)
"""Fields of a manifest that summaries and plots read (written by `batch.runner.SweepPlan.manifest`)."""


def _manifest_field(manifest: Any, dotted: str) -> Any:
    value = manifest
    for key in dotted.split("."):
        value = value.get(key, KeyError) if isinstance(value, dict) else KeyError
    return value


def check_manifest(manifest: Any, source: str) -> None:
    """Refuse a manifest that lacks a field a summary reads, or holds one of another type.

    Raises:
        ScenarioError: Naming `source`, the field (``design.vary[0].path``) and the problem.
    """
    if not isinstance(manifest, dict):
        raise ScenarioError(source, "", f"cannot read the manifest: expected a JSON object, got {quoted(manifest)}")
    for dotted, kind, words in MANIFEST_FIELDS:
        value = _manifest_field(manifest, dotted)
        if value is KeyError:
            raise ScenarioError(source, dotted, "missing from the manifest")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ScenarioError(source, dotted, f"expected {words}, got {quoted(value)}")
    for i, vary in enumerate(manifest["design"]["vary"]):
        where = f"design.vary[{i}]"
        if not isinstance(vary, dict) or not isinstance(vary.get("path"), str):
            raise ScenarioError(source, where, f"expected an object with a text path, got {quoted(vary)}")
        for end in ("low", "high"):
            bound = vary.get(end)
            if bound is not None and (not isinstance(bound, int | float) or isinstance(bound, bool)):
                raise ScenarioError(source, f"{where}.{end}", f"expected a number, got {quoted(bound)}")


ROW_KEYS = ("cell", "rep", "error")
"""Columns every part file has (`batch.rows.table_schema`); summaries group and count by them."""
RERUN_HINT = "the sweep's command with --resume runs its task again"


def read_part(path: Path) -> pd.DataFrame:
    """One part file's rows.

    Raises:
        ScenarioError: The file cannot be read whole (cut short, damaged) or lacks a row column.
    """
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # a damaged file fails in many ways (Arrow, Thrift, OSError): one line for all
        problem = f"cannot read this part file ({clip(str(error), 160)}); {RERUN_HINT}"
        raise ScenarioError(str(path), "", problem) from None
    missing = [key for key in ROW_KEYS if key not in frame.columns]
    if missing:
        raise ScenarioError(str(path), missing[0], f"missing from this part file; {RERUN_HINT}")
    return frame


def load_runs(out: Path) -> pd.DataFrame:
    """Every finished run of the sweep in `out`, one row each, sorted by cell and replication.

    Raises:
        ScenarioError: `out` holds no sweep or no finished run, or a manifest or part file that cannot be read.
    """
    read_manifest(out)
    parts = sorted((Path(out) / PARTS).glob("task-*.parquet"))
    if not parts:
        raise ScenarioError(str(out), "", "holds no finished runs yet")
    frame = pd.concat([read_part(p) for p in parts], ignore_index=True)
    return frame.sort_values(["cell", "rep"], kind="stable").reset_index(drop=True)


def varied_paths(manifest: dict[str, Any]) -> list[str]:
    """The paths the sweep varied (none for a sweep that replicates the scenario as it is)."""
    return [v["path"] for v in manifest["design"]["vary"]]


def crisis_prefixes(columns: Iterable[str]) -> list[str]:
    """``""`` (the first crisis, at top level), then ``crisis.<id>.`` for every crisis with row columns."""
    ids = [c[len(CRISIS_PREFIX) : -len(".outcome")] for c in columns if re.fullmatch(r"crisis\.[^.]+\.outcome", c)]
    return ["", *(f"{CRISIS_PREFIX}{i}." for i in ids)]


def outcome_specs(outcomes: Iterable[str], catastrophe_causes: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """(metric, outcome, cause column, cause) of each outcome share; an outcome's split by cause follows it.

    The cause column and cause are empty for the share of the outcome itself.
    """
    specs: list[tuple[str, str, str, str]] = []
    for outcome in outcomes:
        specs.append((f"p_{outcome}", outcome, "", ""))
        if outcome == "yield":
            specs += [(name, outcome, "yield_cause", cause) for name, cause in YIELD_CAUSES]
        if outcome == "catastrophe":
            specs += [(f"p_catastrophe_{cause}", outcome, "catastrophe_cause", cause) for cause in catastrophe_causes]
    return specs


def crisis_indicators(runs: pd.DataFrame, prefix: str, core: bool) -> dict[str, pd.Series]:
    """Named 0/1 columns of one crisis (columns ``<prefix>outcome`` ...) whose means are its shares.

    Args:
        runs: Runs that did not raise.
        prefix: ``""`` for the top-level fields or ``crisis.<id>.``.
        core: Whether the shares of `CORE_OUTCOMES` and their causes are there even if none happened.
    """
    outcome = runs[f"{prefix}outcome"]
    found = sorted(outcome.dropna().unique())
    outcomes = [*(CORE_OUTCOMES if core else ()), *(o for o in found if not core or o not in CORE_OUTCOMES)]
    cause_column = f"{prefix}catastrophe_cause"
    causes = list(CATASTROPHE_CAUSES) if core else []
    if cause_column in runs.columns:
        causes += sorted(c for c in runs[cause_column].dropna().unique() if c not in causes)
    indicators: dict[str, pd.Series] = {}
    for name, value, column, cause in outcome_specs(outcomes, causes):
        if not column:
            indicators[f"{prefix}{name}"] = outcome == value
        elif f"{prefix}{column}" in runs.columns:
            indicators[f"{prefix}{name}"] = (outcome == value) & (runs[f"{prefix}{column}"] == cause)
    for code in sorted(runs[f"{prefix}yielder"].dropna().unique()):
        indicators[f"{prefix}p_yielder_{code}"] = runs[f"{prefix}yielder"] == code
    if f"{prefix}nuclear_used" in runs.columns:
        indicators[f"{prefix}p_nuclear_used"] = runs[f"{prefix}nuclear_used"].fillna(False).astype(bool)
    return indicators


def outcome_indicators(runs: pd.DataFrame) -> dict[str, pd.Series]:
    """Named 0/1 columns whose means are the outcome probabilities: every crisis, then every alliance."""
    prefixes = crisis_prefixes(runs.columns)
    indicators: dict[str, pd.Series] = {}
    for prefix in prefixes:
        indicators |= crisis_indicators(runs, prefix, core=len(prefixes) > 1)
    for column in runs.columns:
        if column.startswith("alliance.") and column.endswith(".survived"):
            indicators[f"p_{column}"] = runs[column].fillna(False).astype(bool)
    return indicators


def statistic_columns(columns: Iterable[str]) -> list[str]:
    """Numeric row columns summarised by mean and quantiles: `STATISTICS` of every crisis, dissolution years."""
    columns = list(columns)
    found = [f"{p}{s}" for p in crisis_prefixes(columns) for s in STATISTICS if f"{p}{s}" in columns]
    return found + [c for c in columns if c.endswith(".dissolved_year")]


def _shares(indicators: dict[str, pd.Series], index: pd.Index, confidence: float) -> dict[str, float]:
    n = len(index)
    row: dict[str, float] = {}
    for name, series in indicators.items():
        k = int(series.reindex(index, fill_value=False).sum())
        lo, hi = wilson_interval(k, n, confidence) if n else (np.nan, np.nan)
        row |= {name: k / n if n else np.nan, f"{name}_lo": lo, f"{name}_hi": hi}
    return row


def _statistics(group: pd.DataFrame, columns: list[str]) -> dict[str, float]:
    row: dict[str, float] = {}
    for column in columns:
        values = group[column].dropna().astype(float)
        row[f"{column}_mean"] = float(values.mean()) if len(values) else np.nan
        for q in QUANTILES:
            row[f"{column}_q{int(q * 100)}"] = float(values.quantile(q)) if len(values) else np.nan
    return row


def summarize_runs(runs: pd.DataFrame, by: list[str], confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Summarise runs per group of `by` values (one row for all runs when `by` is empty).

    Each row has the group's runs and errors; the share of each outcome, of yielding by choice
    (``p_yield_choice``) and by defeat (``p_defeat``), of each cause of catastrophe
    (``p_catastrophe_slip``, ``p_catastrophe_deliberate``), of each yielder, of nuclear use and
    of each alliance's survival, each with its Wilson interval (``_lo``, ``_hi``); and the mean
    and quantiles of the highest rung, of the duration (moves), of the rung of the yield (over
    the runs that ended in a yield) and of each alliance's year of dissolution (over the runs in
    which it dissolved). The crisis columns are given for the first crisis at top level and for
    every crisis under ``crisis.<id>.``. Runs that raised are counted in ``errors`` and left out
    of every share.
    """
    ok = runs["error"].isna()
    indicators = outcome_indicators(runs[ok]) if ok.any() else {}
    statistics = statistic_columns(runs.columns)
    rows = []
    groups = runs.groupby(by, sort=True, dropna=False) if by else [((), runs)]
    for key, everything in groups:
        key = key if isinstance(key, tuple) else (key,)
        row: dict[str, Any] = dict(zip(by, key, strict=True))
        group = everything[ok.loc[everything.index]]
        row |= {"runs": len(group), "errors": len(everything) - len(group)}
        row |= _shares(indicators, group.index, confidence)
        row |= _statistics(group, statistics)
        rows.append(row)
    return pd.DataFrame(rows)


def crisis_metrics(prefix: str, codes: list[str], extra_outcomes: tuple[str, ...] = ()) -> list[str]:
    """Metric names of one crisis's summary columns (see `summarize_runs`)."""
    outcomes = (*CORE_OUTCOMES, NOT_STARTED, *extra_outcomes)
    names = [f"{prefix}{spec[0]}" for spec in outcome_specs(outcomes, CATASTROPHE_CAUSES)]
    names += [f"{prefix}p_yielder_{c}" for c in codes] + [f"{prefix}p_nuclear_used"]
    return names + [f"{prefix}{column}_{s}" for column in STATISTICS for s in ("mean", "q10", "q50", "q90")]


def possible_metrics(alliances: list[str], codes: list[str], crises: Iterable[str] = ()) -> list[str]:
    """Metric names a scenario's summary can have (see `summarize_runs`), its crises' ids in `crises`."""
    names = crisis_metrics("", codes, extra_outcomes=(NO_CRISIS,))
    for crisis in crises:
        names += crisis_metrics(f"{CRISIS_PREFIX}{crisis}.", codes)
    for alliance in alliances:
        names.append(f"p_alliance.{alliance}.survived")
        names += [f"alliance.{alliance}.dissolved_year_{s}" for s in ("mean", "q10", "q50", "q90")]
    return names


def is_share(column: str) -> bool:
    """Whether a summary column is an outcome share (not its interval, not a statistic)."""
    name = column.rsplit(".", 1)[-1] if column.startswith(CRISIS_PREFIX) else column
    return name.startswith("p_") and not name.endswith(("_lo", "_hi"))


def reported_metrics(columns: Iterable[str], run_columns: Iterable[str], means: bool = False) -> list[str]:
    """The shares (and with `means` the means) of a summary worth showing, in order.

    Those of the first crisis under ``crisis.<id>.`` are left out: they equal the top-level ones.
    """
    first = crisis_prefixes(run_columns)[1:2]
    return [
        c
        for c in columns
        if (is_share(c) or (means and c.endswith("_mean"))) and not (first and c.startswith(first[0]))
    ]


def summary_suffix(by: list[str]) -> str:
    """The file-name suffix of a summary grouped by `by` (``-by-PATH+PATH``), cut to a safe length."""
    suffix = "-by-" + "+".join(re.sub(r"[^A-Za-z0-9_.+-]", "_", path) for path in by)
    if len(suffix) > 120:
        suffix = f"{suffix[:100]}-{hashlib.sha256(suffix.encode()).hexdigest()[:12]}"
    return suffix


def write_summary(table: pd.DataFrame, path: Path) -> None:
    """Write a summary table as CSV, whole or not at all."""
    atomic_write(path, lambda temporary: table.to_csv(temporary, index=False, float_format="%.6g"))


# --- plots ----------------------------------------------------------------------------------------------

COLOURS = "viridis"
"""Colour map of every share: dark at 0, yellow at 1, on the fixed scale 0-1."""
ANNOTATE_LIMIT = 12
"""Heatmaps with up to this many rows and columns show each cell's value and interval."""


def pyplot() -> Any:
    """Pyplot on the Agg backend (imported here, not with the module: it is slow to import)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, path: Path) -> None:
    """Write a figure as PNG, whole or not at all, with no timestamp or version (same input, same bytes)."""
    try:
        atomic_write(path, lambda temporary: figure.savefig(temporary, format="png", metadata={"Software": None}))
    finally:
        pyplot().close(figure)


def tick_label(value: Any) -> str:
    """A parameter value as an axis label (floats in at most four significant digits)."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return str(value)


def _errors(frame: pd.DataFrame, metric: str) -> list[np.ndarray]:
    """Lengths of the interval below and above each share (for matplotlib's ``xerr``/``yerr``)."""
    y = frame[metric].to_numpy(dtype=float)
    lo = frame.get(f"{metric}_lo", frame[metric]).to_numpy(dtype=float)
    hi = frame.get(f"{metric}_hi", frame[metric]).to_numpy(dtype=float)
    return [np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)]


def draw_heatmap(axes: Any, values: np.ndarray, lo: np.ndarray, hi: np.ndarray, xs: list[str], ys: list[str]) -> Any:
    """Shares on the fixed 0-1 colour scale, each cell labelled with its value and interval.

    Cells without runs stay blank and say so. Larger grids (over `ANNOTATE_LIMIT` a side) show
    the value only up to 20 a side, then colours only.
    """
    image = axes.imshow(values, origin="lower", aspect="auto", cmap=COLOURS, vmin=0.0, vmax=1.0)
    rows, cols = values.shape
    axes.set_xticks(range(cols), xs, rotation=30 if cols > 6 else 0, ha="right" if cols > 6 else "center")
    axes.set_yticks(range(rows), ys)
    side = max(rows, cols)
    if side > 20:
        return image
    size = 9 if side <= 5 else 8 if side <= 8 else 7
    for i in range(rows):
        for j in range(cols):
            v = values[i, j]
            if np.isnan(v):
                axes.text(j, i, "no runs", ha="center", va="center", fontsize=size, color="0.4")
                continue
            text = f"{v:.2f}\n[{lo[i, j]:.2f}, {hi[i, j]:.2f}]" if side <= ANNOTATE_LIMIT else f"{v:.2f}"
            axes.text(j, i, text, ha="center", va="center", fontsize=size, color="black" if v > 0.6 else "white")
    return image


def heatmap_figure(table: pd.DataFrame, by: list[str], metric: str, title: str) -> Any:
    """A heatmap of `metric` over two grid paths (`by`: x, then y)."""
    x, y = by
    grids = [table.pivot(index=y, columns=x, values=c) for c in (metric, f"{metric}_lo", f"{metric}_hi")]
    rows, cols = grids[0].shape
    size = (min(16.0, max(6.4, 1.05 * cols + 2.8)), min(12.0, max(4.8, 0.7 * rows + 1.8)))
    figure, axes = pyplot().subplots(figsize=size, dpi=100, layout="constrained")
    values, lo, hi = (g.to_numpy(dtype=float) for g in grids)
    xs, ys = [tick_label(v) for v in grids[0].columns], [tick_label(v) for v in grids[0].index]
    image = draw_heatmap(axes, values, lo, hi, xs, ys)
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    axes.set_title(f"{title}\n{metric} (value and {CONFIDENCE:.0%} Wilson interval per cell)", fontsize=9)
    figure.colorbar(image, ax=axes, label=metric)
    return figure


def line_figure(table: pd.DataFrame, path: str, metric: str, title: str, sampled: bool) -> Any:
    """`metric` against one path with its intervals; sampled designs' points are not joined by a line."""
    ordered = table.sort_values(path)
    figure, axes = pyplot().subplots(figsize=(6.4, 4.2), dpi=100, layout="constrained")
    values = ordered[path]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    x = values.to_numpy(dtype=float) if numeric else np.arange(len(values))
    style = "none" if sampled else "-"
    axes.errorbar(x, ordered[metric], yerr=_errors(ordered, metric), marker="o", capsize=3, linestyle=style)
    if not numeric:
        axes.set_xticks(x, [tick_label(v) for v in values])
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel(path)
    axes.set_ylabel(metric)
    axes.grid(alpha=0.3)
    axes.set_title(f"{title}\n{metric} ({CONFIDENCE:.0%} Wilson intervals)", fontsize=9)
    return figure


def bin_count(cells: int) -> int:
    """Bins a side for a binned heatmap of a sampling design: about four cells a bin, 2 to 8 a side."""
    return int(np.clip(round(np.sqrt(cells / 4)), 2, 8))


def binned_summary(
    runs: pd.DataFrame, by: list[str], bounds: dict[str, tuple[float, float]], bins: int
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Runs pooled in `bins` equal-width bins of each path's bounds, summarised per pair of bins.

    Returns:
        The summary (columns `by` hold bin indices 0 .. bins - 1) and each path's bin labels.
    """
    binned = runs.copy()
    labels: dict[str, list[str]] = {}
    for path in by:
        low, high = bounds.get(path, (None, None))
        values = runs[path].astype(float)
        low = float(values.min()) if low is None else low
        high = float(values.max()) if high is None else high
        width = (high - low) / bins or 1.0
        binned[path] = np.clip(((values - low) / width).to_numpy() // 1, 0, bins - 1).astype(int)
        labels[path] = [f"{low + i * width:.3g}–{low + (i + 1) * width:.3g}" for i in range(bins)]
    return summarize_runs(binned, by), labels


def sampled_figure(table: pd.DataFrame, binned: tuple[pd.DataFrame, dict[str, list[str]]], by: list[str],
                   metric: str, title: str) -> Any:  # fmt: skip
    """Two panels for a sampling design: every cell as a point coloured by `metric`, and a binned heatmap."""
    x, y = by
    summary, labels = binned
    figure, (points, heat) = pyplot().subplots(1, 2, figsize=(12.8, 5.4), dpi=100, layout="constrained")
    shown = table[table[metric].notna()]
    image = points.scatter(shown[x], shown[y], c=shown[metric], cmap=COLOURS, vmin=0.0, vmax=1.0, s=46,
                           edgecolors="0.25", linewidths=0.4)  # fmt: skip
    empty = table[table[metric].isna()]
    if len(empty):
        points.scatter(empty[x], empty[y], marker="x", color="0.5", label="no runs")
        points.legend(fontsize=8)
    points.set_xlabel(x)
    points.set_ylabel(y)
    points.set_title(f"{metric} of each of the {len(table)} cells", fontsize=9)
    bins = len(labels[x])
    index = pd.MultiIndex.from_product([range(bins), range(bins)], names=[y, x])
    grids = [summary.set_index([y, x])[c].reindex(index).to_numpy(dtype=float).reshape(bins, bins)
             for c in (metric, f"{metric}_lo", f"{metric}_hi")]  # fmt: skip
    draw_heatmap(heat, *grids, labels[x], labels[y])
    heat.set_xlabel(x)
    heat.set_ylabel(y)
    heat.set_title(f"{metric}, runs pooled in {bins} x {bins} bins ({CONFIDENCE:.0%} Wilson intervals)", fontsize=9)
    figure.colorbar(image, ax=[points, heat], label=metric)
    figure.suptitle(title, fontsize=10)
    return figure


def outcome_figure(row: pd.Series, metrics: list[str], title: str) -> Any:
    """The shares of one summary row as horizontal bars with their intervals, each labelled with both."""
    frame = pd.DataFrame([row])[[c for m in metrics for c in (m, f"{m}_lo", f"{m}_hi")]]
    figure, axes = pyplot().subplots(figsize=(8.0, 1.2 + 0.36 * len(metrics)), dpi=100, layout="constrained")
    positions = np.arange(len(metrics))[::-1]  # the first metric on top
    shares = frame[metrics].iloc[0].to_numpy(dtype=float)
    errors = [np.array([e[0] for e in _errors(frame, m)]) for m in metrics]
    splits = [bool(re.search(r"p_(yield_choice|defeat|catastrophe_[a-z]+)$", m)) for m in metrics]
    colours = ["#8fb3d9" if split else "#3b6ea8" for split in splits]
    axes.barh(positions, shares, xerr=np.array(errors).T, capsize=3, color=colours, error_kw={"elinewidth": 1})
    for position, metric, share in zip(positions, metrics, shares, strict=True):
        lo, hi = frame[f"{metric}_lo"].iat[0], frame[f"{metric}_hi"].iat[0]
        axes.text(max(hi, share) + 0.02, position, f"{share:.3f}  [{lo:.3f}, {hi:.3f}]", va="center", fontsize=8)
    names = [("    " if split else "") + m.rsplit(".", 1)[-1] if m.startswith(CRISIS_PREFIX) else m
             for m, split in zip(metrics, splits, strict=True)]  # fmt: skip
    axes.set_yticks(positions, names, fontsize=8)
    axes.set_xlim(0.0, 1.42)
    axes.set_xticks(np.linspace(0.0, 1.0, 6))
    axes.set_xlabel(f"share of runs ({CONFIDENCE:.0%} Wilson intervals); light bars split the dark bar above by cause")
    axes.grid(alpha=0.3, axis="x")
    axes.set_title(title, fontsize=9)
    return figure


def histogram_figure(values: pd.Series, names: dict[int, str] | None, title: str, label: str) -> Any:
    """The share of runs at each whole-number value.

    Rungs (`names` given) are horizontal bars from rung 0 up, each named; other values (a
    duration) a vertical histogram.
    """
    counts = values.astype(int).value_counts()
    n = int(counts.sum())
    plt = pyplot()
    if names is not None:
        levels = np.arange(0, int(counts.index.max()) + 1)
        shares = counts.reindex(levels, fill_value=0).to_numpy() / n
        figure, axes = plt.subplots(figsize=(8.0, 1.2 + 0.34 * len(levels)), dpi=100, layout="constrained")
        axes.barh(levels, shares, color="#3b6ea8")
        axes.set_yticks(levels, [f"{r} {names.get(int(r), '')}".strip() for r in levels], fontsize=8)
        for level, share in zip(levels, shares, strict=True):
            axes.text(share + 0.01, level, f"{share:.3f}", va="center", fontsize=8)
        axes.set_xlim(0.0, shares.max() + 0.15)
        axes.set_xticks([t for t in np.linspace(0.0, 1.0, 11) if t <= shares.max() + 0.15])
        axes.set_xlabel(f"share of {n} runs")
        axes.set_ylabel(label)
        axes.grid(alpha=0.3, axis="x")
    else:
        figure, axes = plt.subplots(figsize=(7.0, 4.2), dpi=100, layout="constrained")
        low, high = int(counts.index.min()), int(counts.index.max())
        if high - low < 40:
            levels = np.arange(low, high + 1)
            shares = counts.reindex(levels, fill_value=0).to_numpy() / n
            axes.bar(levels, shares, width=0.8, color="#3b6ea8")
            for level, share in zip(levels, shares, strict=True) if len(levels) <= 20 else ():
                axes.text(level, share, f"{share:.3f}", ha="center", va="bottom", fontsize=8)
            axes.xaxis.get_major_locator().set_params(integer=True)
        else:
            axes.hist(values.astype(float), bins=30, weights=np.full(n, 1.0 / n), color="#3b6ea8", edgecolor="white")
        axes.set_xlabel(label)
        axes.set_ylabel(f"share of {n} runs")
        axes.grid(alpha=0.3, axis="y")
    axes.set_title(title, fontsize=9)
    return figure


def plotted_prefixes(columns: Iterable[str]) -> list[str]:
    """Crises that get plots of their own: the first at top level, then the second and later ones."""
    prefixes = crisis_prefixes(columns)
    return ["", *prefixes[2:]]


DISTRIBUTIONS = (
    ("max_rung", "highest rung reached"),
    ("duration", "duration (moves)"),
    ("yield_rung", "rung of the yield"),
)
"""Row fields of a crisis whose distribution a sweep without ``--vary`` plots, and their axis labels."""


def rung_names(runs: pd.DataFrame) -> dict[int, str]:
    """The name of every highest rung the runs reached (``max_rung`` and ``max_rung_name``)."""
    if not {"max_rung", "max_rung_name"} <= set(runs.columns):
        return {}
    pairs = runs[["max_rung", "max_rung_name"]].dropna().drop_duplicates()
    return {int(r): str(n) for r, n in zip(pairs["max_rung"], pairs["max_rung_name"], strict=True)}


def distribution_plots(folder: Path, row: pd.Series, runs: pd.DataFrame, title: str) -> list[Path]:
    """Plots of one group of runs, per crisis: outcome shares, highest rung, duration and rung of the yield."""
    ok = runs[runs["error"].isna()]
    names = rung_names(ok)
    written: list[Path] = []
    for prefix in plotted_prefixes(runs.columns):
        heading = f"{title} (crisis {prefix[len(CRISIS_PREFIX) : -1]})" if prefix else title
        own = [c for c in row.index if is_share(c) and c.startswith(CRISIS_PREFIX) == bool(prefix)]
        shares = [c for c in own if c.startswith(prefix)]
        figures = {"outcomes": outcome_figure(row, shares, f"{heading}: outcome shares of {len(ok)} runs")}
        for column, label in DISTRIBUTIONS:
            values = ok[f"{prefix}{column}"].dropna() if f"{prefix}{column}" in ok.columns else pd.Series([])
            if len(values):
                what = f"{label}, {len(values)} runs" + (" that ended in a yield" if column == "yield_rung" else "")
                rungs = None if column == "duration" else names
                figures[column] = histogram_figure(values, rungs, f"{heading}: {what}", label)
        for name, figure in figures.items():
            written.append(folder / f"{prefix}{name}.png")
            save_figure(figure, written[-1])
    return written


def write_plots(folder: Path, table: pd.DataFrame, runs: pd.DataFrame, by: list[str], manifest: dict[str, Any],
                suffix: str = "") -> list[Path]:  # fmt: skip
    """Write the plots of a summary to `folder` and return their paths.

    No `by` paths: the distributions of all runs (`distribution_plots`). One path: each share
    against it. Two paths: a heatmap per share on a grid, or for a sampling design (lhs, sobol,
    sensitivity) the cells as points beside a binned heatmap. Every share is on the fixed scale
    0-1 with its Wilson interval. File names end in `suffix` (see `summary_suffix`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    title = f"{manifest.get('scenario', '')}: {int(table['runs'].sum())} runs"
    if not by:
        return distribution_plots(folder, table.iloc[0], runs, str(manifest.get("scenario", "")))
    metrics = reported_metrics(table.columns, runs.columns)
    sampled = manifest["design"]["kind"] != "grid"
    binned = None
    if sampled and len(by) == 2:
        bounds = {v["path"]: (v.get("low"), v.get("high")) for v in manifest["design"]["vary"]}
        binned = binned_summary(runs, by, bounds, bin_count(len(table)))
    written = []
    for metric in metrics:
        if len(by) == 1:
            figure = line_figure(table, by[0], metric, title, sampled)
        elif binned is not None:
            figure = sampled_figure(table, binned, by, metric, title)
        else:
            figure = heatmap_figure(table, by, metric, title)
        written.append(folder / f"{metric}{suffix}.png")
        save_figure(figure, written[-1])
    return written
