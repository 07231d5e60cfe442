"""Playing the solved crisis as arrays (`rules.crisis_play`): outcome shares equal the solution's."""

from __future__ import annotations

import numpy as np
import pytest
from test_equilibrium import haynes

from rules.belief_equilibrium import build_layout, solve_beliefs
from rules.crisis_game import (
    DECLINED,
    JOINED,
    NOT_CALLED,
    YIELD,
    Ally,
    CrisisGame,
    CrisisState,
    CrisisType,
    GameError,
    Rung,
    Side,
)
from rules.crisis_play import (
    CONTINUE,
    FIGHT,
    KINDS,
    SLIP,
    STALEMATE,
    YIELDED,
    belief_lottery,
    draw_types,
    open_crises,
    play_move,
    slot_of,
    transitions,
)

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


def strike_game(horizon: int = 3) -> CrisisGame:
    """A three-rung ladder whose middle rung is an armed attack that can bring B's ally in."""
    rungs = (Rung("quo"), Rung("strike", slip=0.0, decisive=0.0, armed_attack=True),
             Rung("war", slip=1.0, catastrophe=True))
    t = CrisisType("normal", 1.0, 1.0, 0.0, -10.0)
    return CrisisGame(rungs, (Side("A", (t,)), Side("B", (t,), ally=Ally(join=0.5, strength=1.0))),
                      horizon=horizon)


def test_forced_slots_replace_the_equilibrium_move_and_the_opponent_reads_them_by_bayes_rule() -> None:
    sol = solve_beliefs(haynes(0.05), points=41)
    tr = transitions(sol)
    crises = open_crises(sol, np.full((4, 2), 0.99))  # all normal types
    forced = np.array([-1, 0, 1, -1])  # rows 1 and 2 chose yield and stand firm themselves
    record = play_move(sol, tr, crises, np.zeros(4), np.full(4, 0.5), forced)
    assert list(record.chosen) == [False, True, True, False]
    assert record.slot[1] == 0 and record.slot[2] == 1
    assert crises.ended[1] == YIELDED and crises.loser[1] == record.mover[1]
    assert record.play is not None
    assert crises.mu[2, record.mover[2]] == pytest.approx(record.play.after(np.array([1]))[0])


def test_an_unsolved_game_plays_forced_moves_and_keeps_the_prior() -> None:
    game = strike_game()
    tr = transitions(build_layout(game))
    crises = draw_types(build_layout(game), np.full((2, 2), 0.5), np.zeros(2))
    prior = crises.mu.copy()
    start = crises.state.copy()
    record = play_move(None, tr, crises, np.zeros(2), np.zeros(2), slot_of(tr, start, np.array([1, YIELD])))
    assert record.play is None and list(record.target) == [1, YIELD]
    assert np.array_equal(crises.mu, prior)
    with pytest.raises(GameError):
        play_move(None, tr, crises, np.zeros(2), np.zeros(2), np.full(2, -1))


def test_the_record_shows_when_the_attacked_sides_ally_is_called() -> None:
    game = strike_game()
    layout = build_layout(game)
    tr = transitions(layout)
    crises = draw_types(layout, np.full((2, 2), 0.5), np.zeros(2))
    to_strike = slot_of(tr, crises.state, np.array([1, 1]))
    # Uniform 0.1 lands on the first outcome (the ally joins, chance 0.5), 0.9 on its staying out.
    record = play_move(None, tr, crises, np.zeros(2), np.array([0.1, 0.9]), to_strike)
    assert record.allies_before[:, 1].tolist() == [NOT_CALLED, NOT_CALLED]
    assert record.allies_after[0, 1] == JOINED
    assert record.allies_after[1, 1] == DECLINED  # called once: it declined and stays out
    assert record.allies_after[:, 0].tolist() == [NOT_CALLED, NOT_CALLED]  # A has no ally
    hold = slot_of(tr, crises.state, np.array([1, 1]))  # B holds the attacked rung
    play_move(None, tr, crises, np.zeros(2), np.zeros(2), hold)
    again = play_move(None, tr, crises, np.zeros(2), np.zeros(2), slot_of(tr, crises.state, np.array([1, 1])))
    assert again.allies_after[:, 1].tolist() == [JOINED, DECLINED]  # A's second attack calls no one again


def test_slot_of_finds_each_target_and_marks_a_missing_one() -> None:
    game = strike_game()
    tr = transitions(build_layout(game))
    start = np.zeros(3, dtype=np.intp) + build_layout(game).state_index(0, 0, game.start().joined)
    slots = slot_of(tr, start, np.array([YIELD, 0, 2]))
    assert slots.tolist() == [0, 1, -1]  # yield, hold; no jump to 2 from rung 0


def realized_values(game: CrisisGame, crises) -> np.ndarray:
    """Each run's payoff to each side's normal type (the game's payoffs; Haynes's game has no move costs)."""
    out = np.zeros((len(crises.ended), 2))
    for r in range(len(crises.ended)):
        kind, loser = KINDS[crises.ended[r]], int(crises.loser[r])
        mover = loser if kind == "yield" else 0
        state = CrisisState(int(crises.rung[r]), mover, int(crises.elapsed[r]) - 1, game.start().joined)
        winner = 1 - loser if kind == "fight" else None
        out[r] = [game.payoff(side, kind, state, winner)[0] for side in (0, 1)]
    return out


@pytest.mark.parametrize("prior", [0.02, 0.03, 0.04])
def test_played_with_the_belief_lottery_the_runs_earn_the_values_the_solver_computed(prior: float) -> None:
    # The grid game's values are the expected payoffs of its play (99.99%: four standard errors).
    game = haynes(prior)
    sol = solve_beliefs(game, points=21)
    rng = np.random.default_rng(7)
    reps = 20_000
    tr = transitions(sol)
    crises = draw_types(sol, rng.random((reps, 2)), sol.prior())
    while crises.open.any():
        play_move(sol, tr, crises, rng.random(reps), rng.random(reps), u_belief=rng.random((reps, 2)))
    values = realized_values(game, crises)
    normal = ~crises.obstinate[:, 1]
    for side, rows in ((0, np.ones(reps, dtype=bool)), (1, normal)):
        mean, se = values[rows, side].mean(), values[rows, side].std() / np.sqrt(rows.sum())
        assert abs(mean - sol.start_values()[side]) < 4 * se + 1e-9, (side, mean, sol.start_values()[side])


def test_the_belief_lottery_keeps_the_mean_and_lands_on_the_grid() -> None:
    grid = np.array([0.0, 0.25, 1.0])
    x = np.full(100_000, 0.1)
    drawn = belief_lottery(grid, x, np.random.default_rng(0).random(len(x)))
    assert set(np.unique(drawn)) == {0.0, 0.25}
    assert drawn.mean() == pytest.approx(0.1, abs=0.003)  # 0.25 * 0.4; four standard errors
    assert belief_lottery(grid, np.array([0.25, 1.0, 0.0]), np.full(3, 0.999)).tolist() == [0.25, 1.0, 0.0]
    assert belief_lottery(np.array([0.0]), np.array([0.0]), np.array([0.5])).tolist() == [0.0]
