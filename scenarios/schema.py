"""The scenario file format: pydantic models that validate a YAML scenario.

Every field can be addressed by a dotted path (``states.RUS.recklessness``,
``alliances.RUS-PRK.institutionalisation``, ``params.max_steps``); see `scenarios.paths`.
The JSON Schema published in ``docs/scenario.schema.json`` is generated from these models.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from agents.policies import POLICIES
from scenarios import limits
from scenarios.errors import clip, shown
from scenarios.ladder import Ladder
from scenarios.strict import (
    Flag,
    Integer,
    Line,
    Real,
    Strict,
    Text,
    bounded,
    check_ids,
    scalar_problem,
    strict_check,
)

Unit = bounded(float, ge=0.0, le=1.0)
Relation = bounded(float, ge=-1.0, le=1.0)
Payoff = bounded(float, ge=-1e6, le=1e6)
COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")
AGGREGATE_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")


class BeliefParams(Strict):
    """How observers learn from moves (`rules.beliefs`)."""

    learning_rate: Unit = Field(0.2, description="Weight of one observed move on a reckless image.")
    shock_bonus: Real = Field(
        1.0, ge=0.0, le=10.0, description="Extra weight per shocking feature (civilians, nuclear, skipped rungs)."
    )


class CohesionParams(Strict):
    """Alliance cohesion dynamics (`rules.alliance`)."""

    baseline: Unit = Field(0.2, description="Cohesion sustained without threat or institutions.")
    threat_weight: Unit = Field(0.45, description="Weight of a shared threat in target cohesion.")
    institution_weight: Unit = Field(0.4, description="Weight of institutionalisation in target cohesion.")
    pull_weight: Unit = Field(0.4, description="Weight of third-power pull in target cohesion.")
    competition: Unit = Field(0.5, description="Pull of a neutral third power per unit of its own tie.")
    rate: Real = Field(0.8, ge=0.0, le=100.0, description="Yearly rate of adjustment toward the target.")
    noise_sd: Real = Field(0.04, ge=0.0, le=1.0, description="Yearly standard deviation of cohesion noise.")
    dissolve_below: Unit = Field(0.2, description="An alliance dissolves when cohesion falls below this.")
    abandonment_shock: Unit = Field(0.3, description="Cohesion lost when an ally fails a triggered clause.")
    honour_boost: Unit = Field(0.1, description="Cohesion gained when an ally honours a triggered clause.")
    succession_shock: Unit = Field(0.25, description="Cohesion lost when a member's leader changes.")
    consultation_weight: Unit = Field(0.5, description="Binding force of a consultation-only clause.")


class LeaderParams(Strict):
    """Leader exit and succession (`rules.leaders`)."""

    mortality_log_base: Real = Field(-10.0, ge=-30.0, le=0.0, description="Gompertz log hazard at age 0.")
    mortality_slope: Real = Field(0.09, ge=0.0, le=1.0, description="Gompertz growth of log hazard per year.")
    trait_sd: Unit = Field(0.1, description="Standard deviation of a successor's trait shift.")


class GameParams(Strict):
    """The crisis as one game solved in equilibrium (`rules.scenario_game`, `rules.belief_equilibrium`)."""

    lambda_: bounded(float, ge=0.0) | None = Field(
        None,
        alias="lambda",
        description="Precision of the logit quantal response both sides know (McKelvey & Palfrey 1998); "
        "null: the limit, a sequential equilibrium.",
    )
    horizon: bounded(int, ge=1, le=1_000) | None = Field(
        40,
        description="Moves before an unresolved crisis ends in stalemate; null: no deadline (the stationary "
        "form, which the solver takes with complete information only).",
    )
    obstinate_prior: Unit = Field(
        0.2, description="Prior probability that a leader of recklessness 1 is an obstinate type (never yields)."
    )
    ally_escalation: Unit = Field(
        0.1, description="Per-move chance that a joined ally of recklessness 1 escalates on its own."
    )
    belief_points: Integer = Field(41, ge=2, le=401, description="Points of each side's belief grid in the solver.")
    obstinate_move: Literal["hold", "escalate"] = Field(
        "hold",
        description="The fixed move of the obstinate type, which never yields: hold its rung (one rung up where "
        "holding is not allowed), or escalate one rung (hold at the top).",
    )


class Params(Strict):
    """Global parameters of a run."""

    max_steps: Integer = Field(100, ge=1, le=100_000, description="Step limit; open crises end in stalemate.")
    step_years: Real = Field(1 / 365, gt=0.0, le=10.0, description="Length of a step in years.")
    start_year: Real = Field(2025.0, ge=1900.0, le=2200.0, description="Calendar year at step 0.")
    stop_when_crises_end: Flag = Field(True, description="End the run once every crisis is over.")
    risk_sensitivity: Real = Field(2.0, ge=0.0, le=10.0, description="How strongly traits bend perceived risk.")
    standfast_spread: Real = Field(0.1, gt=0.0, le=1.0, description="Width of the stand-fast threshold.")
    decision_noise: Real = Field(
        0.02,
        ge=0.0,
        le=10.0,
        description="Softmax temperature of the heuristic policy's choices only (the equilibrium reads "
        "params.game.lambda).",
    )
    slip_scale: Real = Field(1.0, ge=0.0, le=10.0, description="Multiplier on every rung's slip risk.")
    warheads_for_devastation: Real = Field(
        50.0, gt=0.0, le=100_000.0, description="Surviving warheads that destroy 63% of a value at risk."
    )
    beliefs: BeliefParams = Field(default_factory=BeliefParams)
    cohesion: CohesionParams = Field(default_factory=CohesionParams)
    leaders: LeaderParams = Field(default_factory=LeaderParams)
    game: GameParams = Field(default_factory=GameParams)


class LeaderSpec(Strict):
    """A state's leader at the start of the run."""

    name: Line = Field("Leader", min_length=1)
    age: Real = Field(60.0, ge=0.0, le=120.0)
    tenure: Real = Field(0.0, ge=0.0, le=100.0, description="Years in office so far.")
    political_hazard: Real = Field(0.05, ge=0.0, le=10.0, description="Yearly hazard of losing office.")


class Jump(Strict):
    """A doctrine's direct jump: from any rung at or above `from` (and below `to`) to `to`."""

    from_: Integer = Field(alias="from", ge=0)
    to: Integer = Field(ge=1)

    @model_validator(mode="after")
    def _upward(self) -> Jump:
        if self.to <= self.from_ + 1:
            raise ValueError(f"a jump must skip at least one rung (from {self.from_} to {self.to})")
        return self


class DoctrineSpec(Strict):
    """Which rungs a state may jump to directly."""

    jumps: list[Jump] = Field(default_factory=list, max_length=limits.JUMPS)


RENAMED_POLICIES = {"trait": "heuristic"}
"""Policy names that were renamed: old name -> new name (a scenario using the old one is refused)."""


class PolicySpec(Strict):
    """A decision policy by name, with its parameters (``heuristic`` is short for ``{name: heuristic}``)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(max_length=limits.ID_CHARS)

    @model_validator(mode="after")
    def _known(self) -> PolicySpec:
        if self.name in RENAMED_POLICIES:
            raise ValueError(f"policy {shown(self.name)} was renamed {shown(RENAMED_POLICIES[self.name])}")
        if self.name not in POLICIES:
            raise ValueError(f"unknown policy {shown(self.name)}{_suggest(self.name, POLICIES)}")
        fields = POLICIES[self.name].Params.model_fields
        for key, value in self.params.items():
            problem = scalar_problem(fields[key].annotation, value) if key in fields else None
            if problem:
                raise ValueError(f"policy {self.name!r}: {key}: {problem}")
        try:
            POLICIES[self.name].Params(**self.params)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"policy {self.name!r}: {where}: {first['msg']}") from None
        return self

    @property
    def params(self) -> dict[str, Any]:
        """The policy's parameters (every key but `name`)."""
        return dict(self.model_extra or {})


def _policy_from_name(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class StateSpec(Strict):
    """A state (or an aggregate actor)."""

    name: Line = Field(min_length=1, description="Display name.")
    aggregate: Flag = Field(False, description="An aggregate actor (e.g. European NATO members).")
    fear: Unit = Field(description="Subjective sense of strategic risk.")
    recklessness: Unit = Field(description="Willingness to run risks to civilians.")
    commitment: Unit = Field(description="Reliability in honouring alliance obligations.")
    image: Unit | None = Field(None, description="Recklessness others see at the start (default: the trait).")
    audience_cost: Real = Field(0.0, ge=0.0, le=10.0, description="Cost per step of backing down in public.")
    conventional: Real = Field(1.0, ge=0.0, le=1e6, description="Conventional military strength (relative).")
    warheads: Integer = Field(0, ge=0, le=100_000, description="Nuclear warheads.")
    second_strike: Unit = Field(0.5, description="Share of warheads that survive a first strike.")
    value_at_risk: Real = Field(
        1.0, ge=0.0, le=1e6, description="What all-out war would destroy, in units of the value of prevailing."
    )
    leader: LeaderSpec = Field(default_factory=LeaderSpec)
    policy: Annotated[
        PolicySpec, BeforeValidator(_policy_from_name, json_schema_input_type=str | PolicySpec)
    ] = Field(
        default_factory=lambda: PolicySpec(name="equilibrium"),
        description="Decision policy (default equilibrium: the crisis game's equilibrium move).",
    )
    doctrine: DoctrineSpec = Field(default_factory=DoctrineSpec)

    @property
    def survivable_warheads(self) -> float:
        """Warheads that survive a first strike: ``warheads * second_strike``."""
        return self.warheads * self.second_strike


class AllianceSpec(Strict):
    """A treaty between states."""

    members: list[str] = Field(min_length=2, max_length=limits.STATES, description="Member state codes.")
    active: Flag = Field(True, description="Whether the treaty is in force.")
    automaticity: Unit = Field(description="1: automatic defence with all means; 0: consultation only.")
    institutionalisation: Unit = Field(description="Breadth of institutionalised cooperation.")
    cohesion: Unit = Field(description="Cohesion at the start.")
    shared_threat: Unit = Field(0.0, description="Standing threat the members share.")
    war_context: str | None = Field(None, description="Context flag of the war that binds the members.")
    founded: bounded(int, ge=1800, le=2200) | None = Field(None, description="Year the treaty was signed.")
    clause: Text = Field("", description="The defence clause, in words.")

    @field_validator("members")
    @classmethod
    def _distinct(cls, members: list[str]) -> list[str]:
        if len(set(members)) != len(members):
            raise ValueError("members must be distinct")
        return members


class SideSpec(Strict):
    """One side of a crisis, keyed by its lead state."""

    with_: list[str] = Field(
        default_factory=list, alias="with", max_length=limits.STATES, description="Co-belligerents from the start."
    )
    prevail: Real = Field(1.0, ge=-1e6, le=1e6, description="Value of the other side yielding.")
    concede: Real = Field(0.0, ge=-1e6, le=1e6, description="Value of yielding.")
    disaster: Payoff | None = Field(
        None, description="Value of catastrophe (default: from arsenals and value at risk)."
    )
    stalemate: Payoff | None = Field(None, description="Value of an unresolved end (default: halfway prevail-concede).")

    @model_validator(mode="after")
    def _ordered(self) -> SideSpec:
        if self.prevail <= self.concede:
            raise ValueError(f"prevail ({self.prevail}) must exceed concede ({self.concede})")
        if self.disaster is not None and self.disaster >= self.concede:
            raise ValueError(f"disaster ({self.disaster}) must be below concede ({self.concede})")
        return self


class CrisisSpec(Strict):
    """A two-sided crisis on the ladder."""

    sides: dict[str, SideSpec] = Field(min_length=2, max_length=2, description="The two sides by lead state.")
    first_mover: str = Field(description="Lead state that moves first.")
    start_rung: Integer = Field(0, ge=0, description="Rung the crisis opens on (reached by the other side).")
    start_step: Integer = Field(1, ge=1, description="Step at which the crisis opens.")
    allow_hold: Flag = Field(True, description="Whether a side may stay on the current rung.")
    description: Text = ""

    @model_validator(mode="after")
    def _mover(self) -> CrisisSpec:
        if self.first_mover not in self.sides:
            raise ValueError(f"first_mover {shown(self.first_mover)} is not one of the sides {sorted(self.sides)}")
        return self


class BeliefSpec(Strict):
    """What one state believes about another at the start."""

    recklessness: Unit | None = None
    resolve: Unit | None = None


NEVER = 1_000_000_000
"""The step of an event written ``at: never``: listed (so ``--set events.N.at=12`` can bring it in), never fired."""


def _never(value: Any) -> Any:
    if isinstance(value, str):
        if value != "never":
            raise ValueError(f"Input should be a step number (1 or more) or 'never' (got {shown(value)})")
        return NEVER
    return value


class EventBase(Strict):
    """Fields every event has."""

    at: Annotated[
        int,
        Field(ge=1),
        strict_check(int),
        BeforeValidator(_never, json_schema_input_type=Annotated[int, Field(ge=1)] | Literal["never"]),
    ] = Field(description="Step at whose start the event happens, or 'never' (listed, switched off).")
    note: Text = Field("", description="What the event stands for, in words.")

    @field_serializer("at")
    def _dump_at(self, at: int) -> int | str:
        return "never" if at == NEVER else at


class SetEvent(EventBase):
    """Set a parameter path to a value."""

    kind: Literal["set"]
    path: str
    value: Real | Flag


class ShiftEvent(EventBase):
    """Add to a numeric parameter path (a trait shock, say)."""

    kind: Literal["shift"]
    path: str
    by: Real = Field(ge=-1e6, le=1e6)


class SuccessionEvent(EventBase):
    """A leader's death or succession."""

    kind: Literal["succession"]
    state: str
    leader: LeaderSpec | None = None
    traits: dict[Literal["fear", "recklessness", "commitment"], Unit] = Field(default_factory=dict)


class WarEvent(EventBase):
    """A war that defines a context flag starts or ends."""

    kind: Literal["war_start", "war_end"]
    context: str


class AlignEvent(EventBase):
    """A third power aligns with (relation > 0) or turns away from (< 0) another state."""

    kind: Literal["align"]
    states: tuple[str, str]
    relation: Relation


class StrikeEvent(EventBase):
    """A side strikes: the crisis jumps to `rung`, as that side's move."""

    kind: Literal["strike"]
    crisis: str
    by: str
    rung: Integer = Field(ge=1)


Event = Annotated[
    SetEvent | ShiftEvent | SuccessionEvent | WarEvent | AlignEvent | StrikeEvent,
    Field(discriminator="kind"),
]

LIVE_STATE_FIELDS = (
    "fear",
    "recklessness",
    "commitment",
    "audience_cost",
    "conventional",
    "warheads",
    "second_strike",
    "value_at_risk",
)
LIVE_ALLIANCE_FIELDS = ("active", "automaticity", "institutionalisation", "cohesion", "shared_threat")


class Scenario(Strict):
    """A scenario file."""

    name: Line = Field(min_length=1, description="Short name (the file's stem for shipped scenarios).")
    title: Line = Field("", description="One-line title.")
    description: Text = Field("", description="The claim the scenario lets a user test.")
    ladder: Annotated[str, Field(min_length=1, max_length=limits.REFERENCE_CHARS)] | Ladder = Field(
        "default", description="Shipped ladder name, path, or an inline ladder."
    )
    params: Params = Field(default_factory=Params)
    context: dict[str, Flag] = Field(
        default_factory=dict, max_length=limits.CONTEXT_FLAGS, description="Named conditions, e.g. a war going on."
    )
    states: dict[str, StateSpec] = Field(min_length=1, max_length=limits.STATES)
    relations: dict[str, Relation] = Field(
        default_factory=dict,
        max_length=limits.RELATIONS,
        description="Pairwise relations 'AAA-BBB' in [-1, 1] (default 0).",
    )
    alliances: dict[str, AllianceSpec] = Field(default_factory=dict, max_length=limits.ALLIANCES)
    crises: dict[str, CrisisSpec] = Field(default_factory=dict, max_length=limits.CRISES)
    beliefs: dict[str, dict[str, BeliefSpec]] = Field(
        default_factory=dict, max_length=limits.STATES, description="Observer -> target -> starting beliefs."
    )
    events: list[Event] = Field(default_factory=list, max_length=limits.EVENTS)

    _source: str = PrivateAttr("<scenario>")
    _ladder: Ladder | None = PrivateAttr(None)

    @field_validator("states")
    @classmethod
    def _codes(cls, states: dict[str, StateSpec]) -> dict[str, StateSpec]:
        for code, spec in states.items():
            pattern = AGGREGATE_CODE if spec.aggregate else COUNTRY_CODE
            if not pattern.match(code):
                kind = "an aggregate id (A-Z, 0-9, _)" if spec.aggregate else "an ISO 3166 alpha-3 code"
                raise ValueError(f"state id {shown(code)} is not {kind}")
        return states

    @field_validator("alliances", "crises", "context")
    @classmethod
    def _plain_ids(cls, entries: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = {"alliances": "alliance id", "crises": "crisis id", "context": "context flag"}[str(info.field_name)]
        check_ids(kind, entries)
        return entries

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        known = self.states
        for key in self.relations:
            for code in _pair(key, "relations"):
                _require(code, known, f"relations.{key}")
        for key, alliance in self.alliances.items():
            for code in alliance.members:
                _require(code, known, f"alliances.{key}.members")
            if alliance.war_context is not None and alliance.war_context not in self.context:
                raise ValueError(
                    f"alliances.{key}.war_context: {shown(alliance.war_context)} is not in context"
                    f"{_suggest(alliance.war_context, self.context)}"
                )
        for key, crisis in self.crises.items():
            involved: list[str] = []
            for lead, side in crisis.sides.items():
                _require(lead, known, f"crises.{key}.sides")
                for code in side.with_:
                    _require(code, known, f"crises.{key}.sides.{lead}.with")
                involved += [lead, *side.with_]
            if len(set(involved)) != len(involved):
                raise ValueError(f"crises.{key}: a state stands on both sides or twice on one")
        for observer, targets in self.beliefs.items():
            _require(observer, known, "beliefs")
            for target in targets:
                _require(target, known, f"beliefs.{observer}")
        for position, event in enumerate(self.events):
            self._check_event(position, event)
        return self

    def _check_event(self, position: int, event: Any) -> None:
        where = f"events.{position}"
        if isinstance(event, SetEvent | ShiftEvent):
            check_live_path(self, event.path, where=f"{where}.path")
            check_live_value(event, where)
        elif isinstance(event, SuccessionEvent):
            _require(event.state, self.states, f"{where}.state")
        elif isinstance(event, WarEvent) and event.context not in self.context:
            raise ValueError(
                f"{where}.context: {shown(event.context)} is not in context{_suggest(event.context, self.context)}"
            )
        elif isinstance(event, AlignEvent):
            for code in event.states:
                _require(code, self.states, f"{where}.states")
        elif isinstance(event, StrikeEvent):
            _require(event.crisis, self.crises, f"{where}.crisis")
            _require(event.by, self.crises[event.crisis].sides, f"{where}.by")

    @property
    def source(self) -> str:
        """The file the scenario came from, for messages."""
        return self._source

    @property
    def resolved_ladder(self) -> Ladder:
        """The ladder, once `scenarios.loading` has resolved a name or path."""
        if self._ladder is None:
            if isinstance(self.ladder, Ladder):
                return self.ladder
            raise RuntimeError("the scenario's ladder has not been loaded")
        return self._ladder


def check_live_path(scenario: Scenario, path: str, where: str) -> None:
    """Check that an event may change `path` while the model runs.

    Raises:
        ValueError: The path names nothing the running model can change.
    """
    parts = path.split(".")
    head = parts[0]
    if head == "states" and len(parts) == 3:
        _require(parts[1], scenario.states, where)
        if parts[2] not in LIVE_STATE_FIELDS:
            raise ValueError(
                f"{where}: {shown(parts[2])} cannot change during a run{_suggest(parts[2], LIVE_STATE_FIELDS)}"
            )
    elif head == "alliances" and len(parts) == 3:
        _require(parts[1], scenario.alliances, where)
        if parts[2] not in LIVE_ALLIANCE_FIELDS:
            raise ValueError(
                f"{where}: {shown(parts[2])} cannot change during a run{_suggest(parts[2], LIVE_ALLIANCE_FIELDS)}"
            )
    elif head == "relations" and len(parts) == 2:
        for code in _pair(parts[1], where):
            _require(code, scenario.states, where)
    elif head == "context" and len(parts) == 2:
        _require(parts[1], scenario.context, where)
    else:
        raise ValueError(
            f"{where}: {shown(path)} is not a path an event can change (states.ID.TRAIT, "
            "alliances.ID.FIELD, relations.A-B or context.NAME)"
        )


@lru_cache(maxsize=64)
def live_field(head: str, name: str) -> tuple[Any, TypeAdapter[Any]]:
    """The type of the field a live path ``HEAD.ID.NAME`` (or ``HEAD.NAME``) sets, and its validator.

    Args:
        head: ``states``, ``alliances``, ``relations`` or ``context``.
        name: The field of a state or alliance (ignored for relations and context).
    """
    if head in ("states", "alliances"):
        info = (StateSpec if head == "states" else AllianceSpec).model_fields[name]
        annotation: Any = Annotated[(info.annotation, *info.metadata)]
    else:
        annotation = Relation if head == "relations" else Flag
    return annotation, TypeAdapter(annotation, config=ConfigDict(allow_inf_nan=False))


def check_live_value(event: SetEvent | ShiftEvent, where: str) -> None:
    """Check a `set` event's value against the type and bounds of the field it sets.

    A `shift` may only add to a number. (The running model clips shifted values into range;
    see `model.brinkmanship`.)

    Raises:
        ValueError: A value of the wrong type or out of the field's range.
    """
    parts = event.path.split(".")
    annotation, adapter = live_field(parts[0], parts[-1])
    if isinstance(event, ShiftEvent):
        if scalar_problem(annotation, 0.0):
            raise ValueError(f"{where}.path: {shown(event.path)} is true or false; a set event changes it, not a shift")
        return
    problem = scalar_problem(annotation, event.value)
    if problem is None:
        try:
            adapter.validate_python(event.value)
        except ValidationError as error:
            message = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
            problem = f"{message} (got {shown(event.value)})"
    if problem:
        raise ValueError(f"{where}.value: {problem} for {event.path}")


def relation_key(a: str, b: str) -> str:
    """The canonical key of a pair in `Scenario.relations`: the two codes sorted, joined by '-'."""
    return "-".join(sorted((a, b)))


def _pair(key: str, where: str) -> tuple[str, str]:
    parts = key.split("-")
    if len(parts) != 2 or parts[0] == parts[1]:
        raise ValueError(f"{where}: {shown(key)} is not a pair of two different state ids joined by '-'")
    return parts[0], parts[1]


def _require(code: str, known: Any, where: str) -> None:
    if code not in known:
        raise ValueError(f"{where}: unknown id {shown(code)}{_suggest(code, known)}")


def _suggest(word: str, choices: Any, listed: int = 12) -> str:
    """"; did you mean 'x'?" for a close choice, else the first `listed` choices in order."""
    import difflib

    names = sorted(map(str, choices))
    close = difflib.get_close_matches(str(word)[: limits.NAME_CHARS], names, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {shown(close[0])}?"
    more = f", … ({len(names) - listed} more)" if len(names) > listed else ""
    return f"; known: {', '.join(clip(n, 40) for n in names[:listed])}{more}"
