"""`brink sweep` and `brink summarize` end to end, and their one-line errors on bad input."""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from batch.results import load_runs
from batch.seeds import run_seeds
from brink.cli import app

SWERVE_A = "states.AAA.policy.yield_probability"
SWERVE_B = "states.BBB.policy.yield_probability"
GRID = ["theory/chicken", "--vary", f"{SWERVE_A}=0.25,0.75", "--vary", f"{SWERVE_B}=0.25,0.75"]
Z95 = 1.959963984540054


def brink(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return centre - half, centre + half


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A 2 x 2 grid of the chicken game, 40 replications a cell, swept by the command line."""
    out = tmp_path_factory.mktemp("cli") / "sweep"
    result = brink("sweep", *GRID, "--reps", "40", "--chunk", "20", "--seed", "2", "--out", out)
    return result, out


@pytest.fixture
def sweep_copy(swept, tmp_path):
    out = tmp_path / "sweep"
    shutil.copytree(swept[1], out)
    return out


def read_parts(out: Path) -> pd.DataFrame:
    """The part files read with plain pandas, independently of batch.results."""
    return pd.concat([pd.read_parquet(p) for p in sorted((out / "parts").glob("*.parquet"))], ignore_index=True)


# --- brink sweep -------------------------------------------------------------------------------------------------


def test_sweep_runs_the_grid_and_prints_the_counts(swept):
    result, out = swept
    assert result.exit_code == 0, result.output
    assert "160 runs in 4 cells x 40 replications (160 run now, 0 already done); 0 raised" in result.stdout
    assert f"summarise with `brink summarize {out}`" in result.stdout
    assert "160/160" in result.stderr  # the progress bar, finished
    assert sorted(p.name for p in out.iterdir()) == ["cells.parquet", "manifest.json", "parts"]
    assert len(list((out / "parts").glob("task-*.parquet"))) == 8
    runs = read_parts(out)
    assert len(runs) == 160
    assert not runs.duplicated(["cell", "rep"]).any()
    assert sorted(runs.groupby([SWERVE_A, SWERVE_B]).size().tolist()) == [40, 40, 40, 40]
    assert set(runs["seed"]) == set(run_seeds(2, 40))
    assert runs["error"].isna().all()


def test_sweep_resume_of_a_finished_sweep_runs_nothing(sweep_copy):
    before = read_parts(sweep_copy)
    result = brink("sweep", *GRID, "--reps", "40", "--chunk", "20", "--seed", "2", "--out", sweep_copy, "--resume")
    assert result.exit_code == 0, result.output
    assert "(0 run now, 160 already done)" in result.stdout
    pd.testing.assert_frame_equal(read_parts(sweep_copy), before)


def test_sweep_with_set_and_lhs_design(tmp_path):
    out = tmp_path / "lhs"
    result = brink(
        "sweep", "theory/chicken", "--vary", f"{SWERVE_A}=0.1:0.9", "--design", "lhs", "--samples", "5",
        "--set", f"{SWERVE_B}=0.5", "--reps", "3", "--seed", "6", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "15 runs in 5 cells x 3 replications" in result.stdout
    runs = load_runs(out)
    values = runs.groupby("cell")[SWERVE_A].first()
    assert values.between(0.1, 0.9).all() and values.nunique() == 5
    # The design's seed is the root seed: the same command gives the same cells.
    again = tmp_path / "again"
    brink(
        "sweep", "theory/chicken", "--vary", f"{SWERVE_A}=0.1:0.9", "--design", "lhs", "--samples", "5",
        "--set", f"{SWERVE_B}=0.5", "--reps", "3", "--seed", "6", "--out", again,
    )  # fmt: skip
    assert load_runs(again).equals(runs)


# --- brink summarize ---------------------------------------------------------------------------------------------


def test_summarize_matches_a_direct_computation_from_the_parts(sweep_copy):
    result = brink("summarize", sweep_copy)
    assert result.exit_code == 0, result.output
    assert str(sweep_copy / "summary.csv") in result.stdout
    table = pd.read_csv(sweep_copy / "summary.csv")
    runs = read_parts(sweep_copy)
    assert len(table) == 4
    assert list(table.columns[:4]) == [SWERVE_A, SWERVE_B, "runs", "errors"]
    outcomes = sorted(runs["outcome"].unique())
    yielders = sorted(runs["yielder"].dropna().unique())
    assert outcomes == ["catastrophe", "yield"] and yielders == ["AAA", "BBB"], "precondition"
    for _, row in table.iterrows():
        group = runs[(runs[SWERVE_A] == row[SWERVE_A]) & (runs[SWERVE_B] == row[SWERVE_B])]
        n = len(group)
        assert row["runs"] == n == 40 and row["errors"] == 0
        indicators = {f"p_{o}": group["outcome"] == o for o in outcomes}
        indicators |= {f"p_yielder_{c}": group["yielder"] == c for c in yielders}
        indicators["p_nuclear_used"] = group["nuclear_used"]
        for name, hits in indicators.items():
            k = int(hits.sum())
            lo, hi = wilson(k, n)
            assert row[name] == pytest.approx(k / n, rel=1e-5, abs=1e-9), name
            assert row[f"{name}_lo"] == pytest.approx(max(lo, 0.0), rel=1e-5, abs=1e-6), name
            assert row[f"{name}_hi"] == pytest.approx(min(hi, 1.0), rel=1e-5, abs=1e-6), name
            assert row[f"{name}_lo"] <= row[name] <= row[f"{name}_hi"]
        for column in ("max_rung", "duration"):
            assert row[f"{column}_mean"] == pytest.approx(group[column].mean(), rel=1e-5)
            for q in (10, 50, 90):
                assert row[f"{column}_q{q}"] == pytest.approx(group[column].quantile(q / 100), rel=1e-5)
    # More swerving by AAA means more yielding by AAA.
    by_a = table.groupby(SWERVE_A)["p_yielder_AAA"].mean()
    assert by_a[0.75] > by_a[0.25]


def test_summarize_by_one_path_pools_the_other(sweep_copy):
    result = brink("summarize", sweep_copy, "--by", SWERVE_B)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(sweep_copy / f"summary-by-{SWERVE_B}.csv")
    assert str(sweep_copy / f"summary-by-{SWERVE_B}.csv") in result.stdout
    assert not (sweep_copy / "summary.csv").exists()
    assert SWERVE_A not in table.columns
    assert table[SWERVE_B].tolist() == [0.25, 0.75]
    assert table["runs"].tolist() == [80, 80]
    runs = read_parts(sweep_copy)
    for _, row in table.iterrows():
        group = runs[runs[SWERVE_B] == row[SWERVE_B]]
        assert row["p_catastrophe"] == pytest.approx((group["outcome"] == "catastrophe").mean(), rel=1e-5)
        assert row["p_yielder_BBB"] == pytest.approx((group["yielder"] == "BBB").mean(), rel=1e-5)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def plots_of(out: Path, *by: str) -> dict[str, bytes]:
    options = [x for path in by for x in ("--by", path)]
    result = brink("summarize", out, *options, "--plot")
    assert result.exit_code == 0, result.output
    suffix = f"-by-{'+'.join(by)}" if by else ""
    columns = pd.read_csv(out / f"summary{suffix}.csv").columns
    metrics = [c for c in columns if c.startswith("p_") and not c.endswith(("_lo", "_hi"))]
    files = {p.name: p.read_bytes() for p in (out / "plots").iterdir() if p.name.endswith(f"{suffix}.png")}
    assert sorted(files) == sorted(f"{m}{suffix}.png" for m in metrics)
    assert f"wrote {len(metrics)} plots" in result.stdout
    for data in files.values():
        width, height = png_size(data)
        assert 600 <= width <= 1600 and 400 <= height <= 1200
    return files


def test_plot_of_one_and_of_two_paths_writes_pngs(sweep_copy):
    heatmaps = plots_of(sweep_copy)  # by default, by both varied paths
    lines = plots_of(sweep_copy, SWERVE_A)
    shares = ["p_yield", "p_yield_choice", "p_defeat", "p_catastrophe", "p_yielder_AAA", "p_yielder_BBB"]
    assert {f"{m}.png" for m in shares} <= set(heatmaps)
    assert sorted(lines) == sorted(name.replace(".png", f"-by-{SWERVE_A}.png") for name in heatmaps)
    assert all(lines[name.replace(".png", f"-by-{SWERVE_A}.png")] != heatmaps[name] for name in heatmaps)


def test_summarize_by_never_overwrites_the_full_summary_or_its_plots(sweep_copy):
    full = plots_of(sweep_copy)
    summary = (sweep_copy / "summary.csv").read_bytes()
    for by in ([SWERVE_A], [SWERVE_B], [SWERVE_B, SWERVE_A]):
        plots_of(sweep_copy, *by)
    assert (sweep_copy / "summary.csv").read_bytes() == summary
    assert {name: (sweep_copy / "plots" / name).read_bytes() for name in full} == full
    names = {p.name for p in sweep_copy.iterdir()}
    by = [SWERVE_A, SWERVE_B, f"{SWERVE_B}+{SWERVE_A}"]
    assert {f"summary-by-{paths}.csv" for paths in by} <= names
    # Grouped by both paths in the other order: the same numbers, the other axis first.
    swapped = pd.read_csv(sweep_copy / f"summary-by-{SWERVE_B}+{SWERVE_A}.csv").sort_values([SWERVE_A, SWERVE_B])
    original = pd.read_csv(sweep_copy / "summary.csv")
    assert swapped["p_catastrophe"].tolist() == original["p_catastrophe"].tolist()


def test_plots_are_the_same_bytes_every_time(sweep_copy, tmp_path):
    first = plots_of(sweep_copy)
    other = tmp_path / "other"
    shutil.copytree(sweep_copy, other)
    shutil.rmtree(other / "plots")
    assert plots_of(other) == first


# --- a sweep without --vary: replications of the scenario as it is ----------------------------------------------


@pytest.fixture(scope="module")
def replicated(tmp_path_factory):
    out = tmp_path_factory.mktemp("reps") / "sweep"
    result = brink("sweep", "moscow-strike", "--reps", "300", "--chunk", "100", "--seed", "4", "--out", out)
    return result, out


def test_sweep_without_vary_replicates_the_scenario(replicated):
    result, out = replicated
    assert result.exit_code == 0, result.output
    assert "300 runs in 1 cell x 300 replications" in result.stdout
    runs = read_parts(out)
    assert len(runs) == 300 and set(runs["cell"]) == {0}
    assert sorted(runs["rep"]) == list(range(300))
    assert runs.columns[:3].tolist() == ["cell", "rep", "seed"] and runs.columns[3] == "outcome"  # no varied path
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design"]["vary"] == [] and manifest["design"]["cells"] == 1
    assert runs["outcome"].nunique() > 1, "precondition: the replications differ"


def test_summarize_and_plot_a_replicated_scenario(replicated, tmp_path):
    _, source = replicated
    out = tmp_path / "sweep"
    shutil.copytree(source, out)
    result = brink("summarize", out, "--plot")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "summary.csv")
    runs = read_parts(out)
    assert len(table) == 1 and table["runs"].tolist() == [300]
    for name, hits in {"p_yield": runs["outcome"] == "yield", "p_defeat": runs["yield_cause"] == "defeat",
                       "p_catastrophe": runs["outcome"] == "catastrophe"}.items():  # fmt: skip
        assert table[name].iat[0] == pytest.approx(hits.mean(), rel=1e-5), name
        lo, hi = wilson(int(hits.sum()), 300)
        assert table[f"{name}_lo"].iat[0] == pytest.approx(max(lo, 0.0), rel=1e-5, abs=1e-6)
        assert table[f"{name}_hi"].iat[0] == pytest.approx(min(hi, 1.0), rel=1e-5, abs=1e-6)
    # One line per metric, with its interval.
    line = next(line for line in result.stdout.splitlines() if " p_defeat " in line)
    cells = [cell.strip() for cell in line.split("│")[1:-1]]
    assert cells == ["p_defeat", *(f"{round(table[f'p_defeat{end}'].iat[0], 4):g}" for end in ("", "_lo", "_hi"))]
    plots = sorted(p.name for p in (out / "plots").iterdir())
    expected = ["duration.png", "max_rung.png", "outcomes.png", "yield_rung.png"]
    assert plots == expected
    assert f"wrote {len(expected)} plots" in result.stdout


def test_summarize_by_on_a_sweep_that_varied_nothing_is_refused(replicated, tmp_path):
    _, source = replicated
    out = tmp_path / "sweep"
    shutil.copytree(source, out)
    summarize_fails(out, "--by", "states.USA.fear", fragment="choose from none: this sweep varied nothing")


def test_summarize_prints_machine_formats_on_stdout_alone(replicated, tmp_path):
    _, source = replicated
    out = tmp_path / "sweep"
    shutil.copytree(source, out)
    result = brink("summarize", out, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["metric"]: row for row in json.loads(result.stdout)}
    table = pd.read_csv(out / "summary.csv")
    assert rows["runs"]["value"] == 300
    assert rows["p_yield"]["value"] == pytest.approx(table["p_yield"].iat[0], abs=5e-5)
    assert "wrote" in result.stderr


# --- bad input: exit 2, one line on stderr, no traceback, nothing written ---------------------------------------

SMALL = ["theory/chicken", "--vary", f"{SWERVE_A}=0.25,0.75", "--reps", "2"]


@pytest.fixture
def quick_connect(monkeypatch):
    """Connect with a 1 s timeout instead of 10 s, so an unreachable scheduler fails fast."""
    import distributed

    real = distributed.Client

    def client(address, timeout=None, **kwargs):
        return real(address, timeout="1s", **kwargs)

    monkeypatch.setattr(distributed, "Client", client)


# (arguments, fragment of the error line, whether the progress bar has already started)
BAD_SWEEPS = {
    "missing-out": (SMALL, "--out: give a result folder with --out DIR", False),
    "lhs-no-vary": (
        ["theory/chicken", "--design", "lhs", "--samples", "4", "--out", "OUT"],
        "--vary: the lhs design needs at least one --vary PATH=LO:HI",
        False,
    ),
    "bad-path": (
        ["theory/chicken", "--vary", "states.AAA.fearr=0.1,0.2", "--out", "OUT"],
        "--vary: states.AAA.fearr: unknown parameter path; did you mean 'states.AAA.fear'?",
        False,
    ),
    "out-of-range": (
        ["theory/chicken", "--vary", "states.AAA.fear=0.5,1.5", "--out", "OUT"],
        "--vary: states.AAA.fear: Input should be less than or equal to 1",
        False,
    ),
    "bad-spec": (["theory/chicken", "--vary", f"{SWERVE_A}=0.9:0.1", "--out", "OUT"], "LO must be below HI", False),
    "bad-count": (["theory/chicken", "--vary", f"{SWERVE_A}=0:1:0", "--out", "OUT"], "COUNT must be", False),
    "unknown-design": ([*SMALL, "--design", "random", "--out", "OUT"], "--design: random: unknown design", False),
    "lhs-no-samples": (
        ["theory/chicken", "--vary", f"{SWERVE_A}=0.1:0.9", "--design", "lhs", "--out", "OUT"],
        "--samples",
        False,
    ),
    "grid-samples": ([*SMALL, "--samples", "4", "--out", "OUT"], "only the lhs and sobol designs", False),
    "bad-set": ([*SMALL, "--set", "states.AAA.fear=2", "--out", "OUT"], "--set: states.AAA.fear", False),
    "unknown-scenario": (["chickn", "--vary", "states.AAA.fear=0.1", "--out", "OUT"], "chickn", False),
    "bad-engine": ([*SMALL, "--engine", "ray", "--out", "OUT"], "--engine: ray: unknown engine", True),
    "dask-no-address": ([*SMALL, "--engine", "dask", "--out", "OUT"], "the dask engine needs --address", True),
    "address-nonsense": (
        [*SMALL, "--engine", "dask", "--address", "nonsense", "--out", "OUT"],
        "--address: nonsense: expected a scheduler address such as tcp://HOST:PORT",
        True,
    ),
    "address-no-port": (
        [*SMALL, "--engine", "dask", "--address", "tcp://127.0.0.1", "--out", "OUT"],
        "--address: tcp://127.0.0.1: no Dask scheduler answers",
        True,
    ),
    "address-unreachable": (
        [*SMALL, "--engine", "dask", "--address", "tcp://127.0.0.1:1", "--out", "OUT"],
        "--address: tcp://127.0.0.1:1: no Dask scheduler answers",
        True,
    ),
    "out-below-file": ([*SMALL, "--out", "FILE/sub"], "exists and is not a directory", True),
    "out-is-file": ([*SMALL, "--out", "FILE"], "exists and is not a directory", True),
}


def run_bad_sweep(tmp_path: Path, monkeypatch, arguments: list[str]):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("keep")
    arguments = [a.replace("OUT", str(tmp_path / "out")).replace("FILE", str(tmp_path / "FILE")) for a in arguments]
    result = brink("sweep", *arguments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FILE"], "nothing may be written"
    assert (tmp_path / "FILE").read_text() == "keep"
    return result


def assert_error(result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr + result.stdout
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: "), result.stderr
    assert fragment in last


@pytest.mark.parametrize("case", list(BAD_SWEEPS))
def test_bad_sweep_exits_2_with_an_error_and_writes_nothing(case, tmp_path, monkeypatch, quick_connect):
    arguments, fragment, _ = BAD_SWEEPS[case]
    assert_error(run_bad_sweep(tmp_path, monkeypatch, arguments), fragment)


@pytest.mark.parametrize("case", list(BAD_SWEEPS))
def test_bad_sweep_error_is_the_only_stderr_line(case, tmp_path, monkeypatch, quick_connect):
    arguments, _, _ = BAD_SWEEPS[case]
    result = run_bad_sweep(tmp_path, monkeypatch, arguments)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_existing_sweep_without_resume_exits_2_and_changes_nothing(sweep_copy):
    before = {p: p.read_bytes() for p in sorted(sweep_copy.rglob("*")) if p.is_file()}
    result = brink("sweep", *GRID, "--reps", "40", "--chunk", "20", "--seed", "2", "--out", sweep_copy)
    assert_error(result, "already holds a sweep; pass --resume")
    assert {p: p.read_bytes() for p in sorted(sweep_copy.rglob("*")) if p.is_file()} == before


def test_resume_with_other_reps_exits_2_and_changes_nothing(sweep_copy):
    before = {p: p.read_bytes() for p in sorted(sweep_copy.rglob("*")) if p.is_file()}
    result = brink("sweep", *GRID, "--reps", "41", "--chunk", "20", "--seed", "2", "--out", sweep_copy, "--resume")
    assert_error(result, "reps: differs from this sweep's")
    assert {p: p.read_bytes() for p in sorted(sweep_copy.rglob("*")) if p.is_file()} == before


def test_address_with_unknown_scheme_is_a_clean_error(tmp_path, monkeypatch):
    result = run_bad_sweep(
        tmp_path, monkeypatch, [*SMALL, "--engine", "dask", "--address", "http://127.0.0.1:8786", "--out", "OUT"]
    )
    assert_error(result, "--address")


def test_exponent_notation_values_sweep_cleanly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = brink("sweep", "theory/chicken", "--vary", f"{SWERVE_A}=0.1,1e-3", "--reps", "2", "--out", "out")
    assert result.exit_code == 0, result.output
    assert sorted(load_runs(tmp_path / "out")[SWERVE_A].unique()) == [0.001, 0.1]


def test_negative_seed_is_a_clean_error(tmp_path, monkeypatch):
    result = run_bad_sweep(tmp_path, monkeypatch, [*SMALL, "--seed", "-1", "--out", "OUT"])
    assert_error(result, "--seed")


@pytest.fixture(scope="module")
def three_paths(tmp_path_factory):
    out = tmp_path_factory.mktemp("three") / "sweep"
    result = brink(
        "sweep", "theory/chicken", "--vary", f"{SWERVE_A}=0.5", "--vary", f"{SWERVE_B}=0.5",
        "--vary", "states.AAA.fear=0.2", "--reps", "2", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def summarize_fails(out: Path, *options: str, fragment: str) -> None:
    before = sorted(p.relative_to(out) for p in out.rglob("*")) if out.exists() else None
    result = brink("summarize", out, *options)
    assert_error(result, fragment)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    after = sorted(p.relative_to(out) for p in out.rglob("*")) if out.exists() else None
    assert after == before


def test_summarize_on_a_folder_without_a_sweep(tmp_path):
    (tmp_path / "empty").mkdir()
    summarize_fails(tmp_path / "empty", fragment="holds no sweep (no manifest.json)")
    summarize_fails(tmp_path / "missing", fragment="holds no sweep")


def test_summarize_on_a_sweep_without_finished_runs(sweep_copy):
    for part in (sweep_copy / "parts").glob("*.parquet"):
        part.unlink()
    summarize_fails(sweep_copy, fragment="holds no finished runs yet")


def test_summarize_by_a_path_that_was_not_varied(sweep_copy):
    summarize_fails(sweep_copy, "--by", "states.AAA.fear", fragment="--by: states.AAA.fear: not a varied path")


def test_plot_with_three_paths_is_refused(three_paths):
    summarize_fails(three_paths, "--plot", fragment="--plot: plots take one or two paths, not 3")


def test_plot_with_three_by_paths_is_refused(sweep_copy, three_paths):
    summarize_fails(
        three_paths, "--plot", "--by", SWERVE_A, "--by", SWERVE_B, "--by", "states.AAA.fear", fragment="not 3"
    )
    assert not (sweep_copy / "plots").exists()


def test_summarize_three_paths_without_plot_works(three_paths, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(three_paths, out)
    result = brink("summarize", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "summary.csv")
    assert list(table.columns[:5]) == [SWERVE_A, SWERVE_B, "states.AAA.fear", "runs", "errors"]
    assert table["runs"].tolist() == [2]


@pytest.fixture(scope="module")
def two_roads(tmp_path_factory):
    """Chicken played on two roads at once: crisis road (AAA first) and crisis lane (BBB first)."""
    import yaml

    folder = tmp_path_factory.mktemp("two")
    document = yaml.safe_load(Path("scenarios/theory/chicken.yaml").read_text())
    document["params"]["max_steps"] = 4
    lane = dict(document["crises"]["road"], first_mover="BBB", description="A second road.")
    document["crises"]["lane"] = lane
    (folder / "two.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    out = folder / "sweep"
    result = brink("sweep", folder / "two.yaml", "--reps", "120", "--simulator", "agents", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_every_crisis_of_a_scenario_is_summarised_and_plotted(two_roads):
    result = brink("summarize", two_roads, "--plot")
    assert result.exit_code == 0, result.output
    row = pd.read_csv(two_roads / "summary.csv").iloc[0]
    runs = read_parts(two_roads)
    for crisis, first in (("road", "AAA"), ("lane", "BBB")):
        column = runs[f"crisis.{crisis}.yielder"]
        assert row[f"crisis.{crisis}.p_yielder_{first}"] == pytest.approx((column == first).mean(), rel=1e-5)
        deliberate = runs[f"crisis.{crisis}.catastrophe_cause"] == "deliberate"
        assert row[f"crisis.{crisis}.p_catastrophe_deliberate"] == pytest.approx(deliberate.mean(), rel=1e-5)
    assert row["crisis.lane.p_yielder_BBB"] > row["crisis.lane.p_yielder_AAA"]  # the first mover swerves more
    assert row["p_yielder_AAA"] == row["crisis.road.p_yielder_AAA"]
    assert "crisis.lane.p_yielder_BBB" in result.stdout and "crisis.road.p_yielder_AAA" not in result.stdout
    plots = {p.name for p in (two_roads / "plots").iterdir()}
    assert {"outcomes.png", "crisis.lane.outcomes.png", "crisis.lane.max_rung.png"} <= plots
    assert not any(name.startswith("crisis.road.") for name in plots)


# --- light imports and help -------------------------------------------------------------------------------------

HEAVY = ("mesa", "scipy", "solara", "dask", "distributed", "matplotlib", "optuna", "SALib")
LIGHT = ("brink.batch_commands", "batch.results", "batch.design", "batch.sensitivity", "batch.calibrate")


@pytest.mark.parametrize("module", LIGHT)
def test_batch_modules_import_without_heavy_packages(module):
    """Importing a batch module loads none of the heavy packages; a command imports them when it runs."""
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"import {module} loaded {done.stdout.strip()}"


def help_of(command: str) -> str:
    result = brink(command, "--help")
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.replace("│", " ").split())


@pytest.mark.parametrize(
    ("command", "required"),
    [
        ("sweep", ["--out", "Required. The result folder"]),
        ("summarize", ["* DIR <path> A sweep's result folder. [required]", "DIR/summary.csv"]),
        ("sensitivity", ["Requires --param (two or more for sobol) and --out", "Required. A parameter"]),
        ("calibrate", ["Requires --param, --out, and --target or --targets-file", "required unless --targets-file"]),
    ],
)
def test_help_states_the_required_options(command, required):
    text = help_of(command)
    for fragment in required:
        assert fragment in text, fragment


def test_sweep_help_says_what_happens_without_vary():
    text = help_of("sweep")
    assert "Without --vary the design is one cell, the scenario as it is" in text
    assert "Optional: without it the scenario as it is runs --reps times (one cell)" in text


def test_summarize_help_names_its_files_and_plots():
    text = help_of("summarize")
    fragments = ("DIR/summary.csv", "DIR/summary-by-PATH[+PATH].csv", "the fixed scale 0-1", "by choice and defeat")
    for fragment in fragments:
        assert fragment in text, fragment
