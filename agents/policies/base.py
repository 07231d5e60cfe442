"""What a policy sees when it must move, what it returns, and the base class."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from rules.beliefs import ESCALATE, HOLD, YIELD

MoveKind = Literal["yield", "hold", "escalate"]
MOVE_CODES: dict[str, int] = {"yield": YIELD, "hold": HOLD, "escalate": ESCALATE}


@dataclass(frozen=True)
class Move:
    """A move in a crisis: yield, hold the current rung, or escalate to `rung`.

    Attributes:
        kind: "yield", "hold" or "escalate".
        rung: The rung the crisis stands on after the move (unchanged for yield and hold).
    """

    kind: MoveKind
    rung: int

    @property
    def code(self) -> int:
        """Numeric code of the move kind (see `rules.beliefs`)."""
        return MOVE_CODES[self.kind]


@dataclass(frozen=True)
class SideView:
    """Payoffs, traits and exposure of one side of a crisis.

    Attributes:
        prevail: Value of the other side yielding.
        concede: Value of yielding now (audience costs already deducted).
        disaster: Value of catastrophe.
        stalemate: Value of the crisis ending unresolved at the step limit.
        fear: Fear trait of the side's lead state.
        recklessness: Recklessness trait of the side's lead state.
        share: The side's share of the belligerents' conventional strength.
        cost: Damage the side suffers per step when it moves to each rung, shape (K,).
        exposure: Damage the side suffers per step when the other side moves to each rung, (K,).
    """

    prevail: float
    concede: float
    disaster: float
    stalemate: float
    fear: float
    recklessness: float
    share: float
    cost: np.ndarray
    exposure: np.ndarray


@dataclass(frozen=True)
class Turn:
    """One past move in the crisis, from the viewpoint of the side now deciding."""

    mine: bool
    kind: MoveKind
    rung: int


@dataclass(frozen=True)
class Stage:
    """The stage game the mover faces in the crisis game's equilibrium.

    One query of `rules.belief_equilibrium.BeliefSolution.decide`, in the order yield, then
    `CrisisView.options`.

    Attributes:
        probabilities: The normal type's equilibrium probability of each move.
        values: The mover's normal type's value of each move.
        obstinate: Whether the mover is the obstinate type (its own private type, Kreps & Wilson 1982).
        obstinate_move: Index of the obstinate type's fixed move.
        belief: The public posterior that the opponent is obstinate.
    """

    probabilities: tuple[float, ...]
    values: tuple[float, ...]
    obstinate: bool
    obstinate_move: int
    belief: float


@dataclass(frozen=True)
class CrisisView:
    """Everything a mover knows when it chooses a move.

    Policies marked ``complete_information: False`` must not read `them`, the opponent's true
    payoffs and traits; they use `resolve_estimate` and `reckless_image` instead.

    Attributes:
        rung: Current rung.
        options: Rungs the mover may move to, ascending; contains `rung` when holding is
            allowed. Yielding is always allowed.
        slip: Per-step risk of catastrophe at each rung (after the scenario's slip scale), (K,).
        decisive: Per-step chance that fighting at each rung is decided by force, (K,).
        catastrophe: Whether each rung is all-out war, (K,).
        allowed: ``allowed[0]`` the mover's and ``allowed[1]`` the opponent's possible moves from
            each rung, shape (2, K, K).
        me: The mover's side.
        them: The opponent's side (true values).
        resolve_estimate: The mover's estimate of the opponent's critical risk.
        reckless_image: The mover's estimate of the opponent bloc's recklessness.
        history: Moves so far, oldest first.
        elapsed: Steps since the crisis began.
        steps_left: Moves left before the step limit, this one included.
        risk_sensitivity: How strongly traits bend perceived risk.
        standfast_spread: Width of the logistic stand-fast threshold.
        decision_noise: Softmax temperature of the heuristic policy's choices.
        stage: The stage game of the crisis game's equilibrium at this move, when the game was
            solved (some lead of the crisis plays the equilibrium); else None.
    """

    rung: int
    options: tuple[int, ...]
    slip: np.ndarray
    decisive: np.ndarray
    catastrophe: np.ndarray
    allowed: np.ndarray
    me: SideView
    them: SideView
    resolve_estimate: float
    reckless_image: float
    history: tuple[Turn, ...] = ()
    elapsed: int = 0
    steps_left: int = 100
    risk_sensitivity: float = 2.0
    standfast_spread: float = 0.1
    decision_noise: float = 0.0
    stage: Stage | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def can_hold(self) -> bool:
        """Whether holding the current rung is allowed."""
        return self.rung in self.options

    def escalation(self) -> Move | None:
        """The one-rung escalation, or None when it is not allowed."""
        if self.rung + 1 in self.options:
            return Move("escalate", self.rung + 1)
        return None

    def hold(self) -> Move | None:
        """Holding the current rung, or None when it is not allowed."""
        return Move("hold", self.rung) if self.can_hold else None

    def yield_(self) -> Move:
        """Yielding."""
        return Move("yield", self.rung)

    def to_rung(self, rung: int) -> Move:
        """The move that leaves the crisis on `rung` (which must be an option)."""
        if rung not in self.options:
            raise ValueError(f"rung {rung} is not an option from rung {self.rung}")
        return Move("hold" if rung == self.rung else "escalate", rung)


class NoParams(BaseModel):
    """A policy that takes no parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy:
    """A named decision rule: given a crisis view and a generator, return a move.

    Subclasses set `name`, `classifier` and, if they take parameters, a pydantic `Params`
    model; they implement `decide`. Policies keep no state between moves (all they remember is
    in `CrisisView.history`), so a clone or an unpickled copy plays identically.

    The classifier declares, like the Axelrod library's:
        stochastic: whether `decide` draws from the generator.
        memory_depth: how many past turns it reads (``float("inf")`` for all).
        uses_beliefs: whether it reads `resolve_estimate` / `reckless_image`.
        complete_information: whether it reads the opponent's true payoffs (`them`).
        may_yield: whether it ever yields.
        may_escalate: whether it ever escalates.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    classifier: ClassVar[dict[str, Any]]
    Params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, **params: Any) -> None:
        self.params = self.Params(**params)

    def decide(self, view: CrisisView, rng: np.random.Generator) -> Move:
        """Choose a move.

        Args:
            view: What the mover knows.
            rng: The model's generator; the only source of randomness a policy may use.

        Returns:
            An allowed move.
        """
        raise NotImplementedError

    def clone(self) -> Policy:
        """A fresh copy with the same parameters."""
        return type(self)(**self.params.model_dump())

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.params == self.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.name, self.params))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.model_dump().items())
        return f"{type(self).__name__}({args})"
