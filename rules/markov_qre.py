"""The stationary crisis (no deadline): the Markov logit QRE on the finite state space.

Without a horizon and with one type a side, what matters at a decision is only the public
state (rung, mover, each ally not called, declined or joined): a Markov strategy chooses each
move with logit probabilities in its value, the values solve the linear system of the Markov
chain the strategies induce (every move yields with positive probability at finite ``lam``, so
the chain ends almost surely), and the fixed point is followed from uniform play by the same homotopy
as the tree (`rules.qre`; McKelvey & Palfrey 1995 for the logit fixed point, its stationary
form for stochastic games after Turocy 2005). In the limit the principal branch gives the
mixed war of attrition's stationary concession hazards when they exist (Hendricks, Weiss &
Wilson 1988): each side's hazard keeps the other indifferent between yielding and holding.
Private types need the history of play and so a finite horizon (`rules.equilibrium`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rules.crisis_game import YIELD, CrisisGame, CrisisState, GameError
from rules.game_tree import NEG_INF
from rules.qre import logit_residual


def _key(state: CrisisState) -> CrisisState:
    """A state with the elapsed count dropped (the stationary game does not remember it)."""
    return state._replace(elapsed=0)


@dataclass
class MarkovGame:
    """The reachable states of a stationary game and each move's endings and transitions.

    Attributes:
        game: The game.
        states: Reachable states (elapsed set to 0); the first is the start.
        valid: Whether move slot ``a`` exists at state ``s``, (S, A).
        terminal: Each side's expected ending payoff of each move, costs included, (S, A, 2).
        transition: Probability of each next state after each move, (S, A, S).
        fixed: Whether the mover at each state is an obstinate type, (S,); its move is ``fixed_move``.
        fixed_move: The obstinate move slot at each state, (S,).
    """

    game: CrisisGame
    states: list[CrisisState]
    valid: NDArray[np.bool_]
    terminal: NDArray[np.float64]
    transition: NDArray[np.float64]
    fixed: NDArray[np.bool_]
    fixed_move: NDArray[np.intp]


def build_markov(game: CrisisGame, max_states: int = 2_000) -> MarkovGame:
    """Enumerate the reachable states of a stationary game with one type a side."""
    if not game.stationary:
        raise GameError("build_markov: the game has a finite horizon; solve it on its tree")
    if any(len(s.types) != 1 for s in game.sides):
        raise GameError("a stationary game needs one type a side (private types need a finite horizon)")
    if any(s.types[0].audience_cost for s in game.sides):
        raise GameError("a stationary game cannot have audience costs (they grow with the crisis's length)")
    states, index, edges = [_key(game.start())], {_key(game.start()): 0}, []
    i = 0
    while i < len(states):
        state = states[i]
        for a, move in enumerate(game.moves(state)):
            if move.target == YIELD:
                continue
            for o in game.step(state, move.target):
                if o.kind == "continue":
                    nxt = _key(o.state)
                    if nxt not in index:
                        index[nxt] = len(states)
                        states.append(nxt)
                        if len(states) > max_states:
                            raise GameError(f"stationary game: more than {max_states} states")
                    edges.append((i, a, index[nxt], o.probability))
        i += 1
    return _arrays(game, states, edges)


def _arrays(game: CrisisGame, states: list[CrisisState], edges: list) -> MarkovGame:
    """Fill the move arrays of the reachable states."""
    n = len(states)
    width = max(len(game.moves(s)) for s in states)
    valid = np.zeros((n, width), dtype=bool)
    terminal = np.zeros((n, width, 2))
    transition = np.zeros((n, width, n))
    for i, a, j, p in edges:
        transition[i, a, j] += p
    for i, state in enumerate(states):
        moves = game.moves(state)
        valid[i, : len(moves)] = True
        for a, move in enumerate(moves):
            for side in (0, 1):
                terminal[i, a, side] = _ending_value(game, side, state, move.target)
    fixed = np.array([game.sides[s.mover].types[0].obstinate for s in states])
    fixed_move = np.array([game.obstinate_move(s) for s in states], dtype=np.intp)
    return MarkovGame(game, states, valid, terminal, transition, fixed, fixed_move)


def _ending_value(game: CrisisGame, side: int, state: CrisisState, target: int) -> float:
    """Expected payoff to ``side`` from the endings of a move, minus its cost."""
    if target == YIELD:
        return game.payoff(side, "yield", state)[0]
    total = -game.move_cost(side, state, target)[0]
    for o in game.step(state, target):
        if o.kind != "continue":
            total += o.probability * game.payoff(side, o.kind, o.state, o.winner)[0]
    return total


class MarkovQRE:
    """Logit conditions ``H(x, lam) = 0`` of the stationary game, in the layout of `rules.equilibrium.TreeQRE`."""

    def __init__(self, mg: MarkovGame) -> None:
        """Unknowns: log-probabilities of every move of every non-obstinate mover at every state."""
        self.mg = mg
        free = ~mg.fixed[:, None] & mg.valid
        self.state_idx, self.move_idx = np.nonzero(free)
        self.n = len(self.state_idx)
        starts = np.flatnonzero(np.r_[True, self.state_idx[1:] != self.state_idx[:-1]]) if self.n else np.array([], int)
        self.ref = np.repeat(starts, np.diff(np.r_[starts, self.n])).astype(np.intp)
        self.starts = starts

    def start(self) -> NDArray[np.float64]:
        """Uniform play at ``lam = 0``."""
        y = np.zeros(self.n + 1)
        y[:-1] = -np.log(self.mg.valid.sum(axis=1))[self.state_idx]
        return y

    def strategies(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log-probabilities (B, S, A) of the mover's moves."""
        mg = self.mg
        s, a = mg.valid.shape
        out = np.full((x.shape[0], s, a), NEG_INF)
        fixed = np.flatnonzero(mg.fixed)
        out[:, fixed, mg.fixed_move[fixed]] = 0.0
        out[:, self.state_idx, self.move_idx] = x
        return out

    def evaluate(self, y: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Strategies, move values (B, S, A, 2) and state values (B, S, 2) at points ``y``."""
        mg = self.mg
        log_sigma = self.strategies(y[:, :-1])
        sigma = np.exp(log_sigma)
        reward = np.einsum("bsa,sai->bsi", sigma, mg.terminal)
        chain = np.einsum("bsa,sat->bst", sigma, mg.transition)
        eye = np.eye(len(mg.states))[None]
        values = np.linalg.solve(eye - chain, reward)
        q = mg.terminal[None] + np.einsum("sat,bti->bsai", mg.transition, values)
        return {"sigma": log_sigma, "q": q, "values": values}

    def residual(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        """The logit conditions at points ``y`` (B, n + 1), rows scaled by ``1 / (1 + lam)``."""
        ev = self.evaluate(y)
        movers = np.array([s.mover for s in self.mg.states])[self.state_idx]
        u = ev["q"][:, self.state_idx, self.move_idx, movers]
        return logit_residual(y[:, :-1], y[:, -1:], u, self.ref, self.starts)

    def hitting(self, log_sigma: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability that each state is ever reached from the start, under strategies (S, A)."""
        chain = np.einsum("sa,sat->st", np.exp(log_sigma), self.mg.transition)
        visits = np.linalg.inv(np.eye(len(self.mg.states)) - chain)
        return visits[0] / np.diag(visits)


def _state_arrays(problem: MarkovQRE, y: NDArray[np.float64]) -> list[dict[str, NDArray]]:
    """Linear-space play (S, A), move values (S, A, 2) and state values (S, 2) at one point."""
    ev = problem.evaluate(y[None])
    return [{"p": np.exp(ev["sigma"][0]), "q": ev["q"][0], "v": ev["values"][0]}]


def solve_markov(game: CrisisGame, lams, *, limit_lambda: float | None = None, max_states: int = 2_000) -> dict:
    """Solve a stationary game at each precision in ``lams`` (``inf``: the limit) with one trace."""
    from rules.equilibrium import LIMIT_LAMBDA, Decision, Solution, limit_solution, trace_points

    limit = LIMIT_LAMBDA if limit_lambda is None else limit_lambda
    mg = build_markov(game, max_states=max_states)
    problem = MarkovQRE(mg)
    ys, stats, method = trace_points(problem, lams, limit)
    if problem.n == 0:
        method = "fixed play"
    def make(arrays: list[dict], lam: float, how: str) -> Solution:
        """A solution from linear-space arrays of the states."""
        arr = arrays[0]
        with np.errstate(divide="ignore"):
            reach = problem.hitting(np.log(arr["p"]))
        decisions = tuple(
            Decision(
                history=(state_label(game, s),),
                state=s,
                moves=game.moves(s),
                probabilities=arr["p"][i : i + 1, : len(game.moves(s))].copy(),
                values=arr["q"][i, : len(game.moves(s)), s.mover][None].copy(),
                posteriors=(np.ones(1), np.ones(1)),
                type_values=(arr["v"][i, 0:1].copy(), arr["v"][i, 1:2].copy()),
                reach=float(reach[i]),
            )
            for i, s in enumerate(mg.states)
        )
        return Solution(game, lam, decisions, decisions[0].type_values, f"Markov {how}", stats)

    out = {}
    for v in sorted({float(v) for v in lams}):
        if v == np.inf and problem.n:
            low, high = (_state_arrays(problem, ys[lam]) for lam in (limit / 2, limit))
            out[v] = limit_solution(make, low, high, method, limit)
        else:
            out[v] = make(_state_arrays(problem, ys[v] if problem.n else problem.start()), v, method)
    return out


def state_label(game: CrisisGame, state: CrisisState) -> str:
    """A readable key of a stationary state: rung, mover and the allies called (in or out)."""
    joined = [f"{game.sides[i].name} ally {'in' if state.joined[i] else 'out'}"
              for i in (0, 1) if state.joined[i] is not None]
    return ", ".join([f"rung {state.rung}", f"{game.sides[state.mover].name} to move", *joined])
