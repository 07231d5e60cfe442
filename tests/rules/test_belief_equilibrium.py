"""Backward induction over beliefs (`rules.belief_equilibrium`) against the tree solver and closed forms."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.optimize import brentq
from test_equilibrium import THRESHOLD, attrition, haynes, hazard, normal, random_ladder

from rules.belief_equilibrium import (
    _limit_point,
    _logit_point,
    build_layout,
    posterior,
    solve_beliefs,
    table_shapes,
)
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
    p2 = sol.decide(1, [sol.layout.state_index(1, 1, (None, None))], [[0.0, p]])
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
        play = sol.decide(0, [sol.layout.state_index(0, m, (None, None))], [[0.0, 0.0]])
        assert play.probabilities[0, 0] == pytest.approx(hazard(risk, t), abs=1e-6)
        assert play.values[0, 0, m] == pytest.approx(play.values[0, 1, m], abs=1e-6)  # indifferent


def test_asymmetric_stationary_attrition_has_the_less_resolute_side_yield() -> None:
    a, b = normal(prevail=2.0), normal(disaster=-5.0)
    sol = solve_beliefs(attrition(0.05, a, b))
    p = [sol.decide(0, [sol.layout.state_index(0, m, (None, None))], [[0.0, 0.0]]).probabilities[0, 0]
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


def escalation_game(fixed_move: str) -> CrisisGame:
    """A's obstinate type (prior 0.1) holds or escalates (`CrisisType.fixed_move`); B has one type."""
    rungs = (Rung("status quo"), Rung("pressure", slip=0.05), Rung("crisis", slip=0.15),
             Rung("war", slip=0.3, decisive=0.3), Rung("all-out war", slip=1.0, catastrophe=True))
    a = Side("A", (normal(0.9, prevail=2.0, hold_cost=0.05),
                   CrisisType("obstinate", 0.1, 2.0, 0.0, -2.0, obstinate=True, fixed_move=fixed_move)))
    b = Side("B", (normal(disaster=-3.0),))
    return CrisisGame(rungs, (a, b), allow_hold=True, horizon=6)


def test_an_escalating_obstinate_type_keeps_its_reputation_when_it_steps_up() -> None:
    # With the "hold" type a step up reveals the normal type (posterior 0); with the "escalate"
    # type it is holding that reveals it, and a step up leaves the reputation at or above the prior.
    for fixed, up_keeps in (("hold", False), ("escalate", True)):
        sol = solve_beliefs(escalation_game(fixed))
        play, labels = sol.start(), [m.label for m in sol.game.moves(sol.game.start())]
        up, hold = labels.index("to 1"), labels.index("hold")
        assert bool(play.after(np.array([up]))[0] >= 0.1) is up_keeps
        assert bool(play.after(np.array([hold]))[0] >= 0.1) is not up_keeps
        assert play.after(np.array([0]))[0] == 0.0  # yielding always reveals the normal type


def test_an_escalating_obstinate_type_matches_the_tree_solver() -> None:
    # The tree (`rules.game_tree`) fixes each obstinate type's own move; the belief solver agrees.
    assert start_error(escalation_game("escalate"), 2.0, 81) < 2e-3


def test_layout_has_three_ally_states_only_for_sides_with_an_ally() -> None:
    # Not called, declined, joined for a side with an ally; a side without one adds no states.
    plain = build_layout(haynes())
    assert {s.joined for s in plain.states} == {(None, None)}
    assert len(plain.states) == 2 * sum(not r.catastrophe for r in haynes().rungs)
    allied = build_layout(reputation_ladder())
    assert {s.joined for s in allied.states} == {(a, b) for a in (None, False, True) for b in (None, False, True)}
    one = dataclasses.replace(reputation_ladder(), sides=(reputation_ladder().sides[0],
                              dataclasses.replace(reputation_ladder().sides[1], ally=None)))
    assert {s.joined for s in build_layout(one).states} == {(a, None) for a in (None, False, True)}


GAINS = {"rising": lambda x: x - 0.5, "falling": lambda x: 0.5 - x,
         "hump": lambda x: -(x - 0.4) * (x - 0.7), "never": lambda x: x - 2.0}
"""Obstinate-move gains over the best other move, as functions of the posterior it induces."""


@pytest.mark.parametrize(("kind", "chosen", "several"), [
    ("rising", 0.5, False),   # one mix: indifference where the gain crosses 0 upwards
    ("falling", 0.1, True),   # pool, mix at 0.5 and separate: the pool has the lowest posterior
    ("hump", 0.4, True),      # mixes at 0.4 and 0.7 and separate: the first mix, not separation
    ("never", 1.0, False),    # separate only
])
def test_limit_selection_takes_the_root_with_the_lowest_posterior(kind: str, chosen: float, several: bool) -> None:
    grid = np.linspace(0.0, 1.0, 181)
    line = GAINS[kind](grid)[None, :]  # the best other move is worth 0
    mu = np.array([0.1, 0.1037])  # on the grid and between grid points
    x, flagged = _limit_point(mu, line, np.zeros(2, dtype=np.intp), grid, np.zeros(2))
    assert x == pytest.approx(np.where(kind == "falling", mu, chosen), abs=1e-9)
    assert list(flagged) == [several, several]


@pytest.mark.parametrize(("kind", "chosen", "several"), [("rising", 0.5, False), ("hump", 0.4, True)])
def test_finite_lambda_selection_is_the_same_rule(kind: str, chosen: float, several: bool) -> None:
    # At high precision the logit fixed point nearest the prior is near the limit's choice.
    xs = np.linspace(0.1, 1.0, 181)[None, :]
    x, flagged = _logit_point(np.array([0.1]), xs, GAINS[kind](xs), np.zeros(1), 1e4)
    assert x[0] == pytest.approx(chosen, abs=2e-3)
    assert bool(flagged[0]) is several


def test_stage_games_with_several_roots_are_counted_and_resolved_by_the_rule() -> None:
    # The ladder with allies has stage games where pooling and separating are both equilibria;
    # wherever `decide` flags several roots, what it chose is an equilibrium of the stage:
    # pooling (posterior = prior) only if the obstinate move is a best reply, else indifference.
    sol = solve_beliefs(reputation_ladder())
    assert sol.multiple_roots > 0
    grid = sol.grids
    flagged = 0
    for t in range(sol.game.horizon):
        states = np.flatnonzero(sol.layout.mover == (sol.game.first_mover + t) % 2)
        s = np.repeat(states, len(grid[0]) * len(grid[1]))
        mu = np.tile(np.stack(np.meshgrid(grid[0], grid[1], indexing="ij"), -1).reshape(-1, 2), (len(states), 1))
        play = sol.decide(t, s, mu)
        rows = np.flatnonzero(play.several)
        flagged += len(rows)
        m, o = sol.layout.mover[s[rows]], play.obstinate_move[rows]
        own = play.values[rows, :, :][np.arange(len(rows)), :, m]
        rest = np.where(np.arange(own.shape[1])[None, :] == o[:, None], -np.inf, own)
        gain = own[np.arange(len(rows)), o] - rest.max(axis=1)
        pooled = play.posterior[rows] == mu[rows, m]
        assert np.all(gain[pooled] >= -1e-9)
        assert np.all(np.abs(gain[~pooled & (play.posterior[rows] < 1)]) < 1e-9)
    assert flagged == sol.multiple_roots  # the count is the flags of the solve's own stage games


def test_each_stage_table_holds_only_its_movers_states() -> None:
    # The sides alternate, so stage t's table is over the states of (first_mover + t) % 2 alone.
    sol = solve_beliefs(reputation_ladder())
    lay, half = sol.layout, len(sol.layout.states) // 2
    assert [t.shape for t in sol.tables] == [(half, 41, 41, 2)] * (sol.game.horizon + 1)
    assert [t.shape for t in sol.tables] == table_shapes(lay, sol.grids)
    for m in (0, 1):
        assert sorted(lay.local[lay.mover == m]) == list(range(half))
    stationary = solve_beliefs(attrition(0.1, normal(), normal()))
    assert stationary.tables[0].shape[0] == len(stationary.layout.states)


def test_deciding_for_a_side_out_of_turn_is_refused() -> None:
    sol = solve_beliefs(reputation_ladder())
    wrong = sol.layout.state_index(0, 1 - sol.game.first_mover, (None, None))
    with pytest.raises(GameError, match="side to move"):
        sol.decide(0, [wrong], [[0.1, 0.15]])
