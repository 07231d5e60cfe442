"""Global sensitivity analysis with SALib: sample the parameters, run the sweep, analyse.

Sobol indices (first and total order, Saltelli sampling, ``N * (D + 2)`` cells) or Morris
elementary effects (``N * (D + 1)`` cells), for every outcome metric of `batch.results`,
each index with its bootstrap confidence interval. The cells run through the same runner as
sweeps, so they are resumable and run on Dask too.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from batch.design import Design, Vary, round_integer_fields
from batch.results import pyplot, reported_metrics, save_figure
from scenarios import Scenario, ScenarioError

METHODS: tuple[str, ...] = ("sobol", "morris")
CONFIDENCE = 0.95


def problem(varies: list[Vary]) -> dict[str, Any]:
    """The SALib problem: names and bounds of the parameters."""
    return {"num_vars": len(varies), "names": [v.path for v in varies], "bounds": [[v.low, v.high] for v in varies]}


def sensitivity_design(varies: list[Vary], method: str, samples: int, seed: int, base: Scenario | None) -> Design:
    """The cells SALib asks for.

    Raises:
        ScenarioError: Unknown method, a parameter without bounds LO:HI, too few parameters or samples.
    """
    if method not in METHODS:
        raise ScenarioError("--method", method, f"unknown method; choose from {', '.join(METHODS)}")
    if not varies:
        raise ScenarioError("--param", "", "give at least one --param PATH=LO:HI")
    for v in varies:
        if not v.is_bounds:
            raise ScenarioError("--param", v.path, "give bounds LO:HI")
    paths = [v.path for v in varies]
    for path in paths:
        if paths.count(path) > 1:
            raise ScenarioError("--param", path, "given twice")
    if samples < 2:
        raise ScenarioError("--samples", str(samples), "needs at least 2")
    from SALib.sample import morris as morris_sample  # SALib (and SciPy) only when a design is made
    from SALib.sample import sobol as sobol_sample

    spec = problem(varies)
    if method == "sobol":
        if len(varies) < 2:
            raise ScenarioError("--param", paths[0], "Sobol indices need at least two parameters")
        points = sobol_sample.sample(spec, samples, calc_second_order=False, seed=seed)
    else:
        points = morris_sample.sample(spec, samples, num_levels=4, seed=seed)
    cells = pd.DataFrame(points, columns=paths)
    round_integer_fields(cells, varies, base)
    cells.insert(0, "cell", np.arange(len(cells), dtype=np.int64))
    return Design(kind=f"sensitivity-{method}", varies=tuple(varies), cells=cells, samples=samples, seed=seed)  # type: ignore[arg-type]


def metric_columns(table: pd.DataFrame, run_columns: Iterable[str]) -> list[str]:
    """Outcome metrics of a per-cell summary: shares and means (see `batch.results.reported_metrics`)."""
    return reported_metrics(table.columns, run_columns, means=True)


def analyse(design: Design, per_cell: pd.DataFrame, metrics: list[str], method: str, seed: int) -> pd.DataFrame:
    """Indices per metric and parameter, with confidence intervals.

    Args:
        design: The sensitivity design.
        per_cell: `batch.results.summarize_runs` grouped by ``cell``.
        metrics: Columns of `per_cell` to analyse.
        method: "sobol" or "morris".
        seed: Seed of the bootstrap.

    Returns:
        Long table: metric, parameter and the method's indices (S1, S1_conf, ST, ST_conf, or
        mu_star, mu_star_conf, sigma); metrics that do not vary get a note instead.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    ordered = per_cell.set_index("cell").reindex(design.cells["cell"])
    spec = problem(list(design.varies))
    # SALib's Sobol analysis ignores a seed of 0 (it tests `if seed:`) and then draws from numpy's
    # global state; derive a non-zero bootstrap seed from the root seed instead.
    bootstrap_seed = int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1
    rows: list[dict[str, Any]] = []
    for metric in metrics:
        y = ordered[metric].to_numpy(dtype=float)
        if np.isnan(y).any() or np.nanstd(y) == 0.0:
            reason = "missing in some cells" if np.isnan(y).any() else "constant over the design"
            rows.append({"metric": metric, "parameter": "", "note": reason})
            continue
        if method == "sobol":
            result = sobol_analyze.analyze(spec, y, calc_second_order=False, conf_level=CONFIDENCE, seed=bootstrap_seed)
            for i, name in enumerate(spec["names"]):
                rows.append(
                    {
                        "metric": metric,
                        "parameter": name,
                        "S1": result["S1"][i],
                        "S1_conf": result["S1_conf"][i],
                        "ST": result["ST"][i],
                        "ST_conf": result["ST_conf"][i],
                        "note": "",
                    }
                )
        else:
            x = design.cells[spec["names"]].to_numpy(dtype=float)
            result = morris_analyze.analyze(spec, x, y, conf_level=CONFIDENCE, num_levels=4, seed=bootstrap_seed)
            for i, name in enumerate(spec["names"]):
                rows.append(
                    {
                        "metric": metric,
                        "parameter": name,
                        "mu_star": result["mu_star"][i],
                        "mu_star_conf": result["mu_star_conf"][i],
                        "sigma": result["sigma"][i],
                        "note": "",
                    }
                )
    return pd.DataFrame(rows)


def plot_indices(indices: pd.DataFrame, metric: str, method: str, path: Path) -> None:
    """Bar chart of one metric's indices with their confidence intervals."""
    part = indices[(indices["metric"] == metric) & (indices["parameter"] != "")]
    figure, axes = pyplot().subplots(figsize=(6.0, 0.6 + 0.5 * max(2, len(part))), dpi=100)
    positions = np.arange(len(part))
    if method == "sobol":
        axes.barh(positions - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], capsize=3, label="first order S1")
        axes.barh(positions + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], capsize=3, label="total order ST")
        axes.legend(fontsize=8)
        axes.set_xlabel(f"Sobol index ({CONFIDENCE:.0%} intervals)")
    else:
        axes.barh(positions, part["mu_star"], xerr=part["mu_star_conf"], capsize=3)
        axes.set_xlabel(f"Morris mu* ({CONFIDENCE:.0%} intervals)")
    axes.set_yticks(positions, part["parameter"])
    axes.set_title(metric, fontsize=9)
    axes.grid(alpha=0.3, axis="x")
    figure.tight_layout()
    save_figure(figure, path)
