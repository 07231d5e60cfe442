"""What a move of the solved crisis does to the world: which treaty partners join a bloc.

The crisis game treats each side's treaty partners as one ally that joins or not
(`rules.crisis_game.Ally`; its chance is that at least one partner honours its clause,
``1 - prod(1 - c_k)``, Snyder 1984). The world needs to know which partners joined. Given the
game's draw, the partners are drawn one by one from the distribution of independent joins
``c_k`` conditioned on that draw: if the bloc joined and no earlier partner has, partner ``k``
joins with ``c_k / (1 - prod_{j >= k} (1 - c_j))`` (so at least one joins), after the first join
each later one with ``c_k``; if the bloc stayed out, none joins. The partners' joint distribution
is then exactly that of independent joins.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


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
