"""The main line of play and the summary of a solved crisis (`rules.solve_report`) against known answers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from test_belief_equilibrium import reputation_ladder
from test_equilibrium import attrition, haynes, normal

from rules.belief_equilibrium import solve_beliefs
from rules.crisis_game import CrisisGame, Rung, Side
from rules.solve_report import main_line, report, summary, to_json


def option(decision: dict, label: str) -> dict:
    return next(o for o in decision["options"] if o["label"] == label)


def test_haynes_p1_stands_firm_and_p2_yields_in_round_two() -> None:
    # theory.md, Haynes (2019): values 0.7 and -0.2; P1 firm in round 1 (slip 0.1), P2 concedes.
    line = main_line(solve_beliefs(haynes()))
    assert len(line) == 2
    first, second = line
    assert (first["mover_name"], first["taken"], first["end"]) == ("P1", "to 1", None)
    assert option(first, "to 1")["probability"] == pytest.approx(1.0)
    assert first["value"] == pytest.approx([0.7, -0.2], abs=1e-12)
    assert option(first, "to 1")["values"] == pytest.approx([0.7, -0.2], abs=1e-12)
    assert (second["mover"], second["rung"], second["taken"], second["end"]) == (1, 1, "yield", "yield")
    assert option(second, "yield")["probability"] == pytest.approx(1.0)
    assert option(second, "yield")["values"] == pytest.approx([1.0, 0.0])
    assert [d["reach"] for d in line] == pytest.approx([1.0, 0.9])
    assert [d["beliefs"] for d in line] == [[0.0, 0.0], [0.0, 0.0]]
    assert all(d["obstinate_move"] == d["options"][1]["label"] for d in line)


def test_reputation_p2_mixes_so_bayes_rule_makes_p1_indifferent() -> None:
    # test_equilibrium.test_reputation_threshold_matches_the_closed_form: below the flip normal P2
    # stands firm in round 2 with probability 58p / (5(1 - p)), which takes P1's posterior to 5/63.
    p = 0.03
    sol = solve_beliefs(haynes(p), points=321)
    line = main_line(sol)
    second, third = line[1], line[2]
    # After round 1 the public prior p is put on the grid (the simulators' lottery): the line follows
    # the likelier of its two neighbours, and round 2 is played there.
    b = second["beliefs"][1]
    below, above = sol.grids[1][sol.grids[1] < p][-1], sol.grids[1][sol.grids[1] > p][0]
    assert b in (below, above) and second["beliefs"][0] == 0.0
    chance = (p - below) / (above - below) if b == above else (above - p) / (above - below)
    assert chance >= 0.5
    firm = option(second, "to 2")["probability"]
    assert firm == pytest.approx(58 * b / (5 * (1 - b)), abs=5e-3)
    assert second["taken"] == "to 2"
    assert third["beliefs"][1] == pytest.approx(p / (p + (1 - p) * firm), abs=2e-3)  # Bayes, on the grid
    assert third["beliefs"][1] == pytest.approx(5 / 63, abs=2e-3)
    assert second["reach"] == pytest.approx(0.9 * chance, rel=1e-12)
    public = second["reach"] * 0.8 * (b + (1 - b) * firm)  # no slip in round 2, P2 firm (either type)
    assert 0.5 * public <= third["reach"] <= public  # times the chance of the likelier grid point
    assert line[0]["value"][0] == pytest.approx(0.7 - 15.876 * p, abs=8e-3)


def holding_game(horizon: int | None) -> CrisisGame:
    """Holding is safe and stalemate beats conceding, so both sides hold to the end."""
    hold = normal(stalemate=0.5)
    return CrisisGame((Rung("standoff"), Rung("war", slip=1.0, catastrophe=True)),
                      (Side("A", (hold,)), Side("B", (hold,))), horizon=horizon)


def test_the_line_stops_at_the_horizon_or_after_max_moves() -> None:
    line = main_line(solve_beliefs(holding_game(3)))
    assert [d["taken"] for d in line] == ["hold"] * 3 and [d["mover"] for d in line] == [0, 1, 0]
    assert [d["end"] for d in line] == [None, None, "stalemate"]
    endless = main_line(solve_beliefs(holding_game(None), lam=20.0), max_moves=5)
    assert len(endless) == 5 and endless[-1]["end"] == "max moves"
    assert all(d["value"] == pytest.approx([0.5, 0.5], abs=1e-4) and d["taken"] == "hold" for d in endless)


def test_a_move_with_no_continuing_outcome_ends_the_line_with_its_ending() -> None:
    # With logit play (lam = 1) the normal type sometimes chooses the catastrophe rung: the only move
    # that does not yield, and nothing continues after it.
    game = CrisisGame((Rung("standoff"), Rung("war", slip=1.0, catastrophe=True)),
                      (Side("A", (normal(),)), Side("B", (normal(),))), allow_hold=False, horizon=2)
    line = main_line(solve_beliefs(game, lam=1.0))
    assert len(line) == 1 and line[0]["taken"] == "to 1" and line[0]["end"] == "deliberate"
    expect = 1.0 / (1.0 + math.exp(1.0 * (0.0 - (-2.0))))  # logit share of disaster (-2) against conceding (0)
    assert option(line[0], "to 1")["probability"] == pytest.approx(expect, rel=1e-12)


def test_summary_names_each_side_its_value_and_prior() -> None:
    sol = solve_beliefs(haynes(0.03))
    s = summary(sol)
    assert s["rungs"] == 11 and s["horizon"] == 10 and s["lambda"] is None and s["points"] == [1, 41]
    assert s["priors"] == pytest.approx([0.0, 0.03])
    assert s["start_values"] == pytest.approx(list(sol.start_values()), abs=0)
    assert [side["name"] for side in s["sides"]] == ["P1", "P2"]
    assert [t["prior"] for t in s["sides"][1]["types"]] == pytest.approx([0.97, 0.03])
    assert summary(solve_beliefs(attrition(0.1, normal(), normal()), lam=2.0))["lambda"] == 2.0


def test_summary_counts_the_stage_games_with_several_roots() -> None:
    # The ladder with allies has stage games where pooling and separating are both equilibria;
    # Haynes's reputation game has one root everywhere, and without private types nothing can mix.
    sol = solve_beliefs(reputation_ladder())
    assert summary(sol)["multiple_roots"] == sol.multiple_roots > 0
    assert summary(solve_beliefs(haynes(0.03)))["multiple_roots"] == 0
    assert summary(solve_beliefs(haynes()))["multiple_roots"] == 0


def test_to_json_gives_plain_rounded_numbers() -> None:
    doc = to_json({"a": np.float64(0.1 + 0.2), "b": np.array([1e-13, -1e-13]), "c": (np.int64(3), True),
                   "d": -math.inf, "e": [np.bool_(False), None, "x"]})
    assert doc == {"a": 0.3, "b": [0.0, 0.0], "c": [3, True], "d": None, "e": [False, None, "x"]}
    assert json.dumps(doc, allow_nan=False) == '{"a": 0.3, "b": [0.0, 0.0], "c": [3, true], "d": null, ' \
        '"e": [false, null, "x"]}'
    assert type(doc["c"][0]) is int and type(doc["a"]) is float


def test_the_report_of_a_solution_is_json() -> None:
    doc = to_json(report(solve_beliefs(haynes(0.03))))
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text)["main_line"][0]["mover_name"] == "P1"
    assert doc["summary"]["start_values"][1] == -0.2
