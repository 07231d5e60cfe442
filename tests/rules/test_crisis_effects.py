"""Treaty partners drawn given the game's bloc join (`rules.crisis_effects`)."""

from __future__ import annotations

import numpy as np
import pytest

from rules.crisis_effects import partner_joins

REPS = 200_000
"""Draws per check: a share's standard error is below 0.0012; 0.005 is four of them (99.99%)."""


def test_given_the_bloc_joined_the_partners_are_independent_joins_conditioned_on_one() -> None:
    c = np.array([0.3, 0.5, 0.2])
    rng = np.random.default_rng(7)
    joins = partner_joins(c, np.ones(REPS, bool), rng.random((REPS, 3)))
    assert joins.any(axis=1).all()  # the bloc joined: at least one partner does
    at_least_one = 1 - np.prod(1 - c)
    assert joins.mean(axis=0) == pytest.approx(c / at_least_one, abs=0.005)
    both = np.mean(joins[:, 0] & joins[:, 1])
    assert both == pytest.approx(c[0] * c[1] / at_least_one, abs=0.005)


def test_without_the_bloc_nobody_joins_and_mixing_the_two_gives_independent_joins() -> None:
    c = np.array([0.3, 0.5, 0.2])
    rng = np.random.default_rng(8)
    assert not partner_joins(c, np.zeros(100, bool), rng.random((100, 3))).any()
    bloc = rng.random(REPS) < 1 - np.prod(1 - c)
    joins = partner_joins(c, bloc, rng.random((REPS, 3)))
    assert joins.mean(axis=0) == pytest.approx(c, abs=0.005)
    assert np.mean(joins[:, 0] & joins[:, 2]) == pytest.approx(c[0] * c[2], abs=0.005)


def test_a_sure_partner_and_a_partner_who_never_comes() -> None:
    joins = partner_joins(np.array([0.0, 1.0]), np.ones(50, bool), np.random.default_rng(1).random((50, 2)))
    assert not joins[:, 0].any() and joins[:, 1].all()


def test_all_out_war_calls_the_uncalled_partners_of_every_attacked_side() -> None:
    from rules.crisis_effects import clause_calls
    from rules.crisis_game import DECLINED, JOINED, NOT_CALLED
    from rules.crisis_play import ALLY, DELIBERATE, SLIP

    none = [NOT_CALLED, NOT_CALLED]
    allies = np.array([none, none, [DECLINED, NOT_CALLED], [NOT_CALLED, JOINED]])
    outcome = np.array([SLIP, DELIBERATE, ALLY, DELIBERATE])
    mover = np.array([0, 0, 1, 1])
    # A slip or an ally's escalation attacks both sides; a side that chose all-out war was not attacked.
    assert clause_calls(allies, outcome, mover).tolist() == [
        [True, True], [False, True], [False, True], [True, False],
    ]
