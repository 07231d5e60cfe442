"""Result folders read for the results pages, and their charts (Altair), as plain functions.

A folder is a sweep (``brink sweep``), a sensitivity analysis (``brink sensitivity``) or a
theory report (``brink theory --out``); `open_result` tells them apart by the files in it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from batch.results import load_runs, read_manifest, reported_metrics, summarize_runs, varied_paths
from batch.runner import MANIFEST, PARTS
from dashboards.files import INDICES_FILE, THEORY_FILE
from scenarios import ScenarioError

SWEEP, SENSITIVITY, THEORY = "sweep", "sensitivity", "theory"
MAX_LEVELS = 12
"""A varied path with more distinct values than this (a Latin hypercube, say) is binned."""
BINS = 8


@dataclass
class ResultFolder:
    """What a result folder holds.

    Attributes:
        path: The folder.
        kind: "sweep", "sensitivity" or "theory".
        manifest: The batch manifest (sweeps and sensitivity analyses).
        runs: One row per run (sweeps).
        varied: The paths the sweep varied.
        indices: The sensitivity indices table.
        method: "sobol" or "morris" (sensitivity).
        theory: The theory table rows.
    """

    path: Path
    kind: str
    manifest: dict[str, Any] = field(default_factory=dict)
    runs: pd.DataFrame | None = None
    varied: list[str] = field(default_factory=list)
    indices: pd.DataFrame | None = None
    method: str = ""
    theory: pd.DataFrame | None = None
    theory_meta: dict[str, Any] = field(default_factory=dict)


def open_result(folder: str | Path, name: str | None = None) -> ResultFolder:
    """Read a result folder (the pages check it with `DataFolders.result_folder` first).

    Args:
        folder: The folder.
        name: How errors name it (what the user typed); default `folder`.

    Raises:
        ScenarioError: The folder holds no result this page can show, or its files cannot be read. The
            line quotes nothing from the files (``brink summarize`` gives the details).
    """
    path, source = Path(folder), name if name is not None else str(folder)
    if not path.is_dir():
        raise ScenarioError(source, "", "no such folder")
    if (path / THEORY_FILE).is_file():
        document = _read(lambda: json.loads((path / THEORY_FILE).read_text(encoding="utf-8")), source, THEORY_FILE)
        table = _read(lambda: pd.DataFrame(document["results"]), source, THEORY_FILE)
        meta = _read(lambda: {k: v for k, v in document.items() if k != "results"}, source, THEORY_FILE)
        return ResultFolder(path, THEORY, theory=table, theory_meta=meta)
    if not (path / MANIFEST).is_file():
        raise ScenarioError(source, "", "holds no sweep, sensitivity analysis or theory report")
    manifest = _read(lambda: read_manifest(path), source, MANIFEST)
    kind = _read(lambda: str(manifest.get("design", {}).get("kind", "")), source, MANIFEST)
    if kind.startswith("sensitivity-"):
        if not (path / INDICES_FILE).is_file():
            raise ScenarioError(source, "", f"holds a sensitivity design but no {INDICES_FILE} yet (is it finished?)")
        indices = _read(lambda: _indices(path / INDICES_FILE), source, INDICES_FILE)
        return ResultFolder(
            path, SENSITIVITY, manifest=manifest, indices=indices, method=kind.removeprefix("sensitivity-")
        )
    if not (path / PARTS).is_dir() or not any((path / PARTS).iterdir()):
        raise ScenarioError(source, "", "holds no finished runs yet")
    runs = _read(lambda: load_runs(path), source, f"{PARTS}/")
    varied = _read(lambda: varied_paths(manifest), source, MANIFEST)
    return ResultFolder(path, SWEEP, manifest=manifest, runs=runs, varied=varied)


def _read[T](reading: Callable[[], T], source: str, what: str) -> T:
    """`reading()`, with any failure reported as one line naming the file but quoting nothing from it."""
    try:
        return reading()
    except Exception:  # a damaged file can fail in many ways (JSON, Parquet, a missing key): one line for all
        raise ScenarioError(source, what, "cannot be read as a result (`brink summarize` on it says why)") from None


def _indices(path: Path) -> pd.DataFrame:
    indices = pd.read_csv(path, keep_default_na=False, na_values=[""])
    indices["parameter"] = indices["parameter"].fillna("")
    return indices


# sweeps ------------------------------------------------------------------------------------


def levels(runs: pd.DataFrame, path: str) -> pd.Series:
    """The values of `path` for grouping: as they are, or binned into `BINS` ranges when continuous."""
    values = runs[path]
    if values.nunique() <= MAX_LEVELS or not pd.api.types.is_numeric_dtype(values):
        return values
    binned = pd.cut(values.astype(float), BINS)
    return binned.map(lambda b: round(float(b.mid), 6)).astype(float)


def summary_by(runs: pd.DataFrame, paths: list[str]) -> pd.DataFrame:
    """Outcome probabilities with Wilson 95% intervals per value (or bin) of `paths`."""
    grouped = runs.copy()
    for path in paths:
        grouped[path] = levels(runs, path)
    return summarize_runs(grouped, by=paths)


def metrics_of(table: pd.DataFrame, runs: pd.DataFrame) -> list[str]:
    """Probability metrics a summary has (each with ``_lo`` and ``_hi`` columns), as `brink summarize` reports them.

    `batch.results.reported_metrics`: the shares, without the first crisis's ``crisis.<id>.`` copies of the
    top-level ones.
    """
    return reported_metrics(table.columns, runs.columns)


def is_numeric(runs: pd.DataFrame, path: str) -> bool:
    """Whether a varied path takes numbers (else names or flags, filtered by value)."""
    column = runs[path]
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def filter_runs(
    runs: pd.DataFrame, ranges: dict[str, tuple[float, float]], chosen: dict[str, list[Any]] | None = None
) -> pd.DataFrame:
    """Runs inside the chosen ranges (numeric paths) and among the chosen values (other paths).

    Ranges include their ends; the ends are widened by a millionth of the range, so that a slider's end that float
    arithmetic leaves at 0.8999999 still includes 0.9.
    """
    keep = pd.Series(True, index=runs.index)
    for path, (low, high) in ranges.items():
        slack = 1e-6 * max(abs(high - low), 1e-9)
        keep &= runs[path].astype(float).between(low - slack, high + slack)
    for path, values in (chosen or {}).items():
        keep &= runs[path].isin(values)
    return runs[keep]


def heatmap(table: pd.DataFrame, x: str, y: str, metric: str) -> alt.Chart:
    """An outcome probability over two varied paths, the interval in the tooltip."""
    data = table[[x, y, metric, f"{metric}_lo", f"{metric}_hi", "runs"]].rename(
        columns={x: "x", y: "y", metric: "p", f"{metric}_lo": "lo", f"{metric}_hi": "hi"}
    )
    base = alt.Chart(data).encode(
        x=alt.X("x:O", title=x, axis=alt.Axis(format=".3~g", labelAngle=0)),
        y=alt.Y("y:O", title=y, sort="descending", axis=alt.Axis(format=".3~g")),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("p:Q", title=metric, scale=alt.Scale(domain=[0, 1], scheme="viridis")),
        tooltip=[
            alt.Tooltip("x:N", title=x),
            alt.Tooltip("y:N", title=y),
            alt.Tooltip("p:Q", title=metric, format=".3f"),
            alt.Tooltip("lo:Q", title="95% low", format=".3f"),
            alt.Tooltip("hi:Q", title="95% high", format=".3f"),
            alt.Tooltip("runs:Q"),
        ],
    )
    labels = base.mark_text(fontSize=10).encode(
        text=alt.Text("p:Q", format=".2f"),
        color=alt.condition("datum.p > 0.55", alt.value("black"), alt.value("white")),
    )
    return (cells + labels).properties(title=f"{metric} by {x} and {y}", width=420, height=320)


def line_with_interval(table: pd.DataFrame, x: str, metrics: list[str]) -> alt.Chart:
    """Outcome probabilities over one varied path, each with its Wilson 95% band."""
    frames = [
        table[[x, m, f"{m}_lo", f"{m}_hi"]].set_axis([x, "p", "lo", "hi"], axis=1).assign(metric=m) for m in metrics
    ]
    data = pd.concat(frames, ignore_index=True).rename(columns={x: "x"})
    numeric = pd.api.types.is_numeric_dtype(data["x"]) and not pd.api.types.is_bool_dtype(data["x"])
    axis = alt.X("x:Q", title=x, axis=alt.Axis(format=".3~g", tickCount=6)) if numeric else alt.X("x:N", title=x)
    if not numeric:
        data["x"] = data["x"].astype(str)
    base = alt.Chart(data).encode(x=axis, color=alt.Color("metric:N", title="outcome"))
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("lo:Q", title="probability", scale=alt.Scale(domain=[0, 1])), y2="hi:Q"
    )
    line = base.mark_line(point=True).encode(
        y="p:Q",
        tooltip=[
            alt.Tooltip("metric:N"),
            alt.Tooltip("x:Q" if numeric else "x:N", title=x),
            alt.Tooltip("p:Q", format=".3f"),
            alt.Tooltip("lo:Q", title="95% low", format=".3f"),
            alt.Tooltip("hi:Q", title="95% high", format=".3f"),
        ],
    )
    return (band + line).properties(title=f"Outcomes over {x} (95% Wilson intervals)", width=480, height=280)


# sensitivity ---------------------------------------------------------------------------------


def index_columns(method: str) -> list[tuple[str, str]]:
    """(index, its interval column) pairs that a method reports."""
    return [("S1", "S1_conf"), ("ST", "ST_conf")] if method == "sobol" else [("mu_star", "mu_star_conf")]


def analysed_metrics(indices: pd.DataFrame) -> list[str]:
    """Metrics with indices (not skipped with a note)."""
    return list(dict.fromkeys(indices.loc[indices["parameter"] != "", "metric"]))


def index_bars(indices: pd.DataFrame, metric: str, method: str) -> alt.Chart:
    """Bar chart of one metric's indices, with error bars of their confidence intervals."""
    part = indices[(indices["metric"] == metric) & (indices["parameter"] != "")]
    frames = [
        part[["parameter", name, conf]].set_axis(["parameter", "value", "conf"], axis=1).assign(index=name)
        for name, conf in index_columns(method)
    ]
    data = pd.concat(frames, ignore_index=True)
    data["lo"], data["hi"] = data["value"] - data["conf"], data["value"] + data["conf"]
    base = alt.Chart(data).encode(
        y=alt.Y("parameter:N", title=None), yOffset="index:N", color=alt.Color("index:N", title="index")
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title=f"{method} index (95% intervals)"),
        tooltip=["parameter:N", "index:N", alt.Tooltip("value:Q", format=".3f"), alt.Tooltip("conf:Q", format=".3f")],
    )
    errors = base.mark_rule(color="black").encode(x="lo:Q", x2="hi:Q")
    return (bars + errors).properties(title=f"{metric}: {method} indices", width=420, height=60 + 40 * len(part))
