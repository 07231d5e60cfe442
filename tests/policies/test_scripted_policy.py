from __future__ import annotations

import numpy as np
import pydantic
import pytest
from crisis_helpers import SMALL_LADDER, make_view, play, side
from policy_contract import PolicyContract

from agents.policies import Move, Turn
from agents.policies.scripted import ScriptedPolicy

JUMP_LADDER = SMALL_LADDER.with_doctrine(jumps=((0, 3),))
"""From rungs 0-2 the doctrine allows a jump straight to rung 3."""


class TestScripted(PolicyContract):
    policy = ScriptedPolicy(moves=("hold", "escalate", 3, "yield"), then="repeat")

    def test_plays_the_list_in_order(self) -> None:
        moves = play(ScriptedPolicy(moves=("escalate", "hold", "yield")), ["hold", "hold", "hold"])
        assert moves == [("escalate", 1), ("hold", 1), ("yield", 1)]

    def test_counts_its_own_turns_not_the_opponents(self) -> None:
        moves = play(ScriptedPolicy(moves=("hold", "escalate")), ["escalate", "escalate"], policy_first=False)
        assert moves == [("hold", 1), ("escalate", 3)]

    def test_then_hold_after_the_list(self) -> None:
        moves = play(ScriptedPolicy(moves=("escalate",)), ["hold", "escalate", "hold"])
        assert moves == [("escalate", 1), ("hold", 1), ("hold", 2), ("hold", 2)]

    def test_then_repeat_starts_the_list_again(self) -> None:
        moves = play(ScriptedPolicy(moves=("escalate", "hold"), then="repeat"), ["hold"] * 4)
        assert moves == [("escalate", 1), ("hold", 1), ("escalate", 2), ("hold", 2), ("escalate", 3)]

    @pytest.mark.parametrize(("then", "expected"), [("yield", ("yield", 1)), ("escalate", ("escalate", 2))])
    def test_then_yield_or_escalate(self, then: str, expected: tuple[str, int]) -> None:
        assert play(ScriptedPolicy(moves=("escalate",), then=then), ["hold"]) == [("escalate", 1), expected]

    def test_goes_to_a_listed_rung(self) -> None:
        assert play(ScriptedPolicy(moves=(3, 4)), ["hold"], ladder=JUMP_LADDER) == [("escalate", 3), ("escalate", 4)]

    def test_rung_too_high_becomes_the_highest_allowed_below_it(self) -> None:
        # From rung 0 the options are 0, 1 and 3: rung 5 falls back to 3, rung 2 to 1.
        assert play(ScriptedPolicy(moves=(5,)), [], ladder=JUMP_LADDER) == [("escalate", 3)]
        assert play(ScriptedPolicy(moves=(2,)), [], ladder=JUMP_LADDER) == [("escalate", 1)]
        # From rung 3 (options 3, 4) rung 5 falls back to 4.
        assert play(ScriptedPolicy(moves=(5,)), [], ladder=JUMP_LADDER, start_rung=3) == [("escalate", 4)]

    def test_listed_current_rung_is_a_hold(self) -> None:
        assert play(ScriptedPolicy(moves=(2,)), [], start_rung=2) == [("hold", 2)]

    def test_hold_not_allowed_becomes_a_one_rung_escalation(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(allow_hold=False)
        assert play(ScriptedPolicy(moves=("hold", "hold")), ["escalate"], ladder=ladder) == [
            ("escalate", 1),
            ("escalate", 3),
        ]

    def test_escalation_not_allowed_falls_back_to_holding(self) -> None:
        ladder = SMALL_LADDER.with_doctrine(forbidden=frozenset({2}))
        assert play(ScriptedPolicy(moves=("escalate",)), [], ladder=ladder, start_rung=1) == [("hold", 1)]

    def test_yields_when_nothing_fits(self) -> None:
        # No holding and rung 3 forbidden: from rung 2 nothing at or below the target is allowed.
        ladder = SMALL_LADDER.with_doctrine(allow_hold=False, forbidden=frozenset({3}))
        assert play(ScriptedPolicy(moves=("escalate",)), [], ladder=ladder, start_rung=2) == [("yield", 2)]
        assert play(ScriptedPolicy(moves=("hold",)), [], ladder=ladder, start_rung=2) == [("yield", 2)]

    def test_same_script_whatever_the_view(self) -> None:
        rng = np.random.default_rng(0)
        fearful = make_view(me=side(fear=1.0, recklessness=0.0), decision_noise=1.0)
        history = (Turn(mine=True, kind="hold", rung=0), Turn(mine=False, kind="hold", rung=0))
        policy = ScriptedPolicy(moves=("hold", "escalate"))
        assert policy.decide(fearful, rng) == Move("hold", 0)
        assert policy.decide(make_view(history=history, resolve_estimate=0.9), rng) == Move("escalate", 1)

    def test_rejects_an_empty_script_and_unknown_moves(self) -> None:
        with pytest.raises(pydantic.ValidationError):
            ScriptedPolicy(moves=())
        with pytest.raises(pydantic.ValidationError):
            ScriptedPolicy(moves=("retreat",))
