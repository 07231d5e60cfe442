"""The public game tree of a finite-horizon crisis, and its values and beliefs for given play.

A public history is the sequence of moves and chance outcomes everyone has seen. Decision
nodes at depth ``t`` are the histories after ``t`` moves; the mover alternates, so it is the
same side at every node of a depth. Each type of the mover picks a move at each node (the
agent form of McKelvey & Palfrey 1998); the other side's belief about the mover's type is
updated by Bayes' rule from those choices (`forward_beliefs`), and each type's value of each
move follows backwards from the endings (`backward_values`). Both passes are vectorised over
a leading batch axis of strategy profiles, so a Jacobian is one batched evaluation.

Types: each side's types are padded to a common count; a padded type has prior 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rules.crisis_game import YIELD, CrisisGame, CrisisState, GameError

NEG_INF = -np.inf


@dataclass
class Level:
    """The decision nodes after ``elapsed`` moves.

    Attributes:
        elapsed: Moves made before these nodes.
        mover: The side that moves at every node of the level.
        states: Public state of each node.
        histories: Public history of each node (labels of moves and chance events).
        n_moves: Number of moves open at each node, shape (n,).
        valid: Whether move slot ``a`` exists at node ``i``, (n, A).
        terminal: Each type's expected payoff from the endings of a move (costs included), (n, A, 2, T).
        child: Index into the next level of each continuing outcome of a move, (n, A, C).
        child_p: Probability of each continuing outcome, (n, A, C) (0 pads).
        parent: Index of the parent node in the previous level, (n,).
        parent_move: Move slot at the parent that leads here, (n,).
        fixed: Log-probabilities of obstinate types' fixed moves, (n, T, A) (0 where not obstinate).
    """

    elapsed: int
    mover: int
    states: list[CrisisState]
    histories: list[tuple[str, ...]]
    n_moves: NDArray[np.intp]
    valid: NDArray[np.bool_]
    terminal: NDArray[np.float64]
    child: NDArray[np.intp]
    child_p: NDArray[np.float64]
    parent: NDArray[np.intp]
    parent_move: NDArray[np.intp]
    fixed: NDArray[np.float64]


@dataclass
class PublicTree:
    """The public tree of a finite-horizon crisis game, level by level.

    Attributes:
        game: The game.
        levels: Decision nodes by depth.
        n_types: Number of real types of each side.
        log_prior: Log prior of each side's types, (2, T) (``-inf`` pads).
        obstinate: Whether each type is obstinate, (2, T).
        width: Maximum number of moves at a node (A).
    """

    game: CrisisGame
    levels: list[Level]
    n_types: tuple[int, int]
    log_prior: NDArray[np.float64]
    obstinate: NDArray[np.bool_]
    width: int

    @property
    def size(self) -> int:
        """Number of decision nodes."""
        return sum(len(level.states) for level in self.levels)


def chance_label(game: CrisisGame, target: int, state: CrisisState, before: tuple[bool | None, bool | None]) -> str:
    """Label of a continuing chance outcome: which called ally joined or declined, whether an ally escalated."""
    parts = [f"{game.sides[i].name} ally {'joins' if state.joined[i] else 'declines'}"
             for i in (0, 1) if before[i] is None and state.joined[i] is not None]
    if state.rung != target:
        parts.append(f"ally escalates to {state.rung}")
    return ", ".join(parts)


def move_width(game: CrisisGame) -> int:
    """The most moves open at any state (moves depend on the rung and the mover only)."""
    start = game.start()
    return max(len(game.moves(start._replace(rung=r, mover=m))) for r in range(len(game.rungs)) for m in (0, 1))


def build_tree(game: CrisisGame, max_nodes: int = 200_000) -> PublicTree:
    """Enumerate the public tree of a finite-horizon game (raises `GameError` past ``max_nodes``)."""
    if game.horizon is None:
        raise GameError("build_tree: a stationary game has no finite public tree")
    n_types = (len(game.sides[0].types), len(game.sides[1].types))
    width_t = max(n_types)
    log_prior = np.full((2, width_t), NEG_INF)
    obstinate = np.zeros((2, width_t), dtype=bool)
    for i, side in enumerate(game.sides):
        for j, t in enumerate(side.types):
            log_prior[i, j] = np.log(t.prior)
            obstinate[i, j] = t.obstinate
    width = move_width(game)
    levels: list[Level] = []
    frontier = [(game.start(), (), 0, 0)]
    count = 0
    while frontier:
        count += len(frontier)
        if count > max_nodes:
            raise GameError(f"game tree: more than {max_nodes} decision nodes; use a shorter horizon or fewer types")
        level, frontier = _build_level(game, frontier, width, width_t, obstinate)
        levels.append(level)
    return PublicTree(game, levels, n_types, log_prior, obstinate, width)


def _build_level(
    game: CrisisGame, frontier: list, width: int, width_t: int, obstinate: NDArray[np.bool_]
) -> tuple[Level, list]:
    """One level of decision nodes from ``(state, history, parent, parent_move)`` entries."""
    n = len(frontier)
    state0 = frontier[0][0]
    mover = state0.mover
    terminal = np.zeros((n, width, 2, width_t))
    valid = np.zeros((n, width), dtype=bool)
    fixed = np.zeros((n, width_t, width))
    outcomes: list[list[list[tuple[float, CrisisState, str]]]] = []
    for i, (state, _history, _p, _a) in enumerate(frontier):
        moves = game.moves(state)
        valid[i, : len(moves)] = True
        for j in np.flatnonzero(obstinate[mover]):
            fixed[i, j, :] = NEG_INF
            fixed[i, j, game.obstinate_move(state, int(j))] = 0.0
        outcomes.append([_move_outcomes(game, state, move.target, terminal[i, a]) for a, move in enumerate(moves)])
    n_children = max((len(o) for node in outcomes for o in node), default=0)
    child = np.zeros((n, width, max(n_children, 1)), dtype=np.intp)
    child_p = np.zeros((n, width, max(n_children, 1)))
    nxt: list = []
    for i, (state, history, _p, _a) in enumerate(frontier):
        moves = game.moves(state)
        for a, conts in enumerate(outcomes[i]):
            for c, (p, after, label) in enumerate(conts):
                child[i, a, c], child_p[i, a, c] = len(nxt), p
                nxt.append((after, (*history, moves[a].label, *([label] if label else [])), i, a))
    level = Level(
        elapsed=state0.elapsed,
        mover=mover,
        states=[f[0] for f in frontier],
        histories=[f[1] for f in frontier],
        n_moves=valid.sum(axis=1),
        valid=valid,
        terminal=terminal,
        child=child,
        child_p=child_p,
        parent=np.array([f[2] for f in frontier], dtype=np.intp),
        parent_move=np.array([f[3] for f in frontier], dtype=np.intp),
        fixed=fixed,
    )
    return level, nxt


def _move_outcomes(
    game: CrisisGame, state: CrisisState, target: int, terminal: NDArray[np.float64]
) -> list[tuple[float, CrisisState, str]]:
    """Fill ``terminal`` (2, T) with a move's expected ending payoffs; return its continuing outcomes."""
    if target == YIELD:
        for side in (0, 1):
            pay = game.payoff(side, "yield", state)
            terminal[side, : len(pay)] = pay
        return []
    merged: dict[CrisisState, float] = {}
    for side in (0, 1):
        cost = game.move_cost(side, state, target)
        terminal[side, : len(cost)] -= cost
    for outcome in game.step(state, target):
        if outcome.kind == "continue":
            merged[outcome.state] = merged.get(outcome.state, 0.0) + outcome.probability
            continue
        for side in (0, 1):
            pay = game.payoff(side, outcome.kind, outcome.state, outcome.winner)
            terminal[side, : len(pay)] += outcome.probability * np.asarray(pay)
    return [(p, s, chance_label(game, target, s, state.joined)) for s, p in merged.items()]


def log_normalize(log_w: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    """Subtract the log-sum-exp along ``axis``; an all ``-inf`` slice stays ``-inf``."""
    top = np.max(log_w, axis=axis, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.log(np.sum(np.exp(log_w - safe), axis=axis, keepdims=True)) + safe
    return log_w - np.where(np.isfinite(total), total, 0.0)


def log_softmax(values: NDArray[np.float64], lam: NDArray[np.float64], valid: NDArray[np.bool_]) -> NDArray:
    """Logit choice probabilities ``exp(lam v) / sum exp(lam v)`` in logs over valid moves (last axis).

    ``lam`` broadcasts against ``values`` without the last axis; ``lam = inf`` gives the best
    replies, ties shared equally (the limit of the logit rule).
    """
    lam = np.asarray(lam, dtype=float)[..., None]
    v = np.where(valid, values, NEG_INF)
    best = np.max(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        z = np.where(np.isinf(lam), np.where(v >= best - 1e-12 * (1 + np.abs(best)), 0.0, NEG_INF), lam * (v - best))
    return log_normalize(np.where(valid, z, NEG_INF))
