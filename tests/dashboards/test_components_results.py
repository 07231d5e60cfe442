"""The results page rendered without a browser: sweep, sensitivity and theory folders, filters and errors."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import ipyvuetify as v
import ipywidgets
import pandas as pd
import pytest
import solara
import solara.server.app  # patches ipywidgets for per-kernel widgets, as solara's own tests do
import solara.widgets
from solara.server import kernel
from solara.server.kernel_context import VirtualKernelContext
from typer.testing import CliRunner

from batch.stats import wilson_interval
from brink.cli import app
from dashboards import DATA_VARIABLE
from dashboards.files import LINK_OUT, NOT_A_FOLDER, DataFolders
from dashboards.results import ResultsPage, find_results, theory_html

A = "states.AAA.policy.yield_probability"
B = "states.BBB.policy.yield_probability"
DOCS_THEORY = Path(__file__).resolve().parents[2] / "docs" / "theory.json"


def brink(*args: object) -> None:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def pages_root(tmp_path_factory) -> Path:
    """Where the module's result folders are made (one of the dashboard's data folders in every test)."""
    return tmp_path_factory.mktemp("pages")


@pytest.fixture(scope="module")
def folders(pages_root) -> dict[str, Path]:
    """A 2 x 3 grid sweep, a Sobol analysis and a theory report (seeded, small)."""
    root = pages_root
    brink("sweep", "theory/chicken", "--vary", f"{A}=0.25,0.75", "--vary", f"{B}=0.25,0.5,0.75",
          "--reps", "5", "--seed", "3", "--out", root / "grid")  # fmt: skip
    brink("sensitivity", "theory/chicken", "--param", f"{A}=0:1", "--param", f"{B}=0:1", "--samples", "4",
          "--reps", "5", "--seed", "3", "--metric", "p_catastrophe", "--metric", "p_nuclear_used",
          "--out", root / "sobol")  # fmt: skip
    (root / "theory").mkdir()
    shutil.copy(DOCS_THEORY, root / "theory" / "theory.json")
    return {"grid": root / "grid", "sobol": root / "sobol", "theory": root / "theory"}


@pytest.fixture(autouse=True)
def kernel_context(tmp_path, monkeypatch, pages_root):
    """A fresh virtual kernel per test, in an empty working directory (nothing found under out/ runs/ docs/).

    The dashboard's data folders are that directory and the module's result folders.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(DATA_VARIABLE, json.dumps([str(tmp_path), str(pages_root)]))
    context = VirtualKernelContext(id="results-test", kernel=kernel.Kernel(), session_id="session-1")
    try:
        with context:
            yield context
    finally:
        with context:
            context.close()


# --- finding things in the widget tree ---------------------------------------------------------------------------


def walk(root: Any) -> list[ipywidgets.Widget]:
    seen: set[int] = set()
    found: list[ipywidgets.Widget] = []
    queue: list[Any] = [root]
    while queue:
        item = queue.pop(0)
        if isinstance(item, ipywidgets.Widget):
            if id(item) in seen:
                continue
            seen.add(id(item))
            found.append(item)
            queue.extend(getattr(item, name) for name in item.keys)
        elif isinstance(item, list | tuple):
            queue.extend(item)
        elif isinstance(item, dict):
            queue.extend(item.values())
    return found


def by_testid(box, testid: str) -> list[ipywidgets.Widget]:
    return [w for w in walk(box) if (getattr(w, "attributes", None) or {}).get("data-testid") == testid]


def vega_in(box, testid: str) -> list[dict[str, Any]]:
    """Vega-Lite specs drawn inside the element with `testid`."""
    (holder,) = by_testid(box, testid)
    return [w.spec for w in walk(holder) if isinstance(w, solara.widgets.VegaLite)]


def dataset(spec: dict[str, Any]) -> pd.DataFrame:
    (rows,) = spec["datasets"].values()
    return pd.DataFrame(rows)


def alerts(box, kind: str) -> list[str]:
    return [str(c) for w in walk(box) if isinstance(w, v.Alert) and w.type == kind for c in w.children]


def texts(box) -> list[str]:
    return [str(c) for w in walk(box) if isinstance(w, v.Html) and w.tag == "span" for c in w.children]


def tables(box) -> list[Any]:
    return [w for w in walk(box) if type(w).__name__ == "DataTableWidget"]


def markdown(box) -> str:
    return " ".join(
        w.template
        for w in walk(box)
        if isinstance(w, v.VuetifyTemplate) and isinstance(w.template, str) and "solara-markdown" in w.template
    )


def open_folder(rc, folder: Path | str) -> None:
    (field,) = [t for t in rc.find(v.TextField).widgets if t.label.startswith("Result folder")]
    field.v_model = str(folder)
    field.fire_event("keyup.enter", None)


def select(box, label: str) -> v.Select:
    (found,) = [w for w in walk(box) if isinstance(w, v.Select) and w.label == label]
    return found


def render():
    return solara.render(ResultsPage(), handle_error=False)


# === the page with nothing open ======================================================================================


def test_page_without_a_folder_explains_what_to_open():
    box, _rc = render()
    (info,) = alerts(box, "info")
    assert "brink sweep" in info and "brink theory --out" in info
    assert alerts(box, "error") == []
    assert [w for w in walk(box) if isinstance(w, v.Select)] == []  # nothing found in an empty directory


def test_empty_folder_shows_an_error_line_and_no_view(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    box, rc = render()
    open_folder(rc, empty)
    assert alerts(box, "error") == [f"error: {empty}: holds no sweep, sensitivity analysis or theory report"]
    assert alerts(box, "info") == []
    assert by_testid(box, "heatmap") == [] and by_testid(box, "theory-table") == []


def test_missing_folder_shows_an_error_line(tmp_path):
    box, rc = render()
    open_folder(rc, tmp_path / "nope")
    assert alerts(box, "error") == [f"error: {tmp_path / 'nope'}: {NOT_A_FOLDER}"]


def test_folders_outside_the_data_folders_read_like_missing_ones(tmp_path, folders):
    outside = Path(tempfile.mkdtemp(prefix="brink-outside-"))
    try:
        shutil.copytree(folders["theory"], outside / "theory")
        (tmp_path / "link").symlink_to(outside / "theory")
        (tmp_path / "~").mkdir()
        box, rc = render()
        for typed in (str(outside / "theory"), "link", "../", "/etc", "~", "~/", "/", "nope"):
            open_folder(rc, typed)
            # `~` opens the empty folder of that name inside the data folder: never the home folder
            problem = "holds no sweep, sensitivity analysis or theory report" if typed in ("~", "~/") else NOT_A_FOLDER
            assert alerts(box, "error") == [f"error: {typed}: {problem}"], typed
            assert by_testid(box, "theory-table") == []
    finally:
        shutil.rmtree(outside)


def test_a_result_file_linked_out_of_the_data_folders_is_refused_before_it_is_read(tmp_path, folders):
    outside = Path(tempfile.mkdtemp(prefix="brink-outside-"))
    try:
        (outside / "theory.json").write_text('{"results": [{"key": "leaked-secret"}]}')
        (tmp_path / "report").mkdir()
        (tmp_path / "report" / "theory.json").symlink_to(outside / "theory.json")
        box, rc = render()
        open_folder(rc, "report")
        assert alerts(box, "error") == [f"error: report: {LINK_OUT}"]
        assert by_testid(box, "theory-table") == []
    finally:
        shutil.rmtree(outside)


def test_a_bad_folder_after_a_good_one_replaces_the_view_with_the_error(folders, tmp_path):
    box, rc = render()
    open_folder(rc, folders["theory"])
    assert by_testid(box, "theory-table")
    open_folder(rc, tmp_path / "nope")
    assert by_testid(box, "theory-table") == []
    assert len(alerts(box, "error")) == 1
    open_folder(rc, folders["theory"])  # and back: the error goes
    assert alerts(box, "error") == [] and by_testid(box, "theory-table")


# === sweeps ===========================================================================================================


def test_sweep_shows_a_heatmap_a_line_plot_and_a_table(folders):
    box, rc = render()
    open_folder(rc, folders["grid"])
    assert alerts(box, "error") == []
    assert "30 runs" in markdown(box) and "6 cells x 5 replications" in markdown(box)
    select(box, "Outcome").v_model = "p_catastrophe"
    (heat,) = vega_in(box, "heatmap")
    cells = dataset(heat)
    assert len(cells) == 6
    assert sorted(zip(cells["x"], cells["y"], strict=True)) == [(a, b) for a in (0.25, 0.75) for b in (0.25, 0.5, 0.75)]
    assert heat["title"] == f"p_catastrophe by {A} and {B}"
    runs = pd.concat(pd.read_parquet(p) for p in (folders["grid"] / "parts").glob("*.parquet"))
    for _, cell in cells.iterrows():
        chosen = runs[(runs[A] == cell["x"]) & (runs[B] == cell["y"])]
        k = int((chosen["outcome"] == "catastrophe").sum())
        assert cell["p"] == pytest.approx(k / 5)
        assert (cell["lo"], cell["hi"]) == pytest.approx(wilson_interval(k, 5))
    (line,) = vega_in(box, "line-plot")
    points = dataset(line)
    assert sorted(points["x"].unique()) == [0.25, 0.75]
    assert points["metric"].nunique() == 3  # the first three outcomes are shown
    assert "30 runs in 6 rows" in texts(box)
    (table,) = tables(box)
    assert table.total_length == 6
    assert {A, B, "runs", "p_catastrophe", "p_catastrophe_lo", "p_catastrophe_hi"} <= {
        h["value"] for h in table.headers
    }


def test_range_filter_narrows_the_table(folders):
    box, rc = render()
    open_folder(rc, folders["grid"])
    sliders = {s.label: s for s in walk(box) if isinstance(s, v.RangeSlider)}
    assert set(sliders) == {A, B}
    assert (sliders[B].min, sliders[B].max) == (0.25, 0.75)
    sliders[B].v_model = [0.5, 0.75]
    assert "20 runs in 4 rows" in texts(box)
    (table,) = tables(box)
    assert table.total_length == 4
    assert {row[B] for row in table.items} == {"0.5", "0.75"}
    sliders = {s.label: s for s in walk(box) if isinstance(s, v.RangeSlider)}
    sliders[A].v_model = [0.75, 0.75]
    assert "10 runs in 2 rows" in texts(box)
    assert len(dataset(vega_in(box, "heatmap")[0])) == 6  # the charts still show the whole sweep
    sliders = {s.label: s for s in walk(box) if isinstance(s, v.RangeSlider)}
    sliders[B].v_model = [0.3, 0.4]  # between the swept values
    assert "No runs in the chosen ranges." in alerts(box, "info")
    assert tables(box) == []


def test_outcome_and_path_choices_redraw_the_charts(folders):
    box, rc = render()
    open_folder(rc, folders["grid"])
    outcome = select(box, "Outcome")
    assert "p_yield" in outcome.items
    outcome.v_model = "p_yield"
    (heat,) = vega_in(box, "heatmap")
    assert heat["title"] == f"p_yield by {A} and {B}"
    select(box, "y").v_model = A
    assert by_testid(box, "heatmap") == []
    assert any("two different paths" in w for w in alerts(box, "warning"))
    select(box, "Path").v_model = B  # the line plot over the other path (and the heatmap's x with it)
    (line,) = vega_in(box, "line-plot")
    assert sorted(dataset(line)["x"].unique()) == [0.25, 0.5, 0.75]
    (heat,) = vega_in(box, "heatmap")
    assert heat["title"] == f"p_yield by {B} and {A}"


def test_sweep_over_a_named_parameter_opens(tmp_path):
    out = tmp_path / "names"
    brink("sweep", "theory/chicken", "--vary", "states.AAA.policy.otherwise=escalate,hold",
          "--vary", "crises.road.allow_hold=true,false", "--reps", "3", "--seed", "1", "--out", out)  # fmt: skip
    box, rc = render()
    open_folder(rc, out)
    assert alerts(box, "error") == []
    assert "12 runs in 4 rows" in texts(box)


# === sensitivity and theory ===========================================================================================


def test_sensitivity_shows_index_bars_and_skipped_metrics(folders):
    box, rc = render()
    open_folder(rc, folders["sobol"])
    assert alerts(box, "error") == []
    assert "Sensitivity (sobol)" in markdown(box)
    (bars,) = vega_in(box, "index-bars")
    data = dataset(bars)
    assert set(data["parameter"]) == {A, B} and set(data["index"]) == {"S1", "ST"}
    assert bars["title"] == "p_catastrophe: sobol indices"
    indices = pd.read_csv(folders["sobol"] / "indices.csv").set_index(["metric", "parameter"])
    for _, row in data.iterrows():
        assert row["value"] == pytest.approx(indices.loc[("p_catastrophe", row["parameter"]), row["index"]])
    assert "Not analysed: p_nuclear_used (constant over the design)" in texts(box)
    assert select(box, "Metric").items == ["p_catastrophe"]
    (table,) = tables(box)
    assert table.total_length == 2


def test_theory_shows_the_table_with_a_row_per_result(folders):
    box, rc = render()
    open_folder(rc, folders["theory"])
    document = json.loads(DOCS_THEORY.read_text())
    (table,) = by_testid(box, "theory-table")
    text = table.unsafe_innerHTML
    assert text.count("<tr style='background:") == len(document["results"])
    for row in document["results"]:
        assert f">{row['key']}</td>" in text
    assert "1000 replications a condition, seed 0" in markdown(box)


def test_theory_html_shades_verdicts_and_escapes_text():
    table = pd.DataFrame(
        [
            dict(key="a", result="<b>r</b>", source="s", expected="e", measured="m", interval="i", verdict="pass"),
            dict(key="b", result="r", source="s & t", expected="e", measured="m", interval="i", verdict="fail"),
            dict(key="c", result="r", source="s", expected="e", measured="m", interval="i", verdict="partly borne out"),
        ]
    )
    text = theory_html(table)
    rows = text.split("<tr style='background:")[1:]
    assert [row[:7] for row in rows] == ["#e3f2e1", "#fde0dc", "#fff8e1"]
    assert "&lt;b&gt;r&lt;/b&gt;" in text and "<b>r</b>" not in text
    assert "s &amp; t" in text
    assert text.count("<th ") == 7


# === found folders ====================================================================================================


def make_marker(path: Path, name: str = "manifest.json") -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / name).write_text("{}")


def test_find_results_searches_out_runs_and_docs_two_levels_deep(tmp_path):
    make_marker(tmp_path / "out" / "sweep")
    make_marker(tmp_path / "out" / "a" / "b")
    make_marker(tmp_path / "out" / "a" / "b" / "c" / "d")  # too deep
    make_marker(tmp_path / "runs" / "x", "theory.json")
    make_marker(tmp_path / "docs", "theory.json")
    make_marker(tmp_path / "elsewhere" / "sweep")  # not searched
    (tmp_path / "out" / "notes").mkdir()
    assert find_results(DataFolders.of([tmp_path])) == ["docs", "out/a/b", "out/sweep", "runs/x"]
    assert find_results(DataFolders.of([tmp_path / "out"])) == []  # relative to the data folder: no out/ in it
    other = tmp_path / "elsewhere"
    assert find_results(DataFolders.of([tmp_path, other])) == [
        str(tmp_path / name) for name in ("docs", "out/a/b", "out/sweep", "runs/x")
    ]  # several data folders: absolute paths


def test_find_results_leaves_out_folders_linked_out_of_the_data_folders(tmp_path, pages_root):
    make_marker(pages_root / "linked-sweep")
    make_marker(tmp_path / "out" / "mine")
    (tmp_path / "out" / "theirs").symlink_to(pages_root / "linked-sweep")
    assert find_results(DataFolders.of([tmp_path])) == ["out/mine"]


def test_found_folders_are_offered_and_open(folders, tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_VARIABLE, json.dumps([str(tmp_path)]))  # one data folder: names relative to it
    shutil.copytree(folders["grid"], tmp_path / "out" / "grid")
    shutil.copytree(folders["theory"], tmp_path / "docs")
    box, _rc = render()
    found = select(box, "Found here")
    assert found.items == ["docs", "out/grid"]
    found.v_model = "out/grid"
    assert vega_in(box, "heatmap") and "30 runs in 6 rows" in texts(box)
    found = select(box, "Found here")
    found.v_model = "docs"
    assert by_testid(box, "theory-table") and by_testid(box, "heatmap") == []
