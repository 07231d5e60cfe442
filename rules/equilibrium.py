"""The crisis solved in equilibrium: logit agent QRE and its limit, a sequential equilibrium.

The solution concept is the logit agent quantal response equilibrium of McKelvey & Palfrey
(Experimental Economics 1, 1998) at precision ``lam``: at every public history each type of
the mover chooses each move with probability proportional to ``exp(lam * value)``, where a
move's value is its expected payoff under the beliefs about the opponent's type that Bayes'
rule gives from the strategies (every move has positive probability at finite ``lam``, so
beliefs are defined at every history). As ``lam`` grows the principal branch, traced from
uniform play at ``lam = 0`` (`rules.qre.trace_branch`, Turocy 2005), converges to a sequential
equilibrium (Kreps & Wilson 1982); ``lam = inf`` asks for that limit.

Exactness where the game allows it: a side with a single type reveals nothing by its moves, so
its logit choices are computed inside the backward pass (backward induction given beliefs);
with one type a side the whole game is solved by one backward pass at any ``lam``, and at
``lam = inf`` by exact backward induction (ties shared equally), as in
`rules.backward_induction`. Only the moves of sides with several types are unknowns of the
homotopy. The limit of a game with private types is the branch at ``limit_lambda`` and half
of it, extrapolated to ``lam = inf`` in ``1 / lam`` (Richardson): the branch approaches a
regular sequential equilibrium at rate ``1 / lam``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from rules.crisis_game import CrisisGame, CrisisState, GameError, Move
from rules.game_tree import NEG_INF, Level, PublicTree, build_tree, log_normalize, log_softmax
from rules.qre import TraceStats, logit_residual, trace_branch

LIMIT_LAMBDA = 1e6
"""Precision at which the branch is read before extrapolating to the limit."""


@dataclass(frozen=True)
class Decision:
    """Equilibrium play at one public history.

    Attributes:
        history: Labels of the moves and chance events so far.
        state: The public state (rung, mover, elapsed, each ally not called, declined or joined).
        moves: Moves open to the mover.
        probabilities: Each mover type's probability of each move, (types, moves).
        values: Each mover type's expected value of each move, (types, moves).
        posteriors: Each side's posterior over its types at this history.
        type_values: Each side's types' expected values from this history on.
        reach: Ex-ante probability of this history (over types and chance).
    """

    history: tuple[str, ...]
    state: CrisisState
    moves: tuple[Move, ...]
    probabilities: NDArray[np.float64]
    values: NDArray[np.float64]
    posteriors: tuple[NDArray[np.float64], NDArray[np.float64]]
    type_values: tuple[NDArray[np.float64], NDArray[np.float64]]
    reach: float


@dataclass(frozen=True)
class Solution:
    """A solved crisis game.

    Attributes:
        game: The game.
        lam: Precision of the logit QRE (``inf``: the limit, a sequential equilibrium).
        decisions: Play at every public history (breadth first; the first is the start).
        start_values: Each side's types' equilibrium values at the start.
        method: How it was computed.
        stats: Homotopy counters (zero when no homotopy was needed).
    """

    game: CrisisGame
    lam: float
    decisions: tuple[Decision, ...]
    start_values: tuple[NDArray[np.float64], NDArray[np.float64]]
    method: str
    stats: TraceStats = field(default_factory=TraceStats)
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def at(self, history: Sequence[str]) -> Decision:
        """The decision at a public history (KeyError if there is none)."""
        if not self._index:
            self._index.update({d.history: i for i, d in enumerate(self.decisions)})
        return self.decisions[self._index[tuple(history)]]

    def path(self, min_reach: float = 1e-9) -> list[Decision]:
        """Decisions reached with at least ``min_reach`` probability, in order of depth."""
        return [d for d in self.decisions if d.reach >= min_reach]

    def policy_table(self) -> list[dict]:
        """Rows keyed by (state, type, posterior about the opponent): the mover's move probabilities."""
        rows = []
        for d in self.decisions:
            m = d.state.mover
            for j, t in enumerate(self.game.sides[m].types):
                rows.append({
                    "state": d.state,
                    "type": t.name,
                    "posterior": tuple(float(p) for p in d.posteriors[1 - m]),
                    "own_posterior": tuple(float(p) for p in d.posteriors[m]),
                    "probabilities": {mv.label: float(p) for mv, p in zip(d.moves, d.probabilities[j], strict=True)},
                })
        return rows

    def max_regret(self) -> float:
        """Largest gain any type could make at any history by a better move (0 in equilibrium)."""
        worst = 0.0
        for d in self.decisions:
            free = [not t.obstinate for t in self.game.sides[d.state.mover].types]
            gain = np.max(d.values, axis=1) - np.sum(d.probabilities * d.values, axis=1)
            worst = max(worst, float(np.max(gain[free], initial=0.0)))
        return worst


class TreeQRE:
    """The logit agent QRE of a finite-horizon game on its public tree, as equations ``H(x, lam) = 0``.

    Unknowns ``x`` are the log-probabilities of the moves of every non-obstinate type of a side
    with several types at every node. For a batch of points the class computes beliefs forward
    and values backward (`rules.game_tree`), then the logit conditions of McKelvey & Palfrey:
    ``x_a - x_0 = lam (U_a - U_0)`` for each move ``a`` against the first, and ``logsumexp x = 0``.
    """

    def __init__(self, tree: PublicTree) -> None:
        """Lay out the unknowns level by level."""
        self.tree = tree
        self.slices: list[tuple[int, int, tuple[NDArray, NDArray, NDArray]] | None] = []
        offset, refs = 0, []
        for level in tree.levels:
            m = level.mover
            if tree.n_types[m] < 2:
                self.slices.append(None)
                continue
            free = [j for j in range(tree.n_types[m]) if not tree.obstinate[m, j]]
            node, typ, act = [], [], []
            for i, n_moves in enumerate(level.n_moves):
                for j in free:
                    refs.extend([offset + len(node)] * int(n_moves))
                    node.extend([i] * int(n_moves))
                    typ.extend([j] * int(n_moves))
                    act.extend(range(int(n_moves)))
            idx = (np.array(node, dtype=np.intp), np.array(typ, dtype=np.intp), np.array(act, dtype=np.intp))
            self.slices.append((offset, offset + len(node), idx))
            offset += len(node)
        self.n = offset
        self.ref = np.array(refs, dtype=np.intp)
        self.is_ref = self.ref == np.arange(self.n)
        self.starts = np.flatnonzero(self.is_ref)

    def start(self) -> NDArray[np.float64]:
        """The point at ``lam = 0``: uniform play."""
        x = np.zeros(self.n + 1)
        for level, sl in zip(self.tree.levels, self.slices, strict=True):
            if sl is not None:
                lo, hi, (node, _typ, _act) = sl
                x[lo:hi] = -np.log(level.n_moves[node])
        return x

    def strategies(self, level: Level, sl, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log-probabilities (B, n, T, A) of the mover's types at a level with several types."""
        b = x.shape[0]
        n, width = level.valid.shape
        uniform = np.where(level.valid, -np.log(level.n_moves)[:, None], NEG_INF)
        out = np.broadcast_to(uniform[None, :, None, :], (b, n, self.tree.log_prior.shape[1], width)).copy()
        m = level.mover
        fixed = self.tree.obstinate[m]
        out[:, :, fixed, :] = level.fixed[None, :, fixed, :]
        lo, hi, (node, typ, act) = sl
        out[:, node, typ, act] = x[:, lo:hi]
        return out

    def evaluate(self, y: NDArray[np.float64]) -> dict:
        """Beliefs, strategies, move values and type values at every level for points ``y`` (B, n + 1)."""
        x, lam = y[:, :-1], y[:, -1]
        tree = self.tree
        sigma: list = [None if sl is None else self.strategies(lv, sl, x)
                       for lv, sl in zip(tree.levels, self.slices, strict=True)]
        beliefs = [np.broadcast_to(tree.log_prior[None, None], (y.shape[0], 1, *tree.log_prior.shape)).copy()]
        for ell, level in enumerate(tree.levels[1:], start=1):
            beliefs.append(_bayes(beliefs[ell - 1], sigma[ell - 1], tree.levels[ell - 1].mover, level))
        values: list = [None] * len(tree.levels)
        moves: list = [None] * len(tree.levels)
        nxt = None
        for ell in range(len(tree.levels) - 1, -1, -1):
            level = tree.levels[ell]
            q = _move_values(level, nxt)
            sigma[ell] = self._mover_strategy(level, sigma[ell], q, lam)
            values[ell] = _node_values(level, sigma[ell], q, beliefs[ell])
            moves[ell] = q
            nxt = values[ell]
        return {"beliefs": beliefs, "sigma": sigma, "q": moves, "values": values}

    def _mover_strategy(self, level: Level, sigma, q: NDArray, lam: NDArray) -> NDArray:
        """The mover's log-strategy: given (several types), logit in the values (one type), or fixed."""
        if sigma is not None:
            return sigma
        m = level.mover
        b, n, width = lam.shape[0], q.shape[1], q.shape[2]
        width_t = self.tree.log_prior.shape[1]
        uniform = np.where(level.valid, -np.log(level.n_moves)[:, None], NEG_INF)
        out = np.broadcast_to(uniform[None, :, None, :], (b, n, width_t, width)).copy()
        if self.tree.obstinate[m, 0]:
            out[:, :, 0, :] = level.fixed[None, :, 0, :]
        else:
            out[:, :, 0, :] = log_softmax(q[:, :, :, m, 0], lam[:, None], level.valid[None])
        return out

    def residual(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        """The logit conditions ``H`` at points ``y`` (B, n + 1), rows scaled by ``1 / (1 + lam)``."""
        ev = self.evaluate(y)
        x = y[:, :-1]
        u = np.empty_like(x)
        for level, sl, q in zip(self.tree.levels, self.slices, ev["q"], strict=True):
            if sl is not None:
                lo, hi, (node, typ, act) = sl
                u[:, lo:hi] = q[:, node, act, level.mover, typ]
        return logit_residual(x, y[:, -1:], u, self.ref, self.starts)


def _bayes(prev: NDArray, sigma_prev, mover: int, level: Level) -> NDArray:
    """Beliefs at a level from the parent's beliefs and the mover's strategy (Bayes' rule)."""
    out = prev[:, level.parent].copy()
    if sigma_prev is None:
        return out
    chosen = np.take_along_axis(sigma_prev[:, level.parent], level.parent_move[None, :, None, None], axis=3)[..., 0]
    post = log_normalize(out[:, :, mover, :] + chosen)
    impossible = ~np.isfinite(np.max(post, axis=-1, keepdims=True))
    out[:, :, mover, :] = np.where(impossible, out[:, :, mover, :], post)
    return out


def _move_values(level: Level, nxt: NDArray | None) -> NDArray:
    """Each type's value of each move at each node, (B, n, A, 2, T)."""
    q = level.terminal[None]
    if nxt is None:
        return q
    cont = nxt[:, level.child]  # (B, n, A, C, 2, T)
    return q + np.einsum("nac,bnacst->bnast", level.child_p, cont)


def _node_values(level: Level, log_sigma: NDArray, q: NDArray, log_belief: NDArray) -> NDArray:
    """Each side's types' values at each node, (B, n, 2, T), given the mover's strategy."""
    m, o = level.mover, 1 - level.mover
    sigma = np.exp(log_sigma)  # (B, n, T, A)
    qb = np.broadcast_to(q, (sigma.shape[0], *q.shape[1:]))
    out = np.empty((sigma.shape[0], q.shape[1], 2, q.shape[4]))
    out[:, :, m, :] = np.einsum("bnta,bnat->bnt", sigma, qb[:, :, :, m, :])
    belief = np.exp(log_belief[:, :, m, :])  # (B, n, T)
    play = np.einsum("bnt,bnta->bna", np.broadcast_to(belief, sigma.shape[:3]), sigma)
    out[:, :, o, :] = np.einsum("bna,bnat->bnt", play, qb[:, :, :, o, :])
    return out


def _arrays(ev: dict, tree: PublicTree, b: int = 0) -> list[dict[str, NDArray]]:
    """Linear-space play, move values, posteriors and type values of point ``b``, level by level."""
    out = []
    for ell in range(len(tree.levels)):
        q = ev["q"][ell]
        out.append({
            "p": np.exp(ev["sigma"][ell][b]),
            "q": q[min(b, q.shape[0] - 1)],
            "post": np.exp(ev["beliefs"][ell][b]),
            "v": ev["values"][ell][b],
        })
    return out


def extrapolate(low: list[dict], high: list[dict]) -> list[dict]:
    """Richardson extrapolation to ``lam = inf`` from the branch at ``lam`` and ``2 lam`` (error O(1/lam^2)).

    Probabilities (``p``) and posteriors (``post``) are clipped to [0, 1] and renormalised.
    """
    out = []
    for a, b in zip(low, high, strict=True):
        lim = {k: 2.0 * b[k] - a[k] for k in a}
        for key in ("p", "post"):
            if key in lim:
                clipped = np.clip(lim[key], 0.0, 1.0)
                lim[key] = clipped / np.maximum(np.sum(clipped, axis=-1, keepdims=True), 1e-300)
        out.append(lim)
    return out


def _decisions(tree: PublicTree, arrays: list[dict]) -> tuple[Decision, ...]:
    """Assemble the decisions of every node, with the ex-ante reach of each history."""
    out = []
    reach = np.ones(1)
    nt = tree.n_types
    for ell, (level, arr) in enumerate(zip(tree.levels, arrays, strict=True)):
        if ell:
            prev, prev_level = arrays[ell - 1], tree.levels[ell - 1]
            play = np.einsum("nt,nta->na", prev["post"][:, prev_level.mover, :], prev["p"])
            chance = np.zeros(len(level.states))
            weight = prev_level.child_p * (play * reach[:, None])[:, :, None]
            mask = prev_level.child_p > 0
            np.add.at(chance, prev_level.child[mask], weight[mask])
            reach = chance
        m = level.mover
        for i, state in enumerate(level.states):
            k = int(level.n_moves[i])
            out.append(Decision(
                history=level.histories[i],
                state=state,
                moves=tree.game.moves(state),
                probabilities=arr["p"][i, : nt[m], :k].copy(),
                values=arr["q"][i, :k, m, : nt[m]].T.copy(),
                posteriors=(arr["post"][i, 0, : nt[0]].copy(), arr["post"][i, 1, : nt[1]].copy()),
                type_values=(arr["v"][i, 0, : nt[0]].copy(), arr["v"][i, 1, : nt[1]].copy()),
                reach=float(reach[i]),
            ))
    return tuple(out)


def trace_points(problem, lams: Sequence[float], limit_lambda: float) -> tuple[dict, TraceStats, str]:
    """Points of the principal branch at each wanted precision (and the two read for the limit)."""
    wanted = sorted({float(v) for v in lams})
    if any(math.isnan(v) or v < 0 for v in wanted):
        raise GameError("lambda must be >= 0 or inf")
    if problem.n == 0:
        return {v: np.array([v]) for v in wanted}, TraceStats(), "backward induction"
    stops = {v for v in wanted if 0 < v < math.inf}
    if math.inf in wanted:
        stops |= {limit_lambda / 2, limit_lambda}
    ys, stats = trace_branch(problem.residual, problem.start(), sorted(stops)) if stops else ({}, TraceStats())
    ys[0.0] = problem.start()
    return ys, stats, "logit QRE homotopy"


def solve_tree(
    game: CrisisGame, lams: Sequence[float], *, max_nodes: int = 200_000, limit_lambda: float = LIMIT_LAMBDA
) -> dict[float, Solution]:
    """Solve a finite-horizon game at each precision in ``lams`` (``inf``: the limit) with one trace."""
    tree = build_tree(game, max_nodes=max_nodes)
    problem = TreeQRE(tree)
    ys, stats, method = trace_points(problem, lams, limit_lambda)
    def make(arrays: list[dict], lam: float, how: str) -> Solution:
        """A solution from linear-space arrays of every level."""
        decisions = _decisions(tree, arrays)
        return Solution(game, lam, decisions, decisions[0].type_values, how, stats)

    out = {}
    for v in sorted({float(v) for v in lams}):
        if v == math.inf and problem.n:
            low, high = (_arrays(problem.evaluate(ys[lam][None]), tree) for lam in (limit_lambda / 2, limit_lambda))
            out[v] = limit_solution(make, low, high, method, limit_lambda)
        else:
            out[v] = make(_arrays(problem.evaluate(ys[v][None]), tree), v, method)
    return out


def limit_solution(make, low: list[dict], high: list[dict], method: str, limit_lambda: float) -> Solution:
    """The limit from the branch at ``limit_lambda / 2`` and ``limit_lambda``, extrapolated in ``1 / lam``.

    If the extrapolated profile is not an equilibrium to 1e-7 (an action whose value gap is
    too small for the branch to have settled), the branch at ``limit_lambda`` is returned.
    """
    sol = make(extrapolate(low, high), math.inf, f"{method}, extrapolated to the limit")
    if sol.max_regret() <= 1e-7:
        return sol
    return make(high, math.inf, f"{method}, read at lambda {limit_lambda:g} (extrapolation did not settle)")


def solve_many(game: CrisisGame, lams: Sequence[float], **options: float) -> dict[float, Solution]:
    """Solve at several precisions with one trace: on the public tree, or on the states if stationary."""
    if game.stationary:
        from rules.markov_qre import solve_markov

        return solve_markov(game, lams, **options)
    return solve_tree(game, lams, **options)  # type: ignore[arg-type]


def solve(game: CrisisGame, lam: float = math.inf, **options: float) -> Solution:
    """Solve a crisis game at precision ``lam`` (default the limit, a sequential equilibrium)."""
    return solve_many(game, [lam], **options)[float(lam)]
