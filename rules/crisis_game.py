"""The crisis as one game: rungs, moves, chance events, private types and payoffs, defined once.

Two sides take turns on an escalation ladder of rungs ``0..K``. The side to move yields (the
other side prevails), holds its rung (if the crisis allows it), moves one rung up, or takes one
of its doctrine's jumps to a higher rung. A move that does not yield risks the crisis slipping
into catastrophe at the rung it lands on (Schelling 1960, ch. 8: the threat that leaves
something to chance), may then be settled by decisive fighting (won in proportion to
conventional strength) and otherwise hands the move to the other side. Reaching a rung marked
``catastrophe`` is catastrophe by choice. With a finite horizon the crisis ends in stalemate
after that many moves; with ``horizon=None`` it has no deadline (the stationary form).

Each side has a finite set of private types (Harsanyi 1967-68) drawn once from a common prior:
payoffs prevail > concede > disaster (catastrophe is worth strictly less than conceding), a
holding cost paid on every move that does not yield, an audience cost that lowers the value of
conceding by that much per move the crisis has lasted (Fearon 1994, `rules.bargaining.
concession_value`), and a flag ``obstinate`` for a commitment type that never yields and whose
moves are fixed, not chosen (Kreps & Wilson 1982; Abreu & Gul 2000).

Each side may have an ally, called once: the first time the other side moves onto (or holds)
an armed-attack rung, the ally joins with its join probability, adding its strength to its
side's share of a decisive fight, or declines and stays out for the rest of the crisis (Snyder
1984, the alliance security dilemma: a treaty's clause is invoked by an attack and honoured or
not). ``CrisisState.joined[i]`` is ``None`` while side ``i``'s ally has not been called,
``False`` once it declined and ``True`` once it joined, so over two attacks it joins with its
join probability ``c``, not ``1 - (1 - c) ** 2``. Once joined, an ally escalates one rung on its
own with its escalation chance after each move that survives (Schelling's threat that leaves
something to chance, in the hands of a third party).

An obstinate type's fixed move (`CrisisType.fixed_move`, `CrisisGame.obstinate_move`) is
``"hold"``: hold its rung if it may, else one rung up; or ``"escalate"``: one rung up if it may,
else hold; it yields only when neither is open (Abreu & Gul 2000 behavioural types; with
``"escalate"`` a step up keeps the reputation and holding reveals the normal type).

The order of events after a move to rung ``r`` that does not yield (`CrisisGame.step`):
catastrophe if ``r`` is a catastrophe rung; else a slip with probability ``slip[r]``; else, if
``r`` is an armed attack, the call of the attacked side's ally if it was never called; else
decisive fighting with probability ``decisive[r]``; else the allies' own escalation to ``r + 1``
(which may slip at ``r + 1``); else the other side moves, or the crisis ends in stalemate when
the horizon is reached. The solvers (`rules.equilibrium`) and
the simulators read this one definition.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import NamedTuple

from rules.bargaining import concession_value

YIELD = -1
"""Target code of the yield move."""

TERMINAL_KINDS = ("yield", "deliberate", "slip", "ally", "fight", "stalemate")
"""Ways a crisis ends: a yield, a chosen move to a catastrophe rung, a slip out of control, an
ally's own escalation into a catastrophe rung, decisive fighting, or the horizon (stalemate)."""

DISASTER_KINDS = frozenset({"deliberate", "slip", "ally"})
"""Ending kinds in which both sides suffer catastrophe."""


NOT_CALLED, DECLINED, JOINED = 0, 1, 2
"""Codes of a side's ally status (`ally_status`)."""


FIXED_MOVES = ("hold", "escalate")
"""The fixed moves an obstinate type may have (`CrisisType.fixed_move`)."""


def ally_status(joined: bool | None) -> int:
    """The code of an ally's entry in ``CrisisState.joined``: None `NOT_CALLED`, False `DECLINED`, True `JOINED`."""
    if joined is None:
        return NOT_CALLED
    return JOINED if joined else DECLINED


class GameError(ValueError):
    """A crisis game whose inputs are inconsistent (the message names the field)."""


class CrisisState(NamedTuple):
    """A public state of the crisis: rung, side to move, moves made so far, each side's ally status.

    ``joined[i]`` is None while side ``i``'s ally has not been called, False once it declined
    and True once it joined (truthiness: "joined").
    """

    rung: int
    mover: int
    elapsed: int
    joined: tuple[bool | None, bool | None]


class Move(NamedTuple):
    """A move: its label and the rung it moves to (`YIELD` for yielding)."""

    label: str
    target: int


class Outcome(NamedTuple):
    """One chance outcome of a move that does not yield.

    Attributes:
        probability: Chance of this outcome given the move.
        kind: ``"continue"`` or an ending kind of `TERMINAL_KINDS` other than ``"yield"``.
        state: The state reached: the next state to move from when ``kind == "continue"``; else
            the state in which the crisis ended (its rung is where it ended).
        winner: The side that won a decisive fight (``kind == "fight"``), else None.
    """

    probability: float
    kind: str
    state: CrisisState
    winner: int | None = None


@dataclass(frozen=True)
class CrisisType:
    """A private type of a crisis side (Harsanyi): its payoffs and costs.

    Attributes:
        name: Label of the type.
        prior: Prior probability of the type (the image others hold of the side).
        prevail: Value of the other side yielding or losing a decisive fight.
        concede: Value of yielding at the start of the crisis (and of losing a fight).
        disaster: Value of catastrophe; strictly below ``concede`` (no cap at conceding).
        stalemate: Value when the horizon is reached.
        hold_cost: Cost paid on every move that does not yield.
        audience_cost: Loss of the concession value per move the crisis has lasted (Fearon 1994).
        obstinate: A commitment type that never yields; its move is fixed, not chosen.
        fixed_move: The obstinate type's fixed move, ``"hold"`` (hold if it may, else one rung up)
            or ``"escalate"`` (one rung up if it may, else hold); ignored for a normal type.
    """

    name: str
    prior: float
    prevail: float
    concede: float
    disaster: float
    stalemate: float = 0.0
    hold_cost: float = 0.0
    audience_cost: float = 0.0
    obstinate: bool = False
    fixed_move: str = "hold"

    def __post_init__(self) -> None:
        """Check the payoff order prevail > concede > disaster, the ranges and the fixed move."""
        where = f"type {self.name!r}"
        if self.fixed_move not in FIXED_MOVES:
            raise GameError(f"{where}: fixed_move must be one of {', '.join(FIXED_MOVES)}, got {self.fixed_move!r}")
        for name in ("prior", "prevail", "concede", "disaster", "stalemate", "hold_cost", "audience_cost"):
            _finite(getattr(self, name), f"{where}: {name}")
        if not 0.0 < self.prior <= 1.0:
            raise GameError(f"{where}: prior must be in (0, 1], got {self.prior:g}")
        if not self.prevail > self.concede > self.disaster:
            raise GameError(f"{where}: payoffs must satisfy prevail > concede > disaster")
        if self.hold_cost < 0 or self.audience_cost < 0:
            raise GameError(f"{where}: hold_cost and audience_cost must be >= 0")

    def concession(self, elapsed: int) -> float:
        """Value of yielding after ``elapsed`` moves (`rules.bargaining.concession_value`).

        Audience costs never make backing down worse than catastrophe: the value is floored at
        ``disaster``, as in the agent model (`model.crisis.side_view`).
        """
        return max(float(concession_value(self.concede, self.audience_cost, elapsed)), self.disaster)


@dataclass(frozen=True)
class Ally:
    """A third party committed to one side (Snyder 1984).

    Attributes:
        join: Chance it joins when first called, by the other side's first move onto or at an
            armed-attack rung; an ally that declined stays out.
        strength: Conventional strength it adds to its side once joined.
        escalate: Chance, once joined, that it moves the crisis one rung up on its own after a move.
    """

    join: float
    strength: float
    escalate: float = 0.0

    def __post_init__(self) -> None:
        """Check probabilities and strength."""
        for name in ("join", "escalate"):
            _probability(getattr(self, name), f"ally: {name}")
        _finite(self.strength, "ally: strength")
        if self.strength < 0:
            raise GameError("ally: strength must be >= 0")


@dataclass(frozen=True)
class Rung:
    """A rung of the ladder.

    Attributes:
        name: Label.
        slip: Chance the crisis slips into catastrophe after a move onto or at this rung.
        decisive: Chance that fighting at this rung is then decided by force.
        armed_attack: Whether a move here is an armed attack (it can bring the target's ally in).
        catastrophe: Whether reaching this rung is itself catastrophe.
    """

    name: str = ""
    slip: float = 0.0
    decisive: float = 0.0
    armed_attack: bool = False
    catastrophe: bool = False

    def __post_init__(self) -> None:
        """Check probabilities."""
        _probability(self.slip, f"rung {self.name!r}: slip")
        _probability(self.decisive, f"rung {self.name!r}: decisive")


@dataclass(frozen=True)
class Side:
    """One side of the crisis.

    Attributes:
        name: Label.
        types: Its private types; priors sum to one.
        strength: Conventional strength (a decisive fight is won in proportion to strength).
        rung_cost: Cost to this side of each of its moves onto each rung (empty: none).
        exposure: Cost to this side of each move of the other side onto each rung (empty: none).
        jumps: Doctrine jumps ``(from_rung, to_rung)`` with ``to_rung > from_rung + 1``.
        ally: Its ally, if any.
        forbidden: Rungs this side cannot move to or hold (e.g. nuclear rungs for a bloc
            without nuclear weapons); yielding stays open.
    """

    name: str
    types: tuple[CrisisType, ...]
    strength: float = 1.0
    rung_cost: tuple[float, ...] = ()
    exposure: tuple[float, ...] = ()
    jumps: tuple[tuple[int, int], ...] = ()
    ally: Ally | None = None
    forbidden: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        """Check the type set and strength."""
        if not self.types:
            raise GameError(f"side {self.name!r}: needs at least one type")
        if len({t.name for t in self.types}) != len(self.types):
            raise GameError(f"side {self.name!r}: type names must be distinct")
        total = math.fsum(t.prior for t in self.types)
        if abs(total - 1.0) > 1e-9:
            raise GameError(f"side {self.name!r}: type priors must sum to 1, got {total:.6g}")
        _finite(self.strength, f"side {self.name!r}: strength")
        if self.strength <= 0:
            raise GameError(f"side {self.name!r}: strength must be > 0")
        for name in ("rung_cost", "exposure"):
            for value in getattr(self, name):
                _finite(value, f"side {self.name!r}: {name}")


@dataclass(frozen=True)
class CrisisGame:
    """The crisis game (see the module docstring for the rules and their sources).

    Attributes:
        rungs: The ladder, rungs ``0..K``.
        sides: The two sides.
        allow_hold: Whether a side may hold its rung.
        first_mover: The side that moves first.
        start_rung: The rung the crisis opens at.
        horizon: Moves until stalemate, or None for no deadline (stationary form).
    """

    rungs: tuple[Rung, ...]
    sides: tuple[Side, Side]
    allow_hold: bool = True
    first_mover: int = 0
    start_rung: int = 0
    horizon: int | None = None
    _moves: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Check the ladder, the sides' per-rung data, the jumps and the start."""
        k = len(self.rungs)
        if k < 2:
            raise GameError("rungs: the ladder needs at least two rungs")
        if len(self.sides) != 2:
            raise GameError("sides: a crisis has exactly two sides")
        if self.first_mover not in (0, 1):
            raise GameError("first_mover must be 0 or 1")
        if not 0 <= self.start_rung < k or self.rungs[self.start_rung].catastrophe:
            raise GameError("start_rung must be a rung of the ladder that is not a catastrophe")
        if self.horizon is not None and (isinstance(self.horizon, bool) or self.horizon < 1):
            raise GameError("horizon must be a positive number of moves or None")
        for side in self.sides:
            for name in ("rung_cost", "exposure"):
                if getattr(side, name) and len(getattr(side, name)) != k:
                    raise GameError(f"side {side.name!r}: {name} needs one value per rung ({k})")
            for a, b in side.jumps:
                if not (0 <= a < k and a + 1 < b < k):
                    raise GameError(f"side {side.name!r}: jump {a}->{b} must skip up the ladder")
            if any(not 0 <= r < k for r in side.forbidden):
                raise GameError(f"side {side.name!r}: forbidden rungs must be rungs of the ladder")

    @property
    def top(self) -> int:
        """The highest rung ``K``."""
        return len(self.rungs) - 1

    @property
    def stationary(self) -> bool:
        """Whether the game has no deadline."""
        return self.horizon is None

    def start(self) -> CrisisState:
        """The state the crisis opens in: no ally called yet."""
        return CrisisState(self.start_rung, self.first_mover, 0, (None, None))

    def moves(self, state: CrisisState) -> tuple[Move, ...]:
        """Moves open to the mover, least escalatory first: yield, hold, one rung up, jumps."""
        key = (state.rung, state.mover)
        if key not in self._moves:
            r, side = state.rung, self.sides[state.mover]
            targets = {b for a, b in side.jumps if a == r}
            targets |= {r} if self.allow_hold else set()
            targets |= {r + 1} if r < self.top else set()
            targets = sorted(targets - set(side.forbidden))
            moves = [Move("yield", YIELD)]
            moves += [Move("hold" if t == r else f"to {t}", t) for t in targets]
            self._moves[key] = tuple(moves)
        return self._moves[key]

    def obstinate_move(self, state: CrisisState, type_index: int | None = None) -> int:
        """Index in `moves` of the fixed move of the mover's obstinate type (`CrisisType.fixed_move`).

        ``"hold"``: hold if it may, else one rung up; ``"escalate"``: one rung up if it may, else
        hold. One rung up may be onto a catastrophe rung (catastrophe by choice): the type is
        committed, not prudent. ``type_index`` picks the type; by default the mover's first
        obstinate type (a side without one: ``"hold"``). With neither move open only yielding is
        left (slot 0).
        """
        types = self.sides[state.mover].types
        if type_index is None:
            type_index = next((j for j, t in enumerate(types) if t.obstinate), None)
        fixed = "hold" if type_index is None else types[type_index].fixed_move
        order = (state.rung + 1, state.rung) if fixed == "escalate" else (state.rung, state.rung + 1)
        targets = [m.target for m in self.moves(state)]
        for wanted in order:
            if wanted in targets:
                return targets.index(wanted)
        return 0

    def share(self, joined: tuple[bool | None, bool | None]) -> float:
        """Side 0's chance of winning a decisive fight: its share of conventional strength."""
        strength = [s.strength + (s.ally.strength if s.ally is not None and joined[i] else 0.0)
                    for i, s in enumerate(self.sides)]
        return strength[0] / (strength[0] + strength[1])

    def escalation_chance(self, joined: tuple[bool | None, bool | None]) -> float:
        """Chance that at least one joined ally moves the crisis one rung up on its own."""
        stay = 1.0
        for i, side in enumerate(self.sides):
            if side.ally is not None and joined[i]:
                stay *= 1.0 - side.ally.escalate
        return 1.0 - stay

    def step(self, state: CrisisState, target: int) -> tuple[Outcome, ...]:
        """Chance outcomes of the mover's move to rung ``target`` (not a yield), in the documented order."""
        landed = state._replace(rung=target)
        if self.rungs[target].catastrophe:
            return (Outcome(1.0, "deliberate", landed),)
        slip = self.rungs[target].slip
        out = [Outcome(slip, "slip", landed)] if slip > 0 else []
        for p_join, joined in self._join_branches(state, target):
            out += self._fight_and_escalate((1.0 - slip) * p_join, landed._replace(joined=joined))
        return tuple(o for o in out if o.probability > 0)

    def _join_branches(
        self, state: CrisisState, target: int
    ) -> list[tuple[float, tuple[bool | None, bool | None]]]:
        """The attacked side's ally, if not yet called, joins or declines for good (Snyder 1984)."""
        other = 1 - state.mover
        ally = self.sides[other].ally
        if ally is None or state.joined[other] is not None or not self.rungs[target].armed_attack:
            return [(1.0, state.joined)]
        joined, declined = list(state.joined), list(state.joined)
        joined[other], declined[other] = True, False
        return [(ally.join, (joined[0], joined[1])), (1.0 - ally.join, (declined[0], declined[1]))]

    def _fight_and_escalate(self, p: float, landed: CrisisState) -> list[Outcome]:
        """Decisive fighting at the rung, then the allies' own escalation, then the next turn."""
        decisive = self.rungs[landed.rung].decisive
        share = self.share(landed.joined)
        out = [Outcome(p * decisive * share, "fight", landed, 0)]
        out.append(Outcome(p * decisive * (1.0 - share), "fight", landed, 1))
        p_on = p * (1.0 - decisive)
        escalate = self.escalation_chance(landed.joined) if landed.rung < self.top else 0.0
        if escalate > 0:
            up = landed._replace(rung=landed.rung + 1)
            if self.rungs[up.rung].catastrophe:
                out.append(Outcome(p_on * escalate, "ally", up))
            else:
                slip = self.rungs[up.rung].slip
                out.append(Outcome(p_on * escalate * slip, "slip", up))
                out.append(self._next(p_on * escalate * (1.0 - slip), up))
        out.append(self._next(p_on * (1.0 - escalate), landed))
        return out

    def _next(self, p: float, landed: CrisisState) -> Outcome:
        """Hand the move to the other side, or end in stalemate at the horizon."""
        after = CrisisState(landed.rung, 1 - landed.mover, landed.elapsed + 1, landed.joined)
        if self.horizon is not None and after.elapsed >= self.horizon:
            return Outcome(p, "stalemate", after)
        return Outcome(p, "continue", after)

    def payoff(self, side: int, kind: str, state: CrisisState, winner: int | None = None) -> tuple[float, ...]:
        """Each type's payoff to ``side`` when the crisis ends as ``kind`` in ``state``.

        For ``"yield"``, ``state`` is the state in which the mover yielded. Defeat in a decisive
        fight is worth ``concede`` without audience costs (those punish backing down, Fearon 1994).
        """
        types = self.sides[side].types
        if kind == "yield":
            return tuple(t.concession(state.elapsed) if side == state.mover else t.prevail for t in types)
        if kind in DISASTER_KINDS:
            return tuple(t.disaster for t in types)
        if kind == "fight":
            return tuple(t.prevail if side == winner else t.concede for t in types)
        if kind == "stalemate":
            return tuple(t.stalemate for t in types)
        raise GameError(f"payoff: unknown ending {kind!r}")

    def move_cost(self, side: int, state: CrisisState, target: int) -> tuple[float, ...]:
        """Each type's cost to ``side`` of the mover's move to ``target`` (none onto a catastrophe rung)."""
        spec = self.sides[side]
        if self.rungs[target].catastrophe:
            return tuple(0.0 for _ in spec.types)
        if side == state.mover:
            rung = spec.rung_cost[target] if spec.rung_cost else 0.0
            return tuple(t.hold_cost + rung for t in spec.types)
        exposure = spec.exposure[target] if spec.exposure else 0.0
        return tuple(exposure for _ in spec.types)

    def digest(self) -> str:
        """A hash of every input of the game, for caching solutions."""
        return hashlib.sha256(repr(self).encode()).hexdigest()


def _finite(value: object, where: str) -> None:
    """Refuse a value that is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise GameError(f"{where}: must be a finite number")


def _probability(value: object, where: str) -> None:
    """Refuse a value that is not a probability."""
    _finite(value, where)
    if not 0.0 <= float(value) <= 1.0:  # type: ignore[arg-type]
        raise GameError(f"{where}: must be a probability in [0, 1]")
