"""Exact solution of a two-sided crisis on a ladder under complete information.

Both sides know the ladder, each other's payoffs and how many moves remain. Working back from
the last move, the mover compares yielding with every rung it may move to. A move to rung
``r'`` ends in catastrophe with probability ``slip[r']`` (certainly on the catastrophe rung),
is decided by force with probability ``decisive[r']``, and otherwise hands the move to the other
side. Ties go to the least escalatory option (yield, then the lowest rung). With the rungs of
Haynes (2019), risk k/10 at rung k, prevail 1, concede 0 and disaster -2, the first mover
stands firm and the second yields in round 2 (values 0.7 and -0.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

YIELD_ACTION = -1
"""Action code for yielding in `GameSolution.action`."""


@dataclass(frozen=True)
class GameSolution:
    """Values and optimal actions of a solved crisis game.

    Attributes:
        value: Expected payoffs, shape (H + 1, K, 2, 2): moves remaining, rung, mover, player.
        action: Best action, shape (H + 1, K, 2): `YIELD_ACTION` or the rung moved to;
            undefined (``-2``) when no move remains.
    """

    value: NDArray[np.float64]
    action: NDArray[np.intp]


def solve_crisis_game(
    slip: NDArray[np.float64],
    decisive: NDArray[np.float64],
    catastrophe: NDArray[np.bool_],
    allowed: NDArray[np.bool_],
    prevail: NDArray[np.float64],
    concede: NDArray[np.float64],
    disaster: NDArray[np.float64],
    stalemate: NDArray[np.float64],
    share: NDArray[np.float64],
    mover_cost: NDArray[np.float64],
    target_cost: NDArray[np.float64],
    horizon: int,
) -> GameSolution:
    """Solve the crisis game by backward induction.

    Args:
        slip: Per-step risk of catastrophe at each rung, shape (K,).
        decisive: Per-step chance that fighting at each rung is decided by force, (K,).
        catastrophe: Whether reaching each rung is itself catastrophe, (K,).
        allowed: ``allowed[m, r, r2]`` is true when side ``m`` at rung ``r`` may move to ``r2``,
            shape (2, K, K).
        prevail: Each side's value of prevailing, (2,).
        concede: Each side's value of yielding, (2,).
        disaster: Each side's value of catastrophe, (2,).
        stalemate: Each side's value when no move remains, (2,).
        share: Each side's share of conventional strength, (2,).
        mover_cost: ``mover_cost[m, r2]``: what side ``m`` loses by moving to ``r2``, (2, K).
        target_cost: ``target_cost[o, r2]``: what side ``o`` loses when the other moves to
            ``r2``, (2, K).
        horizon: Number of moves left at the start.

    Returns:
        The solution over every number of moves remaining from 0 to ``horizon``.
    """
    k = slip.shape[0]
    value = np.zeros((horizon + 1, k, 2, 2))
    action = np.full((horizon + 1, k, 2), -2, dtype=np.intp)
    value[0, :, :, :] = stalemate[None, None, :]
    for h in range(1, horizon + 1):
        for m in (0, 1):
            o = 1 - m
            yield_value = np.empty(2)
            yield_value[m], yield_value[o] = concede[m], prevail[o]
            force = np.empty(2)
            force[m] = share[m] * prevail[m] + (1 - share[m]) * concede[m]
            force[o] = share[m] * concede[o] + (1 - share[m]) * prevail[o]
            onward = value[h - 1, :, o, :]  # (K, 2): the other side moves next from rung r2
            survive = decisive[:, None] * force[None, :] + (1 - decisive[:, None]) * onward
            move = (1 - slip[:, None]) * survive + slip[:, None] * disaster[None, :]
            move = np.where(catastrophe[:, None], disaster[None, :], move)
            move[:, m] -= np.where(catastrophe, 0.0, mover_cost[m])
            move[:, o] -= np.where(catastrophe, 0.0, target_cost[o])
            for r in range(k):
                value[h, r, m], action[h, r, m] = _best_move(np.flatnonzero(allowed[m, r]), move, yield_value, m)
    return GameSolution(value=value, action=action)


def _best_move(targets: NDArray[np.intp], move: NDArray, yield_value: NDArray, m: int) -> tuple[NDArray, int]:
    """The mover's best move among ``targets`` (values ``move``), or yielding when nothing beats it."""
    if targets.size:
        own = move[targets, m]
        i = int(np.argmax(own))
        if own[i] > yield_value[m]:
            return move[targets[i]], int(targets[i])
    return yield_value, YIELD_ACTION
