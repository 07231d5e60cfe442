"""Backward induction over time and beliefs for crises whose private types are reputations.

Each side is a normal type, optionally paired with an obstinate type that never yields
(Kreps & Wilson 1982; Abreu & Gul 2000). The state of the crisis is then its public state
(rung, mover, allies joined, moves so far) and the two public posteriors ``mu = (mu0, mu1)``
that each side is obstinate. The obstinate type's move is fixed (`CrisisGame.obstinate_move`),
so only the normal type's probability ``s`` of making the same move moves the belief: by Bayes'
rule the posterior after that move is ``mu / (mu + (1 - mu) s)`` and after any other move 0
(`posterior`). Each stage game is therefore a fixed point in one number: the normal mover's
logit choice at precision ``lam`` (McKelvey & Palfrey 1998) given the continuation values at the
posterior its own choice induces. The posterior falls as ``s`` rises, so the fixed point is found
on the segment of the belief grid where it changes sign and then by bisection; at ``lam = inf`` it
is the sequential equilibrium of the stage (Kreps & Wilson 1982): pool with the obstinate type if
that is a best reply at the prior, separate if it is not even at certainty, and otherwise mix so
the normal type is indifferent (the mixing of Kreps & Wilson's chain-store game).

Stages are solved backwards from the horizon (Fudenberg & Tirole 1991, ch. 8, perfect Bayesian
equilibrium by backward induction over beliefs). The stationary form (no deadline) has complete
information and is the Markov logit QRE of `rules.markov_qre`. Continuation values between grid points are linear in the
posteriors, so results converge to the tree solver's (`rules.equilibrium`) as the grid is refined.

One definition serves the solver and the simulators: `BeliefSolution.decide` solves the stage
game at any beliefs, on the grid while solving and at a run's exact posteriors while simulating.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rules.crisis_game import CrisisGame, CrisisState, GameError
from rules.game_tree import _move_outcomes, log_softmax

DEFAULT_POINTS = 41
"""Points of each side's belief grid (quadratically spaced: finer near 0, where priors sit)."""

BISECTIONS = 42
"""Bisection steps of a stage's fixed point (the segment shrinks to 2**-42 of a grid cell)."""



def posterior(mu: NDArray, s: NDArray, played_obstinate_move: NDArray) -> NDArray:
    """Public posterior that the mover is obstinate after its move (Bayes' rule).

    Args:
        mu: Prior probability that the mover is obstinate, (Q,).
        s: The normal type's probability of the obstinate type's move, (Q,).
        played_obstinate_move: Whether the observed move is the obstinate type's move, (Q,).

    Returns:
        ``mu / (mu + (1 - mu) s)`` after the obstinate type's move (1 when the normal type never
        makes it, 0 when ``mu = 0``) and 0 after any other move, which an obstinate type never
        makes, so the posterior is defined off the path of play too.
    """
    mu, s = np.asarray(mu, dtype=float), np.asarray(s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        after = np.where(mu > 0, mu / (mu + (1.0 - mu) * s), 0.0)
    return np.where(np.asarray(played_obstinate_move, dtype=bool), after, 0.0)


def belief_grid(points: int) -> NDArray[np.float64]:
    """The grid of a side's posterior, ``(k / (points - 1)) ** 2`` for ``k = 0..points-1``."""
    return np.linspace(0.0, 1.0, points) ** 2


@dataclass(frozen=True)
class Layout:
    """The public states (rung, mover, allies joined) of a game and each move's consequences.

    Attributes:
        game: The game.
        states: Public states, elapsed 0.
        index: Position of each ``(rung, mover, joined)``.
        mover: Mover of each state, (S,).
        valid: Whether move slot ``a`` exists, (S, A).
        obstinate_move: Slot of the obstinate type's move, (S,).
        terminal: Normal types' expected ending payoffs of each move, costs included, (S, A, 2);
            the yield slot holds the non-mover's payoff only (the mover's depends on elapsed).
        child: Continuing successor states of each move, (S, A, C).
        child_p: Their probabilities, (S, A, C) (0 pads).
        normal: Index of each side's normal type; ``has_obstinate`` whether it has an obstinate type.
    """

    game: CrisisGame
    states: tuple[CrisisState, ...]
    index: dict
    mover: NDArray[np.intp]
    valid: NDArray[np.bool_]
    obstinate_move: NDArray[np.intp]
    terminal: NDArray[np.float64]
    child: NDArray[np.intp]
    child_p: NDArray[np.float64]
    normal: tuple[int, int]
    has_obstinate: tuple[bool, bool]

    def state_index(self, rung: int, mover: int, joined: tuple[bool, bool]) -> int:
        """Position of a public state."""
        return self.index[(rung, mover, tuple(joined))]


def _side_types(game: CrisisGame) -> tuple[tuple[int, int], tuple[bool, bool]]:
    """Each side's normal type and whether it has an obstinate type (else `GameError`)."""
    normal, obstinate = [], []
    for side in game.sides:
        kinds = [t.obstinate for t in side.types]
        if kinds.count(False) != 1 or len(kinds) > 2:
            raise GameError(
                f"side {side.name!r}: the belief solver needs one normal type, optionally with one obstinate type"
            )
        normal.append(kinds.index(False))
        obstinate.append(len(kinds) == 2)
    return (normal[0], normal[1]), (obstinate[0], obstinate[1])


def build_layout(game: CrisisGame) -> Layout:
    """Enumerate the public states and the consequences of every move (read from `CrisisGame.step`)."""
    normal, has_obst = _side_types(game)
    open_game = dataclasses.replace(game, horizon=None)
    states = [CrisisState(r, m, 0, (j0, j1)) for r in range(len(game.rungs)) if not game.rungs[r].catastrophe
              for m in (0, 1) for j0 in (False, True) for j1 in (False, True)]
    index = {(s.rung, s.mover, s.joined): i for i, s in enumerate(states)}
    width = max(len(game.moves(s)) for s in states)
    n_types = max(len(s.types) for s in game.sides)
    terminal = np.zeros((len(states), width, 2))
    valid = np.zeros((len(states), width), dtype=bool)
    children: list[list[list[tuple[int, float]]]] = []
    for i, state in enumerate(states):
        moves = game.moves(state)
        valid[i, : len(moves)] = True
        row = []
        for a, move in enumerate(moves):
            pay = np.zeros((2, n_types))
            conts = _move_outcomes(open_game, state, move.target, pay)
            terminal[i, a] = [pay[0, normal[0]], pay[1, normal[1]]]
            row.append([(index[(s.rung, s.mover, s.joined)], p) for p, s, _label in conts])
        children.append(row)
    width_c = max(1, max(len(c) for row in children for c in row))
    child = np.zeros((len(states), width, width_c), dtype=np.intp)
    child_p = np.zeros((len(states), width, width_c))
    for i, row in enumerate(children):
        for a, conts in enumerate(row):
            for c, (j, p) in enumerate(conts):
                child[i, a, c], child_p[i, a, c] = j, p
    return Layout(
        game, tuple(states), index, np.array([s.mover for s in states], dtype=np.intp), valid,
        np.array([game.obstinate_move(s) for s in states], dtype=np.intp), terminal, child, child_p,
        normal, has_obst,
    )


@dataclass(frozen=True)
class Play:
    """The stage game solved at some beliefs, for each query.

    Attributes:
        probabilities: The normal mover's probability of each move, (Q, A) (0 on missing slots).
        values: Each side's normal type's value of each move, with the obstinate type's move
            valued at the posterior it induces, (Q, A, 2) (``-inf`` on missing slots).
        posterior: Public posterior that the mover is obstinate after the obstinate type's move, (Q,).
        obstinate_move: Slot of the obstinate type's move, (Q,).
        value: Each side's normal type's value before the move, (Q, 2).
    """

    probabilities: NDArray[np.float64]
    values: NDArray[np.float64]
    posterior: NDArray[np.float64]
    obstinate_move: NDArray[np.intp]
    value: NDArray[np.float64]

    def after(self, slot: NDArray) -> NDArray[np.float64]:
        """Public posterior that the mover is obstinate after it made move ``slot`` (Bayes' rule, `posterior`)."""
        return np.where(np.asarray(slot) == self.obstinate_move, self.posterior, 0.0)


def _bracket(grid: NDArray, x: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """Grid cell ``(lo, hi)`` of each ``x`` and its weight on ``hi`` (linear interpolation)."""
    if len(grid) == 1:
        zero = np.zeros(len(x), dtype=np.intp)
        return zero, zero, np.zeros(len(x))
    hi = np.clip(np.searchsorted(grid, x, side="right"), 1, len(grid) - 1)
    lo = hi - 1
    w = np.clip((x - grid[lo]) / (grid[hi] - grid[lo]), 0.0, 1.0)
    return lo, hi, w


def _interp_line(line: NDArray, grid: NDArray, x: NDArray, rows: NDArray | None = None) -> NDArray:
    """Values of ``line[rows]`` (Q, G, ...) at ``x`` (Q,), linear between grid points."""
    lo, hi, w = _bracket(grid, x)
    rows = np.arange(len(x)) if rows is None else rows
    w = w.reshape(-1, *(1,) * (line.ndim - 2))
    return (1.0 - w) * line[rows, lo] + w * line[rows, hi]


def _continuation(lay: Layout, rel: NDArray, s: NDArray, a: NDArray, cell: tuple, node: int | slice) -> NDArray:
    """Expected value of move ``a`` from state ``s``: endings plus successors' values (Q, [G,] 2).

    ``rel`` is the next stage's table with axes (state, mover's posterior, other's posterior, side);
    ``cell`` brackets the other side's posterior; ``node`` picks the mover's posterior grid points.
    """
    lo, hi, w = cell
    ch, p = lay.child[s, a], lay.child_p[s, a]
    full = isinstance(node, slice)
    out = lay.terminal[s, a][:, None, :] if full else lay.terminal[s, a].copy()
    for c in range(ch.shape[1]):
        here, there = rel[ch[:, c], node, lo], rel[ch[:, c], node, hi]
        shape = (-1, 1, 1) if full else (-1, 1)
        out = out + (p[:, c] * (1.0 - w)).reshape(shape) * here + (p[:, c] * w).reshape(shape) * there
    return out


def _shares(values: NDArray, valid: NDArray, lam: float) -> NDArray:
    """Logit shares of ``values`` over valid slots (last axis), the rule of `rules.game_tree.log_softmax`.

    At ``lam = inf`` ties share equally; a row without a valid slot gets shares 0.
    """
    return np.exp(log_softmax(values, np.full(values.shape[:-1], lam), valid))


def _reputation_share(mu: NDArray, x: NDArray) -> NDArray:
    """The normal type's share ``s`` of the obstinate move that makes the posterior ``x`` (inverse of Bayes)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s = mu * (1.0 - x) / ((1.0 - mu) * x)
    return np.clip(np.nan_to_num(s, nan=1.0, posinf=1.0), 0.0, 1.0)


def _nodes(mu: NDArray, line: NDArray, grid: NDArray) -> tuple[NDArray, NDArray]:
    """Posteriors reachable by the obstinate move, ``[mu, 1]`` at grid points, and the move's value there."""
    xs = np.maximum(grid[None, :], mu[:, None])
    at_mu = _interp_line(line[:, :, None], grid, mu)[:, 0]
    return xs, np.where(grid[None, :] >= mu[:, None], line, at_mu[:, None])


def _limit_point(mu: NDArray, xs: NDArray, gain: NDArray) -> NDArray:
    """Posterior of the sequential equilibrium of the stage, given the obstinate move's gain over the rest.

    Pool (posterior ``mu``) if the move is a best reply at the prior; separate (posterior 1) if it
    is not even at certainty; otherwise the first posterior at which the normal type is indifferent.
    """
    up = gain >= 0
    k = np.clip(np.argmax(up, axis=1), 1, xs.shape[1] - 1)
    rows = np.arange(len(mu))
    g0, g1, x0, x1 = gain[rows, k - 1], gain[rows, k], xs[rows, k - 1], xs[rows, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = np.where(g1 > g0, x0 + (x1 - x0) * (-g0) / (g1 - g0), x1)
    return np.where(gain[:, 0] >= 0, mu, np.where(gain[:, -1] <= 0, 1.0, cross))


def _logit_point(mu: NDArray, xs: NDArray, d: NDArray, log_rest: NDArray, lam: float) -> NDArray:
    """Posterior at which the normal type's logit share of the obstinate move induces itself.

    Solves ``s(x) = expit(lam D(x) - log_rest)`` for ``x`` in ``[mu, 1]``: the first grid segment
    where the difference changes sign, then bisection with ``D`` linear on the segment.
    """
    mu_c, rest_c = mu[:, None], log_rest[:, None]

    def gap(x: NDArray, dx: NDArray) -> NDArray:
        z = np.clip(lam * dx - rest_c, -700.0, 700.0)
        return _reputation_share(mu_c, x) - 1.0 / (1.0 + np.exp(-z))

    phi = gap(xs, d)
    k = np.clip(np.argmax(phi <= 0, axis=1), 1, xs.shape[1] - 1)
    rows = np.arange(len(mu))
    lo, hi, d_lo, d_hi = xs[rows, k - 1], xs[rows, k], d[rows, k - 1], d[rows, k]
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(hi > lo, (mid - xs[rows, k - 1]) / (xs[rows, k] - xs[rows, k - 1]), 0.0)
        positive = gap(mid[:, None], (d_lo + frac * (d_hi - d_lo))[:, None])[:, 0] > 0
        lo, hi = np.where(positive, mid, lo), np.where(positive, hi, mid)
    return 0.5 * (lo + hi)


def _log_rest(values: NDArray, rest: NDArray, lam: float) -> NDArray:
    """``log sum exp(lam v)`` over the moves other than the obstinate one (``-inf`` if none)."""
    z = np.where(rest, lam * values, -np.inf)
    top = np.max(z, axis=1)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(top), np.log(np.sum(np.exp(z - safe[:, None]), axis=1)) + safe, -np.inf)


def _equilibrium_posterior(
    mu: NDArray, line: NDArray, grid: NDArray, c0: NDArray, rest: NDArray, lam: float
) -> NDArray:
    """Posterior after the obstinate move at the stage's equilibrium (``mu`` 0 or 1 leave it there)."""
    xs, d = _nodes(mu, line, grid)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if math.isinf(lam):
            best = np.max(np.where(rest, c0, -np.inf), axis=1)
            x = _limit_point(mu, xs, d - best[:, None])
        else:
            x = _logit_point(mu, xs, d, _log_rest(c0, rest, lam), lam)
    return np.where(mu <= 0.0, 0.0, np.where(mu >= 1.0, 1.0, x))


def _move_values(lay: Layout, rel: NDArray, s: NDArray, cell: tuple, conceding: float, m: int) -> NDArray:
    """Each side's value of each move with the mover revealed normal (posterior 0), (Q, A, 2)."""
    slots = np.arange(lay.valid.shape[1])
    c0 = np.stack([_continuation(lay, rel, s, np.full(len(s), a), cell, 0) for a in slots], axis=1)
    c0[:, 0, m] = conceding
    return c0


def _lookahead(sol: BeliefSolution, nxt: NDArray, elapsed: int, s: NDArray, mu_n: NDArray, m: int) -> tuple:
    """Move values at posterior 0 (Q, A, 2) and the obstinate move's values over the mover's grid.

    Neither depends on the mover's own posterior, so both are computed once per distinct
    (state, other side's posterior): the line ``(U, G, 2)`` and the index of each query into it.
    """
    lay = sol.layout
    rel = nxt if m == 0 else nxt.transpose(0, 2, 1, 3)
    uniq, back = np.unique(np.column_stack([s, mu_n]), axis=0, return_inverse=True)
    us, back = uniq[:, 0].astype(np.intp), back.ravel()
    cell = _bracket(sol.grids[1 - m], uniq[:, 1])
    c0 = _move_values(lay, rel, us, cell, sol.conceding(m, elapsed), m)
    o = lay.obstinate_move[us]
    line = _continuation(lay, rel, us, o, cell, slice(None))
    line = np.where((o == 0)[:, None, None], c0[:, None, 0, :], line)
    return c0[back], line, back


def _stage_group(sol: BeliefSolution, nxt: NDArray, elapsed: int, s: NDArray, mu: NDArray, m: int) -> Play:
    """The stage game at the queries whose mover is side ``m``."""
    lay, n, rows = sol.layout, 1 - m, np.arange(len(s))
    c0, line, back = _lookahead(sol, nxt, elapsed, s, mu[:, n], m)
    o, valid = lay.obstinate_move[s], lay.valid[s]
    rest = valid & (np.arange(valid.shape[1])[None, :] != o[:, None])
    x = _equilibrium_posterior(mu[:, m], line[back, :, m], sol.grids[m], c0[:, :, m], rest, sol.lam)
    values = c0.copy()
    values[rows, o] = _interp_line(line, sol.grids[m], x, back)
    interior = (mu[:, m] > 0.0) & (mu[:, m] < 1.0)
    share_rest = _shares(c0[:, :, m], rest, sol.lam)
    s_o = np.where(interior, _reputation_share(mu[:, m], x), _shares(values[:, :, m], valid, sol.lam)[rows, o])
    probs = (1.0 - s_o)[:, None] * share_rest
    probs[rows, o] = s_o
    if sol.stationary_play is not None:
        probs = sol.stationary_play[s]
    safe = np.where(valid[:, :, None], values, 0.0)
    value = np.empty((len(s), 2))
    value[:, m] = np.sum(probs * safe[:, :, m], axis=1)
    normal_n = np.sum(probs * safe[:, :, n], axis=1)
    value[:, n] = mu[:, m] * values[rows, o, n] + (1.0 - mu[:, m]) * normal_n
    return Play(probs, np.where(valid[:, :, None], values, -np.inf), x, o, value)


def combine(parts: list[tuple[NDArray, Play]], q: int) -> Play:
    """Put the mover groups' results back in query order."""
    first = parts[0][1]
    out = {f.name: np.empty((q, *getattr(first, f.name).shape[1:]), dtype=getattr(first, f.name).dtype)
           for f in dataclasses.fields(Play)}
    for mask, play in parts:
        for name, arr in out.items():
            arr[mask] = getattr(play, name)
    return Play(**out)


@dataclass(frozen=True)
class BeliefSolution:
    """A crisis solved by backward induction over time and beliefs.

    Attributes:
        layout: The game's public states and moves.
        lam: Precision of the logit choices (``inf``: the sequential equilibrium).
        grids: Each side's posterior grid (``[0]`` for a side without an obstinate type).
        tables: Normal types' values before each stage's move on the grid, (S, G0, G1, 2): stages
            ``0..H`` (the last is the stalemate) with a horizon, one table in the stationary form.
        stationary_play: The stationary form's play by state, (S, A); None with a horizon.
    """

    layout: Layout
    lam: float
    grids: tuple[NDArray[np.float64], NDArray[np.float64]]
    tables: tuple[NDArray[np.float64], ...]
    stationary_play: NDArray[np.float64] | None = None

    @property
    def game(self) -> CrisisGame:
        """The game."""
        return self.layout.game

    def prior(self) -> NDArray[np.float64]:
        """Each side's prior probability of being obstinate, (2,)."""
        return np.array([_obstinate_prior(side) for side in self.game.sides])

    def conceding(self, side: int, elapsed: int) -> float:
        """The normal type's value of yielding after ``elapsed`` moves (audience costs, Fearon 1994)."""
        return self.game.sides[side].types[self.layout.normal[side]].concession(elapsed)

    def next_table(self, elapsed: int) -> NDArray[np.float64]:
        """Values after a move made at ``elapsed`` (the table the stage game looks ahead to)."""
        if self.game.horizon is None:
            return self.tables[0]
        if not 0 <= elapsed < self.game.horizon:
            raise GameError(f"elapsed {elapsed} is outside the horizon of {self.game.horizon} moves")
        return self.tables[elapsed + 1]

    def decide(self, elapsed: int, states: NDArray, mu: NDArray) -> Play:
        """The stage game at public states ``states`` (indices into the layout) and posteriors ``mu`` (Q, 2)."""
        s, mu = np.asarray(states, dtype=np.intp), np.asarray(mu, dtype=float).reshape(-1, 2)
        return self._decide(self.next_table(elapsed), elapsed, s, mu)

    def _decide(self, nxt: NDArray, elapsed: int, s: NDArray, mu: NDArray) -> Play:
        """`decide` against a given next table."""
        movers = self.layout.mover[s]
        parts = [(movers == m, _stage_group(self, nxt, elapsed, s[movers == m], mu[movers == m], m))
                 for m in (0, 1) if np.any(movers == m)]
        return combine(parts, len(s))

    def start(self) -> Play:
        """The first decision, at the priors."""
        g = self.game
        s = self.layout.state_index(g.start_rung, g.first_mover, (False, False))
        return self.decide(0, np.array([s]), self.prior()[None, :])

    def start_values(self) -> NDArray[np.float64]:
        """Each side's normal type's equilibrium value at the start, (2,)."""
        return self.start().value[0]


def _obstinate_prior(side) -> float:
    """A side's prior probability of its obstinate type (0 without one)."""
    return math.fsum(t.prior for t in side.types if t.obstinate)


def _grid_queries(sol: BeliefSolution, states: NDArray) -> tuple[NDArray, NDArray]:
    """Every (state, grid point) pair, in the order of the tables' axes."""
    g0, g1 = sol.grids
    s, i0, i1 = np.meshgrid(states, np.arange(len(g0)), np.arange(len(g1)), indexing="ij")
    return s.ravel(), np.stack([g0[i0.ravel()], g1[i1.ravel()]], axis=1)


def _stalemate_table(sol: BeliefSolution) -> NDArray[np.float64]:
    """The normal types' stalemate payoffs everywhere: the values at the horizon."""
    lay = sol.layout
    pay = [sol.game.sides[i].types[lay.normal[i]].stalemate for i in (0, 1)]
    return np.broadcast_to(np.array(pay), (len(lay.states), len(sol.grids[0]), len(sol.grids[1]), 2)).copy()


def _backward(sol: BeliefSolution) -> tuple[NDArray, ...]:
    """Tables of stages ``H..0`` by backward induction; stage ``t`` holds only its mover's states."""
    lay, horizon = sol.layout, sol.game.horizon
    tables = [_stalemate_table(sol)]
    for t in range(horizon - 1, -1, -1):  # type: ignore[operator]
        states = np.flatnonzero(lay.mover == (sol.game.first_mover + t) % 2)
        s, mu = _grid_queries(sol, states)
        table = np.zeros_like(tables[0])
        table[states] = sol._decide(tables[-1], t, s, mu).value.reshape(len(states), *table.shape[1:])
        tables.append(table)
    return tuple(reversed(tables))


def _stationary(sol: BeliefSolution) -> tuple[NDArray, NDArray]:
    """Values and play of the stationary form: the Markov logit QRE (`rules.markov_qre`).

    Without a deadline a reputation needs the whole history of play, so the stationary form is
    solved with complete information only (one type a side); its play is kept as computed, since
    at the limit a mixed concession hazard cannot be read back from the values, which tie.
    """
    from rules.equilibrium import solve
    from rules.qre import TraceError

    if any(sol.layout.has_obstinate):
        raise GameError("the stationary form has no obstinate types: give the crisis a horizon")
    lay = sol.layout
    table, play = _stalemate_table(sol), np.zeros(lay.valid.shape)
    try:
        decisions = solve(sol.game, sol.lam).decisions
    except TraceError as error:
        raise GameError(f"the stationary equilibrium could not be traced: {error}") from None
    for d in decisions:
        i = lay.state_index(d.state.rung, d.state.mover, d.state.joined)
        table[i, 0, 0] = [d.type_values[0][0], d.type_values[1][0]]
        play[i, : len(d.moves)] = d.probabilities[0]
    return table, play


def solve_beliefs(game: CrisisGame, lam: float = math.inf, points: int = DEFAULT_POINTS) -> BeliefSolution:
    """Solve a crisis whose types are reputations, at precision ``lam`` (default the limit).

    Args:
        game: The game; each side one normal type, optionally with an obstinate type.
        lam: Logit precision, ``>= 0``; ``inf`` for the sequential equilibrium.
        points: Points of each belief grid (>= 2).

    Returns:
        The solution.
    """
    if not lam >= 0:
        raise GameError("lambda must be >= 0")
    if points < 2:
        raise GameError("the belief grid needs at least 2 points")
    lay = build_layout(game)
    grids = tuple(belief_grid(points) if lay.has_obstinate[i] else np.zeros(1) for i in (0, 1))
    sol = BeliefSolution(lay, float(lam), grids, ())  # type: ignore[arg-type]
    if game.horizon is None:
        table, play = _stationary(sol)
        return dataclasses.replace(sol, tables=(table,), stationary_play=play)
    return dataclasses.replace(sol, tables=_backward(sol))
