from __future__ import annotations

import numpy as np
from crisis_helpers import SMALL_LADDER, make_view, play
from policy_contract import PolicyContract

from agents.policies import Move
from agents.policies.fixed import DovePolicy, HawkPolicy

JUMP_LADDER = SMALL_LADDER.with_doctrine(jumps=((0, 3), (3, 5)))
"""From rungs 0-2 a jump to 3 is allowed, from rungs 3-4 a jump to the top."""


class TestHawk(PolicyContract):
    policy = HawkPolicy()

    def test_escalates_one_rung_every_turn(self) -> None:
        assert play(HawkPolicy(), ["hold", "hold", "yield"]) == [("escalate", 1), ("escalate", 2), ("escalate", 3)]

    def test_escalates_past_an_escalating_opponent_to_the_top(self) -> None:
        assert play(HawkPolicy(), ["escalate", "escalate", "escalate"]) == [
            ("escalate", 1),
            ("escalate", 3),
            ("escalate", 5),
        ]

    def test_without_jump_ignores_the_doctrines_jumps(self) -> None:
        assert play(HawkPolicy(jump=False), ["hold"], ladder=JUMP_LADDER) == [("escalate", 1), ("escalate", 2)]

    def test_holds_at_the_ceiling_of_its_options(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(forbidden=frozenset({3}))
        assert play(HawkPolicy(), ["hold", "hold"], ladder=ladder, start_rung=1) == [
            ("escalate", 2),
            ("hold", 2),
            ("hold", 2),
        ]

    def test_yields_only_when_no_rung_is_allowed(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(allow_hold=False, forbidden=frozenset({3}))
        assert HawkPolicy().decide(make_view(ladder, 2), np.random.default_rng(0)) == Move("yield", 2)


class TestHawkJump(PolicyContract):
    policy = HawkPolicy(jump=True)

    def test_takes_the_highest_doctrine_option(self) -> None:
        rng = np.random.default_rng(0)
        for rung, expected in [(0, 3), (1, 3), (2, 3), (3, 5), (4, 5)]:
            view = make_view(JUMP_LADDER, rung)
            assert (
                HawkPolicy(jump=True).decide(view, rng)
                == Move("escalate", max(view.options))
                == Move("escalate", expected)
            )

    def test_jumps_against_a_holding_opponent(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(jumps=((0, 3),))
        assert play(HawkPolicy(jump=True), ["hold", "hold"], ladder=ladder) == [
            ("escalate", 3),
            ("escalate", 4),
            ("escalate", 5),
        ]

    def test_one_rung_when_there_is_no_jump(self) -> None:
        assert play(HawkPolicy(jump=True), ["hold"]) == [("escalate", 1), ("escalate", 2)]


class TestDove(PolicyContract):
    policy = DovePolicy()

    def test_yields_at_once(self) -> None:
        assert play(DovePolicy(), ["escalate", "escalate"]) == [("yield", 0)]

    def test_yields_at_once_when_moving_second(self) -> None:
        assert play(DovePolicy(), ["escalate", "escalate"], policy_first=False) == [("yield", 1)]

    def test_yields_even_where_holding_is_safe(self) -> None:
        view = make_view(SMALL_LADDER, 0, resolve_estimate=0.0, reckless_image=0.0)
        assert DovePolicy().decide(view, np.random.default_rng(0)) == Move("yield", 0)
