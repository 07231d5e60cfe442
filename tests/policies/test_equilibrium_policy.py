"""The equilibrium policy: the stage game's equilibrium move for a normal type, the fixed move for an obstinate one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from crisis_helpers import SMALL_LADDER, make_view, random_view
from interval_stats import binomial_interval
from policy_contract import PolicyContract

from agents.policies import Move, Stage
from agents.policies.equilibrium import EquilibriumPolicy


class TestEquilibrium(PolicyContract):
    policy = EquilibriumPolicy()


def stage(probabilities, obstinate=False, obstinate_move=1):
    return Stage(tuple(probabilities), tuple(0.0 for _ in probabilities), obstinate, obstinate_move, 0.1)


def test_a_normal_type_draws_its_move_by_inverse_cdf_of_the_stage_probabilities():
    # The draw is the one uniform of the generator, cut against the cumulative probabilities in the
    # order yield, then the view's options (as `rules.crisis_play.play_move` cuts its PLAY uniform).
    for seed in range(300):
        view = random_view(np.random.default_rng(seed))
        view = replace(view, stage=replace(view.stage, obstinate=False))
        u = np.random.default_rng(seed).random()
        cumulative = np.cumsum(view.stage.probabilities)
        expected = min(int(np.sum(cumulative / cumulative[-1] <= u)), len(cumulative) - 1)
        move = EquilibriumPolicy().decide(view, np.random.default_rng(seed))
        assert move == (view.yield_() if expected == 0 else view.to_rung(view.options[expected - 1]))


def test_a_move_of_probability_zero_is_never_drawn():
    view = make_view(SMALL_LADDER, 2, stage=stage([0.0, 1.0, 0.0]))
    rng = np.random.default_rng(5)
    assert {EquilibriumPolicy().decide(view, rng) for _ in range(500)} == {Move("hold", 2)}


def test_frequencies_match_the_equilibrium_probabilities():
    # Bonferroni over 3 options: each count inside its 99.67% exact binomial interval, so all three
    # together hold with at least 99% confidence. 20,000 draws, fixed seed.
    p = (0.158, 0.542, 0.3)
    view = make_view(SMALL_LADDER, 3, stage=stage(p))
    rng = np.random.default_rng(2026)
    draws = 20_000
    counts = {Move("yield", 3): 0, Move("hold", 3): 0, Move("escalate", 4): 0}
    for _ in range(draws):
        counts[EquilibriumPolicy().decide(view, rng)] += 1
    for count, probability in zip(counts.values(), p, strict=True):
        lo, hi = binomial_interval(draws, probability, confidence=1 - 0.01 / 3)
        assert lo <= count <= hi


@pytest.mark.parametrize("obstinate_move", [1, 2])
def test_an_obstinate_type_never_yields_even_where_a_normal_type_would(obstinate_move):
    view = make_view(SMALL_LADDER, 3, stage=stage([1.0, 0.0, 0.0], obstinate=True, obstinate_move=obstinate_move))
    rng = np.random.default_rng(0)
    moves = {EquilibriumPolicy().decide(view, rng) for _ in range(50)}
    assert moves == {view.to_rung(view.options[obstinate_move - 1])}
    assert Move("yield", 3) not in moves


def test_without_a_stage_game_it_refuses_to_guess():
    with pytest.raises(ValueError, match="stage game"):
        EquilibriumPolicy().decide(make_view(SMALL_LADDER, 1), np.random.default_rng(0))
