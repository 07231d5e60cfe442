from __future__ import annotations

import numpy as np
import pytest
from crisis_helpers import HAYNES_LADDER, HAYNES_SIDE, Ladder, make_view, play, side
from policy_contract import PolicyContract

from agents.policies import Move
from agents.policies.backward_induction import BackwardInductionPolicy

HAYNES = {"ladder": HAYNES_LADDER, "me": HAYNES_SIDE, "them": HAYNES_SIDE}

# Haynes (2019): rounds 4-10 concede, round 3 stands firm, round 2 concedes, round 1 stands firm.
HAYNES_ROUNDS = [(1, "escalate"), (2, "yield"), (3, "escalate")] + [(k, "yield") for k in range(4, 11)]


def haynes_move(round_: int) -> Move:
    """The move in round k: from rung k - 1 with 11 - k of the 10 moves left."""
    view = make_view(HAYNES_LADDER, round_ - 1, me=HAYNES_SIDE, them=HAYNES_SIDE, steps_left=11 - round_)
    return BackwardInductionPolicy().decide(view, np.random.default_rng(0))


class TestBackwardInduction(PolicyContract):
    policy = BackwardInductionPolicy()

    @pytest.mark.parametrize(("round_", "kind"), HAYNES_ROUNDS)
    def test_haynes_round_by_round(self, round_: int, kind: str) -> None:
        move = haynes_move(round_)
        assert move.kind == kind
        assert move.rung == (round_ if kind == "escalate" else round_ - 1)

    def test_haynes_first_mover_stands_firm_and_second_yields(self) -> None:
        assert play(BackwardInductionPolicy(), [], horizon=10, **HAYNES) == [("escalate", 1)]
        assert play(BackwardInductionPolicy(), ["escalate"], horizon=10, policy_first=False, **HAYNES) == [("yield", 1)]

    def test_haynes_off_the_equilibrium_path(self) -> None:
        # If the second player stands firm in round 2 anyway, P1 stands firm in round 3 and
        # concedes in round 5.
        moves = play(BackwardInductionPolicy(), ["escalate", "escalate"], horizon=10, **HAYNES)
        assert moves == [("escalate", 1), ("escalate", 3), ("yield", 4)]

    def test_yields_when_the_opponent_is_resolute_enough(self) -> None:
        # Slip 0.1 at rung 1 and 0.3 at rung 2. P1's critical risk is 1/4.5 ~ 0.22. Against a
        # P2 whose critical risk is 1/3.5 ~ 0.29 < 0.3, P2 would yield at rung 1, so P1 stands
        # firm; against a P2 with critical risk 1/2 > 0.3, P2 would stand firm and P1 yields at once.
        ladder = Ladder(slip=np.array([0.0, 0.1, 0.3, 1.0]), decisive=np.zeros(4), allow_hold=False)
        me = side(ladder, prevail=1.0, concede=0.0, disaster=-3.5, stalemate=0.0)
        weak = side(ladder, prevail=1.0, concede=0.0, disaster=-2.5, stalemate=0.0)
        strong = side(ladder, prevail=1.0, concede=0.0, disaster=-1.0, stalemate=0.0)
        rng = np.random.default_rng(0)
        assert BackwardInductionPolicy().decide(make_view(ladder, 0, me=me, them=weak, steps_left=3), rng) == Move(
            "escalate", 1
        )
        assert BackwardInductionPolicy().decide(make_view(ladder, 0, me=me, them=strong, steps_left=3), rng) == Move(
            "yield", 0
        )

    def test_last_move_before_a_worthless_stalemate_is_a_yield(self) -> None:
        # One move left: standing firm at rung 1 is worth 0.9 * stalemate(0) + 0.1 * (-2) < 0.
        move = BackwardInductionPolicy().decide(
            make_view(HAYNES_LADDER, 0, me=HAYNES_SIDE, them=HAYNES_SIDE, steps_left=1), np.random.default_rng(0)
        )
        assert move == Move("yield", 0)

    def test_holds_a_riskless_rung_when_stalemate_beats_conceding(self) -> None:
        ladder = Ladder(slip=np.array([0.0, 0.5, 1.0]), decisive=np.zeros(3))
        me = side(ladder, prevail=1.0, concede=0.0, disaster=-5.0, stalemate=0.5)
        view = make_view(ladder, 0, me=me, them=me, steps_left=1)
        assert BackwardInductionPolicy().decide(view, np.random.default_rng(0)) == Move("hold", 0)
