"""The crisis alone, played in equilibrium over many replications, each from its own seed.

Each replication draws its leads' types when the crisis opens (`ensemble.streams.opening_draws`),
then for each move the mover's choice, the move's chance outcome and the grid lotteries of the
posteriors (`ensemble.streams.move_draws`), keyed by the model step and the slots of the scenario's
first crisis, as the ensemble engine and the agent model draw them, so a replication's crisis
depends on its seed alone (`ensemble.streams`). The moves and their consequences are those of the
one game (`rules.crisis_play`, reading `rules.crisis_game`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ensemble import streams
from rules.belief_equilibrium import BeliefSolution
from rules.crisis_play import CONTINUE, KINDS, STALEMATE, Crises, draw_types, play_move, transitions


@dataclass(frozen=True)
class CrisisRuns:
    """How each replication's crisis ended.

    Attributes:
        crises: The final state of every replication (`rules.crisis_play.Crises`).
        moves: Moves made in each, (R,).
    """

    crises: Crises
    moves: NDArray[np.intp]

    def shares(self) -> dict[str, float]:
        """Share of replications by ending (`rules.crisis_play.KINDS`) and of each side losing."""
        ended, n = self.crises.ended, len(self.moves)
        out = {f"p_{kind}": float(np.mean(ended == code)) for code, kind in enumerate(KINDS) if code != CONTINUE}
        for side in (0, 1):
            out[f"p_loses_{side}"] = float(np.mean(self.crises.loser == side)) if n else 0.0
        return out


def run_crises(
    sol: BeliefSolution, seeds: Sequence[int] | NDArray, true_chances: Sequence[float], *,
    start_step: int = 1, max_moves: int | None = None,
) -> CrisisRuns:
    """Play one crisis per seed to its end (or ``max_moves``, a stalemate) in equilibrium.

    Args:
        sol: The solved game.
        seeds: Each replication's seed (`batch.seeds.run_seeds`).
        true_chances: Each lead's true chance of being obstinate (the game's prior holds the image).
        start_step: Model step of the first move (the draws are keyed by the step).
        max_moves: Cap on the moves of a stationary game; at most the horizon of a finite one.
    """
    base = streams.bases(np.asarray(seeds))
    crises = draw_types(sol, streams.opening_draws(base, start_step), np.asarray(true_chances))
    tr = transitions(sol)
    limit = sol.game.horizon if max_moves is None else max_moves
    if limit is None:
        raise ValueError("a stationary game needs max_moves")
    moves = np.zeros(len(base), dtype=np.intp)
    for k in range(limit):
        if not crises.open.any():
            break
        step = start_step + k
        moves += crises.open
        u_move, u_chance, u_belief = streams.move_draws(base, step)
        play_move(sol, tr, crises, u_move, u_chance, u_belief=u_belief)
    crises.ended[crises.open] = STALEMATE
    return CrisisRuns(crises, moves)
