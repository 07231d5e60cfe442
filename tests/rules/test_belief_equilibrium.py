"""Backward induction over beliefs (`rules.belief_equilibrium`) against the tree solver and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from test_equilibrium import THRESHOLD, attrition, haynes, hazard, normal, random_ladder

from rules.belief_equilibrium import posterior, solve_beliefs
from rules.crisis_game import Ally, CrisisGame, CrisisType, GameError, Rung, Side
from rules.equilibrium import solve


def start_error(game: CrisisGame, lam: float, points: int = 41) -> float:
    """Largest difference of start values and first-move play (normal types) from the tree solver."""
    tree, grid = solve(game, lam), solve_beliefs(game, lam, points=points)
    lay, play = grid.layout, grid.start()
    values = [abs(play.value[0, i] - tree.start_values[i][lay.normal[i]]) for i in (0, 1)]
    m = game.first_mover
    first = tree.decisions[0].probabilities[lay.normal[m]]
    return max(*values, float(np.max(np.abs(play.probabilities[0, : len(first)] - first))))


def test_bayes_rule_after_the_obstinate_move_and_off_it() -> None:
    mu, s = np.array([0.1, 0.1, 0.0, 0.4]), np.array([0.5, 0.0, 0.3, 1.0])
    assert posterior(mu, s, np.ones(4, bool)) == pytest.approx([0.1 / 0.55, 1.0, 0.0, 0.4])
    assert posterior(mu, s, np.zeros(4, bool)) == pytest.approx([0.0] * 4)  # only a normal type deviates


@pytest.mark.parametrize("lam", [0.5, 3.0, math.inf])
def test_haynes_complete_information_is_exact(lam: float) -> None:
    assert start_error(haynes(), lam) < 1e-12
    if math.isinf(lam):
        assert solve_beliefs(haynes()).start_values() == pytest.approx([0.7, -0.2], abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_ladders_with_one_type_a_side_equal_the_tree(seed: int) -> None:
    for lam in (1.5, math.inf):
        assert start_error(random_ladder(seed), lam) < 1e-10


def reputation_errors(p: float, points: int) -> tuple[float, float, float]:
    """Errors of P1's value, normal P2's round-2 firm probability and P1's round-3 posterior.

    Against the closed form derived in test_equilibrium.test_reputation_threshold_matches_the_closed_form.
    """
    sol = solve_beliefs(haynes(p), points=points)
    p2 = sol.decide(1, [sol.layout.state_index(1, 1, (False, False))], [[0.0, p]])
    firm = 58 * p / (5 * (1 - p)) if p < 5 / 63 else 1.0
    posterior = 5 / 63 if p < 5 / 63 else p
    return (abs(sol.start_values()[0] - max(0.0, 0.7 - 15.876 * p)), abs(p2.probabilities[0, 1] - firm),
            abs(p2.posterior[0] - posterior))


@pytest.mark.parametrize("p", [0.01, 0.03])
def test_reputation_mixing_converges_to_the_sequential_equilibrium(p: float) -> None:
    # The continuation value jumps where P1 becomes indifferent (posterior 5/63); linear
    # interpolation spreads the jump over one grid cell, so the error is of the order of the cell.
    coarse, fine = reputation_errors(p, 41), reputation_errors(p, 321)
    assert max(fine) < 8e-3
    assert all(f < c / 4 for f, c in zip(fine, coarse, strict=True))


@pytest.mark.parametrize("p", [0.06, 0.1])
def test_reputation_above_the_flip_p1_concedes_at_once(p: float) -> None:
    sol = solve_beliefs(haynes(p))
    assert sol.start().probabilities[0] == pytest.approx([1.0, 0.0])
    assert sol.start_values()[0] == pytest.approx(0.0)
    if p > 5 / 63:  # normal P2 mimics the obstinate type: pooling, the posterior stays at the prior
        assert max(reputation_errors(p, 41)) < 1e-12


def test_reputation_flip_is_near_25_over_567_and_converges() -> None:
    def flip(points: int) -> float:
        def advantage(p: float) -> float:
            values = solve_beliefs(haynes(p), points=points).start().values[0, :, 0]
            return float(values[1] - values[0])
        return brentq(advantage, 0.01, 0.07, xtol=1e-7)

    coarse, fine = flip(41), flip(161)
    assert abs(fine - THRESHOLD) < 2e-3 and abs(fine - THRESHOLD) < abs(coarse - THRESHOLD) / 2


def test_finite_lambda_converges_to_the_tree_as_the_grid_is_refined() -> None:
    coarse, fine = start_error(haynes(0.05), 2.0, 11), start_error(haynes(0.05), 2.0, 81)
    assert fine < 1e-3 and fine < coarse / 3


def reputation_ladder() -> CrisisGame:
    """Four rungs, an obstinate type a side, an ally each that joins by chance and may escalate."""
    rungs = (Rung("status quo"), Rung("show of force", slip=0.05),
             Rung("skirmish", slip=0.1, decisive=0.2, armed_attack=True),
             Rung("war", slip=0.2, decisive=0.4, armed_attack=True), Rung("all-out war", slip=1.0, catastrophe=True))
    a = Side("A", (CrisisType("normal", 0.9, 2.0, 0.0, -3.0, hold_cost=0.02, audience_cost=0.05),
                   CrisisType("obstinate", 0.1, 2.0, 0.0, -3.0, obstinate=True)),
             jumps=((1, 3),), rung_cost=(0, 0, 0.05, 0.1, 0), ally=Ally(join=0.4, strength=0.5))
    b = Side("B", (CrisisType("normal", 0.85, 1.0, 0.0, -6.0, stalemate=0.2),
                   CrisisType("obstinate", 0.15, 1.0, 0.0, -6.0, obstinate=True)),
             strength=1.2, exposure=(0, 0, 0.05, 0.1, 0), ally=Ally(join=0.6, strength=1.0, escalate=0.25))
    return CrisisGame(rungs, (a, b), allow_hold=True, horizon=5)


@pytest.mark.parametrize(("lam", "points", "tol"), [(2.0, 41, 5e-4), (math.inf, 41, 3e-2)])
def test_ladder_with_allies_jumps_and_two_types_a_side_matches_the_tree(lam: float, points: int, tol: float) -> None:
    assert start_error(reputation_ladder(), lam, points) < tol


@pytest.mark.parametrize(("risk", "stakes"), [(0.1, 1.0), (0.05, 2.0)])
def test_stationary_concession_hazard_comes_from_payoffs_and_risk(risk: float, stakes: float) -> None:
    # The symmetric war of attrition with risk: each side yields with the hazard that keeps the
    # other indifferent (theory.md), from the Markov QRE's limit.
    t = normal(prevail=stakes, hold_cost=0.01)
    sol = solve_beliefs(attrition(risk, t, t))
    for m in (0, 1):
        play = sol.decide(0, [sol.layout.state_index(0, m, (False, False))], [[0.0, 0.0]])
        assert play.probabilities[0, 0] == pytest.approx(hazard(risk, t), abs=1e-6)
        assert play.values[0, 0, m] == pytest.approx(play.values[0, 1, m], abs=1e-6)  # indifferent


def test_asymmetric_stationary_attrition_has_the_less_resolute_side_yield() -> None:
    a, b = normal(prevail=2.0), normal(disaster=-5.0)
    sol = solve_beliefs(attrition(0.05, a, b))
    p = [sol.decide(0, [sol.layout.state_index(0, m, (False, False))], [[0.0, 0.0]]).probabilities[0, 0]
         for m in (0, 1)]
    assert p == pytest.approx([0.0, 1.0], abs=1e-7)


def test_same_game_same_tables() -> None:
    one, two = solve_beliefs(haynes(0.03), 4.0), solve_beliefs(haynes(0.03), 4.0)
    assert all(np.array_equal(x, y) for x, y in zip(one.tables, two.tables, strict=True))


def test_refuses_what_it_cannot_solve() -> None:
    three = Side("B", (normal(0.3, "a"), normal(0.7, "b")))
    game = CrisisGame((Rung("a"), Rung("b", slip=0.1)), (Side("A", (normal(),)), three), horizon=3)
    with pytest.raises(GameError, match="one normal type"):
        solve_beliefs(game)
    obstinate = Side("B", (normal(0.9), normal(0.1, "obstinate", obstinate=True)))
    stationary = CrisisGame((Rung("a", slip=0.1), Rung("b", slip=1.0, catastrophe=True)),
                            (Side("A", (normal(),)), obstinate), horizon=None)
    with pytest.raises(GameError, match="horizon"):
        solve_beliefs(stationary)
    with pytest.raises(GameError, match="lambda"):
        solve_beliefs(haynes(), lam=-1.0)
