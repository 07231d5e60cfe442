"""The equilibrium checks and claims of theory.equilibrium_checks and theory.equilibrium_claims.

Each check must pass as shipped and fail when one payoff of its game is perturbed, so that a
pass means the solver derived the published answer. The claims run once at a tiny replication
count (the wiring and the rows' shape), and their verdict logic is checked on synthetic rows.
"""

from __future__ import annotations

import dataclasses
import math
import re

import pandas as pd
import pytest

from rules.crisis_game import CrisisGame, GameError
from theory import equilibrium_checks as checks
from theory import equilibrium_claims as claims
from theory.equilibrium_checks import EQUILIBRIUM_CHECKS
from theory.equilibrium_claims import EQUILIBRIUM_CLAIMS

SEED = 0


@pytest.fixture(scope="module")
def findings():
    """Every equilibrium check run once as shipped."""
    return {key: check(1, SEED) for key, check in EQUILIBRIUM_CHECKS.items()}


def with_types(game: CrisisGame, side: int, **changes: float) -> CrisisGame:
    """The game with every type of one side changed (e.g. a payoff)."""
    sides = list(game.sides)
    types = tuple(dataclasses.replace(t, **changes) for t in sides[side].types)
    sides[side] = dataclasses.replace(sides[side], types=types)
    return dataclasses.replace(game, sides=(sides[0], sides[1]))


@pytest.mark.parametrize("key", list(EQUILIBRIUM_CHECKS))
def test_every_equilibrium_check_passes_as_a_check_finding(findings, key):
    finding = findings[key]
    assert finding.key == key and finding.kind == "check"
    assert finding.passed is True, (key, finding.measured, finding.interval)
    assert finding.verdict == "pass"
    assert "Derived by the solver" in finding.basis and "Assumed" in finding.basis
    assert finding.title.strip() and finding.source.strip() and finding.expected.strip()
    assert finding.measured.strip() and finding.interval.strip() and finding.notes.strip()
    assert finding.runs > 0 and not finding.rows.empty
    plot = finding.plot
    if plot is not None:
        assert {plot.x, plot.y, plot.lo, plot.hi} <= set(finding.rows.columns)
        assert not plot.group or plot.group in finding.rows.columns


# ---- reputation -----------------------------------------------------------------------------------


def test_reputation_flip_mixing_and_posterior_are_the_closed_forms(findings):
    rows = findings["reputation"].rows
    tree = rows[rows["solver"] == "tree (exact)"]
    assert tree["error"].abs().max() < 1e-8
    assert checks.advantage_closed_form(0.0) == pytest.approx(0.7)
    assert checks.advantage_closed_form(checks.FLIP) == pytest.approx(0.0, abs=1e-12)
    assert checks.tree_advantage(checks.FLIP - 0.005) > 0 > checks.tree_advantage(checks.FLIP + 0.005)
    assert "flip 0.04409171" in findings["reputation"].measured


def test_reputation_grid_error_shrinks_with_a_finer_grid(findings):
    rows = findings["reputation"].rows
    error = {n: rows[rows["solver"] == f"belief grid {n}"]["error"].abs().max() for n in checks.BELIEF_POINTS}
    coarse, fine = (error[n] for n in checks.BELIEF_POINTS)
    assert 0 < fine < coarse  # the grid's error is real and first order: it shrinks, it does not vanish


def test_reputation_fails_when_a_payoff_is_perturbed(monkeypatch):
    build = checks.haynes_game
    monkeypatch.setattr(checks, "haynes_game", lambda *a, **k: with_types(build(*a, **k), 0, prevail=1.1))
    monkeypatch.setattr(checks, "REPUTATION_PRIORS", (0.0, 0.02))
    finding = checks.reputation(1, SEED)
    assert finding.passed is False and finding.verdict == "FAIL"
    assert not finding.measured.startswith("flip 0.04409171")


# ---- war of attrition with risk ------------------------------------------------------------------


def test_hazard_formula_without_risk_is_cost_over_prize():
    assert checks.hazard(0.0, 2.0, 0.0, -2.0, 0.05) == pytest.approx(0.05 / 2.0)  # Maynard Smith's c/V


def test_attrition_hazards_rise_with_risk_and_the_less_resolute_side_yields(findings):
    rows = findings["attrition-hazard"].rows
    sym = rows[rows["case"] == "symmetric"].sort_values("risk")
    assert sym["measured"].is_monotonic_increasing and sym["measured"].iloc[0] == pytest.approx(0.05)
    asym = rows[rows["case"] == "asymmetric"].set_index("side")
    assert asym.loc["BBB", "measured"] == pytest.approx(1.0) and asym.loc["AAA", "measured"] == pytest.approx(0.0)


def test_attrition_fails_when_the_holding_cost_is_perturbed(monkeypatch):
    build = checks.attrition_game

    monkeypatch.setattr(checks, "attrition_game", lambda spec: with_types(build(spec), 0, hold_cost=0.01))
    finding = checks.attrition_hazard(1, SEED)
    assert finding.passed is False
    assert finding.rows["error"].max() > 1e-3


def test_attrition_fails_when_the_asymmetry_is_reversed(monkeypatch):
    build = checks.attrition_game
    def swapped(spec):
        game = build(spec)
        return dataclasses.replace(game, sides=(game.sides[1], game.sides[0]))

    monkeypatch.setattr(checks, "attrition_game", swapped)
    assert checks.attrition_hazard(1, SEED).passed is False


# ---- audience costs ---------------------------------------------------------------------------------


def test_audience_costs_limit_is_the_step_the_types_imply(findings):
    rows = findings["audience-costs-equilibrium"].rows
    limit = rows[rows["lambda"] == "limit"].set_index("audience_cost")["p_b_backs_down"]
    assert limit.tolist() == pytest.approx([0.95, 0.95, 0.95, 0.0, 0.0], abs=1e-7)
    for lam in ("5", "2"):
        series = rows[rows["lambda"] == lam]["p_b_backs_down"]
        assert series.is_monotonic_decreasing and series.iloc[0] > series.iloc[-1] + 0.1


def test_audience_costs_fail_when_the_cost_does_not_reach_the_game(monkeypatch):
    build = checks.audience_game
    monkeypatch.setattr(checks, "audience_game", lambda cost: build(0.0))
    finding = checks.audience_costs_equilibrium(1, SEED)
    assert finding.passed is False


# ---- Haynes ------------------------------------------------------------------------------------------


def test_haynes_equilibrium_fails_when_disaster_is_worse(monkeypatch):
    build = checks.haynes_game
    monkeypatch.setattr(checks, "haynes_game", lambda *a, **k: with_types(build(*a, **k), 1, disaster=-3.0))
    finding = checks.haynes_equilibrium(1, SEED)
    assert finding.passed is False
    assert not math.isclose(finding.rows["measured"].iloc[1], -0.2)


# ---- claims: the wiring at tiny sizes ----------------------------------------------------------------


@pytest.fixture
def tiny(monkeypatch):
    """Claims on two precisions, short horizons and a coarse belief grid, with nothing measured yet."""
    monkeypatch.setattr(claims, "LAMBDAS", (math.inf, 5.0))
    monkeypatch.setattr(claims, "POINTS", 5)
    monkeypatch.setattr(claims, "SCALE", 1)
    monkeypatch.setattr(claims, "_COUNTS", {})
    return monkeypatch


def settings(*horizons: int | None, complete: bool = False) -> tuple[claims.Setting, ...]:
    """Settings at these horizons (None: stationary), with reputations or complete information."""
    extra = claims.COMPLETE if complete else ()
    return tuple(claims.Setting(f"h {h}", h, extra) for h in horizons)


def test_a_claim_at_tiny_reps_has_one_row_per_cell_and_part(tiny):
    tiny.setattr(claims, "SETTINGS", settings(2, 3))
    finding = EQUILIBRIUM_CLAIMS["order-of-moves-equilibrium"](40, SEED)
    rows = finding.rows
    assert finding.kind == "claim" and finding.role == "equilibrium" and finding.origin
    assert re.search(r"construction|[Ee]mergent", finding.basis)
    assert len(rows) == 2 * 2 * len(claims.ORDER.parts)
    assert set(rows["lambda"]) == {"limit", "5"} and set(rows["setting"]) == {"h 2", "h 3"}
    assert set(rows["cell"]) == {1, 2}
    assert not rows.duplicated(["lambda", "setting", "part"]).any()
    assert set(rows["verdict"]) <= {"borne out", "partly", "not borne out"}
    assert ((rows["lo"] <= rows["difference"]) & (rows["difference"] <= rows["hi"])).all()
    assert (rows["difference"] == rows["rate_to"] - rows["rate_from"]).all()
    assert finding.runs == 40 * 2 * 2 * len(claims.ORDER.conditions)
    expected = "borne out" if finding.passed else "partly borne out" if finding.partial else "not borne out"
    assert finding.verdict == expected
    plot = finding.plot
    assert plot is not None and {plot.x, plot.y, plot.lo, plot.hi, plot.group} <= set(rows.columns)


def test_outcomes_partition_the_runs_and_the_order_override_reaches_the_game(tiny):
    # With a horizon of one move only the first mover moves: the other side can never yield.
    tiny.setattr(claims, "SETTINGS", settings(1))
    rows, unsolved = claims.condition_rows(claims.ORDER, 60, SEED)
    rows = rows.set_index(["lambda", "condition"])
    ends = ["usa_yields", "rus_yields", "usa_defeated", "rus_defeated", "catastrophe", "stalemate"]
    assert unsolved == []
    assert (rows[[f"{o}_k" for o in ends]].sum(axis=1) == rows["n"]).all()
    assert (rows.xs("RUS moves first", level="condition")["usa_yields_k"] == 0).all()
    assert (rows.xs("USA moves first", level="condition")["rus_yields_k"] == 0).all()


def test_the_stationary_form_is_played_with_complete_information(tiny):
    # The stationary form takes no reputations: the setting's overrides must remove them.
    tiny.setattr(claims, "LAMBDAS", (5.0,))
    game, _, variant = claims.cell_job((), claims.SETTINGS[-1], None)
    assert game.horizon is None and claims.SETTINGS[-1].horizon is None
    assert not any(t.obstinate for side in game.sides for t in side.types)
    assert variant.chances == (0.0, 0.0)
    [counts] = claims.solve_and_play(game, 5.0, 5, 200, SEED, (variant,))
    ends = ["usa_yields", "rus_yields", "usa_defeated", "rus_defeated", "catastrophe", "stalemate"]
    assert sum(counts[o] for o in ends) == counts["n"] == 200
    reputations, _, _ = claims.cell_job((), claims.SETTINGS[1], None)
    assert any(t.obstinate for side in reputations.sides for t in side.types)


def test_each_distinct_game_is_solved_once_across_conditions_and_claims(tiny):
    # Recklessness reaches only the truth, so the nine conditions of RECKLESS are three games.
    tiny.setattr(claims, "SETTINGS", settings(2))
    tiny.setattr(claims, "LAMBDAS", (math.inf,))
    calls = []
    real = claims.solved
    tiny.setattr(claims, "solved", lambda game, lam, points: calls.append(game.digest()) or real(game, lam, points))
    claims.measure_claims([claims.RECKLESS, claims.ORDER], 20, SEED)
    assert len(calls) == len(set(calls)) == len(claims.CONVENTIONAL) + 1  # ORDER's base game is RECKLESS's
    finding = EQUILIBRIUM_CLAIMS["reckless-leverage-equilibrium"](20, SEED)
    assert len(calls) == 4  # the claim reads what was measured
    counts = finding.rows.groupby("part")["rate_from"].first()
    assert set(counts.index) == {p.name for p in claims.RECKLESS.parts}


def test_the_same_seeds_give_the_same_counts(tiny):
    tiny.setattr(claims, "SETTINGS", settings(2))
    game, points, variant = claims.cell_job((("states.USA.fear", 0.3),), claims.SETTINGS[0], 5)
    once = claims.solve_and_play(game, math.inf, points, 50, SEED, (variant,))
    assert once == claims.solve_and_play(game, math.inf, points, 50, SEED, (variant,))
    assert claims.measure([(game, math.inf, points, variant)] * 2, 50, SEED) == once * 2
    other = claims.solve_and_play(game, math.inf, points, 50, SEED + 1, (variant,))
    assert other != once


def test_a_cell_the_solver_cannot_solve_is_left_out_and_named(tiny):
    tiny.setattr(claims, "SETTINGS", settings(2, 3))
    real = claims.solved

    def refuse(game, lam, points):
        if game.horizon == 3:
            raise GameError("the stationary equilibrium could not be traced")
        return real(game, lam, points)

    tiny.setattr(claims, "solved", refuse)
    finding = EQUILIBRIUM_CLAIMS["order-of-moves-equilibrium"](20, SEED)
    assert set(finding.rows["setting"]) == {"h 2"}
    assert "could not solve the cells limit, h 3; 5, h 3" in finding.notes


# ---- claims: the verdict logic on synthetic rows ------------------------------------------------------


def synthetic(counts: dict[str, int], n: int = 1000, outcome: str = "usa_yields", setting: str = "h 20",
              cell: int = 1) -> pd.DataFrame:
    """Condition rows of one cell with the given counts of ``outcome`` (every other outcome 0)."""
    rows = []
    for name, k in counts.items():
        row = {"lambda": "limit", "setting": setting, "cell": cell, "condition": name, "n": n}
        for o in claims.OUTCOMES:
            row |= {f"{o}_k": k if o == outcome else 0, o: (k if o == outcome else 0) / n}
        rows.append(row)
    return pd.DataFrame(rows)


def claim_of(*parts: claims.Part) -> claims.Claim:
    names = tuple(dict.fromkeys(level for p in parts for level in p.levels))
    return claims.Claim("k", "t", "s", "e", "emerges", "Emergent.", tuple(claims.Condition(n) for n in names),
                        parts, "x")


RISE = claims.Part("rises", "usa_yields", ("a", "b", "c"))


def test_a_significant_rise_without_reversal_is_borne_out():
    grid = claims.verdict_rows(synthetic({"a": 100, "b": 150, "c": 200}), claim_of(RISE))
    assert grid["holds"].tolist() == [True] and grid["verdict"].tolist() == ["borne out"]
    assert grid["difference"].iloc[0] == pytest.approx(0.1)


@pytest.mark.parametrize("counts", [{"a": 100, "b": 105, "c": 110}, {"a": 100, "b": 300, "c": 200}])
def test_an_insignificant_rise_or_a_significant_reversal_is_not_borne_out(counts):
    # +1 pp is inside the noise of 1000 runs; 10% -> 30% -> 20% rises overall but falls significantly.
    grid = claims.verdict_rows(synthetic(counts), claim_of(RISE))
    assert grid["verdict"].tolist() == ["not borne out"]


NO_FALL = claims.Part("no fall", "usa_yields", ("a", "b", "c"), kind="no fall")


@pytest.mark.parametrize(("counts", "holds"), [
    ({"a": 100, "b": 100, "c": 100}, True),   # flat: no fall
    ({"a": 100, "b": 95, "c": 90}, True),     # -1 pp: inside the noise of 1000 runs
    ({"a": 100, "b": 120, "c": 150}, True),   # a rise is no fall
    ({"a": 200, "b": 150, "c": 100}, False),  # -10 pp: a significant fall
    ({"a": 100, "b": 40, "c": 100}, False),   # flat overall, but one step falls significantly
])
def test_a_no_fall_part_fails_only_on_a_significant_fall(counts, holds):
    grid = claims.verdict_rows(synthetic(counts), claim_of(NO_FALL))
    assert grid["holds"].tolist() == [holds]
    assert grid["verdict"].tolist() == ["borne out" if holds else "not borne out"]


def test_one_part_of_two_is_partly_and_a_smaller_part_alone_is_not():
    other = claims.Part("other", "usa_yields", ("c", "a"))  # falls: does not hold
    grid = claims.verdict_rows(synthetic({"a": 100, "b": 150, "c": 200}), claim_of(RISE, other))
    assert grid["verdict"].iloc[0] == "partly"
    small = claims.Part("small", "usa_yields", ("a", "b"), kind="smaller")
    flat = claims.Part("flat", "usa_yields", ("a", "d"))  # no rise holds, so no comparison with one does
    grid = claims.verdict_rows(synthetic({"a": 100, "b": 100, "d": 100}), claim_of(flat, small))
    assert grid.set_index("part")["holds"].to_dict() == {"flat": False, "small": False}
    assert grid["verdict"].iloc[0] == "not borne out"


def test_a_smaller_part_compares_with_the_smallest_rise():
    big = claims.Part("big", "usa_yields", ("a", "c"))
    small = claims.Part("small", "usa_yields", ("a", "b"), kind="smaller")
    grid = claims.verdict_rows(synthetic({"a": 100, "b": 120, "c": 300}), claim_of(big, small))
    assert grid["holds"].tolist() == [True, True]
    grid = claims.verdict_rows(synthetic({"a": 100, "b": 350, "c": 300}), claim_of(big, small))
    assert grid["holds"].tolist() == [True, False] and grid["verdict"].iloc[0] == "partly"


def test_tally_counts_cells_per_precision():
    verdicts = {("limit", "h 20"): "borne out", ("limit", "h 40"): "partly", ("5", "h 20"): "not borne out"}
    assert claims.tally(verdicts) == "borne out in limit: 1/2 (+1 partly), 5: 0/1"
    assert claims.setting_verdicts(verdicts) == (
        "Verdicts by game: h 20: limit borne out, 5 not borne out; h 40: limit partly.")


def test_settings_with_equal_rates_are_noted():
    one = claims.verdict_rows(synthetic({"a": 100, "b": 150, "c": 200}), claim_of(RISE))
    later = claims.verdict_rows(synthetic({"a": 100, "b": 150, "c": 200}, setting="h 40", cell=2), claim_of(RISE))
    other = claims.verdict_rows(synthetic({"a": 100, "b": 150, "c": 260}, setting="h 60", cell=3), claim_of(RISE))
    grid = pd.concat([one, later, other], ignore_index=True)
    assert claims.same_settings(grid) == [("h 20", "h 40")]
    assert "same compared rates at every precision: h 20 and h 40." in claims.dependence_notes(grid)


def test_fear_lowers_the_mapped_critical_risk_of_the_fearful_side():
    # By construction (rules.scenario_game): fear makes catastrophe worse, so resolve falls.
    text = claims.critical_risks(claims.FEAR)
    found = dict(re.findall(r"(USA fear [0-9.]+): RUS [0-9.]+, USA ([0-9.]+)", text))
    risks = [float(found[f"USA fear {f:g}"]) for f in claims.FEARS]
    assert risks == sorted(risks, reverse=True) and risks[0] > risks[-1]


def test_every_claim_says_how_its_effect_arises():
    for claim in claims.CLAIM_LIST:
        assert re.search(r"construction|emerges", claim.origin), claim.key
        assert claim.key in EQUILIBRIUM_CLAIMS and claims.CLAIMS_BY_KEY[claim.key] is claim
        names = {c.name for c in claim.conditions}
        assert all(set(p.levels) <= names for p in claim.parts), claim.key
