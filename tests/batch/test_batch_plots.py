"""The plots of `brink summarize --plot`: shares on a fixed 0-1 colour scale with the value and interval in each
cell, readable plots of sampling designs, and distributions of a sweep that replicates one scenario."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from batch.results import (
    binned_summary,
    heatmap_figure,
    histogram_figure,
    line_figure,
    outcome_figure,
    pyplot,
    sampled_figure,
    save_figure,
    summarize_runs,
    write_plots,
)

X, Y = "states.AAA.fear", "states.BBB.fear"


def grid_runs(shares: dict[tuple[float, float], float], n: int = 40) -> pd.DataFrame:
    """`n` runs per grid cell, the first ``share * n`` of them catastrophes, the rest yields by AAA."""
    rows = []
    for cell, ((x, y), share) in enumerate(shares.items()):
        crashes = round(share * n)
        for rep in range(n):
            crash = rep < crashes
            rows.append({
                "cell": cell, "rep": rep, X: x, Y: y, "outcome": "catastrophe" if crash else "yield",
                "yielder": None if crash else "AAA", "yield_cause": None if crash else "choice",
                "nuclear_used": crash, "max_rung": 2 if crash else 1, "max_rung_name": "Crash" if crash else "Straight",
                "duration": 2 if crash else 1, "error": None,
            })  # fmt: skip
    return pd.DataFrame(rows)


NARROW = {(0.0, 0.0): 0.3, (1.0, 0.0): 0.35, (0.0, 1.0): 0.4, (1.0, 1.0): 0.325}
"""Catastrophe shares that span only 0.3 to 0.4: an automatic colour scale would stretch them to the ends."""


def test_heatmap_colours_are_on_the_fixed_scale_0_to_1():
    table = summarize_runs(grid_runs(NARROW), [X, Y])
    figure = heatmap_figure(table, [X, Y], "p_catastrophe", "test")
    image = figure.axes[0].images[0]
    assert image.get_clim() == (0.0, 1.0)
    viridis = matplotlib.colormaps["viridis"]
    for share in NARROW.values():
        assert image.to_rgba(share) == pytest.approx(viridis(share))  # 0.3 is not dark purple, 0.4 not yellow
    pyplot().close(figure)


def test_heatmap_png_shows_each_cell_in_the_colour_of_its_share(tmp_path):
    """Read the pixels of the written PNG at a corner of each cell (away from its label)."""
    table = summarize_runs(grid_runs(NARROW), [X, Y])
    figure = heatmap_figure(table, [X, Y], "p_catastrophe", "test")
    axes = figure.axes[0]
    figure.canvas.draw()
    height = figure.canvas.get_width_height()[1]
    corners = {key: axes.transData.transform((key[0] - 0.4, key[1] - 0.4)) for key in NARROW}
    save_figure(figure, tmp_path / "map.png")
    pixels = matplotlib.image.imread(tmp_path / "map.png")
    viridis = matplotlib.colormaps["viridis"]
    for (x, y), share in NARROW.items():
        column, row = corners[(x, y)]
        colour = pixels[round(height - row), round(column)][:3]
        assert colour == pytest.approx(viridis(share)[:3], abs=0.02), (x, y)


def test_each_heatmap_cell_shows_its_value_and_interval():
    shares = {(0.0, 0.0): 0.1, (0.5, 0.0): 0.5, (0.0, 0.5): 0.9, (0.5, 0.5): 0.0}
    table = summarize_runs(grid_runs(shares), [X, Y])
    figure = heatmap_figure(table, [X, Y], "p_catastrophe", "test")
    texts = {t.get_position(): t.get_text() for t in figure.axes[0].texts}
    for _, row in table.iterrows():
        position = (float(row[X] == 0.5), float(row[Y] == 0.5))
        v, lo, hi = row["p_catastrophe"], row["p_catastrophe_lo"], row["p_catastrophe_hi"]
        assert texts[position] == f"{v:.2f}\n[{lo:.2f}, {hi:.2f}]"
    assert "1.00" not in "".join(texts.values()).split("[")[0]  # precondition: values differ by cell
    pyplot().close(figure)


def test_heatmap_cell_without_runs_says_so():
    table = summarize_runs(grid_runs(NARROW), [X, Y])
    table.loc[0, ["p_catastrophe", "p_catastrophe_lo", "p_catastrophe_hi"]] = np.nan
    figure = heatmap_figure(table, [X, Y], "p_catastrophe", "test")
    assert sum(t.get_text() == "no runs" for t in figure.axes[0].texts) == 1
    pyplot().close(figure)


def test_line_plot_is_on_the_fixed_scale_and_sampled_points_are_not_joined():
    table = summarize_runs(grid_runs(NARROW), [X])
    grid = line_figure(table, X, "p_catastrophe", "test", sampled=False)
    sampled = line_figure(table, X, "p_catastrophe", "test", sampled=True)
    for figure in (grid, sampled):
        assert figure.axes[0].get_ylim() == (-0.02, 1.02)
    assert grid.axes[0].lines[0].get_linestyle() == "-"
    assert sampled.axes[0].lines[0].get_linestyle() == "None"
    for figure in (grid, sampled):
        pyplot().close(figure)


def sampled_runs(cells: int = 36, n: int = 20, seed: int = 5) -> pd.DataFrame:
    """A sampling design: cells at random points of [0, 1]^2, each crashing with probability (1 - x)(1 - y)."""
    rng = np.random.default_rng(seed)
    points = rng.random((cells, 2))
    rows = []
    for cell, (x, y) in enumerate(points):
        for rep in range(n):
            crash = bool(rng.random() < (1 - x) * (1 - y))
            rows.append({"cell": cell, "rep": rep, X: x, Y: y, "outcome": "catastrophe" if crash else "yield",
                         "yielder": None if crash else "AAA", "error": None})  # fmt: skip
    return pd.DataFrame(rows)


def test_sampling_design_plot_shows_every_cell_and_a_binned_heatmap():
    runs = sampled_runs()
    table = summarize_runs(runs, [X, Y])
    binned = binned_summary(runs, [X, Y], {X: (0.0, 1.0), Y: (0.0, 1.0)}, 3)
    figure = sampled_figure(table, binned, [X, Y], "p_catastrophe", "test")
    points, heat = figure.axes[:2]
    dots = points.collections[0]
    assert dots.get_clim() == (0.0, 1.0)
    assert np.allclose(dots.get_offsets(), table[[X, Y]].to_numpy())
    assert np.allclose(dots.get_array(), table["p_catastrophe"].to_numpy())
    image = heat.images[0]
    assert image.get_clim() == (0.0, 1.0) and image.get_array().shape == (3, 3)
    # Each bin pools the runs of the cells inside it: computed here from the runs directly.
    bins = np.minimum((runs[[X, Y]].to_numpy() * 3).astype(int), 2)
    crashes = runs["outcome"].eq("catastrophe").to_numpy()
    for i in range(3):
        for j in range(3):
            inside = (bins[:, 0] == j) & (bins[:, 1] == i)
            expected = crashes[inside].mean() if inside.any() else np.nan
            assert image.get_array()[i, j] == pytest.approx(expected, nan_ok=True), (i, j)
    assert [t.get_text() for t in heat.get_xticklabels()] == ["0–0.333", "0.333–0.667", "0.667–1"]
    assert len(heat.texts) == 9
    pyplot().close(figure)


def test_outcome_bars_show_each_share_and_its_interval():
    runs = grid_runs({(0.0, 0.0): 0.25}, n=80)
    row = summarize_runs(runs, []).iloc[0]
    metrics = ["p_yield", "p_yield_choice", "p_catastrophe", "p_yielder_AAA"]
    figure = outcome_figure(row, metrics, "test")
    axes = figure.axes[0]
    widths = [bar.get_width() for bar in axes.patches]
    assert widths == pytest.approx([row[m] for m in metrics])
    assert axes.get_xticks()[[0, -1]] == pytest.approx([0.0, 1.0])
    labels = [t.get_text() for t in axes.texts]
    for metric, label in zip(metrics, labels, strict=True):
        assert label == f"{row[metric]:.3f}  [{row[f'{metric}_lo']:.3f}, {row[f'{metric}_hi']:.3f}]"
    heights = {t.get_text(): y for t, y in zip(axes.get_yticklabels(), axes.get_yticks(), strict=True)}
    assert sorted(heights, key=heights.get, reverse=True) == metrics  # the first on top
    pyplot().close(figure)


def test_rung_histogram_names_every_rung_from_0_up():
    values = pd.Series([0, 0, 3, 3, 3, 1])
    figure = histogram_figure(values, {0: "Status quo", 1: "Pressure", 3: "Mobilisation"}, "test", "highest rung")
    axes = figure.axes[0]
    assert [bar.get_width() for bar in axes.patches] == pytest.approx([2 / 6, 1 / 6, 0.0, 3 / 6])
    assert [t.get_text() for t in axes.get_yticklabels()] == ["0 Status quo", "1 Pressure", "2", "3 Mobilisation"]
    pyplot().close(figure)


def test_duration_histogram_has_a_bar_per_whole_number():
    figure = histogram_figure(pd.Series([1, 1, 2, 4]), None, "test", "duration (moves)")
    axes = figure.axes[0]
    assert [bar.get_x() + bar.get_width() / 2 for bar in axes.patches] == pytest.approx([1, 2, 3, 4])
    assert [bar.get_height() for bar in axes.patches] == pytest.approx([0.5, 0.25, 0.0, 0.25])
    pyplot().close(figure)


def two_crises(n: int = 30) -> pd.DataFrame:
    runs = grid_runs({(0.0, 0.0): 0.3}, n=n)
    for column in ("outcome", "yielder", "yield_cause", "max_rung", "duration", "nuclear_used"):
        runs[f"crisis.north.{column}"] = runs[column]
        runs[f"crisis.south.{column}"] = runs[column].iloc[::-1].to_numpy()
    runs["yield_rung"] = runs["crisis.north.yield_rung"] = np.where(runs["outcome"] == "yield", 1, None)
    runs["crisis.south.yield_rung"] = runs["yield_rung"].iloc[::-1].to_numpy()
    return runs


def test_a_sweep_without_vary_gets_distribution_plots_for_each_crisis(tmp_path):
    runs = two_crises()
    table = summarize_runs(runs, [])
    manifest = {"scenario": "two", "design": {"kind": "grid", "vary": []}}
    written = write_plots(tmp_path / "plots", table, runs, [], manifest)
    names = sorted(p.name for p in written)
    assert names == sorted(
        f"{prefix}{kind}.png" for prefix in ("", "crisis.south.") for kind in ("outcomes", "max_rung", "duration",
                                                                                "yield_rung")
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == names
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_grid_plots_leave_out_the_copy_of_the_first_crisis_and_take_the_suffix(tmp_path):
    runs = two_crises()
    runs[X] = np.repeat([0.0, 1.0], len(runs) // 2)
    table = summarize_runs(runs, [X])
    manifest = {"scenario": "two", "design": {"kind": "grid", "vary": [{"path": X, "values": [0.0, 1.0]}]}}
    written = write_plots(tmp_path, table, runs, [X], manifest, suffix="-by-x")
    names = {p.name for p in written}
    assert "p_catastrophe-by-x.png" in names and "crisis.south.p_yield-by-x.png" in names
    assert not any(name.startswith("crisis.north.") for name in names)
    assert all(name.endswith("-by-x.png") for name in names)
