"""The solver against an independent implementation: Gambit's logit QRE (pygambit 16.7).

Gambit traces the agent logit QRE of the full extensive form (types drawn by chance at the
root, information sets pooling the other side's types); `rules.equilibrium` works on the
public tree with Bayes' rule. Equal action probabilities, action values and ex-ante type
values within 1e-6 at several finite lambdas (`logit_solve_lambda`) and at the limit
(`logit_solve`, which stops once the reach-weighted regret is below 1e-8 of the payoff range;
information sets reached with negligible probability are not converged there, so the limit
is compared where reached and off-path play is checked by the solver's own regret).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

gbt = pytest.importorskip("pygambit")

from gambit_games import (  # noqa: E402
    GambitGame,
    action_values,
    as_profile,
    behavior,
    from_crisis_game,
    haynes_by_hand,
    type_values,
)

from rules.crisis_game import Ally, CrisisGame, CrisisType, Rung, Side  # noqa: E402
from rules.equilibrium import Solution, solve_many  # noqa: E402

LAMBDAS = [0.5, 2.0, 8.0]
TOL = 1e-6


def haynes(p: float) -> CrisisGame:
    rungs = tuple(Rung(f"round {k}", slip=k / 10) for k in range(11))
    normal = CrisisType("normal", 1.0 - p, 1.0, 0.0, -2.0)
    p2 = (normal, CrisisType("obstinate", p, 1.0, 0.0, -2.0, obstinate=True)) if p else (normal,)
    return CrisisGame(rungs, (Side("P1", (CrisisType("normal", 1.0, 1.0, 0.0, -2.0),)), Side("P2", p2)),
                      allow_hold=False, horizon=10)


def four_rung_ladder() -> CrisisGame:
    """Four rungs above the status quo, two types a side, an ally each that joins by chance.

    In the limit A escalates, normal B mixes, and A's resolute type mixes only after its ally
    joined: the ally's chance joining changes the bargain.
    """
    rungs = (
        Rung("status quo"),
        Rung("show of force", slip=0.05),
        Rung("skirmish", slip=0.1, decisive=0.2, armed_attack=True),
        Rung("war", slip=0.2, decisive=0.4, armed_attack=True),
        Rung("all-out war", slip=1.0, catastrophe=True),
    )
    a = Side("A", (CrisisType("resolute", 0.6, 2.0, 0.0, -2.0, hold_cost=0.02),
                   CrisisType("irresolute", 0.4, 2.0, 0.0, -8.0, audience_cost=0.05)),
             jumps=((1, 3),), rung_cost=(0, 0, 0.05, 0.1, 0), ally=Ally(join=0.4, strength=0.5))
    b = Side("B", (CrisisType("normal", 0.9, 1.0, 0.0, -6.0, stalemate=0.2, audience_cost=0.1),
                   CrisisType("obstinate", 0.1, 1.0, 0.0, -4.0, obstinate=True)),
             strength=1.2, exposure=(0, 0, 0.05, 0.1, 0), ally=Ally(join=0.6, strength=1.0, escalate=0.25))
    return CrisisGame(rungs, (a, b), allow_hold=False, horizon=4)


def compare(sol: Solution, gg: GambitGame, profile, *, min_reach: float = -1.0) -> int:
    """Assert equal play, action values and type values; returns how many information sets were compared."""
    compared = 0
    values = action_values(profile, gg)
    for key, probs in behavior(profile, gg).items():
        history, _side, j = key
        d = sol.at(history)
        if d.reach <= min_reach:
            continue
        np.testing.assert_allclose(d.probabilities[j], probs, atol=TOL, err_msg=str(key))
        if key in values:
            np.testing.assert_allclose(d.values[j], values[key], atol=TOL, err_msg=str(key))
        compared += 1
    theirs = type_values(profile, gg)
    for side in (0, 1):
        np.testing.assert_allclose(sol.start_values[side], theirs[side], atol=TOL)
    return compared


def escalating_ladder() -> CrisisGame:
    """The four-rung ladder with holding allowed and B's obstinate type escalating (`CrisisType.fixed_move`)."""
    game = four_rung_ladder()
    b = game.sides[1]
    types = (b.types[0], dataclasses.replace(b.types[1], fixed_move="escalate"))
    return dataclasses.replace(game, sides=(game.sides[0], dataclasses.replace(b, types=types)), allow_hold=True,
                               horizon=3)


GAMES = {
    "haynes": (lambda: haynes(0.0), lambda: haynes_by_hand(0.0)),
    "haynes-obstinate": (lambda: haynes(0.03), lambda: haynes_by_hand(0.03)),
    "haynes-obstinate-converted": (lambda: haynes(0.03), lambda: from_crisis_game(haynes(0.03))),
    "ladder-allies": (four_rung_ladder, lambda: from_crisis_game(four_rung_ladder())),
    "ladder-escalating-obstinate": (escalating_ladder, lambda: from_crisis_game(escalating_ladder())),
}


@pytest.mark.parametrize("name", list(GAMES))
def test_finite_lambda_matches_gambit(name: str) -> None:
    make, build = GAMES[name]
    gg = build()
    sols = solve_many(make(), LAMBDAS)
    for lam, result in zip(LAMBDAS, gbt.qre.logit_solve_lambda(gg.game, LAMBDAS), strict=True):
        assert result.lam == pytest.approx(lam, rel=1e-8)
        assert compare(sols[lam], gg, as_profile(gg, result)) == len(gg.infosets)


def test_haynes_limit_matches_gambit_everywhere() -> None:
    gg = haynes_by_hand(0.0)
    profile = gbt.nash.logit_solve(gg.game).equilibria[0]
    sol = solve_many(haynes(0.0), [math.inf])[math.inf]
    assert compare(sol, gg, profile) == 10  # pure play, so off the path of play too


@pytest.mark.parametrize(("p", "cutoff", "reached"), [(0.03, 4, 3), (0.03, 5, 4), (0.1, 4, 1)])
def test_reputation_limit_matches_gambit(p: float, cutoff: int, reached: int) -> None:
    # With an obstinate type Gambit stalls on the full ten rounds (regret ~1e-3 near lambda 211);
    # from round `cutoff` on, normal movers' dominant concession replaces the rounds (gambit_games).
    gg = haynes_by_hand(p, cutoff=cutoff)
    profile = gbt.nash.logit_solve(gg.game).equilibria[0]
    assert profile.max_regret() < 1e-6
    sol = solve_many(haynes(p), [math.inf])[math.inf]
    assert compare(sol, gg, profile, min_reach=1e-6) == reached  # P1 concedes at once above 25/567
    assert sol.max_regret() < 1e-8


def test_ladder_with_allies_limit_matches_gambit() -> None:
    gg = from_crisis_game(four_rung_ladder())
    profile = gbt.nash.logit_solve(gg.game).equilibria[0]
    sol = solve_many(four_rung_ladder(), [math.inf])[math.inf]
    assert compare(sol, gg, profile, min_reach=1e-6) == 9  # six histories reached, a type a side each
    assert sol.max_regret() < 1e-8
