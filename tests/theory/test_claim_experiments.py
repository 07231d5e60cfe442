"""The world-model claim experiment of theory.claims (alliance survival) at a small replication count.

At 6 runs a condition the verdict means little; these tests check the wiring: the conditions,
counts and intervals, and facts that hold by construction, so that they fail if an override stops
reaching the model.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from theory.claims import CLAIMS, alliance_survival

REPS = 6
SEED = 0


@pytest.fixture(scope="module")
def survival():
    return alliance_survival(REPS, SEED)


def test_the_world_claims_are_registered_and_well_formed(survival):
    assert list(CLAIMS) == ["alliance-survival"]
    assert survival.key == "alliance-survival" and survival.kind == "claim" and survival.role == "world"
    assert survival.title.strip() and survival.source.strip() and survival.expected.strip()
    assert survival.measured.strip() and survival.notes.strip() and survival.origin.strip()
    assert re.search(r"construction|[Ee]mergent", survival.basis), survival.basis
    expected = "borne out" if survival.passed else "partly borne out" if survival.partial else "not borne out"
    assert survival.verdict == expected


def test_rows_have_their_conditions_counts_and_intervals(survival):
    rows = survival.rows
    assert survival.runs == REPS * len(rows)
    assert (rows["n"] == REPS).all()
    assert not rows.duplicated(subset=["institutionalisation", "variant"]).any()
    k, rate, lo, hi = rows["survives_k"], rows["survives"], rows["survives_lo"], rows["survives_hi"]
    assert ((k >= 0) & (k <= REPS)).all() and (rate == k / REPS).all()
    # 1e-12: wilson_interval rounds at 0 and n successes (see test_theory_stats).
    assert ((lo >= 0) & (lo <= rate + 1e-12) & (rate <= hi + 1e-12) & (hi <= 1)).all()
    assert ((lo < rate) | (k == 0)).all() and ((rate < hi) | (k == REPS)).all()
    plot = survival.plot
    assert plot is not None and {plot.x, plot.y, plot.lo, plot.hi, plot.group} <= set(rows.columns)


def test_alliance_survival_rises_with_institutionalisation(survival):
    rows = survival.rows
    sweep = rows[rows["variant"] == "sweep"].set_index("institutionalisation")["survives"]
    assert list(sweep.index) == [0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6]
    assert sweep.loc[0.6] > sweep.loc[0.1]
    assert len(rows) == len(sweep) + 2


def test_same_seed_gives_identical_rows_and_another_seed_changes_some(survival):
    pd.testing.assert_frame_equal(alliance_survival(REPS, SEED).rows, survival.rows)
    assert not alliance_survival(REPS, SEED + 1).rows.equals(survival.rows)
