"""The crisis game's definition: validation, moves, the order of chance events, payoffs."""

from __future__ import annotations

import math

import pytest

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
    ally_status,
)


def kind(name: str = "t", prior: float = 1.0, **kw: float) -> CrisisType:
    return CrisisType(name, prior, kw.pop("prevail", 1.0), kw.pop("concede", 0.0), kw.pop("disaster", -2.0), **kw)


def ladder(**kw) -> CrisisGame:
    """Rungs 0..4: a slip at 1, an armed attack with fighting at 2 and 3, catastrophe at 4."""
    rungs = (
        Rung("status quo"),
        Rung("pressure", slip=0.1),
        Rung("skirmish", slip=0.2, decisive=0.5, armed_attack=True),
        Rung("war", slip=0.3, decisive=0.25, armed_attack=True),
        Rung("all-out war", slip=1.0, catastrophe=True),
    )
    sides = kw.pop("sides", (Side("A", (kind(),), strength=3.0), Side("B", (kind(),), strength=1.0)))
    return CrisisGame(rungs, sides, **{"horizon": 6, **kw})


def total(outcomes) -> float:
    return math.fsum(o.probability for o in outcomes)


def test_moves_are_listed_from_least_to_most_escalatory() -> None:
    game = ladder(sides=(Side("A", (kind(),), jumps=((1, 3),)), Side("B", (kind(),))))
    at1 = CrisisState(1, 0, 0, (None, None))
    assert [(m.label, m.target) for m in game.moves(at1)] == [("yield", YIELD), ("hold", 1), ("to 2", 2), ("to 3", 3)]
    assert [m.label for m in game.moves(at1._replace(mover=1))] == ["yield", "hold", "to 2"]
    no_hold = ladder(allow_hold=False)
    assert [m.label for m in no_hold.moves(CrisisState(3, 1, 0, (None, None)))] == ["yield", "to 4"]


def test_forbidden_rungs_are_not_moves_of_that_side() -> None:
    # A bloc without nuclear weapons cannot move to or hold a nuclear rung; yielding stays open.
    game = ladder(sides=(Side("A", (kind(),), jumps=((1, 3),), forbidden=(3,)), Side("B", (kind(),))))
    assert [m.label for m in game.moves(CrisisState(1, 0, 0, (None, None)))] == ["yield", "hold", "to 2"]
    assert [m.label for m in game.moves(CrisisState(3, 0, 0, (None, None)))] == ["yield", "to 4"]
    assert [m.label for m in game.moves(CrisisState(3, 1, 0, (None, None)))] == ["yield", "hold", "to 4"]
    with pytest.raises(GameError, match="forbidden"):
        ladder(sides=(Side("A", (kind(),), forbidden=(9,)), Side("B", (kind(),))))


def test_obstinate_move_holds_if_it_may_else_moves_up() -> None:
    state = CrisisState(2, 0, 0, (None, None))
    assert ladder().moves(state)[ladder().obstinate_move(state)].label == "hold"
    game = ladder(allow_hold=False)
    assert game.moves(state)[game.obstinate_move(state)].label == "to 3"


def test_an_escalating_obstinate_type_moves_up_if_it_may_else_holds() -> None:
    tough = (kind("normal", 0.9), kind("obstinate", 0.1, obstinate=True, fixed_move="escalate"))
    game = ladder(sides=(Side("A", tough), Side("B", (kind(),))))
    label = lambda g, s: g.moves(s)[g.obstinate_move(s)].label  # noqa: E731
    assert label(game, CrisisState(2, 0, 0, (None, None))) == "to 3"
    top = CrisisGame((Rung("a"), Rung("b")), game.sides, horizon=4)
    assert label(top, CrisisState(1, 0, 0, (None, None))) == "hold"  # no rung above: it holds
    # B's types are normal; A's hold type keeps holding; type_index picks a type's own move.
    held = ladder(sides=(Side("A", (kind("n", 0.9), kind("o", 0.1, obstinate=True))), Side("B", (kind(),))))
    assert label(held, CrisisState(2, 0, 0, (None, None))) == "hold"
    assert game.obstinate_move(CrisisState(2, 0, 0, (None, None)), type_index=0) == 1  # a normal type: hold


def test_step_follows_slip_then_fight_then_next_turn() -> None:
    # Rung 2: slip 0.2, then decisive 0.5 won by A with its strength share 3 / 4.
    game = ladder()
    out = game.step(CrisisState(1, 0, 0, (None, None)), 2)
    by_kind = {(o.kind, o.winner): o for o in out}
    assert by_kind[("slip", None)].probability == pytest.approx(0.2)
    assert by_kind[("fight", 0)].probability == pytest.approx(0.8 * 0.5 * 0.75)
    assert by_kind[("fight", 1)].probability == pytest.approx(0.8 * 0.5 * 0.25)
    assert by_kind[("continue", None)].probability == pytest.approx(0.4)
    assert by_kind[("continue", None)].state == CrisisState(2, 1, 1, (None, None))
    assert total(out) == pytest.approx(1.0)


def test_moving_onto_a_catastrophe_rung_is_catastrophe_by_choice() -> None:
    out = ladder().step(CrisisState(3, 1, 2, (None, None)), 4)
    assert [(o.kind, o.probability) for o in out] == [("deliberate", 1.0)]


def test_horizon_turns_the_next_turn_into_stalemate() -> None:
    out = ladder(horizon=3).step(CrisisState(1, 0, 2, (None, None)), 1)
    assert {o.kind for o in out} == {"slip", "stalemate"}
    assert ladder(horizon=None).stationary


def test_the_attacked_sides_ally_may_join_and_shift_the_share() -> None:
    # B's ally, called by A's move onto an armed-attack rung, joins with 0.4 (B's strength becomes
    # 1 + 2) or declines with 0.6.
    sides = (Side("A", (kind(),), strength=3.0), Side("B", (kind(),), strength=1.0, ally=Ally(join=0.4, strength=2.0)))
    game = ladder(sides=sides)
    assert game.start().joined == (None, None)
    out = game.step(CrisisState(1, 0, 0, (None, None)), 2)
    assert total(o for o in out if o.state.joined == (None, True)) == pytest.approx(0.8 * 0.4)
    assert total(o for o in out if o.state.joined == (None, False)) == pytest.approx(0.8 * 0.6)
    assert not [o for o in out if o.kind != "slip" and o.state.joined == (None, None)]
    wins_a = {o.state.joined: o.probability for o in out if o.kind == "fight" and o.winner == 0}
    assert wins_a[(None, True)] == pytest.approx(0.8 * 0.4 * 0.5 * 0.5)
    assert wins_a[(None, False)] == pytest.approx(0.8 * 0.6 * 0.5 * 0.75)  # a declined ally adds nothing
    # B's own move onto an armed-attack rung calls no ally of B, nor does a move onto a rung without attack.
    assert all(o.state.joined == (None, None) for o in game.step(CrisisState(1, 1, 0, (None, None)), 2))
    assert all(o.state.joined == (None, None) for o in game.step(CrisisState(0, 0, 0, (None, None)), 1))


def test_a_declined_ally_never_joins_at_a_later_attack() -> None:
    # Called once: after declining, A's later attacks leave B's ally out (the old rule redrew it).
    sides = (Side("A", (kind(),), strength=3.0), Side("B", (kind(),), ally=Ally(join=0.4, strength=2.0)))
    game = ladder(sides=sides)
    for target in (2, 3):
        out = game.step(CrisisState(2, 0, 3, (None, False)), target)
        assert {o.state.joined for o in out} == {(None, False)}
        assert all(o.state.joined == (None, True) for o in game.step(CrisisState(2, 0, 3, (None, True)), target))


def test_over_two_attacks_the_ally_joins_with_its_join_chance_not_more() -> None:
    # A attacks (to 2), B holds, A attacks again (to 3). Whether the crisis survives a move does
    # not depend on the ally here (no own escalation), so among open crises B's ally has joined
    # with c = 0.4 exactly, not 1 - 0.6 ** 2 = 0.64 as when it was redrawn at every attack.
    sides = (Side("A", (kind(),)), Side("B", (kind(),), ally=Ally(join=0.4, strength=1.0)))
    game = ladder(sides=sides)
    paths = [(1.0, CrisisState(1, 0, 0, (None, None)))]
    for target in (2, 2, 3):
        paths = [(p * o.probability, o.state) for p, state in paths for o in game.step(state, target)
                 if o.kind == "continue"]
    joined = math.fsum(p for p, state in paths if state.joined[1]) / math.fsum(p for p, _ in paths)
    assert joined == pytest.approx(0.4, abs=1e-12)
    assert all(state.joined[1] is not None for _, state in paths)  # called, then joined or declined


def test_ally_status_codes_the_three_states() -> None:
    assert [ally_status(j) for j in (None, False, True)] == [NOT_CALLED, DECLINED, JOINED]
    assert len({NOT_CALLED, DECLINED, JOINED}) == 3


def test_a_joined_ally_escalates_on_its_own_and_may_slip() -> None:
    sides = (Side("A", (kind(),)), Side("B", (kind(),), ally=Ally(join=1.0, strength=0.0, escalate=0.5)))
    game = ladder(sides=sides)
    out = game.step(CrisisState(0, 1, 0, (None, True)), 1)  # slip 0.1 at 1, then the ally: 1 -> 2 (slip 0.2)
    up = [o for o in out if o.state.rung == 2]
    assert sum(o.probability for o in up if o.kind == "slip") == pytest.approx(0.9 * 0.5 * 0.2)
    assert sum(o.probability for o in up if o.kind == "continue") == pytest.approx(0.9 * 0.5 * 0.8)
    assert total(out) == pytest.approx(1.0)
    top = game.step(CrisisState(2, 1, 0, (None, True)), 3)
    assert sum(o.probability for o in top if o.kind == "ally") == pytest.approx(0.7 * 0.75 * 0.5)


def test_payoffs_and_costs() -> None:
    sides = (
        Side("A", (kind(audience_cost=0.1, hold_cost=0.05, stalemate=0.3),), rung_cost=(0, 0, 0.2, 0, 0)),
        Side("B", (kind(),), exposure=(0, 0, 0.4, 0, 0)),
    )
    game = ladder(sides=sides)
    late = CrisisState(2, 0, 3, (None, None))
    assert game.payoff(0, "yield", late) == (pytest.approx(-0.3),)  # concede 0 minus 3 moves of audience cost
    assert game.payoff(1, "yield", late) == (1.0,)
    assert game.payoff(0, "fight", late, winner=1) == (0.0,)  # defeat carries no audience cost
    assert game.payoff(0, "slip", late) == (-2.0,) and game.payoff(0, "stalemate", late) == (0.3,)
    assert game.move_cost(0, late, 2) == (pytest.approx(0.25),)
    assert game.move_cost(1, late, 2) == (pytest.approx(0.4),)
    assert game.move_cost(0, late, 4) == (0.0,)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: kind(disaster=0.0), "prevail > concede > disaster"),
        (lambda: kind(prior=0.0), "prior"),
        (lambda: kind(hold_cost=math.nan), "finite"),
        (lambda: kind(obstinate=True, fixed_move="retreat"), "fixed_move"),
        (lambda: Side("A", (kind("a", 0.5), kind("b", 0.4))), "sum to 1"),
        (lambda: Side("A", (kind("a", 0.5), kind("a", 0.5))), "distinct"),
        (lambda: Rung("x", slip=1.5), "probability"),
        (lambda: Ally(join=-0.1, strength=1.0), "probability"),
        (lambda: ladder(horizon=0), "horizon"),
        (lambda: ladder(start_rung=4), "start_rung"),
        (lambda: ladder(sides=(Side("A", (kind(),), jumps=((1, 2),)), Side("B", (kind(),)))), "jump"),
        (lambda: ladder(sides=(Side("A", (kind(),), rung_cost=(0.0,)), Side("B", (kind(),)))), "one value per rung"),
    ],
)
def test_inconsistent_games_are_refused(make, message: str) -> None:
    with pytest.raises(GameError, match=message):
        make()


def test_digest_is_stable_and_changes_with_any_input() -> None:
    assert ladder().digest() == ladder().digest()
    assert ladder().digest() != ladder(horizon=7).digest()
    assert ladder().digest() != ladder(allow_hold=False).digest()


def test_audience_costs_never_make_yielding_worse_than_catastrophe() -> None:
    t = kind(audience_cost=0.5, disaster=-1.0)
    assert [t.concession(k) for k in (0, 1, 2, 5)] == [0.0, -0.5, -1.0, -1.0]
