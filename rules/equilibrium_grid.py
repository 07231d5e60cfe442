"""Backward induction over time and beliefs: the logit QRE on a state x posterior grid.

For games too large for the public tree (`rules.equilibrium`), beliefs become part of the state:
at stage ``t`` a decision is indexed by the public state (rung, mover, ally statuses) and each
side's posterior over its types, on a grid (each side with two types has a posterior in [0, 1]).
A stage game at a grid point is the mover's choice given the continuation values of stage
``t + 1``, which depend on the posterior the move induces by Bayes' rule (so the stage is a
fixed point: the mover's types' choices move the belief that prices them). Each stage game is
solved at precision ``lam`` by following its own logit branch from uniform play, with the
continuation held fixed (natural-parameter continuation with Newton corrections, Allgower &
Georg 1990, ch. 1), and stages are solved backwards from the horizon (Fudenberg & Tirole 1991,
ch. 8, perfect Bayesian equilibrium by backward induction over beliefs). Continuation values
between grid points are interpolated linearly in the posterior, so results converge to the
tree solver's as the grid is refined (checked in tests/rules/test_equilibrium.py).

Limits of this first version: at most two types a side; finite horizon only; finite ``lam``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rules.crisis_game import CrisisGame, CrisisState, GameError
from rules.equilibrium import _node_values
from rules.game_tree import NEG_INF, Level, _build_level, move_width
from rules.qre import logit_residual


@dataclass
class GridSolution:
    """Play and values on the grid.

    Attributes:
        game: The game.
        lam: Precision.
        grids: Posterior grid of each side (probability of its type 1; ``[0.0]`` for one type).
        stages: Per stage, the states and arrays ``p`` (S, G0, G1, T, A) of move probabilities
            and ``v`` (S, G0, G1, 2, T) of each side's types' values.
    """

    game: CrisisGame
    lam: float
    grids: tuple[NDArray[np.float64], NDArray[np.float64]]
    stages: list[dict]

    def _at_start(self, key: str) -> NDArray[np.float64]:
        """Stage-0 array ``key`` at the start state, interpolated at the priors."""
        mu0, mu1 = (np.array([v]) for v in _prior_point(self.game))
        return interpolate(self.stages[0][key], np.zeros(1, dtype=np.intp), self.grids, mu0, mu1)[0]

    def start_values(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Each side's types' values at the start, at the priors (interpolated)."""
        v = self._at_start("v")
        n = [len(s.types) for s in self.game.sides]
        return v[0, : n[0]], v[1, : n[1]]

    def start_play(self) -> NDArray[np.float64]:
        """The first mover's types' move probabilities at the start, at the priors (interpolated)."""
        p = self._at_start("p")
        return p[: len(self.game.sides[self.game.first_mover].types), : len(self.game.moves(self.game.start()))]


def _prior_point(game: CrisisGame) -> tuple[float, float]:
    """Each side's prior probability of its type 1 (0 with one type)."""
    return tuple(s.types[1].prior if len(s.types) == 2 else 0.0 for s in game.sides)  # type: ignore[return-value]


def interpolate(values: NDArray, index: NDArray, grids, mu0: NDArray, mu1: NDArray) -> NDArray:
    """Bilinear interpolation in the posteriors of ``values[index]`` (values: (S, G0, G1, ...)).

    Args:
        values: Values on the grid, (S, G0, G1, ...).
        index: State index of each query, (R,).
        grids: Each side's posterior grid (length 1 for a side with one type).
        mu0: Side 0's posterior of its type 1 at each query, (R,).
        mu1: Side 1's posterior of its type 1, (R,).

    Returns:
        Interpolated values, (R, ...).
    """
    corners = []
    for grid, mu in zip(grids, (mu0, mu1), strict=True):
        if len(grid) == 1:
            zero = np.zeros(len(index), dtype=np.intp)
            corners.append(((zero, np.ones(len(index))), (zero, np.zeros(len(index)))))
            continue
        pos = np.clip(np.asarray(mu, dtype=float) * (len(grid) - 1), 0, len(grid) - 1)
        lo = np.minimum(np.floor(pos).astype(np.intp), len(grid) - 2)
        w = pos - lo
        corners.append(((lo, 1 - w), (lo + 1, w)))
    out = 0.0
    extra = (1,) * (values.ndim - 3)
    for i0, w0 in corners[0]:
        for i1, w1 in corners[1]:
            out = out + (w0 * w1).reshape(-1, *extra) * values[index, i0, i1]
    return out  # type: ignore[return-value]


def stage_levels(game: CrisisGame, max_states: int = 5_000) -> list[Level]:
    """The public states of each stage (histories merged), with their move arrays."""
    if game.horizon is None:
        raise GameError("the belief grid needs a finite horizon")
    if any(len(s.types) > 2 for s in game.sides):
        raise GameError("the belief grid handles at most two types a side")
    width = move_width(game)
    width_t = max(len(s.types) for s in game.sides)
    obstinate = np.zeros((2, width_t), dtype=bool)
    for i, side in enumerate(game.sides):
        obstinate[i, : len(side.types)] = [t.obstinate for t in side.types]
    levels, frontier = [], [(game.start(), (), 0, 0)]
    while frontier:
        level, nxt = _build_level(game, frontier, width, width_t, obstinate)
        levels.append(level)
        merged: dict[CrisisState, int] = {}
        for entry in nxt:
            merged.setdefault(entry[0], len(merged))
        remap = np.array([merged[e[0]] for e in nxt], dtype=np.intp)
        level.child = remap[level.child] if len(nxt) else level.child
        frontier = [(s, (), 0, 0) for s in merged]
        if len(frontier) > max_states:
            raise GameError(f"belief grid: more than {max_states} states in a stage")
    return levels


def solve_grid(game: CrisisGame, lam: float, points: int = 41) -> GridSolution:
    """Solve a finite-horizon game at finite precision ``lam`` by backward induction over beliefs."""
    if not 0 <= lam < np.inf:
        raise GameError("the belief grid solves a finite lambda")
    levels = stage_levels(game)
    grids = tuple(np.linspace(0.0, 1.0, points) if len(s.types) == 2 else np.zeros(1) for s in game.sides)
    stages: list[dict] = [{}] * len(levels)
    nxt = None
    for t in range(len(levels) - 1, -1, -1):
        stages[t] = _solve_stage(game, levels[t], grids, nxt, lam)  # type: ignore[arg-type]
        nxt = stages[t]["v"]
    return GridSolution(game, lam, grids, stages)  # type: ignore[arg-type]


class _Stage:
    """The stage games of one public state at every grid point, as batched logit conditions."""

    def __init__(self, game: CrisisGame, level: Level, s: int, grids, nxt: NDArray | None) -> None:
        """Lay out the free types' unknowns and each grid point's beliefs."""
        self.level, self.s, self.grids, self.nxt = level, s, grids, nxt
        self.m = m = level.mover
        side = game.sides[m]
        self.k = k = int(level.n_moves[s])
        self.free = [j for j, t in enumerate(side.types) if not t.obstinate]
        self.obstinate = [j for j, t in enumerate(side.types) if t.obstinate]
        self.n = len(self.free) * k
        self.ref = np.repeat(np.arange(0, self.n, k), k) if self.n else np.zeros(0, dtype=np.intp)
        self.starts = np.arange(0, self.n, k)
        mu = np.stack(np.meshgrid(grids[0], grids[1], indexing="ij"), -1).reshape(-1, 2)
        self.mu = mu
        width_t = level.terminal.shape[3]
        self.log_belief = np.full((len(mu), 2, width_t), NEG_INF)
        for i, g in enumerate(game.sides):
            if len(g.types) == 2:
                with np.errstate(divide="ignore"):
                    self.log_belief[:, i, 0], self.log_belief[:, i, 1] = np.log(1 - mu[:, i]), np.log(mu[:, i])
            else:
                self.log_belief[:, i, 0] = 0.0

    def strategies(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log-probabilities (B, T, A): free types from ``x``, obstinate types fixed, pads uniform."""
        level, s, k = self.level, self.s, self.k
        width_t, width = level.fixed.shape[1], level.valid.shape[1]
        out = np.full((x.shape[0], width_t, width), NEG_INF)
        out[:, :, :k] = -np.log(k)
        out[:, self.obstinate, :] = level.fixed[s, self.obstinate, :]
        for i, j in enumerate(self.free):
            out[:, j, :k] = x[:, i * k : (i + 1) * k]
        return out

    def values(self, x: NDArray[np.float64], rows: NDArray[np.intp]) -> tuple[NDArray, NDArray]:
        """Strategies and move values (B, A, 2, T) at grid points ``rows``, posteriors updated by Bayes' rule."""
        level, s, m = self.level, self.s, self.m
        log_sigma = self.strategies(x)
        q = np.broadcast_to(level.terminal[s][None], (len(rows), *level.terminal.shape[1:])).copy()
        if self.nxt is None:
            return log_sigma, q
        prior = self.log_belief[rows, m, :]
        for a in range(self.k):
            with np.errstate(invalid="ignore"):
                post = prior + log_sigma[:, :, a]
                total = np.logaddexp.reduce(post, axis=1, keepdims=True)
                post = np.where(np.isfinite(total), post - total, prior)
            mu = self.mu[rows].copy()
            mu[:, m] = np.exp(post[:, 1]) if post.shape[1] > 1 else 0.0
            for c in range(level.child.shape[2]):
                p = level.child_p[s, a, c]
                if p > 0:
                    idx = np.full(len(rows), level.child[s, a, c], dtype=np.intp)
                    q[:, a] += p * interpolate(self.nxt, idx, self.grids, mu[:, 0], mu[:, 1])
        return log_sigma, q

    def residual(self, x: NDArray[np.float64], lam: float, rows: NDArray[np.intp]) -> NDArray[np.float64]:
        """The logit conditions of the free types at grid points ``rows``."""
        _, q = self.values(x, rows)
        u = np.concatenate([q[:, : self.k, self.m, j] for j in self.free], axis=1)
        return logit_residual(x, np.full((len(rows), 1), lam), u, self.ref, self.starts)

    def trace(self, lam: float, tol: float = 1e-11) -> NDArray[np.float64]:
        """Follow every grid point's stage branch from uniform play to ``lam`` (natural parameter, Newton)."""
        p = len(self.mu)
        x = np.full((p, self.n), -np.log(self.k))
        rows = np.arange(p)
        at, step = 0.0, min(0.25, lam)
        while at < lam:
            nxt = min(lam, at + step)
            y = self._newton(x, nxt, rows, tol)
            if y is None:
                step /= 2
                if step < 1e-10 * (1 + at):
                    raise GameError(f"belief grid: stage branch lost at lambda {at:.4g}")
                continue
            x, at, step = y, nxt, step * 1.5
        return x

    def _newton(self, x: NDArray, lam: float, rows: NDArray, tol: float, eps: float = 1e-7) -> NDArray | None:
        """Newton's method at fixed ``lam`` on all grid points at once (forward-difference Jacobians)."""
        p, n = x.shape
        for _ in range(12):
            pts = np.repeat(x[:, None, :], n + 1, axis=1)
            pts[:, 1:, :] += eps * np.eye(n)[None]
            with np.errstate(all="ignore"):
                h = self.residual(pts.reshape(-1, n), lam, np.repeat(rows, n + 1)).reshape(p, n + 1, n)
            jac = np.swapaxes((h[:, 1:] - h[:, :1]) / eps, 1, 2)
            if not np.all(np.isfinite(jac)):
                return None
            try:
                delta = np.linalg.solve(jac, -h[:, 0, :, None])[..., 0]
            except np.linalg.LinAlgError:
                return None
            x = x + delta
            if float(np.max(np.abs(delta) / (1 + np.abs(x)), initial=0.0)) <= tol:
                return x
        return None


def _solve_stage(game: CrisisGame, level: Level, grids, nxt: NDArray | None, lam: float) -> dict:
    """Play and values of every state of a stage at every grid point."""
    m = level.mover
    n_states, width = level.valid.shape
    width_t = level.terminal.shape[3]
    shape = (len(grids[0]), len(grids[1]))
    p_out = np.zeros((n_states, *shape, width_t, width))
    v_out = np.zeros((n_states, *shape, 2, width_t))
    holder = Level(0, m, [], [], level.n_moves, level.valid, level.terminal, level.child, level.child_p,
                   level.parent, level.parent_move, level.fixed)
    for s in range(n_states):
        stage = _Stage(game, level, s, grids, nxt)
        rows = np.arange(len(stage.mu))
        x = stage.trace(lam) if stage.n else np.zeros((len(rows), 0))
        log_sigma, q = stage.values(x, rows)
        v = _node_values(holder, log_sigma[:, None], q[:, None], stage.log_belief[:, None])[:, 0]
        p_out[s] = np.exp(log_sigma).reshape(*shape, width_t, width)
        v_out[s] = v.reshape(*shape, 2, width_t)
    return {"p": p_out, "v": v_out}
