"""`brink run --out` writes beliefs to beliefs.parquet, long format, and keeps them out of agents.parquet."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
from typer.testing import CliRunner

from brink.api import OUTPUT_FILES, run
from brink.cli import app
from model.reporters import BELIEF_COLUMNS, BELIEF_KINDS, beliefs_wide


def brink(*args: str):
    return CliRunner().invoke(app, list(args))


def test_beliefs_go_to_their_own_file_and_read_back_as_the_run_kept_them(tmp_path):
    out = tmp_path / "out"
    result = brink("run", "moscow-strike", "--seed", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "beliefs.parquet" in OUTPUT_FILES and (out / "beliefs.parquet").is_file()
    expected = run("moscow-strike", seed=3)
    beliefs = pd.read_parquet(out / "beliefs.parquet")
    pd.testing.assert_frame_equal(beliefs, expected.beliefs)
    assert list(beliefs.columns) == list(BELIEF_COLUMNS)
    assert list(beliefs["kind"].cat.categories) == list(BELIEF_KINDS)
    assert pq.read_schema(out / "beliefs.parquet").field("observer").type.value_type in ("string", "large_string")
    agents = pd.read_parquet(out / "agents.parquet")
    assert not [c for c in agents.columns if c.startswith("belief")]
    codes = list(expected.spec.states)
    n = len(codes)
    kinds = len(BELIEF_KINDS)
    assert (beliefs["step"] == 0).sum() == kinds * n * n
    assert 0 < (beliefs["step"] > 0).sum() < kinds * n * n * expected.summary["steps"]


def test_the_file_widens_to_the_columns_agents_parquet_used_to_hold(tmp_path):
    result = run("moscow-strike", seed=3)
    model = result.model
    wide = beliefs_wide(result.beliefs, range(result.summary["steps"] + 1))
    last = wide[wide["step"] == result.summary["steps"]].set_index("state")
    for i, observer in enumerate(model.states):
        for j, target in enumerate(model.states):
            row = last.loc[observer.code]
            assert row[f"belief.recklessness.{target.code}"] == round(float(model.belief_recklessness[i, j]), 6)
            assert row[f"belief.resolve.{target.code}"] == round(float(model.belief_resolve[i, j]), 6)


def test_an_ensemble_run_writes_an_empty_belief_table_with_its_columns(tmp_path):
    out = tmp_path / "ensemble"
    result = brink("run", "moscow-strike", "--seed", "3", "--simulator", "ensemble", "--out", str(out))
    assert result.exit_code == 0, result.output
    beliefs = pd.read_parquet(out / "beliefs.parquet")
    assert beliefs.empty and list(beliefs.columns) == list(BELIEF_COLUMNS)
    assert (beliefs["step"].dtype, beliefs["value"].dtype) == ("int64", "float64")
