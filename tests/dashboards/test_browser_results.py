"""The results page in Chromium: a sweep, a sensitivity analysis and the shipped theory report.

The sweep and the sensitivity analysis are made by the real `brink sweep` and `brink sensitivity`
commands in a temporary folder (conftest's ``result_batches``, started once the server is up).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CHART_WAIT = 30_000  # ms
SWEEP_RUNS, SWEEP_CELLS, SWEEP_REPS = 40, 4, 10  # conftest.BATCH_COMMANDS["sweep"]: 2 x 2 values, 10 reps


def expect_chart(results, testid: str) -> None:
    """vega-embed drew the chart: a marks <svg> or <canvas> of a real size inside the element."""
    marks = results.page.get_by_test_id(testid).locator("svg.marks, canvas.marks")
    expect(marks.first).to_be_visible(timeout=CHART_WAIT)
    box = marks.first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, box


def test_theory_report_shows_the_theory_table(open_dashboard):
    rows = json.loads((REPO / "docs" / "theory.json").read_text(encoding="utf-8"))["results"]
    results = open_dashboard("/results")

    results.open_folder(REPO / "docs")

    table = results.page.get_by_test_id("theory-table")
    expect(table).to_be_visible()
    expect(table.locator("tr")).to_have_count(len(rows) + 1)  # a header row, then one per result
    expect(table.locator("tr").nth(1)).to_contain_text(str(rows[0]["key"]))
    assert results.errors == []


def test_sweep_shows_heatmap_lines_and_table(result_batches, open_dashboard):
    folder = result_batches["sweep"].result()
    results = open_dashboard("/results")

    results.open_folder(folder)

    expect(
        results.page.get_by_text(f"{SWEEP_RUNS} runs, {SWEEP_CELLS} cells x {SWEEP_REPS} replications")
    ).to_be_visible()
    expect_chart(results, "heatmap")
    expect_chart(results, "line-plot")
    counts = results.page.get_by_text(r"runs in")
    expect(counts).to_have_text(f"{SWEEP_RUNS} runs in {SWEEP_CELLS} rows")  # no slider filter at first
    expect(results.page.locator(".v-data-table tbody tr")).to_have_count(SWEEP_CELLS)
    assert results.errors == []


def test_sensitivity_shows_index_bars(result_batches, open_dashboard):
    folder = result_batches["sensitivity"].result()
    results = open_dashboard("/results")

    results.open_folder(folder)

    expect(results.page.get_by_text("Sensitivity (sobol)")).to_be_visible()
    expect_chart(results, "index-bars")
    expect(results.page.locator(".v-data-table tbody tr").first).to_be_visible()
    assert results.errors == []


def test_results_page_has_one_app_bar(open_dashboard):
    results = open_dashboard("/results")

    expect(results.page.get_by_text("Brinkmanship", exact=True)).to_have_count(1)
    expect(results.page.get_by_role("tab", name="Results")).to_have_attribute("aria-selected", "true")
    results.page.get_by_role("tab", name="Live run").click()
    expect(results.status).to_be_visible()
    expect(results.page.get_by_text("Brinkmanship", exact=True)).to_have_count(1)
