from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from crisis_helpers import SMALL_LADDER, make_view, play, random_view, side
from hypothesis import given, settings
from hypothesis import strategies as st
from interval_stats import binomial_interval
from policy_contract import PolicyContract

from agents.policies import CrisisView, Move
from agents.policies.heuristic import HeuristicPolicy

FEARFUL = side(fear=1.0, recklessness=0.0)
RECKLESS = side(fear=0.0, recklessness=1.0)
unit = st.floats(0.0, 1.0)


def greedy(view: CrisisView) -> Move:
    return HeuristicPolicy().decide(replace(view, decision_noise=0.0), np.random.default_rng(0))


def view_from_seed(seed: int) -> CrisisView:
    return replace(random_view(np.random.default_rng(seed)), decision_noise=0.0)


class TestHeuristic(PolicyContract):
    policy = HeuristicPolicy()

    @pytest.mark.parametrize("rung", [1, 2, 3, 4])
    def test_fearful_yields_where_reckless_stands_firm(self, rung: int) -> None:
        fearful = greedy(make_view(SMALL_LADDER, rung, me=FEARFUL))
        reckless = greedy(make_view(SMALL_LADDER, rung, me=RECKLESS))
        assert fearful == Move("yield", rung)
        assert reckless.kind in ("hold", "escalate")

    def test_fearful_and_reckless_against_an_escalating_opponent(self) -> None:
        # Holding the status quo risks nothing, so the fearful state opens by holding and yields
        # once the crisis is on a risky rung; the reckless one escalates until only the
        # catastrophe rung is above it, and then holds.
        assert play(HeuristicPolicy(), ["escalate"], me=FEARFUL) == [("hold", 0), ("yield", 1)]
        assert play(HeuristicPolicy(), ["escalate", "escalate"], me=RECKLESS) == [
            ("escalate", 1),
            ("escalate", 3),
            ("hold", 4),
        ]

    def test_greedy_choice_is_the_best_value_with_ties_to_yield(self) -> None:
        for seed in range(300):
            view = view_from_seed(seed)
            concede, values = HeuristicPolicy().values(view)
            move = greedy(view)
            if concede >= values.max():
                assert move.kind == "yield"
            else:
                assert move.rung == view.options[int(np.argmax(values))]
                assert move.kind != "yield"

    def test_catastrophe_rung_is_worth_disaster(self) -> None:
        view = make_view(SMALL_LADDER, 4, me=RECKLESS)
        _, values = HeuristicPolicy().values(view)
        assert view.options == (4, 5)
        assert values[1] == RECKLESS.disaster

    def test_holding_a_riskless_rung_beats_yielding(self) -> None:
        # Slip 0 at rung 0: holding is worth (1 - q) * prevail + q * concede > concede for q < 1.
        assert greedy(make_view(SMALL_LADDER, 0, me=FEARFUL, resolve_estimate=1.0)).kind != "yield"

    def test_softmax_frequencies_match_the_values(self) -> None:
        # Bonferroni over 3 options: each count inside its 99.67% exact binomial interval, so all
        # three together hold with at least 99% confidence. 20,000 draws, fixed seed.
        view = make_view(SMALL_LADDER, 3, decision_noise=0.3)
        concede, values = HeuristicPolicy().values(view)
        logits = np.concatenate(([concede], values)) / view.decision_noise
        expected = np.exp(logits - logits.max())
        expected /= expected.sum()
        rng = np.random.default_rng(2024)
        draws = 20_000
        counts = {Move("yield", 3): 0, Move("hold", 3): 0, Move("escalate", 4): 0}
        for _ in range(draws):
            counts[HeuristicPolicy().decide(view, rng)] += 1
        assert min(expected) > 0.02
        for count, probability in zip(counts.values(), expected, strict=True):
            lo, hi = binomial_interval(draws, float(probability), confidence=1 - 0.01 / 3)
            assert lo <= count <= hi


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), low=unit, high=unit)
def test_more_fear_never_stops_a_yield(seed: int, low: float, high: float) -> None:
    # Every rung's value falls as perceived risk rises (disaster is below prevail and concede),
    # while the value of yielding is fixed: a state that yields still yields with more fear.
    low, high = sorted((low, high))
    view = view_from_seed(seed)
    calm = replace(view, me=replace(view.me, fear=low))
    afraid = replace(view, me=replace(view.me, fear=high))
    if greedy(calm).kind == "yield":
        assert greedy(afraid).kind == "yield"


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), low=unit, high=unit)
def test_less_recklessness_never_stops_a_yield(seed: int, low: float, high: float) -> None:
    low, high = sorted((low, high))
    view = view_from_seed(seed)
    bold = replace(view, me=replace(view.me, recklessness=high))
    timid = replace(view, me=replace(view.me, recklessness=low))
    if greedy(bold).kind == "yield":
        assert greedy(timid).kind == "yield"


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1), low=unit, high=unit, field=st.sampled_from(["resolve_estimate", "reckless_image"])
)
def test_a_more_resolute_or_reckless_looking_opponent_never_stops_a_yield(
    seed: int, low: float, high: float, field: str
) -> None:
    # A higher estimated resolve or reckless image raises the chance the opponent stands fast,
    # which lowers the value of every rung (prevail > concede).
    low, high = sorted((low, high))
    view = view_from_seed(seed)
    if greedy(replace(view, **{field: low})).kind == "yield":
        assert greedy(replace(view, **{field: high})).kind == "yield"
