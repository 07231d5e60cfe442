"""What a solved crisis says: the path of play from the start, and each side's value of the crisis.

`main_line` follows the most likely way the crisis stays open in a solution of
`rules.belief_equilibrium`: at each decision the normal mover's most probable move that does not
yield, the public posterior about the mover after it by Bayes' rule (Kreps & Wilson 1982: only
the obstinate type's move keeps the reputation, any other reveals the normal type) put on the
belief grid, with the other side's, as the simulators put them (`rules.crisis_play.belief_lottery`:
the line follows the more likely of the two neighbouring grid points, and its reach counts that chance), then the most
probable chance outcome that continues the crisis (`rules.crisis_play.transitions`, read from
`rules.crisis_game.CrisisGame.step`). Each decision records the normal mover's equilibrium
probability of every option and each side's normal type's value of it. `to_json` turns reports
into plain numbers for ``brink solve --json``.
"""

from __future__ import annotations

import math
from typing import Any, TypedDict

import numpy as np

from rules.belief_equilibrium import BeliefSolution, Play, bracket
from rules.crisis_game import YIELD
from rules.crisis_play import CONTINUE, KINDS, Transitions, transitions

ROUNDING = 12
"""Decimal places of the numbers `to_json` writes (differences below 1e-12 are rounding noise)."""

NO_CHANCE = 1e-15
"""Probability below which the normal mover is taken not to make a move."""


class Option(TypedDict):
    """One move open to the mover: label, rung moved to (``-1`` yields), probability, values."""

    label: str
    target: int
    probability: float
    values: list[float]


class Decision(TypedDict):
    """One decision on the main line.

    Keys:
        move: Its number on the line, from 1.
        elapsed: Moves made before it.
        rung, rung_name: Where the crisis stands.
        mover, mover_name: The side to move (index and name).
        beliefs: Public posteriors ``(mu0, mu1)`` that each side is obstinate, before the move.
        reach: Ex-ante probability that the crisis is open here on this line (types and chance).
        value: Each side's normal type's value before the move.
        options: Every move open to the mover (`Option`); probabilities are the normal type's.
        obstinate_move: Label of the obstinate type's fixed move.
        taken: The move the line takes ("yield" when the normal mover surely yields).
        end: Why the line stops after this decision ("yield", an ending kind of
            `rules.crisis_play.KINDS`, "stalemate" at the horizon, "max moves"), else None.
    """

    move: int
    elapsed: int
    rung: int
    rung_name: str
    mover: int
    mover_name: str
    beliefs: list[float]
    reach: float
    value: list[float]
    options: list[Option]
    obstinate_move: str
    taken: str
    end: str | None


def main_line(sol: BeliefSolution, max_moves: int = 40) -> list[Decision]:
    """The path of play from the start, at most ``max_moves`` decisions (see the module docstring)."""
    game, lay, tr = sol.game, sol.layout, transitions(sol)
    state = lay.state_index(game.start_rung, game.first_mover, game.start().joined)
    mu, reach, line = sol.prior().astype(float), 1.0, []
    for elapsed in range(max_moves):
        play = sol.decide(elapsed, np.array([state]), mu[None, :])
        decision = _decision(sol, play, state, elapsed, mu, reach)
        line.append(decision)
        slot = _continuing_move(decision)
        if slot is None:
            decision["end"] = "yield"
            break
        m = int(lay.mover[state])
        reach *= _public_chance(play, slot, float(mu[m]))
        mu[m] = float(play.after(slot)[0])
        for side in (0, 1):
            mu[side], chance = _likelier_grid_point(sol.grids[side], float(mu[side]))
            reach *= chance
        decision["taken"] = decision["options"][slot]["label"]
        outcome = _continuing_outcome(tr, state, slot)
        if outcome is None:
            decision["end"] = _likeliest_ending(tr, state, slot)
            break
        reach *= float(tr.p[state, slot, outcome])
        state = int(tr.after[state, slot, outcome])
        if game.horizon is not None and elapsed + 1 >= game.horizon:
            decision["end"] = "stalemate"
            break
    else:
        if line:
            line[-1]["end"] = "max moves"
    return line


def _likelier_grid_point(grid: np.ndarray, x: float) -> tuple[float, float]:
    """The likelier outcome of `rules.crisis_play.belief_lottery` at posterior ``x``, and its chance."""
    lo, hi, w = (float(v[0]) for v in bracket(grid, np.array([x])))
    return (float(grid[int(hi)]), w) if w >= 0.5 else (float(grid[int(lo)]), 1.0 - w)


def _decision(sol: BeliefSolution, play: Play, state: int, elapsed: int, mu: np.ndarray, reach: float) -> Decision:
    """The record of the decision at ``state`` (before the line's move is chosen)."""
    game, lay = sol.game, sol.layout
    here = lay.states[state]
    moves = game.moves(here)
    options = [
        Option(label=mv.label, target=mv.target, probability=float(play.probabilities[0, a]),
               values=[float(v) for v in play.values[0, a]])
        for a, mv in enumerate(moves)
    ]
    return Decision(
        move=elapsed + 1, elapsed=elapsed, rung=here.rung, rung_name=game.rungs[here.rung].name,
        mover=here.mover, mover_name=game.sides[here.mover].name, beliefs=[float(x) for x in mu],
        reach=reach, value=[float(v) for v in play.value[0]], options=options,
        obstinate_move=moves[int(play.obstinate_move[0])].label, taken="yield", end=None,
    )


def _continuing_move(decision: Decision) -> int | None:
    """Slot of the normal mover's most probable move that does not yield (least escalatory on ties)."""
    chances = [(o["probability"], -a) for a, o in enumerate(decision["options"]) if o["target"] != YIELD]
    best = max(chances, default=(0.0, 0))
    return -best[1] if best[0] > NO_CHANCE else None


def _public_chance(play: Play, slot: int, mu: float) -> float:
    """Ex-ante chance of the move: the obstinate type makes its fixed move, the normal type mixes."""
    obstinate = 1.0 if slot == int(play.obstinate_move[0]) else 0.0
    return mu * obstinate + (1.0 - mu) * float(play.probabilities[0, slot])


def _continuing_outcome(tr: Transitions, state: int, slot: int) -> int | None:
    """Index of the most probable chance outcome of the move that leaves the crisis open, or None."""
    p = np.where(tr.kind[state, slot] == CONTINUE, tr.p[state, slot], 0.0)
    best = int(np.argmax(p))
    return best if p[best] > 0 else None


def _likeliest_ending(tr: Transitions, state: int, slot: int) -> str:
    """The most probable way the move ends the crisis (when no outcome continues it)."""
    return KINDS[int(tr.kind[state, slot, int(np.argmax(tr.p[state, slot]))])]


def summary(sol: BeliefSolution) -> dict[str, Any]:
    """The game in brief and each side's normal type's value at the start, with the priors.

    Keys: rungs, horizon (None: stationary), lambda (None: the limit), points (each side's belief
    grid), public_states, priors (each side's prior of being obstinate), start_values,
    multiple_roots (stage games on the grid with several equilibria, where the selection rule of
    `rules.belief_equilibrium` chose the one with the lowest posterior) and sides (name, types
    with priors, the normal type, its value at the start).
    """
    game, lay = sol.game, sol.layout
    values, priors = sol.start_values(), sol.prior()
    sides = [
        {"name": side.name, "normal": side.types[lay.normal[i]].name, "value": float(values[i]),
         "obstinate_prior": float(priors[i]),
         "types": [{"name": t.name, "prior": t.prior, "obstinate": t.obstinate} for t in side.types]}
        for i, side in enumerate(game.sides)
    ]
    return {
        "rungs": len(game.rungs), "horizon": game.horizon, "lambda": None if math.isinf(sol.lam) else sol.lam,
        "points": [len(g) for g in sol.grids], "public_states": len(lay.states),
        "priors": [float(p) for p in priors], "start_values": [float(v) for v in values],
        "multiple_roots": int(sol.multiple_roots), "sides": sides,
    }


def report(sol: BeliefSolution, max_moves: int = 40) -> dict[str, Any]:
    """`summary` and `main_line` together, as ``brink solve --json`` prints them (after `to_json`)."""
    return {"summary": summary(sol), "main_line": main_line(sol, max_moves)}


def to_json(value: Any) -> Any:
    """``value`` with plain Python numbers for JSON: floats rounded to 1e-12, non-finite ones None.

    Mappings, lists, tuples and numpy arrays are converted item by item; numpy scalars become
    Python ones; ``-0.0`` becomes ``0.0``.
    """
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_json(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        return round(x, ROUNDING) + 0.0 if math.isfinite(x) else None
    return value
