from __future__ import annotations

import numpy as np
import pydantic
import pytest
from crisis_helpers import SMALL_LADDER, make_view, play
from interval_stats import binomial_interval
from policy_contract import PolicyContract

from agents.policies import Move
from agents.policies.mixed import MixedPolicy

DRAWS = 4000


def yield_count(policy: MixedPolicy, seed: int, draws: int = DRAWS) -> int:
    rng = np.random.default_rng(seed)
    view = make_view(SMALL_LADDER, 2)
    return sum(policy.decide(view, rng).kind == "yield" for _ in range(draws))


class TestMixed(PolicyContract):
    policy = MixedPolicy(yield_probability=0.3)

    def test_probability_zero_never_yields(self) -> None:
        assert yield_count(MixedPolicy(yield_probability=0.0), seed=1) == 0

    def test_probability_one_always_yields(self) -> None:
        assert yield_count(MixedPolicy(yield_probability=1.0), seed=2) == DRAWS

    def test_yield_frequency_matches_its_probability(self) -> None:
        # 99% exact binomial interval for 4000 draws at p = 0.3; fixed seed.
        lo, hi = binomial_interval(DRAWS, 0.3, confidence=0.99)
        assert lo <= yield_count(MixedPolicy(yield_probability=0.3), seed=3) <= hi

    def test_otherwise_hold(self) -> None:
        assert play(MixedPolicy(yield_probability=0.0), ["escalate", "hold"]) == [("hold", 0), ("hold", 1), ("hold", 1)]

    def test_otherwise_escalate(self) -> None:
        policy = MixedPolicy(yield_probability=0.0, otherwise="escalate")
        assert play(policy, ["hold", "escalate"]) == [("escalate", 1), ("escalate", 2), ("escalate", 4)]

    def test_hold_not_allowed_escalates_and_escalation_not_allowed_holds(self) -> None:
        rng = np.random.default_rng(0)
        no_hold = SMALL_LADDER.with_doctrine(allow_hold=False)
        assert MixedPolicy(yield_probability=0.0).decide(make_view(no_hold, 1), rng) == Move("escalate", 2)
        capped = SMALL_LADDER.with_doctrine(forbidden=frozenset({2}))
        policy = MixedPolicy(yield_probability=0.0, otherwise="escalate")
        assert policy.decide(make_view(capped, 1), rng) == Move("hold", 1)

    def test_yield_probability_one_yields_at_once(self) -> None:
        assert play(MixedPolicy(yield_probability=1.0), ["escalate"], policy_first=False) == [("yield", 1)]

    @pytest.mark.parametrize("probability", [-0.1, 1.1])
    def test_rejects_probabilities_outside_zero_one(self, probability: float) -> None:
        with pytest.raises(pydantic.ValidationError):
            MixedPolicy(yield_probability=probability)
