"""Treaties in force: who is bound, how firmly, and how cohesion evolves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rules.alliance import (
    cohesion_target,
    join_probability,
    shock_cohesion,
    step_cohesion,
    third_power_pull,
)

if TYPE_CHECKING:
    from agents import StateAgent
    from model.brinkmanship import BrinkmanshipModel


@dataclass
class Alliance:
    """A treaty between states, with its cohesion as it evolves.

    Attributes:
        id: Key in the scenario (``RUS-PRK``).
        members: Member states.
        active: Whether the treaty is in force.
        automaticity: 1 for an automatic defence clause, 0 for consultation only.
        institutionalisation: Breadth of institutionalised cooperation.
        cohesion: Current cohesion in [0, 1].
        shared_threat: Standing threat the members share.
        war_context: Context flag of the war binding the members, if any.
        clause: The defence clause in words.
        dissolved_at: Step at which cohesion fell below the threshold, if it did.
    """

    id: str
    members: list[StateAgent]
    active: bool
    automaticity: float
    institutionalisation: float
    cohesion: float
    shared_threat: float
    war_context: str | None
    clause: str = ""
    dissolved_at: int | None = None
    founded: int | None = None
    initially_active: bool = field(init=False)

    def __post_init__(self) -> None:
        self.initially_active = self.active

    @property
    def codes(self) -> list[str]:
        """Member codes."""
        return [m.code for m in self.members]

    def join_chance(self, ally: StateAgent, consultation_weight: float) -> float:
        """Chance that `ally` honours the defence clause now."""
        return float(join_probability(ally.commitment, self.cohesion, self.automaticity, consultation_weight))

    def threat(self, model: BrinkmanshipModel) -> float:
        """Shared threat: 1 while the binding war goes on or a member is in an open crisis."""
        at_war = self.war_context is not None and model.context.get(self.war_context, False)
        in_crisis = any(model.in_open_crisis(m) for m in self.members)
        return 1.0 if at_war or in_crisis else self.shared_threat

    def pull(self, model: BrinkmanshipModel) -> float:
        """Net pull of third powers tied to a member by an alliance of their own."""
        competition = model.params.cohesion.competition
        total = 0.0
        for other in model.alliances:
            if other is self or not other.active:
                continue
            shared = [m for m in other.members if m in self.members]
            if len(shared) != 1:
                continue
            rest = [m for m in self.members if m is not shared[0]]
            for third in other.members:
                if third in self.members:
                    continue
                relation = float(np.mean([model.relation(third, m) for m in rest]))
                total += float(third_power_pull(other.cohesion, relation, competition))
        return total

    def shock(self, size: float) -> None:
        """Apply a cohesion shock damped by institutionalisation."""
        self.cohesion = float(shock_cohesion(self.cohesion, size, self.institutionalisation))

    def update(self, model: BrinkmanshipModel) -> None:
        """Advance cohesion one step and dissolve the alliance below the threshold."""
        if not self.active:
            return
        p = model.params.cohesion
        target = cohesion_target(
            self.threat(model),
            self.institutionalisation,
            self.pull(model),
            p.baseline,
            p.threat_weight,
            p.institution_weight,
            p.pull_weight,
        )
        normal = model.rng.standard_normal()
        self.cohesion = float(step_cohesion(self.cohesion, target, p.rate, model.params.step_years, p.noise_sd, normal))
        if self.cohesion < p.dissolve_below:
            self.active = False
            self.dissolved_at = model.steps
            model.log(
                actor=self.id, action="dissolves", detail=f"cohesion {self.cohesion:.3f} below {p.dissolve_below}"
            )
