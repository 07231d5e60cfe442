"""The crisis alone in equilibrium over replications (`ensemble.crisis_runs`)."""

from __future__ import annotations

import numpy as np
import pytest

from ensemble.crisis_runs import run_crises
from rules.belief_equilibrium import solve_beliefs
from rules.crisis_game import CrisisGame, CrisisType, Rung, Side


def normal(prior: float = 1.0, name: str = "normal", **kw: float) -> CrisisType:
    return CrisisType(name, prior, 1.0, 0.0, -2.0, **kw)


def haynes(p: float = 0.0) -> CrisisGame:
    """Haynes (2019): standing firm in round k risks disaster k/10; P2 obstinate with prior p."""
    p2 = (normal(1 - p), normal(p, "obstinate", obstinate=True)) if p else (normal(),)
    rungs = tuple(Rung(f"round {k}", slip=k / 10) for k in range(11))
    return CrisisGame(rungs, (Side("P1", (normal(),)), Side("P2", p2)), allow_hold=False, horizon=10)


def test_a_replication_depends_on_its_seed_alone() -> None:
    sol = solve_beliefs(haynes(0.03), points=41)
    seeds = np.arange(1_000, 3_000)
    whole = run_crises(sol, seeds, sol.prior())
    part = run_crises(sol, seeds[500:700], sol.prior())
    for name in ("ended", "loser", "rung", "mu", "obstinate"):
        assert np.array_equal(getattr(whole.crises, name)[500:700], getattr(part.crises, name))


def test_haynes_shares_match_the_equilibrium() -> None:
    # 40,000 runs: the standard error of a share is below 0.0025; 0.01 is four of them (99.99%).
    sol = solve_beliefs(haynes())
    shares = run_crises(sol, np.arange(40_000), sol.prior()).shares()
    assert shares["p_slip"] == pytest.approx(0.1, abs=0.01)
    assert shares["p_loses_1"] == pytest.approx(0.9, abs=0.01) and shares["p_loses_0"] == 0.0


def test_true_types_can_differ_from_the_image() -> None:
    # The game's prior (the image) is 0.03; the truth draws P2 obstinate half the time.
    sol = solve_beliefs(haynes(0.03), points=41)
    runs = run_crises(sol, np.arange(20_000), [0.0, 0.5])
    assert np.mean(runs.crises.obstinate[:, 1]) == pytest.approx(0.5, abs=0.015)
    assert np.all(runs.crises.loser[runs.crises.obstinate[:, 1]] != 1)  # an obstinate P2 never yields


def test_a_stationary_game_needs_a_move_cap() -> None:
    t = normal(hold_cost=0.01)
    rungs = (Rung("standoff", slip=0.1), Rung("war", slip=1.0, catastrophe=True))
    sol = solve_beliefs(CrisisGame(rungs, (Side("A", (t,)), Side("B", (t,))), horizon=None))
    with pytest.raises(ValueError, match="max_moves"):
        run_crises(sol, [1, 2], [0.0, 0.0])
    assert run_crises(sol, np.arange(100), [0.0, 0.0], max_moves=3).moves.max() <= 3
