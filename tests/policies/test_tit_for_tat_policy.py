from __future__ import annotations

import numpy as np
from crisis_helpers import SMALL_LADDER, make_view, play
from policy_contract import PolicyContract

from agents.policies import Move, Turn
from agents.policies.tit_for_tat import TitForTatPolicy


class TestTitForTat(PolicyContract):
    policy = TitForTatPolicy()

    def test_mirrors_escalate_hold_escalate(self) -> None:
        moves = play(TitForTatPolicy(), ["escalate", "hold", "escalate"])
        assert moves == [("hold", 0), ("escalate", 2), ("hold", 2), ("escalate", 4)]

    def test_opening_escalate_then_mirrors_holds(self) -> None:
        moves = play(TitForTatPolicy(opening="escalate"), ["hold", "hold"])
        assert moves == [("escalate", 1), ("hold", 1), ("hold", 1)]

    def test_answers_in_kind_when_moving_second(self) -> None:
        moves = play(TitForTatPolicy(), ["escalate", "hold", "escalate", "escalate"], policy_first=False)
        assert moves == [("escalate", 2), ("hold", 2), ("escalate", 4)]

    def test_mirrors_the_kind_not_the_size_of_a_jump(self) -> None:
        # The opponent jumps from rung 0 to rung 3; tit for tat answers with one rung.
        ladder = SMALL_LADDER.with_doctrine(jumps=((0, 3),))
        assert play(TitForTatPolicy(), [3, "hold"], ladder=ladder) == [("hold", 0), ("escalate", 4), ("hold", 4)]

    def test_escalates_where_holding_is_not_allowed(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(allow_hold=False)
        assert play(TitForTatPolicy(), [2], ladder=ladder, start_rung=1, policy_first=False) == [("escalate", 3)]
        # Opening "hold" on a ladder without holding becomes a one-rung escalation.
        assert play(TitForTatPolicy(), [], ladder=ladder) == [("escalate", 1)]

    def test_holds_where_escalating_is_not_allowed(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(forbidden=frozenset({2}))
        assert play(TitForTatPolicy(), ["escalate"], ladder=ladder) == [("hold", 0), ("hold", 1)]

    def test_yields_only_when_no_rung_is_allowed(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(allow_hold=False, forbidden=frozenset({3}))
        view = make_view(ladder, 2, history=(Turn(mine=False, kind="escalate", rung=2),))
        assert view.options == ()
        assert TitForTatPolicy().decide(view, np.random.default_rng(0)) == Move("yield", 2)

    def test_answers_the_opponents_last_move_not_an_earlier_one(self) -> None:
        rng = np.random.default_rng(0)
        held_last = (
            Turn(mine=False, kind="escalate", rung=1),
            Turn(mine=True, kind="hold", rung=1),
            Turn(mine=False, kind="hold", rung=1),
        )
        assert TitForTatPolicy().decide(make_view(rung=1, history=held_last), rng) == Move("hold", 1)
        escalated_last = (
            Turn(mine=False, kind="hold", rung=0),
            Turn(mine=True, kind="hold", rung=0),
            Turn(mine=False, kind="escalate", rung=1),
        )
        assert TitForTatPolicy().decide(make_view(rung=1, history=escalated_last), rng) == Move("escalate", 2)
