"""A state's leader and its escalation doctrine: plain records, with no Mesa inside.

They live apart from `agents.state` so that the ensemble engine and the scenario loader can use them
without importing Mesa.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Leader:
    """The state's leader.

    Attributes:
        name: Name, or a generated label for successors.
        age: Age in years.
        tenure: Years in office.
        political_hazard: Yearly hazard of losing office other than by death.
    """

    name: str
    age: float
    tenure: float
    political_hazard: float


@dataclass(frozen=True)
class Doctrine:
    """Which rungs a state may reach directly, beyond the next one up.

    Attributes:
        jumps: ``(from_rung, to_rung)`` pairs: from any rung at or above ``from_rung`` and below
            ``to_rung`` the state may go straight to ``to_rung``.
    """

    jumps: tuple[tuple[int, int], ...] = ()

    def options(self, rung: int, top: int, allow_hold: bool, forbidden: np.ndarray) -> tuple[int, ...]:
        """Rungs reachable in one move from `rung`, ascending.

        Args:
            rung: Current rung.
            top: The catastrophe rung.
            allow_hold: Whether staying on `rung` is a move.
            forbidden: Boolean mask of rungs the state cannot reach (e.g. nuclear rungs for a
                bloc without nuclear weapons).
        """
        reachable = {rung + 1} if rung < top else set()
        if allow_hold:
            reachable.add(rung)
        reachable.update(to for start, to in self.jumps if start <= rung < to)
        return tuple(sorted(r for r in reachable if r <= top and not forbidden[r]))
