"""What a move of the solved crisis does to the world: which treaty partners join a bloc.

The crisis game treats each side's treaty partners as one ally that joins or not
(`rules.crisis_game.Ally`; its chance is that at least one partner honours its clause,
``1 - prod(1 - c_k)``, Snyder 1984). The world needs to know which partners joined. Given the
game's draw, the partners are drawn one by one from the distribution of independent joins
``c_k`` conditioned on that draw: if the bloc joined and no earlier partner has, partner ``k``
joins with ``c_k / (1 - prod_{j >= k} (1 - c_j))`` (so at least one joins), after the first join
each later one with ``c_k``; if the bloc stayed out, none joins. The partners' joint distribution
is then exactly that of independent joins. `clause_calls` says whose partners all-out war calls.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rules.crisis_game import NOT_CALLED
from rules.crisis_play import DELIBERATE


def partner_joins(chances: NDArray, bloc_joined: NDArray, u: NDArray) -> NDArray[np.bool_]:
    """Which partners join, given whether the bloc joined.

    Args:
        chances: Each partner's join chance ``c_k``, (R, K) or (K,).
        bloc_joined: Whether the game's ally joined, (R,).
        u: One uniform per partner, (R, K).

    Returns:
        Whether each partner joins, (R, K).
    """
    c = np.broadcast_to(np.asarray(chances, dtype=float), np.shape(u))
    stay = np.cumprod((1.0 - c)[:, ::-1], axis=1)[:, ::-1]  # prod_{j >= k} (1 - c_j)
    joins = np.zeros(np.shape(u), dtype=bool)
    none_yet = np.asarray(bloc_joined, dtype=bool).copy()
    for k in range(c.shape[1]):
        with np.errstate(divide="ignore", invalid="ignore"):
            first = np.where(stay[:, k] < 1.0, c[:, k] / (1.0 - stay[:, k]), 0.0)
        p = np.where(none_yet, first, c[:, k])
        joins[:, k] = np.asarray(bloc_joined, dtype=bool) & (u[:, k] < p)
        none_yet &= ~joins[:, k]
    return joins


def clause_calls(allies: NDArray, outcome: NDArray, mover: NDArray) -> NDArray[np.bool_]:
    """Which game sides' uncalled treaty partners all-out war calls, (M, 2).

    A defence clause triggers when its member is attacked (the scenarios' ``clause`` text; Snyder
    1984). A slip into all-out war, or a joined ally's own escalation into it, attacks both sides, so
    every partner not yet called (`rules.crisis_game.NOT_CALLED`) is called; a side that chose all-out
    war (``outcome`` `rules.crisis_play.DELIBERATE`) was not attacked, so only its opponent's are.

    Args:
        allies: Each game side's ally status when the crisis ends, (M, 2).
        outcome: What ended it (`rules.crisis_play.KINDS` code), (M,).
        mover: The game side whose move ended it, (M,).
    """
    calls = np.asarray(allies) == NOT_CALLED
    chose = np.asarray(outcome) == DELIBERATE
    calls[np.flatnonzero(chose), np.asarray(mover)[chose]] = False
    return calls
