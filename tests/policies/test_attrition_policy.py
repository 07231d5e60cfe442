from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from crisis_helpers import SMALL_LADDER, make_view, play, random_history, side
from interval_stats import binomial_interval
from policy_contract import PolicyContract, decide

from agents.policies import POLICIES, Move, make_policy
from agents.policies.attrition import AttritionPolicy, attrition_hazard

DRAWS = 4000
COST = np.array([0.0, 0.02, 0.5, 0.1, 0.3, 0.0])
"""The opponent's cost of holding each rung of SMALL_LADDER."""


def attrition_view(rung: int = 2, *, prevail: float = 1.5, concede: float = -0.5, **changes):
    """A view whose opponent pays COST[rung] to hold, for a prize of prevail - concede (2 by default)."""
    them = side(SMALL_LADDER, prevail=prevail, concede=concede, cost=COST)
    return replace(make_view(SMALL_LADDER, rung, them=them), **changes)


def yield_count(view, seed: int, draws: int = DRAWS) -> int:
    rng = np.random.default_rng(seed)
    return sum(AttritionPolicy().decide(view, rng).kind == "yield" for _ in range(draws))


class TestAttrition(PolicyContract):
    policy = AttritionPolicy()

    def test_ignores_beliefs_and_history_at_every_seed(self) -> None:
        # On a view where the policy yields a fifth of the time, no seed's move depends on beliefs
        # or history.
        rng = np.random.default_rng(3)
        view = attrition_view(2)
        for seed in range(200):
            other = replace(
                view,
                resolve_estimate=float(rng.uniform()),
                reckless_image=float(rng.uniform()),
                history=random_history(rng, 2),
            )
            assert decide(self.policy, view, seed) == decide(self.policy, other, seed)


@pytest.mark.parametrize(("rung", "expected"), [(1, 0.01), (2, 0.25), (3, 0.05), (4, 0.15), (0, 0.0)])
def test_hazard_is_the_opponents_cost_over_its_prize(rung, expected):
    assert attrition_hazard(attrition_view(rung)) == pytest.approx(expected, abs=1e-15)


def test_hazard_reads_only_the_opponents_stakes():
    view = attrition_view(2)
    mine = replace(view, me=side(SMALL_LADDER, prevail=9.0, concede=-3.0, cost=np.full(6, 0.7)))
    assert attrition_hazard(mine) == attrition_hazard(view) == 0.25
    richer = replace(view, them=replace(view.them, prevail=3.5))  # prize 4
    assert attrition_hazard(richer) == pytest.approx(0.125)
    dearer = replace(view, them=replace(view.them, cost=COST * 2))
    assert attrition_hazard(dearer) == pytest.approx(0.5)


@pytest.mark.parametrize(("prevail", "concede"), [(0.0, 0.0), (1.0, 1.0), (-1.0, 0.5)])
def test_hazard_is_infinite_when_the_opponent_has_no_prize_and_the_policy_yields(prevail, concede):
    view = attrition_view(2, prevail=prevail, concede=concede)
    assert attrition_hazard(view) == math.inf
    assert yield_count(view, seed=5, draws=200) == 200
    free = attrition_view(0, prevail=prevail, concede=concede)  # holding costs the opponent nothing
    assert attrition_hazard(free) == math.inf
    assert AttritionPolicy().decide(free, np.random.default_rng(0)) == Move("yield", 0)


def test_no_cost_to_the_opponent_never_yields():
    assert yield_count(attrition_view(0), seed=4, draws=500) == 0


@pytest.mark.parametrize(("rung", "seed"), [(2, 11), (1, 12)])
def test_per_turn_yield_frequency_is_one_minus_exp_of_minus_the_hazard(rung, seed):
    view = attrition_view(rung)
    p = -math.expm1(-attrition_hazard(view))  # 0.2212 on rung 2, 0.00995 on rung 1
    # 99% exact binomial interval for 4000 seeded draws; it excludes the hazard itself on rung 2
    # (1000 draws expected at p = 0.25 against 885 at 1 - exp(-0.25)).
    lo, hi = binomial_interval(DRAWS, p, 0.99)
    assert lo <= yield_count(view, seed) <= hi
    if rung == 2:
        assert not lo <= DRAWS * 0.25 <= hi


def test_holds_when_not_yielding():
    # Zero cost to the opponent (the default side): the policy never yields and holds wherever it is.
    moves = play(AttritionPolicy(), ["escalate", "hold", "escalate", 4])
    assert moves == [("hold", 0), ("hold", 1), ("hold", 1), ("hold", 2), ("hold", 4)]


def test_escalates_one_rung_when_holding_is_not_allowed():
    no_hold = SMALL_LADDER.with_doctrine(allow_hold=False)
    moves = play(AttritionPolicy(), ["escalate", "escalate"], ladder=no_hold, policy_first=False)
    assert moves == [("escalate", 2), ("escalate", 4)]
    jumping = no_hold.with_doctrine(jumps=((1, 4),))
    assert AttritionPolicy().decide(make_view(jumping, 1), np.random.default_rng(0)) == Move("escalate", 2)


def test_yields_when_it_can_neither_hold_nor_climb_one_rung():
    capped = SMALL_LADDER.with_doctrine(allow_hold=False, forbidden=frozenset({2}))
    assert make_view(capped, 1).options == ()
    assert AttritionPolicy().decide(make_view(capped, 1), np.random.default_rng(0)) == Move("yield", 1)


def test_against_a_scripted_opponent_it_yields_at_its_first_winning_draw():
    # One uniform draw a turn: the policy yields at the first turn whose draw falls below 1 - exp(-h).
    them = side(SMALL_LADDER, prevail=1.0, concede=0.0, cost=np.full(6, 0.4))  # h = 0.4 on every rung
    p = -math.expm1(-0.4)
    for seed in range(20):
        draws = np.random.default_rng(seed).random(8)
        turn = next((i for i, u in enumerate(draws) if u < p), None)
        script = ["hold"] * 7
        moves = play(AttritionPolicy(), script, seed=seed, them=them, start_rung=1)
        if turn is None:
            assert moves == [("hold", 1)] * 8
        else:
            assert moves == [("hold", 1)] * turn + [("yield", 1)], seed


def test_registered_by_name():
    assert POLICIES["attrition"] is AttritionPolicy
    policy = make_policy("attrition")
    assert isinstance(policy, AttritionPolicy) and policy == AttritionPolicy()
    assert make_policy("attrition", {}) == policy
