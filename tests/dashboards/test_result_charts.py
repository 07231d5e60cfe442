"""Result folders for the results page, their summaries (binned, with Wilson intervals), filters and Altair charts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from typer.testing import CliRunner

from batch.stats import wilson_interval
from brink.cli import app
from dashboards.result_charts import (
    BINS,
    MAX_LEVELS,
    SENSITIVITY,
    SWEEP,
    THEORY,
    analysed_metrics,
    filter_runs,
    heatmap,
    index_bars,
    index_columns,
    levels,
    line_with_interval,
    metrics_of,
    open_result,
    summary_by,
)
from scenarios import ScenarioError

A = "states.AAA.policy.yield_probability"
B = "states.BBB.policy.yield_probability"
DOCS_THEORY = Path(__file__).resolve().parents[2] / "docs" / "theory.json"


def brink(*args: object) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A 2 x 3 grid sweep, a one-path Latin hypercube sweep and a Sobol analysis of the chicken game (seeded)."""
    root = tmp_path_factory.mktemp("results")
    brink("sweep", "theory/chicken", "--vary", f"{A}=0.25,0.75", "--vary", f"{B}=0.25,0.5,0.75",
          "--reps", "5", "--seed", "3", "--out", root / "grid")  # fmt: skip
    brink("sweep", "theory/chicken", "--vary", f"{A}=0.05:0.95", "--design", "lhs", "--samples", "30",
          "--reps", "2", "--seed", "4", "--out", root / "lhs")  # fmt: skip
    brink("sensitivity", "theory/chicken", "--param", f"{A}=0:1", "--param", f"{B}=0:1", "--samples", "4",
          "--reps", "5", "--seed", "3", "--metric", "p_catastrophe", "--metric", "p_nuclear_used",
          "--out", root / "sobol")  # fmt: skip
    (root / "theory").mkdir()
    shutil.copy(DOCS_THEORY, root / "theory" / "theory.json")
    return {"grid": root / "grid", "lhs": root / "lhs", "sobol": root / "sobol", "theory": root / "theory"}


@pytest.fixture(scope="module")
def grid(folders):
    return open_result(folders["grid"])


def chart_data(chart: alt.TopLevelMixin) -> pd.DataFrame:
    """The one dataset a chart carries, read back from its (validated) Vega-Lite spec."""
    spec = chart.to_dict(validate=True)
    (rows,) = spec["datasets"].values()
    return pd.DataFrame(rows)


# --- open_result ----------------------------------------------------------------------------------------------------


def test_open_a_sweep(folders, grid):
    assert grid.kind == SWEEP
    assert grid.path == folders["grid"]
    assert grid.varied == [A, B]
    assert len(grid.runs) == 2 * 3 * 5
    assert grid.manifest["scenario"] == "theory/chicken"
    assert sorted(grid.runs[A].unique()) == [0.25, 0.75]
    assert sorted(grid.runs[B].unique()) == [0.25, 0.5, 0.75]
    assert grid.indices is None and grid.theory is None


def test_open_a_sensitivity_analysis(folders):
    result = open_result(folders["sobol"])
    assert result.kind == SENSITIVITY and result.method == "sobol"
    assert set(result.indices["metric"]) == {"p_catastrophe", "p_nuclear_used"}
    skipped = result.indices[result.indices["parameter"] == ""]
    assert skipped["metric"].tolist() == ["p_nuclear_used"]  # constant: every crash is non-nuclear here
    assert skipped["note"].tolist() == ["constant over the design"]
    assert analysed_metrics(result.indices) == ["p_catastrophe"]


def test_open_a_theory_report(folders):
    result = open_result(folders["theory"])
    document = json.loads(DOCS_THEORY.read_text())
    assert result.kind == THEORY
    assert result.theory_meta == {k: v for k, v in document.items() if k != "results"}
    assert result.theory["key"].tolist() == [row["key"] for row in document["results"]]
    assert {"verdict", "expected", "measured", "interval"} <= set(result.theory.columns)


def test_a_theory_file_wins_over_a_manifest(folders, tmp_path):
    both = tmp_path / "both"
    shutil.copytree(folders["grid"], both)
    shutil.copy(DOCS_THEORY, both / "theory.json")
    assert open_result(both).kind == THEORY


def test_open_accepts_a_string_path(folders):
    assert open_result(str(folders["grid"])).kind == SWEEP


def test_missing_folder_is_an_error_naming_it(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ScenarioError, match="no such folder") as caught:
        open_result(missing)
    assert caught.value.source == str(missing)


def test_a_file_is_not_a_folder(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text("{}")
    with pytest.raises(ScenarioError, match="no such folder"):
        open_result(path)


def test_empty_folder_is_an_error_naming_it(tmp_path):
    with pytest.raises(ScenarioError, match="holds no sweep") as caught:
        open_result(tmp_path)
    assert str(tmp_path) in str(caught.value)


def test_sensitivity_folder_without_indices_is_an_error_naming_it(folders, tmp_path):
    unfinished = tmp_path / "unfinished"
    shutil.copytree(folders["sobol"], unfinished)
    (unfinished / "indices.csv").unlink()
    with pytest.raises(ScenarioError, match=r"no indices\.csv") as caught:
        open_result(unfinished)
    assert caught.value.source == str(unfinished)


def test_sweep_without_finished_runs_is_an_error(folders, tmp_path):
    started = tmp_path / "started"
    shutil.copytree(folders["grid"], started)
    shutil.rmtree(started / "parts")
    with pytest.raises(ScenarioError, match="no finished runs") as caught:
        open_result(started)
    assert str(started) in str(caught.value)


@pytest.mark.parametrize("text", ["not json", '{"reps": 3}', '{"results": 5}', "[1, 2]", '{"results": [{"x": 1}]'])
def test_unreadable_theory_file_is_an_error_that_quotes_nothing_from_it(tmp_path, text):
    (tmp_path / "theory.json").write_text(text)
    with pytest.raises(ScenarioError, match="cannot be read as a result") as caught:
        open_result(tmp_path, name="typed")
    assert (caught.value.source, caught.value.path) == ("typed", "theory.json")
    assert not any(word in str(caught.value) for word in ("not json", "reps", "results", "line 1", "[1, 2]"))


@pytest.mark.parametrize("text", ["{ nope", '{"design": {"kind": "grid"}, "secret": 1}', "[7]"])
def test_unreadable_manifest_is_an_error_that_quotes_nothing_from_it(folders, tmp_path, text):
    shutil.copytree(folders["grid"] / "parts", tmp_path / "parts")
    (tmp_path / "manifest.json").write_text(text)
    with pytest.raises(ScenarioError, match="cannot be read as a result") as caught:
        open_result(tmp_path)
    assert caught.value.path == "manifest.json"
    assert not any(word in str(caught.value) for word in ("nope", "secret", "design", "[7]"))


def test_damaged_part_files_are_an_error_that_quotes_nothing_from_them(folders, tmp_path):
    shutil.copytree(folders["grid"], tmp_path / "grid")
    for part in (tmp_path / "grid" / "parts").iterdir():
        part.write_bytes(b"PAR1 secret bytes")
    with pytest.raises(ScenarioError, match="cannot be read as a result") as caught:
        open_result(tmp_path / "grid")
    assert caught.value.path == "parts/" and "secret" not in str(caught.value)


# --- levels and summaries ---------------------------------------------------------------------------------------------


def test_grid_paths_are_not_binned(grid):
    for path in (A, B):
        assert levels(grid.runs, path).equals(grid.runs[path])
    table = summary_by(grid.runs, [A, B])
    assert len(table) == 6
    assert table["runs"].tolist() == [5] * 6
    assert sorted(zip(table[A], table[B], strict=True)) == [(a, b) for a in (0.25, 0.75) for b in (0.25, 0.5, 0.75)]


def test_continuous_path_is_binned_into_at_most_eight_levels(folders):
    runs = open_result(folders["lhs"]).runs
    assert runs[A].nunique() == 30 > MAX_LEVELS
    binned = levels(runs, A)
    mids = sorted(binned.unique())
    assert 2 <= len(mids) <= BINS
    width = (runs[A].max() - runs[A].min()) / BINS
    # every run sits in the bin whose middle it is given (pandas rounds the bin edges to 3 digits)
    assert ((runs[A] - binned).abs() <= width / 2 + 0.02 * width).all()
    assert runs[A].min() < mids[0] and mids[-1] < runs[A].max()
    table = summary_by(runs, [A])
    assert len(table) == len(mids) <= BINS
    assert table[A].tolist() == mids
    assert table["runs"].sum() == len(runs) == 60


def test_a_few_distinct_values_stay_as_they_are():
    runs = pd.DataFrame({"x": [0.1] * 3 + [0.2] * 3 + [0.3] * 3, "name": list("abcabcabc")})
    assert levels(runs, "x").equals(runs["x"])
    assert levels(runs, "name").equals(runs["name"])


def test_metrics_are_the_probabilities_without_their_bounds(grid):
    table = summary_by(grid.runs, [A])
    metrics = metrics_of(table, grid.runs)
    assert "p_catastrophe" in metrics and "p_yield" in metrics
    copies = [c for c in table.columns if c.startswith("crisis.") and c.endswith(".p_yield")]
    assert copies and not set(copies[:1]) & set(metrics)  # the first crisis's copies of the top-level shares
    assert all(m.startswith("p_") and not m.endswith(("_lo", "_hi")) for m in metrics)
    assert all(f"{m}_lo" in table and f"{m}_hi" in table for m in metrics)


def test_heatmap_carries_the_wilson_intervals_of_each_cell(grid):
    runs = grid.runs
    table = summary_by(runs, [A, B])
    data = chart_data(heatmap(table, A, B, "p_catastrophe"))
    assert len(data) == 6
    assert set(data.columns) >= {"x", "y", "p", "lo", "hi", "runs"}
    for _, row in data.iterrows():
        cell = runs[(runs[A] == row["x"]) & (runs[B] == row["y"])]
        crashes = int((cell["outcome"] == "catastrophe").sum())
        assert row["runs"] == len(cell) == 5
        assert row["p"] == pytest.approx(crashes / len(cell))
        assert (row["lo"], row["hi"]) == pytest.approx(wilson_interval(crashes, len(cell)))
        assert row["lo"] <= row["p"] <= row["hi"]


def test_heatmap_is_titled_and_scaled_zero_to_one(grid):
    spec = heatmap(summary_by(grid.runs, [A, B]), A, B, "p_yield").to_dict()
    assert spec["title"] == f"p_yield by {A} and {B}"
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["scale"]["domain"] == [0, 1]


def test_line_with_interval_has_a_row_per_level_and_metric(grid):
    table = summary_by(grid.runs, [B])
    data = chart_data(line_with_interval(table, B, ["p_catastrophe", "p_yield"]))
    assert len(data) == 3 * 2
    for metric in ("p_catastrophe", "p_yield"):
        part = data[data["metric"] == metric].sort_values("x")
        assert part["x"].tolist() == [0.25, 0.5, 0.75]
        assert part["p"].tolist() == pytest.approx(table.sort_values(B)[metric].tolist())
        assert part["lo"].tolist() == pytest.approx(table.sort_values(B)[f"{metric}_lo"].tolist())
        assert part["hi"].tolist() == pytest.approx(table.sort_values(B)[f"{metric}_hi"].tolist())
        # each level pools 10 runs (both values of the other path)
        for _, row in part.iterrows():
            k = round(row["p"] * 10)
            assert (row["lo"], row["hi"]) == pytest.approx(wilson_interval(k, 10))


# --- filters ----------------------------------------------------------------------------------------------------------


def test_filter_keeps_both_ends(grid):
    runs = grid.runs
    kept = filter_runs(runs, {B: (0.25, 0.5)})
    assert sorted(kept[B].unique()) == [0.25, 0.5]
    assert len(kept) == 20
    assert filter_runs(runs, {B: (0.5, 0.5)})[B].unique().tolist() == [0.5]


def test_filter_tolerates_a_slider_end_a_hair_inside_a_value(grid):
    runs = grid.runs
    kept = filter_runs(runs, {B: (0.25 + 1e-9, 0.5 - 1e-9)})  # float arithmetic on a range slider's ends
    assert sorted(kept[B].unique()) == [0.25, 0.5]
    assert filter_runs(runs, {B: (0.26, 0.49)}).empty  # but a real gap still excludes


def test_filter_ranges_combine_and_can_keep_nothing(grid):
    runs = grid.runs
    both = filter_runs(runs, {A: (0.75, 0.75), B: (0.5, 0.75)})
    assert len(both) == 10 and set(both[A]) == {0.75} and set(both[B]) == {0.5, 0.75}
    assert filter_runs(runs, {B: (0.3, 0.4)}).empty
    assert filter_runs(runs, {}).equals(runs)
    full = {p: (runs[p].min(), runs[p].max()) for p in (A, B)}
    assert filter_runs(runs, full).equals(runs)


# --- sensitivity charts -----------------------------------------------------------------------------------------------


def test_index_columns_per_method():
    assert index_columns("sobol") == [("S1", "S1_conf"), ("ST", "ST_conf")]
    assert index_columns("morris") == [("mu_star", "mu_star_conf")]


def test_index_bars_show_each_index_with_its_interval(folders):
    result = open_result(folders["sobol"])
    data = chart_data(index_bars(result.indices, "p_catastrophe", "sobol"))
    assert len(data) == 2 * 2  # two parameters, S1 and ST
    assert set(data["parameter"]) == {A, B} and set(data["index"]) == {"S1", "ST"}
    part = result.indices[result.indices["metric"] == "p_catastrophe"].set_index("parameter")
    for _, row in data.iterrows():
        value, conf = part.loc[row["parameter"], row["index"]], part.loc[row["parameter"], f"{row['index']}_conf"]
        assert row["value"] == pytest.approx(value)
        assert (row["lo"], row["hi"]) == pytest.approx((value - conf, value + conf))


def test_morris_bars_and_skipped_metrics():
    indices = pd.DataFrame(
        {
            "metric": ["p_yield", "p_yield", "p_stalemate", "max_rung_mean"],
            "parameter": ["a", "b", "", "a"],
            "mu_star": [0.4, 0.1, None, 2.0],
            "mu_star_conf": [0.05, 0.02, None, 0.5],
            "note": ["", "", "constant over the design", ""],
        }
    )
    assert analysed_metrics(indices) == ["p_yield", "max_rung_mean"]
    data = chart_data(index_bars(indices, "p_yield", "morris"))
    assert data[["parameter", "index", "value", "lo", "hi"]].values.tolist() == [
        ["a", "mu_star", 0.4, pytest.approx(0.35), pytest.approx(0.45)],
        ["b", "mu_star", 0.1, pytest.approx(0.08), pytest.approx(0.12)],
    ]
