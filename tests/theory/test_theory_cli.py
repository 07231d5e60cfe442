"""`brink theory`: the table on stdout, the report files, byte-identical reruns, and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from brink.cli import app


def brink(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_clean_failure(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory):
    """The same small theory run twice into two directories."""
    base = tmp_path_factory.mktemp("theory")
    results = []
    for name in ("first", "second"):
        out = base / name
        results.append(
            (brink("theory", "--only", "chicken", "--only", "haynes", "--reps", "20", "--out", str(out)), out)
        )
    return results


def test_theory_prints_the_selected_keys_and_writes_the_report(two_reports):
    result, out = two_reports[0]
    assert result.exit_code == 0, result.output
    assert "chicken" in result.stdout and "haynes" in result.stdout
    assert "attrition" not in result.stdout and "fear-yields" not in result.stdout
    assert str(out / "theory.md") in result.stdout
    document = (out / "theory.md").read_text(encoding="utf-8")
    assert "--reps 20 --seed 0" in document
    assert "Haynes (2019)" in document and "McAfee" in document
    table = json.loads((out / "theory.json").read_text(encoding="utf-8"))
    assert table["reps"] == 20 and table["seed"] == 0
    # Rows in the order given on the command line; both checks pass at this seed.
    assert [row["source"] for row in table["results"]] == [
        "McAfee, Introduction to Economic Analysis, fig. 16.18",
        "Haynes (2019)",
    ]
    for row in table["results"]:
        assert set(row) >= {"result", "source", "kind", "expected", "measured", "interval", "verdict"}
        assert row["kind"] == "check" and row["verdict"] == "pass"
    assert "on path 20/20" in table["results"][1]["measured"]
    assert "/160)" in table["results"][0]["measured"]  # chicken runs 8 x reps


def test_theory_reruns_are_byte_identical(two_reports):
    (first, one), (second, two) = two_reports
    assert first.exit_code == second.exit_code == 0
    for name in ("theory.md", "theory.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    assert first.stdout.replace(str(one), "") == second.stdout.replace(str(two), "")


# parallel() forks a process that has native threads; Python 3.12 warns (see the test report).
def test_theory_on_two_workers_writes_the_same_report(two_reports, tmp_path):
    _, serial = two_reports[0]
    out = tmp_path / "spread"
    result = brink(
        "theory", "--only", "chicken", "--only", "haynes", "--reps", "20", "--workers", "2", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    for name in ("theory.md", "theory.json"):
        assert (out / name).read_bytes() == (serial / name).read_bytes(), name


def test_theory_writes_the_plot_and_data_of_a_finding_with_rows(tmp_path):
    out = tmp_path / "out"
    result = brink("theory", "--only", "audience-costs", "--reps", "20", "--out", str(out))
    table = json.loads((out / "theory.json").read_text(encoding="utf-8"))
    [row] = table["results"]
    # A failed check exits 1 (20 runs a condition lack the power this check needs), but still reports.
    assert result.exit_code == (1 if row["verdict"] == "FAIL" else 0), result.output
    png = (out / "theory-figures" / "audience-costs.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    data = pd.read_csv(out / "theory-data" / "audience-costs.csv")
    assert list(data["audience_cost"]) == [0.0, 0.025, 0.05, 0.1, 0.2]
    assert {"p_yield", "lo", "hi", "yields"} <= set(data.columns)
    assert "theory-figures/audience-costs.png" in (out / "theory.md").read_text(encoding="utf-8")
    assert not [p for p in out.rglob(".*")]  # no partial files left behind


def test_theory_draws_a_plot_with_a_zero_rate(tmp_path):
    out = tmp_path / "out"
    result = brink("theory", "--only", "order-of-moves", "--reps", "20", "--out", str(out))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    assert (out / "theory-figures" / "order-of-moves.png").read_bytes().startswith(b"\x89PNG")


def test_unknown_only_key_exits_2_with_one_line(tmp_path):
    out = tmp_path / "out"
    result = brink("theory", "--only", "chicken", "--only", "nosuch", "--reps", "20", "--out", str(out))
    assert_clean_failure(result, "--only", "nosuch")
    assert not out.exists()


def test_out_below_a_file_exits_2_and_writes_nothing(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("keep me")
    result = brink("theory", "--only", "haynes", "--reps", "20", "--out", str(blocker / "sub"))
    assert_clean_failure(result, "--out", "exists and is not a directory")
    assert blocker.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


@pytest.mark.parametrize("reps", ["19", "5", "0", "-1"])
def test_too_few_replications_are_rejected(tmp_path, reps):
    out = tmp_path / "out"
    result = brink("theory", "--only", "haynes", "--reps", reps, "--out", str(out))
    assert result.exit_code == 2
    assert "--reps" in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_docs_carry_a_generated_report_of_every_check_and_claim():
    # `make theory` regenerates docs/theory.md; a new or renamed experiment must be regenerated.
    from pathlib import Path

    from theory.report import EXPERIMENTS, FIGURES

    docs = Path(__file__).resolve().parents[2] / "docs"
    text = (docs / "theory.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert [h.rsplit("(`", 1)[1].rstrip("`)") for h in headings] == list(EXPERIMENTS)
    figures = [line.split("](", 1)[1].rstrip(")") for line in text.splitlines() if line.startswith("![")]
    assert figures and all(f.startswith(f"{FIGURES}/") and (docs / f).is_file() for f in figures)
