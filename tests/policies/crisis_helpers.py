"""Builders for crisis views and a scripted-opponent harness for policy tests.

`play` works like the Axelrod library's ``test_versus``: the policy under test plays against a
fixed list of opponent moves, sees its own earlier moves and the opponent's in `history`, and
the function returns what the policy did, as ``(kind, rung)`` pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from agents.policies import CrisisView, Move, Policy, SideView, Stage, Turn

OpponentMove = str | int
"""A scripted opponent move: "yield", "hold", "escalate" or a rung number to go to."""


@dataclass(frozen=True)
class Ladder:
    """A test ladder: per-rung arrays plus a doctrine (hold allowed, jumps, forbidden rungs).

    Options mirror `agents.doctrine.Doctrine.options`: the next rung up, the current rung when
    holding is allowed, and ``to`` for every jump ``(start, to)`` with ``start <= rung < to``;
    forbidden rungs are removed.
    """

    slip: np.ndarray
    decisive: np.ndarray
    allow_hold: bool = True
    jumps: tuple[tuple[int, int], ...] = ()
    forbidden: frozenset[int] = frozenset()

    @property
    def size(self) -> int:
        return int(self.slip.shape[0])

    @property
    def top(self) -> int:
        return self.size - 1

    @property
    def catastrophe(self) -> np.ndarray:
        flags = np.zeros(self.size, dtype=bool)
        flags[-1] = True
        return flags

    def options(self, rung: int) -> tuple[int, ...]:
        reachable = {rung + 1} if rung < self.top else set()
        if self.allow_hold:
            reachable.add(rung)
        reachable.update(to for start, to in self.jumps if start <= rung < to)
        return tuple(sorted(r for r in reachable if r <= self.top and r not in self.forbidden))

    def allowed(self) -> np.ndarray:
        """``allowed[side, r, r2]`` for both sides (same doctrine); no moves from the top rung."""
        table = np.zeros((2, self.size, self.size), dtype=bool)
        for r in range(self.top):
            table[:, r, list(self.options(r))] = True
        return table

    def with_doctrine(self, **changes: Any) -> Ladder:
        return replace(self, **changes)


SMALL_LADDER = Ladder(
    slip=np.array([0.0, 0.01, 0.03, 0.08, 0.2, 1.0]),
    decisive=np.array([0.0, 0.0, 0.05, 0.1, 0.2, 0.0]),
)
"""Six rungs, slip rising with the rung, the top rung all-out war; holding allowed."""

HAYNES_LADDER = Ladder(slip=np.arange(11) / 10.0, decisive=np.zeros(11), allow_hold=False)
"""Haynes (2019): standing firm in round k moves to rung k with disaster risk k/10; no holding."""


def side(ladder: Ladder = SMALL_LADDER, **overrides: Any) -> SideView:
    """A side with prevail 1 > stalemate 0.5 > concede 0 > disaster -5, neutral traits, no damage."""
    values: dict[str, Any] = {
        "prevail": 1.0,
        "concede": 0.0,
        "disaster": -5.0,
        "stalemate": 0.5,
        "fear": 0.5,
        "recklessness": 0.5,
        "share": 0.5,
        "cost": np.zeros(ladder.size),
        "exposure": np.zeros(ladder.size),
    }
    values.update(overrides)
    return SideView(**values)


HAYNES_SIDE = side(HAYNES_LADDER, prevail=1.0, concede=0.0, disaster=-2.0, stalemate=0.0)
"""Haynes's payoffs: prevail +1, concede 0, disaster -2 (both players)."""


def make_view(
    ladder: Ladder = SMALL_LADDER,
    rung: int = 0,
    *,
    me: SideView | None = None,
    them: SideView | None = None,
    history: Sequence[Turn] = (),
    steps_left: int = 20,
    elapsed: int | None = None,
    resolve_estimate: float = 0.1,
    reckless_image: float = 0.5,
    risk_sensitivity: float = 2.0,
    standfast_spread: float = 0.1,
    decision_noise: float = 0.0,
    stage: Stage | None = None,
) -> CrisisView:
    """The view of the side to move on `ladder` at `rung`; options follow the ladder's doctrine."""
    return CrisisView(
        rung=rung,
        options=ladder.options(rung),
        slip=ladder.slip,
        decisive=ladder.decisive,
        catastrophe=ladder.catastrophe,
        allowed=ladder.allowed(),
        me=me if me is not None else side(ladder),
        them=them if them is not None else side(ladder),
        resolve_estimate=resolve_estimate,
        reckless_image=reckless_image,
        history=tuple(history),
        elapsed=len(history) if elapsed is None else elapsed,
        steps_left=steps_left,
        risk_sensitivity=risk_sensitivity,
        standfast_spread=standfast_spread,
        decision_noise=decision_noise,
        stage=stage,
    )


def random_stage(rng: np.random.Generator, moves: int) -> Stage:
    """A stage game over `moves` options (yield first): random probabilities, values and own type.

    The obstinate type's move is the second option (a hold or the step up); one view in five has
    the obstinate type to move, and some probabilities are exactly 0, as in a pure equilibrium.
    """
    weights = rng.dirichlet(np.ones(moves)) * (rng.uniform(size=moves) < 0.8)
    if weights.sum() == 0:
        weights[int(rng.integers(moves))] = 1.0
    return Stage(
        probabilities=tuple(float(w) for w in weights / weights.sum()),
        values=tuple(float(v) for v in rng.normal(size=moves)),
        obstinate=bool(rng.uniform() < 0.2),
        obstinate_move=1,
        belief=float(rng.uniform()),
    )


def is_allowed(move: Move, view: CrisisView) -> bool:
    """Whether `move` is a legal answer to `view`, with a kind that matches its rung."""
    if move.kind == "yield":
        return move.rung == view.rung
    if move.rung not in view.options:
        return False
    if move.kind == "hold":
        return move.rung == view.rung
    return move.kind == "escalate" and move.rung > view.rung


def _opponent_turn(step: OpponentMove, rung: int) -> Turn:
    if step == "yield":
        return Turn(mine=False, kind="yield", rung=rung)
    if step == "hold":
        return Turn(mine=False, kind="hold", rung=rung)
    target = rung + 1 if step == "escalate" else int(step)
    if target < rung:
        raise ValueError(f"a scripted opponent cannot go down from rung {rung} to {target}")
    return Turn(mine=False, kind="hold" if target == rung else "escalate", rung=target)


def play(
    policy: Policy,
    opponent_moves: Sequence[OpponentMove],
    *,
    ladder: Ladder = SMALL_LADDER,
    policy_first: bool = True,
    start_rung: int = 0,
    seed: int = 0,
    horizon: int | None = None,
    **view_kwargs: Any,
) -> list[tuple[str, int]]:
    """Play `policy` against a scripted opponent and return the policy's moves as (kind, rung).

    The sides alternate, the policy first unless `policy_first` is false. Each view carries the
    whole history (``mine`` set on the policy's own turns), the current rung and
    ``steps_left = horizon - len(history)``. Play stops when either side yields, the top rung is
    reached, or the opponent's script runs out (after the policy's answer to its last move).
    Every move the policy returns is checked to be allowed.
    """
    rng = np.random.default_rng(seed)
    if horizon is None:
        horizon = 2 * len(opponent_moves) + 2
    history: list[Turn] = []
    moves: list[tuple[str, int]] = []
    rung = start_rung
    script = list(opponent_moves)

    def opponent() -> bool:
        nonlocal rung
        turn = _opponent_turn(script.pop(0), rung)
        history.append(turn)
        rung = turn.rung
        return turn.kind != "yield" and rung < ladder.top

    if not policy_first and not opponent():
        return moves
    while True:
        view = make_view(ladder, rung, history=history, steps_left=horizon - len(history), **view_kwargs)
        move = policy.decide(view, rng)
        assert is_allowed(move, view), f"{policy!r} played {move} at rung {rung}, options {view.options}"
        moves.append((move.kind, move.rung))
        history.append(Turn(mine=True, kind=move.kind, rung=move.rung))
        rung = move.rung
        if move.kind == "yield" or rung >= ladder.top or not script:
            return moves
        if not opponent():
            return moves


def random_side(rng: np.random.Generator, size: int) -> SideView:
    """Random payoffs with prevail > stalemate > concede > disaster and random traits."""
    prevail = float(rng.uniform(0.2, 2.0))
    concede = prevail - float(rng.uniform(0.05, 1.5))
    disaster = concede - float(rng.uniform(0.05, 10.0))
    stalemate = float(rng.uniform(concede, prevail))
    return SideView(
        prevail=prevail,
        concede=concede,
        disaster=disaster,
        stalemate=stalemate,
        fear=float(rng.uniform()),
        recklessness=float(rng.uniform()),
        share=float(rng.uniform(0.05, 0.95)),
        cost=rng.uniform(0.0, 0.05, size) * (rng.uniform() < 0.5),
        exposure=rng.uniform(0.0, 0.05, size) * (rng.uniform() < 0.5),
    )


def random_history(rng: np.random.Generator, rung: int, max_length: int = 7) -> tuple[Turn, ...]:
    """A plausible alternating history that ends on `rung` with the opponent's move."""
    length = int(rng.integers(0, max_length + 1))
    if length == 0:
        return ()
    rungs = np.sort(rng.integers(0, rung + 1, size=length))
    rungs[-1] = rung
    turns: list[Turn] = []
    previous = 0
    for position, r in enumerate(rungs):
        mine = (length - 1 - position) % 2 == 1
        turns.append(Turn(mine=mine, kind="hold" if r == previous else "escalate", rung=int(r)))
        previous = int(r)
    return tuple(turns)


def random_ladder(rng: np.random.Generator) -> Ladder:
    """3 to 8 rungs, slip increasing to 1 at the top, random hold rule and jumps."""
    size = int(rng.integers(3, 9))
    inner = np.sort(rng.uniform(0.0, 0.6, size - 2))
    slip = np.concatenate(([0.0], inner, [1.0]))
    decisive = np.concatenate((rng.uniform(0.0, 0.3, size - 1) * (rng.uniform() < 0.5), [0.0]))
    jumps: tuple[tuple[int, int], ...] = ()
    if size >= 4 and rng.uniform() < 0.5:
        start = int(rng.integers(0, size - 2))
        jumps = ((start, int(rng.integers(start + 2, size))),)
    return Ladder(slip=slip, decisive=decisive, allow_hold=bool(rng.uniform() < 0.5), jumps=jumps)


def random_view(rng: np.random.Generator) -> CrisisView:
    """A random but well-formed view with at least one rung option (the next rung up) and a stage game."""
    ladder = random_ladder(rng)
    rung = int(rng.integers(0, ladder.top))
    view = make_view(
        ladder,
        rung,
        me=random_side(rng, ladder.size),
        them=random_side(rng, ladder.size),
        history=random_history(rng, rung),
        steps_left=int(rng.integers(1, 13)),
        resolve_estimate=float(rng.uniform()),
        reckless_image=float(rng.uniform()),
        risk_sensitivity=float(rng.uniform(0.0, 3.0)),
        standfast_spread=float(rng.uniform(0.02, 0.3)),
        decision_noise=0.0 if rng.uniform() < 0.5 else float(rng.uniform(0.05, 1.0)),
    )
    return replace(view, stage=random_stage(rng, 1 + len(view.options)))


def random_views(count: int, seed: int) -> list[CrisisView]:
    rng = np.random.default_rng(seed)
    return [random_view(rng) for _ in range(count)]
