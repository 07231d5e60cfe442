"""A state in the crisis system: traits, capabilities, a leader, a doctrine and a policy."""

from __future__ import annotations

import mesa
import numpy as np

from agents.doctrine import Doctrine, Leader
from agents.policies import Move, Policy
from agents.policies.base import CrisisView
from rules.leaders import exit_probability, successor_traits

TRAITS = ("fear", "recklessness", "commitment")
"""The three behavioural traits, each in [0, 1]."""


class StateAgent(mesa.Agent):
    """A state: it ages its leader each step and moves in crises when asked.

    Attributes:
        code: ISO 3166 alpha-3 code, or an aggregate actor's id.
        index: Position in the model's state arrays (beliefs, relations).
        fear: Subjective sense of strategic risk, in [0, 1].
        recklessness: Willingness to run risks to civilians, in [0, 1].
        commitment: Reliability in honouring alliance obligations, in [0, 1].
        damage: Share of value at risk destroyed so far.
        aggregate: Whether it stands for several states (its leader does not age to death).
    """

    def __init__(
        self,
        model: mesa.Model,
        *,
        code: str,
        index: int,
        name: str,
        fear: float,
        recklessness: float,
        commitment: float,
        audience_cost: float,
        conventional: float,
        warheads: int,
        second_strike: float,
        value_at_risk: float,
        leader: Leader,
        doctrine: Doctrine,
        policy: Policy,
        aggregate: bool = False,
    ) -> None:
        super().__init__(model)
        self.code = code
        self.index = index
        self.name = name
        self.fear = fear
        self.recklessness = recklessness
        self.commitment = commitment
        self.audience_cost = audience_cost
        self.conventional = conventional
        self.warheads = warheads
        self.second_strike = second_strike
        self.value_at_risk = value_at_risk
        self.leader = leader
        self.doctrine = doctrine
        self.policy = policy
        self.aggregate = aggregate
        self.damage = 0.0
        self.successions = 0

    @property
    def survivable_warheads(self) -> float:
        """Warheads expected to survive a first strike."""
        return self.warheads * self.second_strike

    def step(self) -> None:
        """Age the leader by one step and draw whether the leader leaves office.

        An aggregate actor's "leader" (a set of governments) faces the political hazard only.
        """
        dt = self.model.params.step_years
        self.leader.age += dt
        self.leader.tenure += dt
        p = exit_probability(
            self.leader.age,
            self.leader.political_hazard,
            -np.inf if self.aggregate else self.model.params.leaders.mortality_log_base,
            self.model.params.leaders.mortality_slope,
            dt,
        )
        if self.model.rng.random() < p:
            self.succeed()

    def succeed(self, successor: Leader | None = None, traits: dict[str, float] | None = None) -> None:
        """Replace the leader; the successor's traits shift at random unless given.

        Args:
            successor: The new leader; by default a generated one aged 55.
            traits: Trait values for the new leadership; missing traits are drawn.
        """
        self.successions += 1
        previous = self.leader
        self.leader = successor or Leader(
            name=f"{self.code} successor {self.successions}",
            age=55.0,
            tenure=0.0,
            political_hazard=previous.political_hazard,
        )
        current = np.array([getattr(self, t) for t in TRAITS])
        normal = self.model.rng.standard_normal(len(TRAITS))
        drawn = successor_traits(current, self.model.params.leaders.trait_sd, normal)
        for position, trait in enumerate(TRAITS):
            value = (traits or {}).get(trait, float(drawn[position]))
            setattr(self, trait, value)
        self.model.on_succession(self, previous)

    def decide(self, view: CrisisView) -> Move:
        """Choose a move in a crisis with this state's policy and the model's generator."""
        return self.policy.decide(view, self.model.rng)
