"""Backward induction over time and beliefs for crises whose private types are reputations.

Each side is a normal type, optionally paired with an obstinate type that never yields
(Kreps & Wilson 1982; Abreu & Gul 2000). The state of the crisis is then its public state
(rung, mover, each ally's status, moves so far) and the two public posteriors ``mu = (mu0, mu1)``
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

Equilibrium selection. A stage game may have several roots: at ``lam = inf`` pooling, separating
and mixing may all be equilibria when the obstinate move's value is not monotone in the
reputation it buys; at finite ``lam`` the logit condition may cross zero more than once. The one
rule, at every ``lam`` and in `decide` whether solving or simulating: the root with the lowest
posterior after the obstinate move, that is the first one met walking the posterior up from the
prior, where the normal type imitates the obstinate type most (pool if pooling is an
equilibrium, else the first mix, else separate). At finite ``lam`` the walk stops at the first
sign change of the logit condition, at the limit at the first posterior where the obstinate
move is a best reply: the same rule on both sides of the limit. `Play.several` flags
queries with several roots and `BeliefSolution.multiple_roots` counts them over the solve; an
exact tie at every posterior (a continuum of equilibria) counts as several, and roots closer
than one grid cell may be missed.
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

ALLY_STATUSES = (None, False, True)
"""An ally's entries in ``CrisisState.joined``: not called, declined, joined (`rules.crisis_game`)."""

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
    """The public states (rung, mover, each ally's status) of a game and each move's consequences.

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
        local: Position of each state among the states of its mover, (S,): the row of a stage's
            table, which holds only the states of the stage's mover (`table_shapes`).
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
    local: NDArray[np.intp]

    def state_index(self, rung: int, mover: int, joined: tuple[bool | None, bool | None]) -> int:
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
    """Enumerate the public states and the consequences of every move (read from `CrisisGame.step`).

    A side with an ally has its ally not called, declined or joined (`ALLY_STATUSES`); a side
    without one only not called, so games without allies have no more states than rungs x movers.
    """
    normal, has_obst = _side_types(game)
    open_game = dataclasses.replace(game, horizon=None)
    status = [ALLY_STATUSES if side.ally is not None else (None,) for side in game.sides]
    states = [CrisisState(r, m, 0, (j0, j1)) for r in range(len(game.rungs)) if not game.rungs[r].catastrophe
              for m in (0, 1) for j0 in status[0] for j1 in status[1]]
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
    mover = np.array([s.mover for s in states], dtype=np.intp)
    local = np.zeros(len(states), dtype=np.intp)
    for m in (0, 1):
        local[mover == m] = np.arange(np.count_nonzero(mover == m))
    return Layout(
        game, tuple(states), index, mover, valid,
        np.array([game.obstinate_move(s) for s in states], dtype=np.intp), terminal, child, child_p,
        normal, has_obst, local,
    )


def table_shapes(lay: Layout, grids: tuple[NDArray, NDArray]) -> list[tuple[int, int, int, int]]:
    """Shapes of a solution's tables: stage ``t`` holds the states of its mover, the stationary form all."""
    g0, g1 = len(grids[0]), len(grids[1])
    game = lay.game
    if game.horizon is None:
        return [(len(lay.states), g0, g1, 2)]
    counts = [int(np.count_nonzero(lay.mover == m)) for m in (0, 1)]
    return [(counts[(game.first_mover + t) % 2], g0, g1, 2) for t in range(game.horizon + 1)]


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
        several: Whether the stage game had several equilibria there, of which the selection
            rule took the one with the lowest posterior (module docstring), (Q,).
    """

    probabilities: NDArray[np.float64]
    values: NDArray[np.float64]
    posterior: NDArray[np.float64]
    obstinate_move: NDArray[np.intp]
    value: NDArray[np.float64]
    several: NDArray[np.bool_]

    def after(self, slot: NDArray) -> NDArray[np.float64]:
        """Public posterior that the mover is obstinate after it made move ``slot`` (Bayes' rule, `posterior`)."""
        return np.where(np.asarray(slot) == self.obstinate_move, self.posterior, 0.0)


def bracket(grid: NDArray, x: NDArray) -> tuple[NDArray, NDArray, NDArray]:
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
    lo, hi, w = bracket(grid, x)
    rows = np.arange(len(x)) if rows is None else rows
    w = w.reshape(-1, *(1,) * (line.ndim - 2))
    return (1.0 - w) * line[rows, lo] + w * line[rows, hi]


def _continuation(lay: Layout, rel: NDArray, s: NDArray, a: NDArray, cell: tuple, node: int | slice) -> NDArray:
    """Expected value of move ``a`` from state ``s``: endings plus successors' values (Q, [G,] 2).

    ``rel`` is the next stage's table with axes (state, mover's posterior, other's posterior, side),
    its rows the next mover's states (`Layout.local`) or, in the stationary form, all states;
    ``cell`` brackets the other side's posterior; ``node`` picks the mover's posterior grid points.
    """
    lo, hi, w = cell
    ch, p = lay.child[s, a], lay.child_p[s, a]
    if rel.shape[0] != len(lay.states):
        ch = lay.local[ch]
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


def _limit_point(
    mu: NDArray, line: NDArray, back: NDArray, grid: NDArray, best: NDArray
) -> tuple[NDArray, NDArray]:
    """Posterior of the sequential equilibrium of the stage, from the obstinate move's gain over the rest.

    The stage's equilibria are pooling (posterior ``mu``) if the move is a best reply at the prior,
    separating (posterior 1) if it is not one even at certainty, and mixing at every posterior
    where the normal type is indifferent. The root taken is the one with the lowest posterior
    (module docstring): pool if it is an equilibrium, else the first posterior of indifference
    above ``mu``, else separate. Also returns whether the stage had several equilibria.

    Args:
        mu: The mover's prior at each query, (Q,).
        line: The obstinate move's value on the mover's grid for each distinct lookahead, (U, G).
        back: Each query's row of ``line``, (Q,).
        grid: The mover's posterior grid, (G,).
        best: The best other move's value at each query, (Q,) (the same for queries of a row).

    The nodes are ``mu`` and the grid points above it, the gain linear between them. Per row the
    first grid point at or after each one where the gain is >= 0, and the crossings after it, are
    found once, so each query costs O(1), not O(G).
    """
    size = len(grid)
    best_row = np.empty(len(line))
    best_row[back] = best
    gain = line - best_row[:, None]
    at_mu = _interp_line(line[:, :, None], grid, mu, back)[:, 0] - best
    j = np.minimum(np.searchsorted(grid, mu, side="left"), size - 1)
    ahead = np.where(gain >= 0, np.arange(size)[None, :], size)
    first_up = np.minimum.accumulate(ahead[:, ::-1], axis=1)[:, ::-1][back, j]
    k1 = np.clip(first_up, 1, size - 1)
    k0 = k1 - 1
    g0 = np.where(k0 >= j, gain[back, k0], at_mu)
    g1, x0, x1 = gain[back, k1], np.maximum(grid[k0], mu), np.maximum(grid[k1], mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = np.where(g1 > g0, x0 + (x1 - x0) * (-g0) / (g1 - g0), x1)
    x = np.where(at_mu >= 0, mu, np.where(first_up < size, cross, 1.0))
    crossed = _sign_change(gain[:, :-1], gain[:, 1:])
    if size > 1:
        crossed[:, -1] &= gain[:, -1] != 0  # a crossing onto certainty is the separating root itself
    later = np.zeros((len(line), size), dtype=int)
    later[:, :-1] = np.cumsum(crossed[:, ::-1], axis=1)[:, ::-1]  # crossings between grid points >= j
    first = (j > 0) & _sign_change(at_mu, gain[back, j]) & ((j < size - 1) | (gain[back, -1] != 0))
    roots = (at_mu >= 0).astype(int) + (gain[back, -1] <= 0) + later[back, j] + first
    return x, roots > 1


def _sign_change(before: NDArray, after: NDArray) -> NDArray[np.bool_]:
    """Whether a gain linear from ``before`` to ``after`` crosses 0 (a root of the stage on the segment)."""
    return ((before < 0) & (after >= 0)) | ((before > 0) & (after <= 0))


def _logit_point(mu: NDArray, xs: NDArray, d: NDArray, log_rest: NDArray, lam: float) -> tuple[NDArray, NDArray]:
    """Posterior at which the normal type's logit share of the obstinate move induces itself.

    Solves ``s(x) = expit(lam D(x) - log_rest)`` for ``x`` in ``[mu, 1]``: the first grid segment
    where the difference changes sign (the root with the lowest posterior, module docstring),
    then bisection with ``D`` linear on the segment. Also returns whether the difference changes
    sign more than once on the grid (several roots).
    """

    def gap(m: NDArray, rest: NDArray, x: NDArray, dx: NDArray) -> NDArray:
        z = np.clip(lam * dx - rest, -700.0, 700.0)
        return _reputation_share(m, x) - 1.0 / (1.0 + np.exp(-z))

    phi = gap(mu[:, None], log_rest[:, None], xs, d)
    several = np.sum((phi[:, :-1] > 0) != (phi[:, 1:] > 0), axis=1) > 1
    k = np.clip(np.argmax(phi <= 0, axis=1), 1, xs.shape[1] - 1)
    rows = np.arange(len(mu))
    lo, hi, d_lo, d_hi = xs[rows, k - 1], xs[rows, k], d[rows, k - 1], d[rows, k]
    x0, span, slope = lo.copy(), hi - lo, d_hi - d_lo
    for _ in range(BISECTIONS):
        mid = 0.5 * (lo + hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            frac = np.where(hi > lo, (mid - x0) / span, 0.0)
        positive = gap(mu, log_rest, mid, d_lo + frac * slope) > 0
        lo, hi = np.where(positive, mid, lo), np.where(positive, hi, mid)
    return 0.5 * (lo + hi), several


def _log_rest(values: NDArray, rest: NDArray, lam: float) -> NDArray:
    """``log sum exp(lam v)`` over the moves other than the obstinate one (``-inf`` if none)."""
    z = np.where(rest, lam * values, -np.inf)
    top = np.max(z, axis=1)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(top), np.log(np.sum(np.exp(z - safe[:, None]), axis=1)) + safe, -np.inf)


def _equilibrium_posterior(
    mu: NDArray, line: NDArray, back: NDArray, grid: NDArray, c0: NDArray, rest: NDArray, lam: float
) -> tuple[NDArray, NDArray]:
    """Posterior after the obstinate move at the stage's equilibrium (``mu`` 0 or 1 leave it there).

    ``line`` (U, G) is the obstinate move's value on the grid for each distinct lookahead and
    ``back`` (Q,) each query's row. Also returns whether the stage had several roots (never at
    ``mu`` 0 or 1).
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if math.isinf(lam):
            best = np.max(np.where(rest, c0, -np.inf), axis=1)
            x, several = _limit_point(mu, line, back, grid, best)
        else:
            xs, d = _nodes(mu, line[back], grid)
            x, several = _logit_point(mu, xs, d, _log_rest(c0, rest, lam), lam)
    interior = (mu > 0.0) & (mu < 1.0)
    return np.where(mu <= 0.0, 0.0, np.where(mu >= 1.0, 1.0, x)), several & interior


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
    beliefs, rank = np.unique(mu_n, return_inverse=True)
    _, first, back = np.unique(s * len(beliefs) + rank.ravel(), return_index=True, return_inverse=True)
    us, back = s[first], back.ravel()
    cell = bracket(sol.grids[1 - m], mu_n[first])
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
    x, several = _equilibrium_posterior(mu[:, m], line[:, :, m], back, sol.grids[m], c0[:, :, m], rest, sol.lam)
    values = c0.copy()
    values[rows, o] = _interp_line(line, sol.grids[m], x, back)
    interior = (mu[:, m] > 0.0) & (mu[:, m] < 1.0)
    share_rest = _shares(c0[:, :, m], rest, sol.lam)
    s_o = np.where(interior, _reputation_share(mu[:, m], x), _shares(values[:, :, m], valid, sol.lam)[rows, o])
    probs = (1.0 - s_o)[:, None] * share_rest
    probs[rows, o] = s_o
    if sol.stationary_play is not None:
        probs, several = sol.stationary_play[s], np.zeros(len(s), dtype=bool)
    safe = np.where(valid[:, :, None], values, 0.0)
    value = np.empty((len(s), 2))
    value[:, m] = np.sum(probs * safe[:, :, m], axis=1)
    normal_n = np.sum(probs * safe[:, :, n], axis=1)
    value[:, n] = mu[:, m] * values[rows, o, n] + (1.0 - mu[:, m]) * normal_n
    return Play(probs, np.where(valid[:, :, None], values, -np.inf), x, o, value, several)


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
        tables: Normal types' values before each stage's move on the grid: stages ``0..H`` (the
            last is the stalemate) with a horizon, each (S_t, G0, G1, 2) over the states of the
            stage's mover only (rows `Layout.local`); one table (S, G0, G1, 2) in the stationary form.
        stationary_play: The stationary form's play by state, (S, A); None with a horizon.
        multiple_roots: How many stage games solved on the grid (stage, public state, belief
            point) had several equilibria, where the selection rule chose (module docstring).
    """

    layout: Layout
    lam: float
    grids: tuple[NDArray[np.float64], NDArray[np.float64]]
    tables: tuple[NDArray[np.float64], ...]
    stationary_play: NDArray[np.float64] | None = None
    multiple_roots: int = 0

    @property
    def game(self) -> CrisisGame:
        """The game."""
        return self.layout.game

    def prior(self) -> NDArray[np.float64]:
        """Each side's prior probability of being obstinate, (2,)."""
        return np.array([obstinate_prior(side) for side in self.game.sides])

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
        """The stage game at public states ``states`` (indices into the layout) and posteriors ``mu`` (Q, 2).

        With a horizon the sides alternate, so after ``elapsed`` moves every state's mover must
        be ``(first_mover + elapsed) % 2`` (`GameError` otherwise).
        """
        s, mu = np.asarray(states, dtype=np.intp), np.asarray(mu, dtype=float).reshape(-1, 2)
        nxt = self.next_table(elapsed)
        if self.game.horizon is not None and np.any(self.layout.mover[s] != (self.game.first_mover + elapsed) % 2):
            raise GameError(f"after {elapsed} moves the side to move is {(self.game.first_mover + elapsed) % 2}")
        return self._decide(nxt, elapsed, s, mu)

    def _decide(self, nxt: NDArray, elapsed: int, s: NDArray, mu: NDArray) -> Play:
        """`decide` against a given next table."""
        movers = self.layout.mover[s]
        parts = [(movers == m, _stage_group(self, nxt, elapsed, s[movers == m], mu[movers == m], m))
                 for m in (0, 1) if np.any(movers == m)]
        return combine(parts, len(s))

    def start(self) -> Play:
        """The first decision, at the priors."""
        g = self.game
        s = self.layout.state_index(g.start_rung, g.first_mover, g.start().joined)
        return self.decide(0, np.array([s]), self.prior()[None, :])

    def start_values(self) -> NDArray[np.float64]:
        """Each side's normal type's equilibrium value at the start, (2,)."""
        return self.start().value[0]


def obstinate_prior(side) -> float:
    """A side's prior probability of its obstinate type (0 without one)."""
    return math.fsum(t.prior for t in side.types if t.obstinate)


def _grid_queries(sol: BeliefSolution, states: NDArray) -> tuple[NDArray, NDArray]:
    """Every (state, grid point) pair, in the order of the tables' axes."""
    g0, g1 = sol.grids
    s, i0, i1 = np.meshgrid(states, np.arange(len(g0)), np.arange(len(g1)), indexing="ij")
    return s.ravel(), np.stack([g0[i0.ravel()], g1[i1.ravel()]], axis=1)


def _stalemate_table(sol: BeliefSolution, shape: tuple[int, ...]) -> NDArray[np.float64]:
    """The normal types' stalemate payoffs everywhere: the values at the horizon."""
    lay = sol.layout
    pay = [sol.game.sides[i].types[lay.normal[i]].stalemate for i in (0, 1)]
    return np.broadcast_to(np.array(pay), shape).copy()


def _backward(sol: BeliefSolution) -> tuple[tuple[NDArray, ...], int]:
    """Tables of stages ``H..0`` by backward induction; stage ``t`` holds only its mover's states.

    Also returns how many of the stage games solved on the grid had several equilibria.
    """
    lay, horizon = sol.layout, sol.game.horizon
    shapes = table_shapes(lay, sol.grids)
    tables, several = [_stalemate_table(sol, shapes[-1])], 0
    for t in range(horizon - 1, -1, -1):  # type: ignore[operator]
        states = np.flatnonzero(lay.mover == (sol.game.first_mover + t) % 2)
        s, mu = _grid_queries(sol, states)
        play = sol._decide(tables[-1], t, s, mu)
        tables.append(play.value.reshape(shapes[t]))
        several += int(np.count_nonzero(play.several))
    return tuple(reversed(tables)), several


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
    table, play = _stalemate_table(sol, table_shapes(lay, sol.grids)[0]), np.zeros(lay.valid.shape)
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
    tables, several = _backward(sol)
    return dataclasses.replace(sol, tables=tables, multiple_roots=several)
