"""The results page: open a sweep, sensitivity or theory folder and explore it.

Folders open only inside the dashboard's data folders (`dashboards.files.DataFolders`), and every
failure shows as one line (`dashboards.errors`).
"""

from __future__ import annotations

from html import escape

import pandas as pd
import solara

from dashboards.errors import guarded, report
from dashboards.files import THEORY_FILE, DataFolders
from dashboards.result_charts import (
    SENSITIVITY,
    SWEEP,
    THEORY,
    ResultFolder,
    analysed_metrics,
    filter_runs,
    heatmap,
    is_numeric,
    line_with_interval,
    metrics_of,
    open_result,
    summary_by,
)

SEARCHED = ("out", "runs", "docs")
"""Folders under each data folder searched for results to offer."""

VERDICT_COLOURS = {"pass": "#e3f2e1", "borne out": "#e3f2e1", "fail": "#fde0dc", "not borne out": "#fde0dc"}


def find_results(folders: DataFolders, depth: int = 2) -> list[str]:
    """Result folders (with a manifest or a theory report) under `SEARCHED` of each data folder, sorted.

    Each is named as it is typed to open it: relative to the data folder when there is only one,
    else by its absolute path. Folders the data folders do not allow (links out of them) are left out.
    """
    from batch.runner import MANIFEST

    found: set[str] = set()
    for root in folders.roots:
        for top in SEARCHED:
            base = root / top
            if not base.is_dir():
                continue
            for marker in (MANIFEST, THEORY_FILE):
                for level in range(depth + 1):
                    for path in base.glob("/".join(["*"] * level + [marker])):
                        name = str(path.parent.relative_to(root)) if len(folders.roots) == 1 else str(path.parent)
                        if folders.locate(name) is not None:
                            found.add(name)
    return sorted(found)


@solara.component
def SweepView(result: ResultFolder) -> None:
    """Heatmap over two varied paths, lines with intervals over one, and a filterable table."""
    runs = result.runs
    assert runs is not None
    varied = result.varied
    overall = summary_by(runs, varied[:1])
    metrics = metrics_of(overall, runs)
    metric, set_metric = solara.use_state(metrics[0] if metrics else "")
    x, set_x = solara.use_state(varied[0])
    y, set_y = solara.use_state(varied[1] if len(varied) > 1 else varied[0])
    shown, set_shown = solara.use_state(metrics[:3])
    if not metrics:
        solara.Warning("The runs of this sweep have no outcome this page knows (no p_... columns in their summary).")
        return

    solara.Markdown(
        f"**Sweep** of `{result.manifest.get('scenario')}`: {len(runs)} runs, "
        f"{result.manifest.get('design', {}).get('cells')} cells x {result.manifest.get('reps')} replications, "
        f"root seed {result.manifest.get('root_seed')}. Intervals are Wilson 95%."
    )
    solara.Select("Outcome", values=metrics, value=metric, on_value=set_metric)
    if len(varied) >= 2:
        with solara.Row():
            solara.Select("x", values=varied, value=x, on_value=set_x)
            solara.Select("y", values=varied, value=y, on_value=set_y)
        if x != y:
            table = summary_by(runs, [x, y])
            with solara.Div(attributes={"data-testid": "heatmap"}):
                solara.FigureAltair(heatmap(table, x, y, metric))
        else:
            solara.Warning("Pick two different paths for the heatmap.")
    solara.Markdown("#### Over one path")
    with solara.Row():
        solara.Select("Path", values=varied, value=x, on_value=set_x)
        solara.SelectMultiple("Outcomes", values=shown, all_values=metrics, on_value=set_shown)
    if shown:
        with solara.Div(attributes={"data-testid": "line-plot"}):
            solara.FigureAltair(line_with_interval(summary_by(runs, [x]), x, list(shown)))
    solara.Markdown("#### Table (filter by parameter)")
    SweepTable(runs, varied, metrics)


@solara.component
def SweepTable(runs: pd.DataFrame, varied: list[str], metrics: list[str]) -> None:
    """Every cell with its intervals, filtered by each varied path's range (numbers) or values (names, flags)."""
    numeric = [p for p in varied if is_numeric(runs, p)]
    named = {p: sorted(runs[p].dropna().unique().tolist(), key=str) for p in varied if p not in numeric}
    bounds = {p: (float(runs[p].min()), float(runs[p].max())) for p in numeric}
    ranges, set_ranges = solara.use_state(bounds)
    picked, set_picked = solara.use_state(named)
    for path, values in named.items():
        solara.SelectMultiple(
            path,
            values=picked.get(path, values),
            all_values=values,
            on_value=lambda chosen, path=path: set_picked({**picked, path: list(chosen)}),
        )
    for path in numeric:
        low, high = bounds[path]
        if high > low:
            solara.SliderRangeFloat(
                path,
                value=ranges.get(path, (low, high)),
                min=low,
                max=high,
                step=(high - low) / 100,
                on_value=lambda value, path=path: set_ranges({**ranges, path: tuple(value)}),
            )
    chosen = filter_runs(runs, {p: ranges[p] for p in numeric if p in ranges}, picked)
    if chosen.empty:
        solara.Info("No runs in the chosen ranges.")
    else:
        table = summary_by(chosen, varied)
        columns = [*varied, "runs", "errors", *(c for m in metrics for c in (m, f"{m}_lo", f"{m}_hi"))]
        solara.Text(f"{len(chosen)} runs in {len(table)} rows")
        solara.DataFrame(table[[c for c in columns if c in table.columns]].round(4), items_per_page=15)


@solara.component
def SensitivityView(result: ResultFolder) -> None:
    """Bar chart of one metric's indices with their intervals, and the indices table."""
    from dashboards.result_charts import index_bars

    indices = result.indices
    assert indices is not None
    metrics = analysed_metrics(indices)
    metric, set_metric = solara.use_state(metrics[0] if metrics else "")
    design = result.manifest.get("design", {})
    solara.Markdown(
        f"**Sensitivity ({result.method})** of `{result.manifest.get('scenario')}`: {design.get('cells')} design "
        f"points x {result.manifest.get('reps')} replications, root seed {result.manifest.get('root_seed')}."
    )
    if not metrics:
        solara.Warning("No metric could be analysed (each is constant or missing in some cells).")
        return
    solara.Select("Metric", values=metrics, value=metric, on_value=set_metric)
    with solara.Div(attributes={"data-testid": "index-bars"}):
        solara.FigureAltair(index_bars(indices, metric, result.method))
    skipped = indices[indices["parameter"] == ""]
    if not skipped.empty:
        solara.Text(
            "Not analysed: " + "; ".join(f"{m} ({n})" for m, n in zip(skipped["metric"], skipped["note"], strict=True))
        )
    rows = indices[(indices["metric"] == metric) & (indices["parameter"] != "")].drop(columns="note", errors="ignore")
    solara.DataFrame(rows.dropna(axis=1, how="all").round(4), items_per_page=20)


def theory_html(table: pd.DataFrame) -> str:
    """The theory table as HTML, each row shaded by its verdict (a column an older report lacks is left out)."""
    columns = [c for c in ("key", "role", "result", "source", "expected", "measured", "interval", "verdict")
               if c in table.columns]
    head = "".join(f"<th style='text-align:left; padding:4px'>{c}</th>" for c in columns)
    rows = []
    for _, row in table.iterrows():
        shade = VERDICT_COLOURS.get(str(row["verdict"]), "#fff8e1")
        cells = "".join(f"<td style='padding:4px; vertical-align:top'>{escape(str(row[c]))}</td>" for c in columns)
        rows.append(f"<tr style='background:{shade}'>{cells}</tr>")
    return f"<table style='border-collapse: collapse; font-size: 13px'><tr>{head}</tr>{''.join(rows)}</table>"


@solara.component
def TheoryView(result: ResultFolder) -> None:
    """The table of ``brink theory``: published results and the essays' claims, with verdicts."""
    assert result.theory is not None
    meta = result.theory_meta
    solara.Markdown(f"**Theory report**: {meta.get('reps')} replications a condition, seed {meta.get('seed')}.")
    solara.HTML(tag="div", unsafe_innerHTML=theory_html(result.theory), attributes={"data-testid": "theory-table"})


VIEWS = {SWEEP: SweepView, SENSITIVITY: SensitivityView, THEORY: TheoryView}


@solara.component
def ResultsPage() -> None:
    """Open a result folder and show the view for its kind."""
    folders: DataFolders = solara.use_memo(DataFolders.from_environment, [])
    folder, set_folder = solara.use_state("")
    result, set_result = solara.use_state(None)
    error, set_error = solara.use_state("")
    found = solara.use_memo(lambda: find_results(folders), [])

    def open_folder(path: str | None) -> None:
        if not path:
            return
        set_folder(path)
        try:
            set_result(open_result(folders.result_folder(path), name=path))
            set_error("")
        except Exception as problem:  # one line on the page, never a traceback
            set_result(None)
            set_error(report(problem))

    solara.Markdown("### Results")
    with solara.Row():
        if found:
            solara.Select(
                "Found here",
                values=found,
                value=folder if folder in found else None,
                on_value=guarded(open_folder, set_error),
            )
        solara.InputText("Result folder (path, then Enter)", value=folder, on_value=guarded(open_folder, set_error))
    if error:
        solara.Error(error)
    elif result is None:
        solara.Info(
            "Open a folder written by `brink sweep`, `brink sensitivity` or `brink theory --out` inside the "
            "dashboard's data folders (the shipped theory report is in docs/ of the project)."
        )
    else:
        VIEWS[result.kind](result).key(str(result.path))
