"""Sensitivity analysis against analytic Sobol indices, and calibration against a known optimum.

theory/chicken crashes with probability (1 - a)(1 - b), where a and b are the two drivers' swerve
probabilities. With a, b uniform on [0, 1], f = uv for u, v uniform: Var f = 7/144 and
Var E[f | u] = 1/48, so S1 = 3/7 and ST = 4/7 for each driver. A third parameter the mixed
policy never reads (AAA's fear) must get indices of exactly zero: every cell runs on the same
seeds, so changing it changes no run.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from batch.calibrate import Target, loss, parse_target
from brink.cli import app
from scenarios import ScenarioError

A = "states.AAA.policy.yield_probability"
B = "states.BBB.policy.yield_probability"
DUMMY = "states.AAA.fear"


def brink(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def sobol(tmp_path_factory):
    out = tmp_path_factory.mktemp("sens") / "sobol"
    result = brink(
        "sensitivity", "theory/chicken", "--param", f"{A}=0:1", "--param", f"{B}=0:1", "--param", f"{DUMMY}=0:1",
        "--samples", "32", "--reps", "50", "--out", str(out), "--metric", "p_catastrophe", "--chunk", "100",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, pd.read_csv(out / "indices.csv").set_index("parameter")


def test_sobol_indices_match_the_analytic_answer(sobol):
    _, indices = sobol
    # 32 base samples: SALib's own 95% intervals are about +-0.2; the check allows for that.
    for driver in (A, B):
        assert abs(indices.loc[driver, "S1"] - 3 / 7) < 0.2
        assert abs(indices.loc[driver, "ST"] - 4 / 7) < 0.2
        assert indices.loc[driver, "ST"] > indices.loc[DUMMY, "ST"] + 0.3


def test_a_parameter_the_model_never_reads_gets_zero_indices(sobol):
    _, indices = sobol
    assert indices.loc[DUMMY, "ST"] == pytest.approx(0.0, abs=1e-12)
    assert indices.loc[DUMMY, "S1"] == pytest.approx(0.0, abs=1e-12)


def test_sensitivity_writes_its_design_runs_and_plot(sobol):
    out, _ = sobol
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design"]["kind"] == "sensitivity-sobol"
    assert manifest["runs"] == 32 * (3 + 2) * 50
    assert (out / "plots" / "indices-p_catastrophe.png").read_bytes().startswith(b"\x89PNG")


def test_morris_ranks_the_unread_parameter_last(tmp_path):
    out = tmp_path / "morris"
    result = brink(
        "sensitivity", "theory/chicken", "--param", f"{A}=0:1", "--param", f"{DUMMY}=0:1", "--method", "morris",
        "--samples", "8", "--reps", "60", "--out", str(out), "--metric", "p_catastrophe", "--chunk", "60",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(out / "indices.csv").set_index("parameter")
    assert indices.loc[DUMMY, "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert indices.loc[A, "mu_star"] > 0.2  # the crash rate moves by up to 0.75 over a's range


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["--param", f"{A}=0:1", "--param", f"{B}=0.1,0.2"], ["--param", B]),
        (["--param", f"{A}=0:1"], ["--param", "two parameters"]),
        (["--param", f"{A}=0:1", "--param", "states.AAA.feer=0:1"], ["--vary", "did you mean"]),
        (["--param", f"{A}=0:1", "--param", f"{B}=0:1", "--method", "saltelli"], ["--method", "saltelli"]),
        (["--param", f"{A}=0:1", "--param", f"{B}=0:1", "--metric", "p_nothing"], ["--metric", "p_nothing"]),
        (["--param", f"{A}=0:1", "--param", f"{B}=0:1", "--metric", "p_first_nuclear_user"], ["p_first_nuclear"]),
        (["--param", f"{A}=0:1", "--param", f"{B}=0:1", "--metric", "crisis.lane.p_yield"], ["crisis.lane.p_yield"]),
    ],
)
def test_bad_sensitivity_input_is_one_line_and_exit_2(tmp_path, args, names):
    out = tmp_path / "out"
    result = brink("sensitivity", "theory/chicken", *args, "--samples", "4", "--reps", "5", "--out", str(out))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in result.output
    assert all(name in lines[0] for name in names)


def test_parse_target_and_loss():
    assert parse_target("p_catastrophe=0.25") == Target("p_catastrophe", 0.25, 1.0)
    year = "alliance.X.dissolved_year_mean"
    assert parse_target(f"{year}=1996:2") == Target(year, 1996.0, 2.0)
    for bad in ("p_catastrophe", "=1", "p=abc", "p=1:0", "p=1:-2", "p=nan"):
        with pytest.raises(ScenarioError):
            parse_target(bad)
    targets = [Target("a", 0.2, 0.1), Target("b", 1996, 2), Target("c", 1)]
    total, terms = loss({"a": 0.3, "b": 1994.0, "c": math.nan}, targets)
    assert terms == pytest.approx({"a": 1.0, "b": 1.0, "c": 100.0})
    assert total == pytest.approx(102.0)


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    # BBB swerves half the time, so the crash rate is (1 - a) / 2 and the target 0.25 means a = 0.5.
    out = tmp_path_factory.mktemp("cal") / "cal"
    args = [
        "calibrate", "theory/chicken", "--set", f"{B}=0.5", "--param", f"{A}=0:1",
        "--target", "p_catastrophe=0.25:0.05", "--reps", "200", "--chunk", "200", "--out", str(out),
    ]  # fmt: skip
    first = brink(*args, "--trials", "6")
    assert first.exit_code == 0, first.output
    resumed = brink(*args, "--trials", "14", "--resume")
    assert resumed.exit_code == 0, resumed.output
    return out, args


def test_calibration_finds_the_known_optimum(calibration):
    out, _ = calibration
    best = json.loads((out / "best.json").read_text())
    assert best["trials"] == 14
    # 200 runs a trial: the crash rate's standard error is about 0.03, so a within 0.15 of 0.5.
    assert abs(best["parameters"][A] - 0.5) < 0.15
    assert abs(best["targets"][0]["simulated"] - 0.25) < 0.06
    trials = pd.read_csv(out / "trials.csv")
    assert (trials["state"] == "COMPLETE").sum() == 14
    assert pd.read_csv(out / "importance.csv")["parameter"].tolist() == [A]


def test_calibration_refuses_to_overwrite_and_bad_targets(calibration, tmp_path):
    _, args = calibration
    again = brink(*args, "--trials", "2")
    assert again.exit_code == 2 and "--resume" in again.stderr
    out = tmp_path / "c"
    bad = brink("calibrate", "theory/chicken", "--param", f"{A}=0:1", "--target", "p_crash=0.2", "--out", str(out))
    assert bad.exit_code == 2 and "p_crash" in bad.stderr and not out.exists()


def test_sensitivity_and_calibration_run_on_dask_with_the_same_results(tmp_path, calibration):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        common = ["--param", f"{A}=0:1", "--param", f"{B}=0:1", "--samples", "4", "--reps", "20", "--chunk", "20"]
        local = brink("sensitivity", "theory/chicken", *common, "--out", str(tmp_path / "local"))
        remote = brink(
            "sensitivity", "theory/chicken", *common, "--out", str(tmp_path / "dask"), "--engine", "dask",
            "--address", address,
        )  # fmt: skip
        assert local.exit_code == 0 and remote.exit_code == 0, remote.output
        assert (tmp_path / "local" / "indices.csv").read_bytes() == (tmp_path / "dask" / "indices.csv").read_bytes()
        _, args = calibration
        out = tmp_path / "cal"
        args = [a if not a.endswith("/cal") else str(out) for a in args]
        result = brink(*args, "--trials", "2", "--engine", "dask", "--address", address)
        assert result.exit_code == 0, result.output
        assert json.loads((out / "best.json").read_text())["trials"] == 2


def test_sensitivity_analyses_the_split_outcomes_and_each_crisis(tmp_path):
    out = tmp_path / "split"
    result = brink(
        "sensitivity", "theory/chicken", "--param", f"{A}=0:1", "--param", f"{B}=0:1", "--samples", "8",
        "--reps", "20", "--chunk", "20", "--out", str(out), "--metric", "p_yield_choice", "--metric",
        "crisis.road.p_catastrophe_deliberate", "--metric", "yield_rung_mean",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(out / "indices.csv")
    analysed = indices[indices["parameter"].notna()]
    assert set(analysed["metric"]) == {"p_yield_choice", "crisis.road.p_catastrophe_deliberate", "yield_rung_mean"}
    # In chicken every crash is a deliberate move to the top rung and every yield a choice, so the two
    # shares add up to 1 in every cell and have the same indices.
    choice = analysed[analysed["metric"] == "p_yield_choice"].set_index("parameter")["ST"]
    crash = analysed[analysed["metric"] == "crisis.road.p_catastrophe_deliberate"].set_index("parameter")["ST"]
    assert choice.to_dict() == pytest.approx(crash.to_dict(), abs=1e-9)


def test_calibration_targets_the_split_outcomes_and_a_crisis(tmp_path):
    out = tmp_path / "cal"
    result = brink(
        "calibrate", "theory/chicken", "--set", f"{B}=0.5", "--param", f"{A}=0:1", "--target", "p_yield_choice=0.75",
        "--target", "crisis.road.p_catastrophe_deliberate=0.25", "--trials", "2", "--reps", "40", "--chunk", "40",
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    targets = {t["metric"]: t["simulated"] for t in json.loads((out / "best.json").read_text())["targets"]}
    assert None not in targets.values()
    assert targets["p_yield_choice"] + targets["crisis.road.p_catastrophe_deliberate"] == pytest.approx(1.0)
