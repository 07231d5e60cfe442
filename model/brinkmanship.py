"""The Mesa model: states bargain in crises on a ladder while alliances hold or fray."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from agents import Doctrine, Leader, StateAgent
from agents.policies import make_policy
from model.alliance import Alliance
from model.crisis import ACTIVE, PENDING, STALEMATE, Crisis, Side, end, open_crisis, play_turn
from model.events import ScheduledEvent
from model.outcomes import WHY_FIELDS
from model.reporters import agent_reporters, model_reporters
from scenarios import DEFAULT_SCENARIO, Scenario, load_scenario
from scenarios.schema import relation_key


class BrinkmanshipModel(mesa.Model):
    """States with fear, recklessness and commitment bargain on an escalation ladder.

    Each step: scheduled events fire, every state ages its leader (who may be succeeded), open
    crises take one move each through their crisis game (`model.crisis`: the side to move yields,
    holds or escalates, then the game's chance events are drawn from the crisis's own streams),
    alliances update their cohesion, and the data collector records.

    Args:
        scenario: Shipped scenario name, path to a YAML file, or a loaded `Scenario`.
        rng: Seed (an int, or a string of digits from a form field) or numpy generator.
        overrides: Dotted-path overrides, e.g. ``{"states.RUS.recklessness": 0.9}``.
        **paths: More overrides as keywords, for ``mesa.batch_run`` and dashboards:
            ``BrinkmanshipModel(**{"params.max_steps": 20})``.

    Raises:
        scenarios.ScenarioError: The scenario or an override is invalid.
    """

    def __init__(
        self,
        *,
        scenario: str | Path | Scenario = DEFAULT_SCENARIO,
        rng: int | str | np.random.Generator | None = None,
        overrides: dict[str, Any] | None = None,
        **paths: Any,
    ) -> None:
        if isinstance(rng, str):
            rng = int(rng.strip()) if rng.strip().lstrip("-").isdigit() else None
        super().__init__(rng=rng)
        merged = {**(overrides or {}), **paths}
        self.spec: Scenario = load_scenario(scenario, merged)
        self.seed = rng if isinstance(rng, int) else None
        # The crises' counter-based streams are keyed by the run's seed (`ensemble.streams`), so a run
        # plays the same crisis as the ensemble row of its seed; without an int seed, one is drawn.
        self.crisis_seed: int = self.seed if self.seed is not None else int(self.rng.integers(2**63))
        self.params = self.spec.params.model_copy(deep=True)
        self.ladder = self.spec.resolved_ladder
        self.slip = np.minimum(self.ladder.arrays["slip"] * self.params.slip_scale, 1.0)
        self.slip[self.ladder.top] = 1.0
        self.context: dict[str, bool] = dict(self.spec.context)
        self.relations: dict[str, float] = {relation_key(*k.split("-")): v for k, v in self.spec.relations.items()}
        self.event_log: list[dict[str, Any]] = []
        self.states: list[StateAgent] = self._build_states()
        self._codes = {s.code: s for s in self.states}
        self.belief_recklessness, self.belief_resolve = self._build_beliefs()
        self.belief_obstinate = np.full((len(self.states), len(self.states)), np.nan)
        self.alliances: list[Alliance] = self._build_alliances()
        self.crises: list[Crisis] = self._build_crises()
        self.scheduled = [ScheduledEvent(self, spec) for spec in self.spec.events]
        for event in self.scheduled:
            event.schedule()
        self.datacollector = mesa.DataCollector(
            model_reporters=model_reporters(self), agent_reporters=agent_reporters(self)
        )
        self.running = True
        self.datacollector.collect(self)

    # construction -------------------------------------------------------------------------

    def _build_states(self) -> list[StateAgent]:
        states = []
        for index, (code, spec) in enumerate(self.spec.states.items()):
            leader = Leader(spec.leader.name, spec.leader.age, spec.leader.tenure, spec.leader.political_hazard)
            doctrine = Doctrine(tuple((j.from_, j.to) for j in spec.doctrine.jumps))
            states.append(
                StateAgent(
                    self,
                    code=code,
                    index=index,
                    name=spec.name,
                    fear=spec.fear,
                    recklessness=spec.recklessness,
                    commitment=spec.commitment,
                    audience_cost=spec.audience_cost,
                    conventional=spec.conventional,
                    warheads=spec.warheads,
                    second_strike=spec.second_strike,
                    value_at_risk=spec.value_at_risk,
                    leader=leader,
                    doctrine=doctrine,
                    policy=make_policy(spec.policy.name, spec.policy.params),
                    aggregate=spec.aggregate,
                )
            )
        return states

    def _build_beliefs(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.states)
        images = np.array([self._image(s) for s in self.states])
        recklessness = np.tile(images, (n, 1))
        resolve = np.full((n, n), 0.5)
        for observer in self.states:
            for target in self.states:
                recklessness[observer.index, target.index] = self.starting_belief(
                    observer, target, "recklessness", recklessness[observer.index, target.index]
                )
        return recklessness, resolve

    def _image(self, state: StateAgent) -> float:
        spec = self.spec.states[state.code]
        return spec.recklessness if spec.image is None else spec.image

    def _build_alliances(self) -> list[Alliance]:
        return [
            Alliance(
                id=key,
                members=[self._codes[c] for c in spec.members],
                active=spec.active,
                automaticity=spec.automaticity,
                institutionalisation=spec.institutionalisation,
                cohesion=spec.cohesion,
                shared_threat=spec.shared_threat,
                war_context=spec.war_context,
                clause=spec.clause,
                founded=spec.founded,
            )
            for key, spec in self.spec.alliances.items()
        ]

    def _build_crises(self) -> list[Crisis]:
        crises = []
        for number, (key, spec) in enumerate(self.spec.crises.items()):
            order = [spec.first_mover, *(c for c in spec.sides if c != spec.first_mover)]
            sides = tuple(
                Side(
                    lead=self._codes[code],
                    members=[self._codes[code], *(self._codes[c] for c in spec.sides[code].with_)],
                    spec=spec.sides[code],
                )
                for code in order
            )
            crises.append(
                Crisis(
                    id=key,
                    sides=sides,  # type: ignore[arg-type]
                    start_rung=spec.start_rung,
                    start_step=spec.start_step,
                    allow_hold=spec.allow_hold,
                    number=number,
                )
            )
        return crises

    # the step -----------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one step: leaders, crisis moves, alliance cohesion, data."""
        self.agents.do("step")
        for crisis in self.crises:
            if crisis.status == PENDING and crisis.start_step <= self.steps:
                open_crisis(self, crisis)
            if crisis.is_open:
                play_turn(self, crisis)
        for alliance in self.alliances:
            alliance.update(self)
        if self.steps >= self.params.max_steps:
            for crisis in self.crises:
                if crisis.is_open:
                    end(self, crisis, STALEMATE, actor="", action="step limit")
            self.running = False
        elif (
            self.params.stop_when_crises_end
            and self.crises
            and all(c.status not in (PENDING, ACTIVE) for c in self.crises)
        ):
            self.running = False
        self.datacollector.collect(self)

    def run(self) -> None:
        """Step until the run ends (step limit, or every crisis over)."""
        while self.running:
            self.step()

    # queries and hooks used by agents, crises, alliances and events ------------------------

    @property
    def clock(self) -> int:
        """The step under way; events between steps count toward the step they precede."""
        return math.ceil(self.time)

    @property
    def year(self) -> float:
        """Calendar year of the current step."""
        return self.params.start_year + self.clock * self.params.step_years

    def state(self, code: str) -> StateAgent:
        """The state with `code`."""
        return self._codes[code]

    def crisis(self, key: str) -> Crisis:
        """The crisis with id `key`."""
        return next(c for c in self.crises if c.id == key)

    def alliance(self, key: str) -> Alliance:
        """The alliance with id `key`."""
        return next(a for a in self.alliances if a.id == key)

    def in_open_crisis(self, state: StateAgent) -> bool:
        """Whether `state` fights in an open crisis."""
        return any(c.is_open and c.side_of(state) is not None for c in self.crises)

    def relation(self, a: StateAgent, b: StateAgent) -> float:
        """Relation between two states in [-1, 1] (0 unless the scenario says otherwise)."""
        return self.relations.get(relation_key(a.code, b.code), 0.0)

    def starting_belief(self, observer: StateAgent, target: StateAgent, kind: str, default: float) -> float:
        """A belief from the scenario's ``beliefs`` section, or `default`."""
        given = self.spec.beliefs.get(observer.code, {}).get(target.code)
        value = getattr(given, kind, None) if given is not None else None
        return default if value is None else value

    def on_succession(self, state: StateAgent, previous: Leader) -> None:
        """A leader changed: shock the cohesion of the state's alliances and log it."""
        for alliance in self.alliances:
            if alliance.active and state in alliance.members:
                alliance.shock(self.params.cohesion.succession_shock)
        self.log(
            actor=state.code,
            action="succession",
            detail=f"{previous.name} (age {previous.age:.0f}) succeeded by {state.leader.name}",
        )

    def log(
        self,
        *,
        actor: str,
        action: str,
        crisis: str = "",
        rung: int | None = None,
        detail: str = "",
        next_mover: str = "",
        cause: str = "",
        why: dict[str, Any] | None = None,
    ) -> None:
        """Append a line to the event log (columns `model.outcomes.EVENT_COLUMNS`).

        ``cause`` is set on the line that ends a crisis: choice, defeat, slip, deliberate or ally.
        ``why`` holds a move's why-fields (`model.outcomes.WHY_FIELDS`); they are empty on other lines.
        """
        self.event_log.append(
            {
                "step": self.clock,
                "year": round(self.year, 4),
                "crisis": crisis,
                "actor": actor,
                "action": action,
                "rung": "" if rung is None else rung,
                "rung_name": "" if rung is None else self.ladder.rungs[rung].name,
                "next_mover": next_mover,
                "detail": detail,
                "cause": cause,
                **{name: (why or {}).get(name, "") for name in WHY_FIELDS},
            }
        )

    def get_live(self, path: str) -> Any:
        """Current value of a path an event may change (see `scenarios.schema.check_live_path`)."""
        head, *rest = path.split(".")
        if head == "states":
            return getattr(self.state(rest[0]), rest[1])
        if head == "alliances":
            return getattr(self.alliance(rest[0]), rest[1])
        if head == "relations":
            return self.relations.get(relation_key(*rest[0].split("-")), 0.0)
        return self.context[rest[0]]

    def set_live(self, path: str, value: Any) -> None:
        """Change a path while the model runs, clipping to the field's range."""
        head, *rest = path.split(".")
        if head == "states":
            field = rest[1]
            if field in ("fear", "recklessness", "commitment", "second_strike"):
                value = min(max(float(value), 0.0), 1.0)
            elif field == "warheads":
                value = max(round(float(value)), 0)
            else:
                value = max(float(value), 0.0)
            setattr(self.state(rest[0]), field, value)
        elif head == "alliances":
            alliance = self.alliance(rest[0])
            if rest[1] == "active":
                alliance.active = bool(value)
            else:
                setattr(alliance, rest[1], min(max(float(value), 0.0), 1.0))
        elif head == "relations":
            self.relations[relation_key(*rest[0].split("-"))] = min(max(float(value), -1.0), 1.0)
        else:
            self.context[rest[0]] = bool(value)
