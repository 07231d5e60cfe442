"""Backward induction on the ladder: Haynes (2019) exactly, and what Powell's result becomes.

Powell (1987) and theory.md: with complete information the less resolute side (lower critical
risk r = (w - s) / (w - d)) yields at once. In this discrete alternating game (no holding, one
rung per move, slip rising to 1 at the top) that is not exactly true: the side that loses is
the one that first has to move to a rung whose slip is at or above its own critical risk, and
which side that is depends on where the rungs fall as well as on resolve. The tests below pin
down the exact rule, the counterexample, and the fine-ladder condition under which Powell's
statement does hold.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rules.backward_induction import YIELD_ACTION, GameSolution, solve_crisis_game
from rules.risk import critical_risk

Payoffs = tuple[float, float, float]


def solve_ladder(
    slip: np.ndarray,
    horizon: int,
    prevail: tuple[float, float] = (1.0, 1.0),
    concede: tuple[float, float] = (0.0, 0.0),
    disaster: tuple[float, float] = (-2.0, -2.0),
    stalemate: tuple[float, float] = (0.0, 0.0),
    *,
    allow_hold: bool = False,
    decisive: np.ndarray | None = None,
    share: tuple[float, float] = (0.5, 0.5),
    mover_cost: np.ndarray | None = None,
    target_cost: np.ndarray | None = None,
    catastrophe_top: bool = True,
) -> GameSolution:
    """Solve a one-rung-per-move ladder (optionally with holding) for both sides alike."""
    k = slip.shape[0]
    allowed = np.zeros((2, k, k), dtype=bool)
    for r in range(k - 1):
        allowed[:, r, r + 1] = True
        allowed[:, r, r] = allow_hold
    catastrophe = np.zeros(k, dtype=bool)
    catastrophe[-1] = catastrophe_top
    return solve_crisis_game(
        slip=slip,
        decisive=np.zeros(k) if decisive is None else decisive,
        catastrophe=catastrophe,
        allowed=allowed,
        prevail=np.array(prevail),
        concede=np.array(concede),
        disaster=np.array(disaster),
        stalemate=np.array(stalemate),
        share=np.array(share),
        mover_cost=np.zeros((2, k)) if mover_cost is None else mover_cost,
        target_cost=np.zeros((2, k)) if target_cost is None else target_cost,
        horizon=horizon,
    )


HAYNES_SLIP = np.arange(11) / 10.0


def haynes() -> GameSolution:
    return solve_ladder(HAYNES_SLIP, horizon=10)


def round_state(round_: int, horizon: int) -> tuple[int, int, int]:
    """(moves left, rung, mover) at round k of a game that starts at rung 0 with side 0 to move."""
    return horizon - round_ + 1, round_ - 1, (round_ - 1) % 2


# ---- Haynes (2019) ----------------------------------------------------------------------------


def test_haynes_values() -> None:
    # Haynes (2019), activelearningps.com: P1 = 0.7, P2 = -0.2.
    value = haynes().value[10, 0, 0]
    assert value[0] == pytest.approx(0.7, abs=1e-12)
    assert value[1] == pytest.approx(-0.2, abs=1e-12)


@pytest.mark.parametrize(
    ("round_", "stands_firm"),
    [(1, True), (2, False), (3, True)] + [(k, False) for k in range(4, 11)],
)
def test_haynes_action_by_round(round_: int, stands_firm: bool) -> None:
    # Rounds 4-10 concede (1 - 3p < 0 once p > 1/3), round 3 stands firm, round 2 concedes,
    # round 1 stands firm (Haynes 2019).
    h, rung, mover = round_state(round_, 10)
    assert haynes().action[h, rung, mover] == (round_ if stands_firm else YIELD_ACTION)


@pytest.mark.parametrize(
    ("round_", "expected"),
    [
        (2, (1.0, 0.0)),  # P2 concedes
        (3, (0.1, -0.6)),  # P1 stands firm: 0.7 * 1 + 0.3 * (-2) and 0.7 * 0 + 0.3 * (-2)
        (4, (1.0, 0.0)),  # P2 concedes
        (5, (0.0, 1.0)),  # P1 concedes
    ],
)
def test_haynes_values_off_the_path(round_: int, expected: tuple[float, float]) -> None:
    h, rung, mover = round_state(round_, 10)
    np.testing.assert_allclose(haynes().value[h, rung, mover], expected, atol=1e-12)


def test_haynes_order_of_moves_decides() -> None:
    # Equal resolve: whoever moves first wins, whichever side that is.
    solution = haynes()
    np.testing.assert_allclose(solution.value[10, 0, 1], [-0.2, 0.7], atol=1e-12)
    assert solution.action[10, 0, 1] == 1
    assert solution.action[9, 1, 0] == YIELD_ACTION


# ---- mechanics -------------------------------------------------------------------------------


def test_no_moves_left_is_stalemate() -> None:
    solution = solve_ladder(np.array([0.0, 0.2, 1.0]), horizon=3, stalemate=(0.25, 0.75))
    assert np.all(solution.action[0] == -2)
    np.testing.assert_allclose(solution.value[0], np.broadcast_to([0.25, 0.75], (3, 2, 2)))


def test_exact_tie_goes_to_yielding() -> None:
    # Slip 0.5, prevail 1, disaster -1: standing firm is worth exactly 0 = conceding.
    solution = solve_ladder(np.array([0.0, 0.5, 1.0]), horizon=2, disaster=(-1.0, -1.0))
    assert solution.value[1, 1, 1][1] == 0.0
    assert solution.action[2, 0, 0] == YIELD_ACTION


def test_tie_between_rungs_goes_to_the_lowest() -> None:
    # Holding rung 0 and moving to rung 1 are both riskless and lead to the same stalemate.
    solution = solve_ladder(np.array([0.0, 0.0, 1.0]), horizon=1, stalemate=(0.5, 0.5), allow_hold=True)
    assert solution.action[1, 0, 0] == 0


def test_catastrophe_rung_is_disaster_whatever_its_slip() -> None:
    slip = np.array([0.0, 0.1, 0.0])  # the top's slip is ignored: reaching it is catastrophe
    solution = solve_ladder(slip, horizon=2, disaster=(-3.0, -4.0), stalemate=(5.0, 5.0))
    assert solution.action[1, 1, 0] == YIELD_ACTION
    no_top = solve_ladder(slip, horizon=2, disaster=(-3.0, -4.0), stalemate=(5.0, 5.0), catastrophe_top=False)
    assert no_top.action[1, 1, 0] == 2
    np.testing.assert_allclose(no_top.value[1, 1, 0], [5.0, 5.0])


def test_decisive_fighting_and_costs() -> None:
    # One move: rung 1 has slip 0.1 and is decided by force for sure; side 0 holds 70% of the
    # strength. Side 0: 0.9 * (0.7 * 1 + 0.3 * 0) + 0.1 * (-2) - 0.05 = 0.38;
    # side 1: 0.9 * (0.7 * 0 + 0.3 * 1) + 0.1 * (-2) - 0.02 = 0.05.
    k = 3
    solution = solve_ladder(
        np.array([0.0, 0.1, 1.0]),
        horizon=1,
        decisive=np.array([0.0, 1.0, 0.0]),
        share=(0.7, 0.3),
        mover_cost=np.array([[0.0, 0.05, 0.0], [0.0, 0.0, 0.0]]),
        target_cost=np.array([[0.0, 0.0, 0.0], [0.0, 0.02, 0.0]]),
    )
    assert solution.action[1, 0, 0] == 1
    np.testing.assert_allclose(solution.value[1, 0, 0], [0.38, 0.05], atol=1e-12)
    assert solution.value.shape == (2, k, 2, 2)


# ---- Powell (1987) in the discrete alternating game ------------------------------------------


@st.composite
def ordered_payoffs(draw: st.DrawFn) -> Payoffs:
    w = draw(st.floats(-5.0, 5.0))
    s = w - draw(st.floats(0.01, 5.0))
    d = s - draw(st.floats(0.01, 20.0))
    return w, s, d


@st.composite
def rising_ladder(draw: st.DrawFn) -> np.ndarray:
    """Slip 0 at rung 0, strictly rising inner rungs, certain catastrophe at the top."""
    steps = draw(st.lists(st.floats(0.005, 0.3), min_size=1, max_size=8))
    inner = np.cumsum(steps)
    assume(inner[-1] < 0.995)
    return np.concatenate(([0.0], inner, [1.0]))


def critical(payoffs: Payoffs) -> float:
    return float(critical_risk(*payoffs))


def predicted_loser(slip: np.ndarray, resolve: tuple[float, float], first_round: int = 1) -> int:
    """The side that first has to move to a rung with slip at or above its critical risk."""
    for round_ in range(first_round, slip.shape[0]):
        mover = (round_ - 1) % 2
        if slip[round_] >= resolve[mover]:
            return mover
    raise AssertionError("the top rung has slip 1, above every critical risk")


def solve_pair(slip: np.ndarray, a: Payoffs, b: Payoffs, extra: int = 0) -> GameSolution:
    return solve_ladder(
        slip,
        horizon=slip.shape[0] - 1 + extra,
        prevail=(a[0], b[0]),
        concede=(a[1], b[1]),
        disaster=(a[2], b[2]),
        stalemate=(a[1], b[1]),
    )


@settings(max_examples=300, deadline=None)
@given(slip=rising_ladder(), a=ordered_payoffs(), b=ordered_payoffs(), extra=st.integers(0, 3))
def test_first_side_to_reach_its_critical_risk_loses(slip: np.ndarray, a: Payoffs, b: Payoffs, extra: int) -> None:
    # Exact rule: at round k the mover yields iff the first round j >= k whose rung carries a slip
    # at or above its mover's critical risk belongs to this same mover. On the path from rung 0,
    # that side yields at its first move and the other prevails.
    resolve = (critical(a), critical(b))
    assume(all(abs(p - r) > 1e-6 for p in slip[1:-1] for r in resolve))
    solution = solve_pair(slip, a, b, extra)
    horizon = slip.shape[0] - 1 + extra
    for round_ in range(1, slip.shape[0]):
        h, rung, mover = round_state(round_, horizon)
        yields = predicted_loser(slip, resolve, round_) == mover
        assert solution.action[h, rung, mover] == (YIELD_ACTION if yields else round_)

    value = solution.value[horizon, 0, 0]
    if predicted_loser(slip, resolve) == 0:
        np.testing.assert_allclose(value, [a[1], b[0]], atol=1e-12)
    else:
        p = slip[1]
        np.testing.assert_allclose(value, [(1 - p) * a[0] + p * a[2], (1 - p) * b[1] + p * b[2]], atol=1e-9)


def test_less_resolute_first_mover_can_win_on_a_coarse_ladder() -> None:
    # P1 r = 1/4.5 ~ 0.222 < P2 r = 1/3.5 ~ 0.286. Rung 1 (slip 0.1) is below P1's limit, rung
    # 2 (slip 0.3) above both: P2 must yield, so the LESS resolute side prevails, with values
    # 0.9 * 1 + 0.1 * (-3.5) = 0.55 and 0.9 * 0 + 0.1 * (-2.5) = -0.25.
    a, b = (1.0, 0.0, -3.5), (1.0, 0.0, -2.5)
    assert critical(a) < critical(b)
    solution = solve_pair(np.array([0.0, 0.1, 0.3, 1.0]), a, b)
    assert solution.action[3, 0, 0] == 1
    assert solution.action[2, 1, 1] == YIELD_ACTION
    np.testing.assert_allclose(solution.value[3, 0, 0], [0.55, -0.25], atol=1e-12)


@st.composite
def fine_ladder_game(draw: st.DrawFn) -> tuple[np.ndarray, Payoffs, Payoffs]:
    """Two sides whose critical risks differ by at least 0.05 and a ladder with every slip step
    (including the last one, to the top) smaller than that difference."""
    a, b = draw(ordered_payoffs()), draw(ordered_payoffs())
    gap = abs(critical(a) - critical(b))
    assume(gap >= 0.05)
    steps = math.ceil(2.0 / gap)
    jitter = draw(hnp.arrays(np.float64, steps - 1, elements=st.floats(-0.25, 0.25)))
    inner = (np.arange(1, steps) + jitter) / steps
    slip = np.concatenate(([0.0], inner, [1.0]))
    assert np.all(np.diff(slip) > 0) and np.max(np.diff(slip)) < gap
    return slip, a, b


@settings(max_examples=100, deadline=None)
@given(game=fine_ladder_game())
def test_powell_less_resolute_side_yields_at_its_first_move_on_a_fine_ladder(
    game: tuple[np.ndarray, Payoffs, Payoffs],
) -> None:
    # When every rung raises the slip by less than the gap between the two critical risks, the
    # first rung at or above the lower one is below the higher one; so the less resolute side
    # reaches its limit first and yields at its first move (round 1 for P1, round 2 for P2).
    slip, a, b = game
    resolve = (critical(a), critical(b))
    assume(all(abs(p - r) > 1e-6 for p in slip[1:-1] for r in resolve))
    horizon = slip.shape[0] - 1
    solution = solve_pair(slip, a, b)
    weaker = 0 if resolve[0] < resolve[1] else 1
    if weaker == 0:
        assert solution.action[horizon, 0, 0] == YIELD_ACTION
        np.testing.assert_allclose(solution.value[horizon, 0, 0], [a[1], b[0]], atol=1e-12)
    else:
        assert solution.action[horizon, 0, 0] == 1
        assert solution.action[horizon - 1, 1, 1] == YIELD_ACTION


@st.composite
def any_game(draw: st.DrawFn) -> dict[str, np.ndarray | int]:
    """Arbitrary slips, holding and jumps, decisive fighting and non-negative costs."""
    k = draw(st.integers(2, 6))
    slip = draw(hnp.arrays(np.float64, k, elements=st.floats(0.0, 1.0)))
    allowed = draw(hnp.arrays(np.bool_, (2, k, k)))
    a, b = draw(ordered_payoffs()), draw(ordered_payoffs())
    stalemate = [draw(st.floats(p[2], p[0])) for p in (a, b)]
    catastrophe = np.zeros(k, dtype=bool)
    catastrophe[-1] = True
    allowed[:, -1, :] = False
    return {
        "slip": slip,
        "decisive": draw(hnp.arrays(np.float64, k, elements=st.floats(0.0, 1.0))),
        "catastrophe": catastrophe,
        "allowed": allowed,
        "prevail": np.array([a[0], b[0]]),
        "concede": np.array([a[1], b[1]]),
        "disaster": np.array([a[2], b[2]]),
        "stalemate": np.array(stalemate),
        "share": np.array([draw(st.floats(0.0, 1.0)) for _ in range(2)]),
        "mover_cost": draw(hnp.arrays(np.float64, (2, k), elements=st.floats(0.0, 0.5))),
        "target_cost": draw(hnp.arrays(np.float64, (2, k), elements=st.floats(0.0, 0.5))),
        "horizon": draw(st.integers(1, 6)),
    }


@settings(max_examples=300, deadline=None)
@given(game=any_game())
def test_no_side_ever_runs_a_risk_above_its_critical_risk(game: dict) -> None:
    # Whatever follows, a mover gets at most its prevail value, so moving to a rung with slip p is
    # worth at most (1 - p) w + p d, below conceding once p >= r. Hence every chosen rung has
    # slip below the mover's critical risk (and the catastrophe rung is never chosen).
    resolve = critical_risk(game["prevail"], game["concede"], game["disaster"])
    assume(all(abs(p - r) > 1e-9 for p in game["slip"] for r in resolve))
    solution = solve_crisis_game(**game)
    for h in range(1, game["horizon"] + 1):
        for rung in range(game["slip"].shape[0]):
            for mover in (0, 1):
                action = solution.action[h, rung, mover]
                if action == YIELD_ACTION:
                    assert solution.value[h, rung, mover][mover] == game["concede"][mover]
                    continue
                assert game["allowed"][mover, rung, action]
                assert not game["catastrophe"][action]
                assert game["slip"][action] < resolve[mover]
                assert solution.value[h, rung, mover][mover] > game["concede"][mover]
