"""The essay-claim experiments of theory.claims at a small replication count.

At 6 runs a condition the verdicts mean little; these tests check the wiring: each experiment's
conditions, counts and intervals, and facts that hold by construction in every run, so that they
fail if an override stops reaching the model.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from theory.claims import CLAIMS, order_of_moves

REPS = 6
SEED = 0

LABELS = {
    "fear-yields": {"balance", "fear_gap"},
    "reckless-leverage": {"russian_recklessness", "russian_conventional"},
    "ally-image": {"usa_fear", "treaty"},
    "order-of-moves": {"start_rung", "first_mover"},
    "rung-skipping": {"russia", "doctrine"},
    "superiority": {"russian_warheads", "usa_conventional"},
    "alliance-survival": {"institutionalisation", "variant"},
}
"""The condition columns of each experiment's rows (a claim added later needs only some label)."""

CRISIS_OUTCOMES = {"usa_yields", "rus_yields", "catastrophe", "nuclear", "stalemate", "rus_defeated"}


@pytest.fixture(scope="module")
def findings():
    return {key: claim(REPS, SEED) for key, claim in CLAIMS.items()}


def outcomes(rows: pd.DataFrame) -> list[str]:
    return [column[: -len("_k")] for column in rows.columns if column.endswith("_k")]


@pytest.mark.parametrize("key", list(CLAIMS))
def test_claim_finding_is_well_formed(findings, key):
    finding = findings[key]
    assert finding.key == key
    assert finding.kind == "claim"
    assert finding.title.strip() and finding.source.strip() and finding.expected.strip()
    assert finding.measured.strip() and finding.notes.strip()
    assert re.search(r"construction|[Ee]mergent", finding.basis), finding.basis
    expected = "borne out" if finding.passed else "partly borne out" if finding.partial else "not borne out"
    assert finding.verdict == expected


@pytest.mark.parametrize("key", list(CLAIMS))
def test_claim_rows_have_their_conditions_counts_and_intervals(findings, key):
    rows = findings[key].rows
    assert len(rows) >= 2
    assert findings[key].runs == REPS * len(rows)
    assert (rows["n"] == REPS).all()
    labels = set(rows.columns) - {"n"} - {c for c in rows.columns if re.search(r"_(k|lo|hi)$", c)}
    labels -= set(outcomes(rows))
    assert labels == LABELS.get(key, labels) and labels, sorted(rows.columns)
    assert not rows.duplicated(subset=sorted(labels)).any(), "two conditions share their labels"
    names = outcomes(rows)
    assert names
    for name in names:
        k, rate, lo, hi = rows[f"{name}_k"], rows[name], rows[f"{name}_lo"], rows[f"{name}_hi"]
        assert ((k >= 0) & (k <= REPS)).all(), name
        assert (rate == k / REPS).all(), name
        assert ((rate >= 0) & (rate <= 1)).all(), name
        # 1e-12: wilson_interval rounds at 0 and n successes (see test_theory_stats).
        assert ((lo >= 0) & (lo <= rate + 1e-12) & (rate <= hi + 1e-12) & (hi <= 1)).all(), name
        assert ((lo < rate) | (k == 0)).all() and ((rate < hi) | (k == REPS)).all(), name
    if key != "alliance-survival":
        assert set(names) >= CRISIS_OUTCOMES
    plot = findings[key].plot
    if plot is not None:
        assert {plot.x, plot.y, plot.lo, plot.hi} <= set(rows.columns)
        assert not plot.group or plot.group in rows.columns


def crisis_rates_are_consistent(rows: pd.DataFrame) -> None:
    # A crisis ends in exactly one of: one side yielding, catastrophe, stalemate.
    total = rows["usa_yields_k"] + rows["rus_yields_k"] + rows["catastrophe_k"] + rows["stalemate_k"]
    assert (total == rows["n"]).all()
    assert (rows["rus_defeated_k"] <= rows["rus_yields_k"]).all()
    assert (rows["catastrophe_k"] <= rows["nuclear_k"]).all()


@pytest.mark.parametrize("key", [k for k in CLAIMS if k != "alliance-survival"])
def test_each_crisis_run_ends_in_exactly_one_outcome(findings, key):
    crisis_rates_are_consistent(findings[key].rows)


def test_order_of_moves_on_the_rung_below_all_out_war_the_mover_yields(findings):
    rows = findings["order-of-moves"].rows.set_index(["start_rung", "first_mover"])
    assert sorted(rows.index) == sorted((r, f) for r in (6, 7, 8, 9) for f in ("USA", "RUS"))
    # From rung 9 without holding, the mover can only yield or bring certain catastrophe.
    assert rows.loc[(9, "USA"), "usa_yields"] == 1.0
    assert rows.loc[(9, "RUS"), "usa_yields"] == 0.0
    assert rows.loc[(9, "RUS"), "rus_yields"] == 1.0


def test_superiority_without_russian_warheads_there_is_no_catastrophe(findings):
    rows = findings["superiority"].rows
    unarmed = rows[rows["russian_warheads"] == 0]
    assert len(unarmed) == 6
    assert (unarmed["catastrophe_k"] == 0).all() and (unarmed["nuclear_k"] == 0).all()
    assert sorted(unarmed["usa_conventional"]) == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0]


def test_alliance_survival_rises_with_institutionalisation(findings):
    rows = findings["alliance-survival"].rows
    sweep = rows[rows["variant"] == "sweep"].set_index("institutionalisation")["survives"]
    assert list(sweep.index) == [0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6]
    assert sweep.loc[0.6] > sweep.loc[0.1]
    assert len(rows) == len(sweep) + 2


def test_rung_skipping_the_committed_escalator_jumps_only_with_the_doctrine(findings):
    rows = findings["rung-skipping"].rows.set_index(["russia", "doctrine"])
    assert rows.loc[("always escalates", "skip 5 -> 9"), "jumped"] == 1.0
    assert rows.loc[("always escalates", "one rung at a time"), "jumped"] == 0.0
    assert rows.loc[("trait policy", "no jump"), "jumped"] == 0.0


def test_same_seed_gives_identical_rows(findings):
    again = order_of_moves(REPS, SEED)
    pd.testing.assert_frame_equal(again.rows, findings["order-of-moves"].rows)
    assert again.measured == findings["order-of-moves"].measured


def test_a_different_seed_changes_some_row(findings):
    other = order_of_moves(REPS, SEED + 1)
    assert not other.rows.equals(findings["order-of-moves"].rows)
