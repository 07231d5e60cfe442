"""The contract every policy must keep, checked against its own classifier (Axelrod-style).

A test class per policy inherits `PolicyContract` and sets `policy` to an instance. The class
name does not start with ``Test``, so pytest collects the checks only through the subclasses.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import ClassVar

import numpy as np
from crisis_helpers import is_allowed, random_history, random_side, random_views

from agents.policies import POLICIES, CrisisView, Move, Policy, Turn, make_policy

VIEW_COUNT = 200
SEEDS = (0, 1, 2, 3, 4, 12345)


@cache
def contract_views() -> tuple[CrisisView, ...]:
    """The same 200 random views for every policy (fixed seed)."""
    return tuple(random_views(VIEW_COUNT, seed=20240619))


def decide(policy: Policy, view: CrisisView, seed: int = 0) -> Move:
    return policy.decide(view, np.random.default_rng(seed))


def _replace_prefix(view: CrisisView, keep: int, rng: np.random.Generator) -> CrisisView:
    """`view` with every turn but the last `keep` replaced by a fresh random prefix."""
    tail = view.history[len(view.history) - keep :] if keep else ()
    if tail:
        prefix = random_history(rng, tail[0].rung)
        if not tail[0].mine:  # random_history ends on the opponent's turn; make it end on ours
            prefix = tuple(Turn(mine=not t.mine, kind=t.kind, rung=t.rung) for t in prefix)
    else:
        prefix = random_history(rng, view.rung)
    return replace(view, history=prefix + tail)


class PolicyContract:
    """Checks that hold for every policy, given what its classifier declares."""

    policy: ClassVar[Policy]

    @property
    def classifier(self) -> dict[str, object]:
        return type(self.policy).classifier

    def _some_view(self, changes: Callable[[CrisisView, int], bool]) -> bool:
        # Each view is probed with its own seed, so a stochastic policy's dependence on the view
        # shows even when one seed's draw would hide it.
        return any(changes(view, seed) for seed, view in enumerate(contract_views()))

    def test_same_seed_same_moves(self) -> None:
        first = np.random.default_rng(99)
        second = np.random.default_rng(99)
        for view in contract_views():
            assert self.policy.decide(view, first) == self.policy.decide(view, second)

    def test_stochastic_classifier(self) -> None:
        def depends_on_seed(view: CrisisView, _: int) -> bool:
            return len({decide(self.policy, view, seed) for seed in SEEDS}) > 1

        if self.classifier["stochastic"]:
            assert self._some_view(depends_on_seed)
        else:
            assert not self._some_view(depends_on_seed)

    def test_may_yield_classifier(self) -> None:
        yields = [decide(self.policy, view, seed).kind == "yield" for seed, view in enumerate(contract_views())]
        assert any(yields) == self.classifier["may_yield"]

    def test_may_escalate_classifier(self) -> None:
        escalations = [decide(self.policy, view, seed).kind == "escalate" for seed, view in enumerate(contract_views())]
        assert any(escalations) == self.classifier["may_escalate"]

    def test_complete_information_classifier(self) -> None:
        rng = np.random.default_rng(7)

        def reads_them(view: CrisisView, seed: int) -> bool:
            other = replace(view, them=random_side(rng, view.slip.shape[0]))
            return decide(self.policy, view, seed) != decide(self.policy, other, seed)

        assert self._some_view(reads_them) == self.classifier["complete_information"]

    def test_uses_beliefs_classifier(self) -> None:
        rng = np.random.default_rng(8)

        def reads_beliefs(view: CrisisView, seed: int) -> bool:
            other = replace(view, resolve_estimate=float(rng.uniform()), reckless_image=float(rng.uniform()))
            return decide(self.policy, view, seed) != decide(self.policy, other, seed)

        assert self._some_view(reads_beliefs) == self.classifier["uses_beliefs"]

    def test_memory_depth_classifier(self) -> None:
        depth = self.classifier["memory_depth"]
        assert isinstance(depth, int | float) and depth >= 0
        rng = np.random.default_rng(9)

        def reads_beyond(view: CrisisView, keep: int, seed: int) -> bool:
            return decide(self.policy, view, seed) != decide(self.policy, _replace_prefix(view, keep, rng), seed)

        if depth != float("inf"):
            keep = int(depth)
            # Turns older than the declared depth never matter (with depth 0: no turn matters).
            older = [(s, v) for s, v in enumerate(contract_views()) if keep == 0 or len(v.history) > keep]
            assert len(older) > VIEW_COUNT // 2
            assert not any(reads_beyond(view, keep, seed) for seed, view in older)
        if depth > 0:
            # The declared memory is used: replacing the whole history changes some move.
            assert self._some_view(lambda view, seed: reads_beyond(view, 0, seed))

    def test_every_move_is_allowed(self) -> None:
        for seed, view in enumerate(contract_views()):
            move = decide(self.policy, view, seed)
            assert is_allowed(move, view), (move, view.rung, view.options)

    def test_never_yields_while_it_declares_it_cannot(self) -> None:
        # Stricter than the classifier check above: for every seed, not just seed 0.
        if self.classifier["may_yield"]:
            return
        for view in contract_views():
            assert all(decide(self.policy, view, seed).kind != "yield" for seed in SEEDS)

    def test_decide_does_not_change_the_view(self) -> None:
        for view in contract_views()[:50]:
            before = copy.deepcopy(view)
            decide(self.policy, view)
            for name in ("slip", "decisive", "catastrophe", "allowed"):
                np.testing.assert_array_equal(getattr(view, name), getattr(before, name))
            assert view.history == before.history and view.options == before.options

    def test_clone_plays_identically_and_compares_equal(self) -> None:
        clone = self.policy.clone()
        assert clone is not self.policy
        assert clone == self.policy and hash(clone) == hash(self.policy)
        for seed, view in enumerate(contract_views()):
            assert decide(clone, view, seed) == decide(self.policy, view, seed)

    def test_pickle_round_trip_plays_identically_and_compares_equal(self) -> None:
        restored = pickle.loads(pickle.dumps(self.policy))
        assert restored == self.policy and hash(restored) == hash(self.policy)
        for seed, view in enumerate(contract_views()):
            assert decide(restored, view, seed) == decide(self.policy, view, seed)

    def test_registered_once_under_its_name(self) -> None:
        cls = type(self.policy)
        assert POLICIES[cls.name] is cls
        assert list(POLICIES.values()).count(cls) == 1
        assert make_policy(cls.name, self.policy.params.model_dump()) == self.policy
