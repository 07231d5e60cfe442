"""Following the principal branch of a logit quantal response equilibrium in its precision lambda.

The logit QRE of a game at precision ``lambda`` solves ``H(x, lambda) = 0`` for log-probabilities
``x``; at ``lambda = 0`` play is uniform, and the branch that starts there (the principal branch)
converges, as ``lambda`` grows, to a sequential equilibrium of an extensive game (McKelvey &
Palfrey 1998). It is traced as a curve ``y(s) = (x, lambda)`` by predictor-corrector
continuation in arclength (Allgower & Georg, Introduction to Numerical Continuation Methods,
1990, ch. 2; Turocy, Games Econ. Behav. 51, 2005): an Euler step along the tangent (the null
vector of the Jacobian), then Newton corrections with the Moore-Penrose pseudo-inverse. The
answer at a given lambda is the first crossing of the branch with that lambda, not the end of
an iteration from some starting guess. Step lengths grow geometrically while the corrector
converges fast, so tracing to a large lambda takes tens of steps beyond the interesting part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Residual = Callable[[NDArray[np.float64]], NDArray[np.float64]]
"""Maps points ``Y`` of shape (B, n + 1), last column lambda, to residuals (B, n)."""


class TraceError(RuntimeError):
    """The branch could not be followed (the step length collapsed)."""


@dataclass
class TraceStats:
    """Counters of one trace: accepted and rejected steps."""

    steps: int = 0
    rejected: int = 0


def logit_residual(
    x: NDArray[np.float64], lam: NDArray[np.float64], u: NDArray[np.float64], ref: NDArray, starts: NDArray
) -> NDArray[np.float64]:
    """The logit QRE conditions (McKelvey & Palfrey 1998) for agents laid out contiguously.

    For each move ``a`` of an agent with first move ``0``: ``(x_a - x_0) - lam (u_a - u_0) = 0``,
    scaled by ``1 / (1 + lam)`` so rows stay of order one as ``lam`` grows; the row of the first
    move holds ``logsumexp(x) = 0`` (probabilities sum to one).

    Args:
        x: Log-probabilities, (B, n).
        lam: Precisions, (B, 1).
        u: Move values, (B, n).
        ref: Index of each entry's first move, (n,).
        starts: Index of each agent's first move.

    Returns:
        Residuals, (B, n).
    """
    out = ((x - x[:, ref]) - lam * (u - u[:, ref])) / (1.0 + lam)
    top = np.maximum.reduceat(x, starts, axis=1)
    spread = np.repeat(top, np.diff(np.append(starts, x.shape[1])), axis=1)
    out[:, starts] = np.log(np.add.reduceat(np.exp(x - spread), starts, axis=1)) + top
    return out


def jacobian(residual: Residual, y: NDArray[np.float64], eps: float = 1e-7, batch: int = 2048) -> tuple[NDArray, ...]:
    """Residual at ``y`` and its forward-difference Jacobian (n, n + 1), one batched call per chunk."""
    m = y.shape[0]
    base = None
    cols = []
    for start in range(0, m, batch):
        stop = min(start + batch, m)
        pts = np.repeat(y[None, :], stop - start + 1, axis=0)
        pts[1 + np.arange(stop - start), np.arange(start, stop)] += eps
        out = residual(pts)
        base = out[0] if base is None else base
        cols.append((out[1:] - base[None, :]) / eps)
    return base, np.concatenate(cols, axis=0).T


def _tangent(jac: NDArray[np.float64], previous: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """Unit null vector of ``jac``, oriented along ``previous`` (None if ``[jac; previous]`` is singular)."""
    aug = np.vstack([jac, previous[None, :]])
    rhs = np.zeros(aug.shape[0])
    rhs[-1] = 1.0
    try:
        t = np.linalg.solve(aug, rhs)
    except np.linalg.LinAlgError:
        return None
    norm = float(np.linalg.norm(t))
    return t / norm if np.isfinite(norm) and norm > 0 else None


def _correct(residual: Residual, y: NDArray, t: NDArray, tol: float, max_iter: int = 8):
    """Newton corrections back to the branch, each orthogonal to the tangent ``t``.

    Pseudo-arclength continuation (Keller 1977; Allgower & Georg 1990, sec. 2.2).

    Returns (point, Jacobian there, iterations, size of the first correction), or None when the
    corrections do not contract.
    """
    first, last = None, np.inf
    for it in range(1, max_iter + 1):
        with np.errstate(all="ignore"):
            h, jac = jacobian(residual, y)
        if not (np.all(np.isfinite(h)) and np.all(np.isfinite(jac))):
            return None
        try:
            delta = np.linalg.solve(np.vstack([jac, t[None, :]]), np.append(-h, 0.0))
        except np.linalg.LinAlgError:
            return None
        y = y + delta
        size = _relative_size(delta, y)
        if first is None:
            first = float(np.linalg.norm(delta))
        elif not size <= 0.5 * last:
            return None
        last = size
        if size <= tol:
            return y, jac, it, first
    return None


def _relative_size(delta: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    """Largest component of a correction relative to the size of the coordinate it corrects."""
    return float(np.max(np.abs(delta) / (1.0 + np.abs(y)), initial=0.0))


def polish(residual: Residual, y: NDArray[np.float64], tol: float = 1e-14, max_iter: int = 20) -> NDArray:
    """Newton at fixed lambda (the last coordinate) to the precision the residual allows."""
    n = y.shape[0] - 1
    for _ in range(max_iter):
        h, jac = jacobian(residual, y)
        delta = np.linalg.solve(jac[:, :n], -h)
        y = y.copy()
        y[:n] += delta
        if _relative_size(delta, y[:n]) <= tol:
            break
    return y


def _step_factor(iterations: int, growth: float) -> float:
    """Lengthen the step after a fast corrector, keep it after a slower one, shorten it after a slow one."""
    if iterations <= 2:
        return growth
    if iterations == 3:
        return min(growth, 1.25)
    return 1.0 if iterations <= 4 else 0.6


def trace_branch(
    residual: Residual,
    y0: NDArray[np.float64],
    stops: Sequence[float],
    *,
    first_step: float = 0.03,
    growth: float = 2.0,
    tol: float = 1e-9,
    max_steps: int = 20_000,
) -> tuple[dict[float, NDArray[np.float64]], TraceStats]:
    """Follow the branch through ``y0`` (at lambda 0) and return its first point at each stop.

    Args:
        residual: Batched residual, see `Residual`.
        y0: Starting point, a solution at lambda = 0.
        stops: Values of lambda (> 0) at which to report the branch; tracing ends at the largest.
        first_step: First arclength step.
        growth: Largest factor by which a step may lengthen after a fast corrector.
        tol: Relative size of the last Newton correction at which a point is accepted.
        max_steps: Give up after this many accepted steps.

    Returns:
        The point (x, lambda) at each stop, polished at fixed lambda, and the trace's counters.
    """
    pending = sorted(float(s) for s in stops)
    found: dict[float, NDArray] = {}
    stats = TraceStats()
    y, step = y0.astype(float).copy(), first_step
    start = np.zeros_like(y)
    start[-1] = 1.0
    t = _tangent(jacobian(residual, y)[1], start)
    while pending:
        if stats.steps >= max_steps:
            raise TraceError(f"no convergence after {max_steps} steps (lambda {y[-1]:.4g})")
        h, landing = step, False
        if t[-1] > 0 and y[-1] + h * t[-1] >= pending[0]:
            h, landing = (pending[0] - y[-1]) / t[-1], True
        corrected = _correct(residual, y + h * t, t, tol)
        if corrected is None or corrected[3] > 0.5 * h:
            stats.rejected += 1
            step = h * 0.5
            if step < 1e-12 * (1.0 + abs(y[-1])):
                raise TraceError(f"step length collapsed at lambda {y[-1]:.6g}")
            continue
        y, jac, iterations, _ = corrected
        stats.steps += 1
        if landing:
            y[-1] = pending[0]
            y = polish(residual, y)
            found[pending.pop(0)] = y.copy()
        tangent = _tangent(jac, t)
        if tangent is None:
            raise TraceError(f"singular Jacobian at lambda {y[-1]:.6g}")
        t = tangent
        step = (step if landing else h) * _step_factor(iterations, growth)
    return found, stats
