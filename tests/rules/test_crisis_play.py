"""Playing the solved crisis as arrays (`rules.crisis_play`): outcome shares equal the solution's."""

from __future__ import annotations

import numpy as np
import pytest
from test_equilibrium import haynes

from rules.belief_equilibrium import solve_beliefs
from rules.crisis_game import Ally, CrisisGame, CrisisType, Rung, Side
from rules.crisis_play import CONTINUE, FIGHT, KINDS, SLIP, STALEMATE, YIELDED, open_crises, play_move, transitions

REPS = 40_000
"""Runs per check: a share's standard error is at most 0.0025, so 0.01 is four standard errors (99.99%)."""


def play_out(sol, seed: int, reps: int = REPS, true_chances=None):
    """Play ``reps`` crises to their end with a seeded generator; return the crises and the records."""
    rng = np.random.default_rng(seed)
    tr = transitions(sol)
    crises = open_crises(sol, rng.random((reps, 2)))
    records = []
    while crises.open.any():
        records.append(play_move(sol, tr, crises, rng.random(reps), rng.random(reps)))
    return crises, records


def test_kind_codes_cover_every_ending() -> None:
    assert KINDS[CONTINUE] == "continue" and KINDS[YIELDED] == "yield" and KINDS[STALEMATE] == "stalemate"


def test_haynes_p2_yields_in_round_2_unless_round_1_slips() -> None:
    crises, records = play_out(solve_beliefs(haynes()), seed=1)
    yielded = crises.ended == YIELDED
    assert np.mean(crises.ended == SLIP) == pytest.approx(0.1, abs=0.01)
    assert np.all(crises.loser[yielded] == 1) and np.mean(yielded) == pytest.approx(0.9, abs=0.01)
    assert len(records) == 2 and np.all(records[1].slot == 0)  # round 2: P2 yields
    assert np.all(crises.rung[yielded] == 1)  # the yield rung: round 1's


def test_reputation_posteriors_follow_bayes_rule_on_the_path() -> None:
    p = 0.03
    sol = solve_beliefs(haynes(p), points=81)
    crises, records = play_out(sol, seed=2)
    second = records[1]
    firm = second.slot == 1
    normal = ~crises.obstinate[second.rows, 1]
    # Normal P2 stands firm with the equilibrium probability; the obstinate type always does.
    share = second.play.probabilities[0, 1]
    assert np.mean(firm[normal]) == pytest.approx(share, abs=0.01)
    assert np.all(firm[~normal])
    third = records[2]
    posterior = p / (p + (1 - p) * share)
    assert third.belief[:, 1] == pytest.approx(posterior)  # P1's belief in round 3, by Bayes' rule
    assert np.mean(crises.obstinate[:, 1]) == pytest.approx(p, abs=0.003)


def test_a_small_prior_flips_who_yields_in_play() -> None:
    firm_p1 = play_out(solve_beliefs(haynes(0.02)), seed=3, reps=2_000)[1][0].slot
    yield_p1 = play_out(solve_beliefs(haynes(0.1)), seed=3, reps=2_000)[1][0].slot
    assert np.all(firm_p1 == 1) and np.all(yield_p1 == 0)


def test_fights_and_allies_come_from_the_games_own_chance_events() -> None:
    rungs = (Rung("quo"), Rung("strike", slip=0.0, decisive=0.5, armed_attack=True),
             Rung("war", slip=1.0, catastrophe=True))
    t = CrisisType("normal", 1.0, 1.0, 0.0, -10.0)
    game = CrisisGame(rungs, (Side("A", (t,), strength=3.0), Side("B", (t,), ally=Ally(join=0.5, strength=3.0))),
                      allow_hold=False, horizon=1)
    sol = solve_beliefs(game)
    crises, records = play_out(sol, seed=4)
    assert np.all(records[0].target == 1)  # A strikes: it wins 3/4 of fights without B's ally
    fought = crises.ended == FIGHT
    assert np.mean(fought) == pytest.approx(0.5, abs=0.01)
    # B's ally joins half the time: A (3) then wins 3/7 against B (1) and its ally (3), else 3/4.
    assert np.mean(crises.loser[fought] == 1) == pytest.approx((3 / 7 + 3 / 4) / 2, abs=0.015)
    assert np.all(crises.ended[~fought] == STALEMATE)  # the horizon of one move


def test_same_uniforms_same_play() -> None:
    sol = solve_beliefs(haynes(0.03), points=41)
    one, two = play_out(sol, seed=5, reps=500)[0], play_out(sol, seed=5, reps=500)[0]
    assert np.array_equal(one.ended, two.ended) and np.array_equal(one.mu, two.mu)
