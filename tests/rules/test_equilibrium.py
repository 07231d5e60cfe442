"""The equilibrium solver against known answers: Haynes (2019), backward induction, reputation, attrition."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from rules.backward_induction import YIELD_ACTION, solve_crisis_game
from rules.crisis_game import YIELD, Ally, CrisisGame, CrisisType, GameError, Rung, Side
from rules.equilibrium import Solution, solve, solve_many
from rules.equilibrium_grid import solve_grid


def normal(prior: float = 1.0, name: str = "normal", **kw: float) -> CrisisType:
    return CrisisType(name, prior, kw.pop("prevail", 1.0), kw.pop("concede", 0.0), kw.pop("disaster", -2.0), **kw)


def haynes(p_obstinate: float = 0.0, first_mover: int = 0) -> CrisisGame:
    """Haynes (2019): rounds k = 1..10, standing firm in round k risks disaster k/10; +1/0 and -2/-2."""
    rungs = tuple(Rung(f"firm in round {k}", slip=k / 10) for k in range(11))
    p2 = (normal(),)
    if p_obstinate:
        p2 = (normal(1 - p_obstinate), normal(p_obstinate, "obstinate", obstinate=True))
    sides = (Side("P1", (normal(),)), Side("P2", p2))
    return CrisisGame(rungs, sides, allow_hold=False, first_mover=first_mover, horizon=10)


def firm(solution: Solution, k: int, type_index: int = 0) -> float:
    """Probability that the mover of round k (a type of it) stands firm, on the all-firm history."""
    return float(solution.at([f"to {j}" for j in range(1, k)]).probabilities[type_index, 1])


# ---- Haynes (2019), complete information ------------------------------------------------------


def test_haynes_values_and_play_follow_from_the_payoffs() -> None:
    # theory.md, Haynes (2019): P1 stands firm, P2 concedes in round 2; values 0.7 and -0.2.
    sol = solve(haynes())
    assert sol.method == "backward induction"
    assert sol.start_values[0][0] == pytest.approx(0.7, abs=1e-12)
    assert sol.start_values[1][0] == pytest.approx(-0.2, abs=1e-12)
    assert [firm(sol, k) for k in range(1, 11)] == [1.0, 0.0, 1.0] + [0.0] * 7
    assert [d.reach for d in sol.path(1e-12)] == pytest.approx([1.0, 0.9])


def test_haynes_order_of_moves_alone_decides() -> None:
    sol = solve(haynes(first_mover=1))
    assert sol.start_values[1][0] == pytest.approx(0.7) and sol.start_values[0][0] == pytest.approx(-0.2)


# ---- complete information: the solver against rules.backward_induction ------------------------


def random_ladder(seed: int) -> CrisisGame:
    """A small random ladder with holding, one jump, fighting, costs, stalemate values and a horizon."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 6))
    rungs = [Rung(f"r{r}", slip=float(rng.uniform(0, 0.4)) * (r > 0), decisive=float(rng.uniform(0, 0.3)))
             for r in range(k - 1)]
    rungs.append(Rung("top", slip=1.0, catastrophe=bool(rng.integers(2))))
    sides = []
    for _ in range(2):
        w = float(rng.uniform(0.5, 2.0))
        s = w - float(rng.uniform(0.2, 1.5))
        t = normal(prevail=w, concede=s, disaster=s - float(rng.uniform(0.5, 5.0)), stalemate=float(rng.uniform(s, w)))
        sides.append(Side("S", (t,), strength=float(rng.uniform(0.5, 2.0)), jumps=((0, k - 2),) if k > 3 else (),
                          rung_cost=tuple(rng.uniform(0, 0.1, k)), exposure=tuple(rng.uniform(0, 0.1, k))))
    return CrisisGame(tuple(rungs), (sides[0], sides[1]), allow_hold=bool(rng.integers(2)),
                      first_mover=int(rng.integers(2)), horizon=int(rng.integers(1, 6)))


def backward_induction(game: CrisisGame):
    """The same game in `rules.backward_induction`'s arrays."""
    k = len(game.rungs)
    allowed = np.zeros((2, k, k), dtype=bool)
    for m in (0, 1):
        for r in range(k):
            for move in game.moves(game.start()._replace(rung=r, mover=m)):
                if move.target != YIELD:
                    allowed[m, r, move.target] = True
    types = [s.types[0] for s in game.sides]
    share0 = game.share((False, False))
    return solve_crisis_game(
        slip=np.array([r.slip for r in game.rungs]),
        decisive=np.array([r.decisive for r in game.rungs]),
        catastrophe=np.array([r.catastrophe for r in game.rungs]),
        allowed=allowed,
        prevail=np.array([t.prevail for t in types]),
        concede=np.array([t.concede for t in types]),
        disaster=np.array([t.disaster for t in types]),
        stalemate=np.array([t.stalemate for t in types]),
        share=np.array([share0, 1.0 - share0]),
        mover_cost=np.array([s.rung_cost for s in game.sides]),
        target_cost=np.array([s.exposure for s in game.sides]),
        horizon=game.horizon,
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_complete_information_limit_is_backward_induction(seed: int) -> None:
    # At every public history, values and the chosen move equal rules.backward_induction's.
    game = random_ladder(seed)
    sol, bi = solve(game), backward_induction(game)
    for d in sol.decisions:
        left = game.horizon - d.state.elapsed
        expect = bi.value[left, d.state.rung, d.state.mover]
        np.testing.assert_allclose([d.type_values[0][0], d.type_values[1][0]], expect, atol=1e-9)
        best = d.moves[int(np.argmax(d.probabilities[0]))].target
        assert (YIELD_ACTION if best == YIELD else best) == bi.action[left, d.state.rung, d.state.mover]


# ---- the logit QRE itself ---------------------------------------------------------------------


def test_lambda_zero_is_uniform_play_and_small_lambda_is_near_it() -> None:
    sols = solve_many(haynes(0.2), [0.0, 1e-6])
    for d in sols[0.0].decisions:
        free = d.probabilities[[not t.obstinate for t in haynes(0.2).sides[d.state.mover].types]]
        np.testing.assert_array_equal(free, np.full_like(free, 1.0 / len(d.moves)))
    for d in sols[1e-6].decisions:
        free = d.probabilities[[not t.obstinate for t in haynes(0.2).sides[d.state.mover].types]]
        np.testing.assert_allclose(free, 1.0 / len(d.moves), atol=1e-5)


@pytest.mark.parametrize("lam", [0.7, 4.0])
def test_finite_lambda_is_logit_in_values_under_bayes_beliefs(lam: float) -> None:
    # McKelvey & Palfrey (1998): log(p_a / p_0) = lam (U_a - U_0) for each free type, and the
    # posterior after a move is the prior times that move's probability, normalised.
    game = haynes(0.25)
    sol = solve(game, lam)
    for d in sol.decisions:
        m = d.state.mover
        for j, t in enumerate(game.sides[m].types):
            if not t.obstinate:
                np.testing.assert_allclose(np.log(d.probabilities[j] / d.probabilities[j, 0]),
                                           lam * (d.values[j] - d.values[j, 0]), atol=1e-9)
        if m == 1 and d.state.elapsed + 1 < game.horizon:
            child = sol.at([*d.history, d.moves[1].label])
            bayes = d.posteriors[1] * d.probabilities[:, 1]
            np.testing.assert_allclose(child.posteriors[1], bayes / bayes.sum(), atol=1e-12)


# ---- reputation: Haynes with a prior that P2 is obstinate ---------------------------------------

THRESHOLD = 25 / 567


def test_reputation_threshold_matches_the_closed_form() -> None:
    """P1 flips from standing firm to conceding in round 1 at p* = 25/567 (about 0.0441).

    Derivation (sequential equilibrium; q_k is P1's posterior that P2 is obstinate in round k).
    Rounds k >= 4: standing firm is worth at most (1 - k/10) - 2 k/10 = 1 - 3k/10 < 0, so every
    normal mover concedes. Round 3 (P1): firm is worth 0.3(-2) + 0.7[(1 - q3) 1 + q3(0.4(-2) +
    0.6 * 0)] = 0.1 - 1.26 q3, so P1 is indifferent at q3 = 5/63. Round 2 (normal P2): if P1
    concedes in round 3 with probability c, firm is worth 0.2(-2) + 0.8[c - 0.6(1 - c)], zero at
    c = 11/16. If p < 5/63 neither pure reply is consistent, so normal P2 stands firm with the
    probability s that makes Bayes' rule give q3 = p / (p + (1 - p)s) = 5/63, that is
    s = 58p / (5(1 - p)), and P1's round-3 value is 0. Round 1 (P1): P2 concedes in round 2
    with probability Y = (1 - p)(1 - s) = 1 - 12.6p, so firm is worth 0.1(-2) + 0.9[Y +
    (1 - Y)(0.2(-2) + 0.8 * 0)] = -0.56 + 1.26Y = 0.7 - 15.876p, against 0 for conceding:
    P1 stands firm iff p < 0.7 / 15.876 = 25/567 (which is below 5/63, so inside the mixing
    case). At p = 0 this is Haynes's 0.7.
    """

    def advantage(p: float) -> float:
        d = solve(haynes(p)).at([])
        return float(d.values[0, 1] - d.values[0, 0])

    found = brentq(advantage, 0.01, 0.07, xtol=1e-10)
    assert found == pytest.approx(THRESHOLD, abs=1e-6)
    assert firm(solve(haynes(THRESHOLD - 0.005)), 1) == pytest.approx(1.0, abs=1e-9)
    assert firm(solve(haynes(THRESHOLD + 0.005)), 1) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("p", [0.01, 0.03, 0.06])
def test_reputation_mixing_and_posteriors_below_5_63(p: float) -> None:
    sol = solve(haynes(p))
    assert sol.start_values[0][0] == pytest.approx(max(0.0, 0.7 - 15.876 * p), abs=1e-7)
    assert firm(sol, 2) == pytest.approx(58 * p / (5 * (1 - p)), abs=1e-7)  # normal P2 mixes in round 2
    assert 1 - firm(sol, 3) == pytest.approx(11 / 16, abs=1e-7)  # P1 concedes in round 3 w.p. 11/16
    assert sol.at(["to 1", "to 2"]).posteriors[1][1] == pytest.approx(5 / 63, abs=1e-7)
    assert sol.max_regret() < 1e-8


def test_reputation_above_5_63_normal_p2_mimics_and_p1_concedes() -> None:
    sol = solve(haynes(0.1))
    assert firm(sol, 1) == pytest.approx(0.0, abs=1e-9)
    assert firm(sol, 2) == pytest.approx(1.0, abs=1e-9)
    assert sol.at(["to 1"]).values[0, 1] == pytest.approx(-0.4 + 0.8, abs=1e-7)  # normal P2 firm: P1 then yields
    assert sol.at([]).values[0, 1] == pytest.approx(-0.2 + 0.9 * (0.2 * -2), abs=1e-7)  # P1 firm in round 1
    assert sol.start_values[1] == pytest.approx([1.0, 1.0], abs=1e-7)


# ---- the stationary form: war of attrition ----------------------------------------------------


def attrition(risk: float, a: CrisisType, b: CrisisType) -> CrisisGame:
    rungs = (Rung("standoff", slip=risk), Rung("war", slip=1.0, catastrophe=True))
    return CrisisGame(rungs, (Side("A", (a,)), Side("B", (b,))), allow_hold=True, horizon=None)


def hazard(p: float, t: CrisisType) -> float:
    """The other side's yield probability per turn that leaves a side of type t indifferent.

    t.concede = -c + p d + (1 - p)[y w + (1 - y)(p d + (1 - p) t.concede)]: holding costs c and
    risks the slip p on its own move and on the other side's hold (theory.md, war of attrition
    with risk).
    """
    w, s, d, c = t.prevail, t.concede, t.disaster, t.hold_cost
    return ((s + c - p * d) / (1 - p) - p * d - (1 - p) * s) / (w - p * d - (1 - p) * s)


@pytest.mark.parametrize(("risk", "stakes"), [(0.1, 1.0), (0.05, 2.0), (0.2, 3.0)])
def test_symmetric_stationary_concession_hazard_comes_from_payoffs_and_risk(risk: float, stakes: float) -> None:
    t = normal(prevail=stakes, hold_cost=0.01)
    sol = solve(attrition(risk, t, t))
    for d in sol.decisions:
        assert d.probabilities[0, 0] == pytest.approx(hazard(risk, t), abs=1e-7)
    assert sol.start_values[0][0] == pytest.approx(t.concede, abs=1e-7)  # indifferent: worth conceding
    assert sol.max_regret() < 1e-8


def test_asymmetric_stationary_principal_branch_has_the_less_resolute_side_yield() -> None:
    # Critical risks (Powell 1987): A (2 - 0) / (2 + 2) = 0.5, B 1 / (1 + 5) = 0.17. The branch
    # selects the equilibrium in which B yields at once and A holds; the mixed one is not selected.
    a, b = normal(prevail=2.0), normal(disaster=-5.0)
    sol = solve(attrition(0.05, a, b))
    yields = {d.state.mover: float(d.probabilities[0, 0]) for d in sol.decisions}
    assert yields[1] == pytest.approx(1.0, abs=1e-7) and yields[0] == pytest.approx(0.0, abs=1e-7)
    assert sol.max_regret() < 1e-8


def test_stationary_game_refuses_private_types_and_audience_costs() -> None:
    with pytest.raises(GameError, match="one type a side"):
        solve(attrition(0.1, normal(), normal()).__class__(
            (Rung("s", slip=0.1), Rung("w", slip=1.0, catastrophe=True)),
            (Side("A", (normal(0.5), normal(0.5, "b"))), Side("B", (normal(),))), horizon=None))
    with pytest.raises(GameError, match="audience"):
        solve(attrition(0.1, normal(audience_cost=0.1), normal()))


# ---- output, limits, determinism --------------------------------------------------------------


def test_same_game_gives_identical_solutions() -> None:
    a, b = solve(haynes(0.03), 2.0), solve(haynes(0.03), 2.0)
    for x, y in zip(a.decisions, b.decisions, strict=True):
        assert x.probabilities.tobytes() == y.probabilities.tobytes()
        assert x.values.tobytes() == y.values.tobytes()


def test_policy_table_keys_by_state_type_and_posterior() -> None:
    rows = solve(haynes(0.03)).policy_table()
    row = next(r for r in rows if r["state"].elapsed == 2 and r["type"] == "normal")
    assert row["posterior"] == pytest.approx((1 - 5 / 63, 5 / 63), abs=1e-7)
    assert row["probabilities"]["yield"] == pytest.approx(11 / 16, abs=1e-7)


def test_too_large_a_tree_is_refused() -> None:
    game = CrisisGame(tuple(Rung(f"r{k}", slip=0.01) for k in range(6)),
                      (Side("A", (normal(),)), Side("B", (normal(),))), allow_hold=True, horizon=30)
    with pytest.raises(GameError, match="decision nodes"):
        solve(game, max_nodes=10_000)


def test_negative_lambda_is_refused() -> None:
    with pytest.raises(GameError, match="lambda"):
        solve(haynes(), -1.0)


def test_path_is_ordered_and_reach_adds_up() -> None:
    sol = solve(haynes(0.2), 3.0)
    reach = {d.history: d.reach for d in sol.decisions}
    for d in sol.decisions[1:]:
        parent = sol.at(d.history[:-1])
        move = [m.label for m in parent.moves].index(d.history[-1])
        play = float(parent.posteriors[parent.state.mover] @ parent.probabilities[:, move])
        assert reach[d.history] == pytest.approx(parent.reach * play * (1 - parent.state.rung / 10 - 0.1), rel=1e-12)
    assert math.isclose(sol.decisions[0].reach, 1.0)


def test_an_allys_own_escalation_changes_who_prevails_without_noise() -> None:
    # Schelling's threat that leaves something to chance in a third party's hands (Snyder 1984:
    # entrapment): B's ally joins when A strikes and then escalates on its own with chance e.
    # With e = 0 the first strike is too risky for A, so A yields at once; with e = 0.5 the
    # ally's escalation makes holding on too risky for B, so A strikes and B yields.
    def game(e: float) -> CrisisGame:
        rungs = (Rung("status quo"), Rung("strike", slip=0.1, armed_attack=True),
                 Rung("war", slip=0.2, armed_attack=True), Rung("nuclear", slip=0.4, armed_attack=True),
                 Rung("all-out war", slip=1.0, catastrophe=True))
        ally = Ally(join=1.0, strength=1.0, escalate=e)
        sides = (Side("A", (normal(),)), Side("B", (normal(),), ally=ally))
        return CrisisGame(rungs, sides, allow_hold=False, horizon=4)

    calm, reckless = solve(game(0.0)), solve(game(0.5))
    assert calm.at([]).probabilities[0, 0] == 1.0 and calm.start_values[1][0] == pytest.approx(1.0)
    assert reckless.at([]).probabilities[0, 1] == 1.0
    assert reckless.at(["to 1", "B ally joins"]).probabilities[0, 0] == 1.0
    assert reckless.start_values[0][0] > 0 > reckless.start_values[1][0]


def backing_down(sol: Solution, side: int) -> float:
    """Ex-ante probability that ``side`` yields at some point (reach times its yield probability)."""
    return sum(d.reach * float(d.posteriors[side] @ d.probabilities[:, 0]) for d in sol.decisions
               if d.state.mover == side)


def test_audience_costs_lower_the_chance_of_backing_down_under_private_types() -> None:
    # Fearon (1994): B has a resolute and an irresolute type; conceding loses `a` per move the
    # crisis has lasted. Without audience costs B backs down in round 2 unless the first move
    # slipped (0.95); with a = 0.2 backing down later is worth less than facing the risk, A
    # expects it and yields at once, so B never backs down. No noise: the limit.
    def game(a: float) -> CrisisGame:
        rungs = (*(Rung(f"r{k}", slip=0.05 * k) for k in range(8)), Rung("war", slip=1.0, catastrophe=True))
        b = (normal(0.5, "resolute", audience_cost=a), normal(0.5, "irresolute", disaster=-6.0, audience_cost=a))
        return CrisisGame(rungs, (Side("A", (normal(disaster=-3.0),)), Side("B", b)), allow_hold=False, horizon=6)

    shares = [backing_down(solve(game(a)), 1) for a in (0.0, 0.1, 0.2)]
    assert shares == pytest.approx([0.95, 0.95, 0.0], abs=1e-7)
    assert backing_down(solve(game(0.2)), 0) == pytest.approx(1.0, abs=1e-7)


# ---- backward induction over beliefs on a grid (rules.equilibrium_grid) ------------------------


def grid_error(game: CrisisGame, lam: float, points: int) -> float:
    """Largest difference of start values and first-move play between the grid and the tree solver."""
    tree, grid = solve(game, lam), solve_grid(game, lam, points=points)
    values = max(float(np.max(np.abs(grid.start_values()[i] - tree.start_values[i]))) for i in (0, 1))
    return max(values, float(np.max(np.abs(grid.start_play() - tree.decisions[0].probabilities))))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grid_equals_the_tree_with_complete_information(seed: int) -> None:
    assert grid_error(random_ladder(seed), 1.5, 5) < 1e-12  # no beliefs to interpolate


def test_grid_converges_to_the_tree_as_it_is_refined() -> None:
    # Reputation game at lambda 2 (posterior of the obstinate type on a grid of 21 and 81 points).
    coarse, fine = grid_error(haynes(0.05), 2.0, 21), grid_error(haynes(0.05), 2.0, 81)
    assert fine < 1e-4 and fine < coarse / 3


def test_grid_with_two_types_a_side_and_allies_matches_the_tree() -> None:
    from test_equilibrium_gambit import four_rung_ladder

    assert grid_error(four_rung_ladder(), 2.0, 41) < 2e-4


def test_grid_refuses_what_it_cannot_solve() -> None:
    with pytest.raises(GameError, match="finite lambda"):
        solve_grid(haynes(0.05), math.inf)
    three = Side("B", (normal(0.3, "a"), normal(0.3, "b"), normal(0.4, "c")))
    with pytest.raises(GameError, match="two types"):
        solve_grid(CrisisGame(haynes().rungs, (haynes().sides[0], three), allow_hold=False, horizon=3), 1.0)
