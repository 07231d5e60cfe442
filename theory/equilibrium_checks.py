"""Closed-form checks of the equilibrium solver: answers derived from the payoffs, not put in.

Each check builds one game of `rules.crisis_game`, solves it with `rules.equilibrium.solve` (the
exact tree or the stationary Markov form, at the limit or at a logit precision) or with
`rules.belief_equilibrium.solve_beliefs`, and compares what the solver derives with a published
closed form (``docs/theory.md``). Nothing here is simulated: the answers are exact, so the checks
hold to a numerical tolerance, and `reps` and `seed` are accepted only to match the registry of
``theory.report``. Each Finding's ``basis`` says what the solver derives and what is assumed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from rules.belief_equilibrium import solve_beliefs
from rules.crisis_game import CrisisGame, CrisisType, Rung, Side
from rules.equilibrium import Solution, solve, solve_many
from rules.risk import critical_risk
from rules.scenario_game import crisis_game
from scenarios import Scenario, load_scenario
from theory.finding import Finding, Plot

TOLERANCE = 1e-6
"""Largest error of an exact answer (the limit is extrapolated from the branch at lambda 1e6)."""

# ---- the games --------------------------------------------------------------------------------


def scenario_game(name: str, crisis: str, overrides: dict[str, Any]) -> CrisisGame:
    """A shipped scenario's crisis as a game (`rules.scenario_game.crisis_game`), after ``--set`` overrides."""
    return crisis_game(load_scenario(name, overrides), crisis)


def crisis_type(prior: float = 1.0, name: str = "normal", **payoffs: Any) -> CrisisType:
    """A type with Haynes's payoffs unless given: prevail 1, concede 0, disaster -2."""
    w, s, d = (payoffs.pop(k, v) for k, v in (("prevail", 1.0), ("concede", 0.0), ("disaster", -2.0)))
    return CrisisType(name, prior, w, s, d, **payoffs)


def audience_game(cost: float) -> CrisisGame:
    """Fearon (1994) with private types: B resolute or irresolute (prior 1/2 each), no noise.

    Eight rungs with slip 0.05 k and a catastrophe on top, no holding, six moves; A's disaster
    is -3, B's -2 (resolute) or -6 (irresolute); B's concession loses ``cost`` per move made.
    The game of tests/rules/test_equilibrium.py, built by hand: ``scenarios/theory/audience-costs``
    is a noisy standoff with holding, another game.
    """
    rungs = (*(Rung(f"r{k}", slip=0.05 * k) for k in range(8)), Rung("war", slip=1.0, catastrophe=True))
    b = (
        crisis_type(0.5, "resolute", audience_cost=cost),
        crisis_type(0.5, "irresolute", disaster=-6.0, audience_cost=cost),
    )
    return CrisisGame(rungs, (Side("A", (crisis_type(disaster=-3.0),)), Side("B", b)), allow_hold=False, horizon=6)


HAYNES = {"params.game.horizon": 10, "params.game.obstinate_prior": 0.0}
"""Overrides that make ``theory/haynes`` the game of complete information it describes (ten rounds)."""


def haynes_game(p_obstinate: float = 0.0, first_mover: str = "AAA") -> CrisisGame:
    """Haynes (2019): rounds k = 1..10, standing firm in round k risks disaster k/10.

    Conceding gives the other side 1 and the conceder 0; disaster gives both -2. With
    ``p_obstinate = 0`` it is ``scenarios/theory/haynes``; otherwise ``scenarios/theory/reputation``,
    where Player 1's image of Player 2 (``states.BBB.image``) is the prior that Player 2 is an
    obstinate type that never yields (Kreps & Wilson 1982).
    """
    if p_obstinate:
        return scenario_game("theory/reputation", "rounds", {"states.BBB.image": p_obstinate})
    return scenario_game("theory/haynes", "rounds", {**HAYNES, "crises.rounds.first_mover": first_mover})


def firm(solution: Solution, round_: int, type_index: int = 0) -> float:
    """Probability that the mover of a Haynes round (a type of it) stands firm, on the all-firm path."""
    return float(solution.at([f"to {j}" for j in range(1, round_)]).probabilities[type_index, 1])


def _within(measured: float, expected: float, tolerance: float = TOLERANCE) -> bool:
    """Whether a finite ``measured`` is within ``tolerance`` of ``expected``."""
    return math.isfinite(measured) and abs(measured - expected) <= tolerance


# ---- reputation --------------------------------------------------------------------------------

FLIP = 25 / 567
"""Prior that P2 is obstinate at which P1 flips from standing firm to conceding (Haynes + Kreps-Wilson)."""
ROUND3_POSTERIOR = 5 / 63
"""P1's round-3 posterior that P2 is obstinate while normal P2 mixes (P1 indifferent there)."""
REPUTATION_PRIORS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.045, 0.05, 0.06, 0.08, 0.1)
BELIEF_POINTS = (41, 161)
MIX_PRIOR = 0.02


def advantage_closed_form(p: float) -> float:
    """P1's round-1 value of standing firm over conceding: ``0.7 - 15.876 min(p, 5/63)``.

    Derived in tests/rules/test_equilibrium.py: with normal P2 mixing so that P1's round-3
    posterior is 5/63, P2 yields in round 2 with probability ``1 - 12.6 p``.
    """
    return 0.7 - 15.876 * min(p, ROUND3_POSTERIOR)


def tree_advantage(p: float) -> float:
    """P1's advantage of standing firm in round 1, from the exact tree solver at the limit."""
    d = solve(haynes_game(p)).at([])
    return float(d.values[0, 1] - d.values[0, 0])


def belief_advantage(p: float, points: int) -> float:
    """The same advantage from backward induction over beliefs on a grid of ``points``."""
    play = solve_beliefs(haynes_game(p), math.inf, points).start()
    return float(play.values[0, 1, 0] - play.values[0, 0, 0])


def _flip(advantage: Callable[[float], float]) -> tuple[float, int]:
    """The prior where the advantage changes sign (Brent's method on [0.01, 0.1]), and the solves it took."""
    try:
        root, result = brentq(advantage, 0.01, 0.1, xtol=1e-12, full_output=True)
    except ValueError:  # no change of sign: no flip in the bracket
        return math.nan, 2
    return float(root), int(result.function_calls)


def _reputation_rows() -> pd.DataFrame:
    """Advantage by prior: tree (exact) and belief grids, with the closed form as reference."""
    rows = []
    for p in REPUTATION_PRIORS:
        solvers = {"tree (exact)": tree_advantage(p)}
        solvers |= {f"belief grid {n}": belief_advantage(p, n) for n in BELIEF_POINTS}
        for solver, value in solvers.items():
            rows.append({"p_obstinate": p, "solver": solver, "advantage": value, "lo": value, "hi": value,
                         "closed_form": advantage_closed_form(p), "error": value - advantage_closed_form(p)})
    return pd.DataFrame(rows)


def reputation(reps: int, seed: int) -> Finding:
    """Kreps & Wilson (1982) in Haynes's game: a prior 25/567 that P2 is obstinate flips P1."""
    del reps, seed
    flip, solves = _flip(tree_advantage)
    mix = solve(haynes_game(MIX_PRIOR))
    mixing, expected_mixing = firm(mix, 2), 58 * MIX_PRIOR / (5 * (1 - MIX_PRIOR))
    post = float(mix.at(["to 1", "to 2"]).posteriors[1][1])
    flips = {n: _flip(lambda p, n=n: belief_advantage(p, n)) for n in BELIEF_POINTS}
    grid = {n: flips[n][0] for n in BELIEF_POINTS}
    rows = _reputation_rows()
    tree = rows[rows["solver"] == "tree (exact)"]
    tree_ok = bool((tree["error"].abs() <= TOLERANCE).all())
    errors = {n: grid[n] - FLIP for n in BELIEF_POINTS}
    coarse, fine = (abs(errors[n]) for n in BELIEF_POINTS)
    converges = fine < coarse < 0.01
    passed = (_within(flip, FLIP) and _within(mixing, expected_mixing) and _within(post, ROUND3_POSTERIOR)
              and tree_ok and converges)
    return Finding(
        key="reputation",
        title="Reputation: a small prior that P2 is obstinate flips P1 from standing firm to conceding",
        source="Kreps & Wilson (1982); Abreu & Gul (2000); Haynes (2019)",
        kind="check",
        expected=(f"flip at p = 25/567 = {FLIP:.6f}; normal P2 firm in round 2 w.p. 58p/(5(1-p)) = "
                  f"{expected_mixing:.6f} and round-3 posterior 5/63 = {ROUND3_POSTERIOR:.6f} at p = {MIX_PRIOR}"),
        measured=(f"flip {flip:.9f}; mixing {mixing:.9f}; posterior {post:.9f}; belief grid flips "
                  + ", ".join(f"{grid[n]:.5f} ({n} points)" for n in BELIEF_POINTS)),
        interval=(f"tree error {abs(flip - FLIP):.1e}; grid errors "
                  + ", ".join(f"{errors[n]:+.5f} ({n})" for n in BELIEF_POINTS)),
        passed=passed,
        basis=(
            "Derived by the solver: P1's advantage, P2's mixing probability and the posterior come "
            "from rules.equilibrium.solve (the exact public tree, the limit of the logit QRE's "
            "principal branch, a sequential equilibrium); nothing about mixing or beliefs is put in. "
            "Assumed: scenarios/theory/reputation read by rules.scenario_game (Haynes's payoffs and "
            "risks; states.BBB.image, Player 1's image of Player 2, is the prior p, since "
            "params.game.obstinate_prior is 1), and an obstinate type that always stands firm. The "
            "belief solver (rules.belief_equilibrium.solve_beliefs) solves the same game on a grid of "
            "posteriors."
        ),
        notes=_reputation_notes(flip, grid, tree),
        rows=rows,
        plot=Plot(x="p_obstinate", y="advantage", lo="lo", hi="hi", group="solver", reference="closed_form",
                  xlabel="Prior that P2 is obstinate", ylabel="P1's round-1 gain from standing firm"),
        runs=len(rows) + 1 + solves + sum(calls for _, calls in flips.values()),
    )


def _reputation_notes(flip: float, grid: dict[int, float], tree: pd.DataFrame) -> str:
    """What the reputation numbers mean, with the grid dependence of the belief solver."""
    coarse, fine = (grid[n] - FLIP for n in BELIEF_POINTS)
    ratio = coarse / fine if fine else math.inf
    return (
        "P1's round-1 advantage of standing firm over conceding is 0.7 at p = 0 (Haynes) and falls "
        "as 0.7 - 15.876 p while normal P2 mixes so that P1's round-3 posterior is 5/63; P1 concedes "
        f"once p exceeds 25/567. The tree finds the flip at {flip:.9f} (largest error on the p grid "
        f"{tree['error'].abs().max():.1e}). Backward induction over beliefs interpolates the "
        f"continuation values linearly between grid posteriors, so its flip is off by {coarse:+.5f} at "
        f"{BELIEF_POINTS[0]} points and {fine:+.5f} at {BELIEF_POINTS[1]} (ratio {ratio:.1f} for a "
        "grid four times finer): first order in the spacing near the threshold, as documented in "
        "rules/belief_equilibrium.py. The belief solver errs on the side of standing firm."
    )


# ---- war of attrition with risk -----------------------------------------------------------------

RISKS = (0.0, 0.05, 0.1, 0.2)
ATTRITION = {"params.game.obstinate_prior": 0.0, "crises.contest.sides.AAA.disaster": -2.0,
             "crises.contest.sides.BBB.disaster": -2.0}
"""Overrides of ``theory/attrition``: complete information, and a disaster worth -2 (the file has none)."""
ASYMMETRIC = {"crises.contest.sides.AAA.prevail": 2.0, "crises.contest.sides.BBB.disaster": -5.0}
"""The asymmetric case: AAA's critical risk (2 - 0)/(2 + 2) = 0.5, BBB's 1/(1 + 5) = 1/6 (Powell 1987)."""
ASYMMETRIC_RISK = 0.05


def attrition_spec(risk: float, overrides: dict[str, Any] | None = None) -> Scenario:
    """``theory/attrition`` with its contested rung slipping with chance ``risk``."""
    return load_scenario("theory/attrition", {**ATTRITION, "ladder.rungs.0.slip": risk, **(overrides or {})})


def attrition_game(spec: Scenario) -> CrisisGame:
    """The contest of an attrition scenario as a game (stationary: no deadline)."""
    return crisis_game(spec, "contest")


def hazard(risk: float, prevail: float, concede: float, disaster: float, cost: float) -> float:
    """The other side's yield probability per turn that leaves a side indifferent.

    ``s = -c + p d + (1 - p)[y w + (1 - y)(p d + (1 - p) s)]``: holding costs ``c`` and risks the
    slip ``p`` on its own move and on the other's hold (docs/theory.md, war of attrition with
    risk). At ``p = 0`` it is Maynard Smith's ``c / V`` with ``V = w - s``.
    """
    w, s, d, c, p = prevail, concede, disaster, cost, risk
    return ((s + c - p * d) / (1 - p) - p * d - (1 - p) * s) / (w - p * d - (1 - p) * s)


def written_payoffs(spec: Scenario, code: str) -> tuple[float, float, float, float]:
    """A contestant's prevail, concede and disaster as the scenario writes them, and its cost of holding.

    The cost is the contested rung's ``damage_self`` times the contestant's value at risk.
    """
    side = spec.crises["contest"].sides[code]
    rung = spec.resolved_ladder.rungs[spec.crises["contest"].start_rung]
    assert side.disaster is not None  # set by ATTRITION
    return side.prevail, side.concede, side.disaster, rung.damage_self * spec.states[code].value_at_risk


def _symmetric_row(risk: float) -> dict[str, Any]:
    """The limit's concession hazard at every state against the indifference formula."""
    spec = attrition_spec(risk)
    w, s, d, c = written_payoffs(spec, "AAA")
    sol = solve(attrition_game(spec))
    measured = [float(dec.probabilities[0, 0]) for dec in sol.decisions]
    expected = hazard(risk, w, s, d, c)
    return {"case": "symmetric", "risk": risk, "side": "both", "expected": expected,
            "measured": float(np.mean(measured)), "error": max(abs(m - expected) for m in measured),
            "first_mover_value": float(sol.start_values[0][0]), "concede": s, "regret": sol.max_regret()}


def _asymmetric_rows() -> list[dict[str, Any]]:
    """The less resolute side (lower critical risk, Powell 1987) yields at once; the other holds."""
    spec = attrition_spec(ASYMMETRIC_RISK, ASYMMETRIC)
    sol = solve(attrition_game(spec))
    yields = {dec.state.mover: float(dec.probabilities[0, 0]) for dec in sol.decisions}
    codes = list(spec.crises["contest"].sides)
    resolve = {code: float(critical_risk(*written_payoffs(spec, code)[:3])) for code in codes}
    weaker = min(resolve, key=resolve.__getitem__)
    return [
        {"case": "asymmetric", "risk": ASYMMETRIC_RISK, "side": code, "expected": float(code == weaker),
         "measured": yields[i], "error": abs(yields[i] - float(code == weaker)),
         "first_mover_value": float(sol.start_values[0][0]), "concede": math.nan, "regret": sol.max_regret()}
        for i, code in enumerate(codes)
    ]


def attrition_hazard(reps: int, seed: int) -> Finding:
    """Hendricks, Weiss & Wilson (1988): stationary concession hazards from indifference, with risk."""
    del reps, seed
    rows = pd.DataFrame([_symmetric_row(r) for r in RISKS] + _asymmetric_rows())
    sym, asym = rows[rows["case"] == "symmetric"], rows[rows["case"] == "asymmetric"]
    passed = bool((rows["error"] <= TOLERANCE).all() and (rows["regret"] <= 1e-7).all()
                  and (sym["first_mover_value"] - sym["concede"]).abs().max() <= TOLERANCE)
    return Finding(
        key="attrition-hazard",
        title="War of attrition with risk: each side's hazard keeps the other indifferent",
        source="Maynard Smith (1974); Hendricks, Weiss & Wilson (1988); Powell (1987)",
        kind="check",
        expected=("hazards " + ", ".join(f"{e:.6f}" for e in sym["expected"])
                  + f" at risks {', '.join(f'{r:g}' for r in RISKS)}; asymmetric: BBB yields at once, AAA holds"),
        measured=("hazards " + ", ".join(f"{m:.6f}" for m in sym["measured"]) + "; asymmetric yields AAA "
                  + f"{asym['measured'].iloc[0]:.6f}, BBB {asym['measured'].iloc[1]:.6f}"),
        interval=f"largest error {rows['error'].max():.1e}; largest regret {rows['regret'].max():.1e}",
        passed=passed,
        basis=(
            "Derived by the solver: the hazards are the limit of the principal branch of the Markov "
            "logit QRE (rules.markov_qre through rules.equilibrium.solve, no deadline), and which side "
            "yields in the asymmetric case is the branch's selection; the formula is the indifference "
            "condition evaluated at the scenario's written numbers. Assumed: scenarios/theory/attrition "
            "read by rules.scenario_game (prize 1, holding cost damage_self x value_at_risk = 0.05 a "
            "move), with complete information (params.game.obstinate_prior 0), a disaster of -2 (the "
            "file gives none, and fear 0.5 leaves a written value as it is) and the contested rung's "
            "slip set to the risk."
        ),
        notes=(
            "Symmetric: at the limit each side yields on every turn with the constant hazard that makes "
            "the other indifferent between conceding and holding one more turn, so the first mover's "
            "value is its concession value (0). Without risk the hazard is Maynard Smith's c/V = 0.05; "
            "it rises with risk, since a riskier standoff needs a higher chance that the other gives in "
            "to be worth holding. Asymmetric (risk 0.05): AAA prevails 2 (critical risk 0.5), BBB "
            "fears disaster at -5 (critical risk 1/6); the principal branch selects the pure "
            "equilibrium in which BBB, the less resolute, yields at its first move and AAA never does "
            "(a mixed equilibrium exists but is not selected)."
        ),
        rows=rows,
        runs=len(RISKS) + 1,
    )


# ---- audience costs with private types ------------------------------------------------------------

AUDIENCE_COSTS = (0.0, 0.05, 0.1, 0.15, 0.2)
AUDIENCE_LAMBDAS = (math.inf, 5.0, 2.0)
LIMIT_BACKING_DOWN = {0.0: 0.95, 0.2: 0.0}
"""B's chance of backing down in the limit: 0.95 without audience costs (it yields in round 2
unless A's first move slipped); 0 at 0.2 (A expects B to stand and yields at once)."""


def backing_down(sol: Solution, side: int) -> float:
    """Ex-ante probability that ``side`` yields at some point (reach times its yield probability)."""
    return sum(d.reach * float(d.posteriors[side] @ d.probabilities[:, 0])
               for d in sol.decisions if d.state.mover == side)


def _lambda_label(lam: float) -> str:
    """"limit" for the sequential equilibrium, else the precision."""
    return "limit" if math.isinf(lam) else f"{lam:g}"


def _audience_rows() -> pd.DataFrame:
    """Each side's chance of backing down by audience cost and precision (the tree solver)."""
    rows = []
    for cost in AUDIENCE_COSTS:
        sols = solve_many(audience_game(cost), list(AUDIENCE_LAMBDAS))
        for lam in AUDIENCE_LAMBDAS:
            b, a = backing_down(sols[lam], 1), backing_down(sols[lam], 0)
            rows.append({"audience_cost": cost, "lambda": _lambda_label(lam), "p_b_backs_down": b,
                         "lo": b, "hi": b, "p_a_backs_down": a})
    return pd.DataFrame(rows)


def _falls(values: Sequence[float], strictly: bool) -> bool:
    """Whether ``values`` fall step by step (strictly, or allowing ties within `TOLERANCE`)."""
    pairs = list(itertools.pairwise(values))
    return all(b < a for a, b in pairs) if strictly else all(b <= a + TOLERANCE for a, b in pairs)


def audience_costs_equilibrium(reps: int, seed: int) -> Finding:
    """Fearon (1994): with private types a larger audience cost lowers the chance of backing down."""
    del reps, seed
    rows = _audience_rows()
    series = {lab: rows[rows["lambda"] == lab]["p_b_backs_down"].tolist() for lab in rows["lambda"].unique()}
    limit = dict(zip(AUDIENCE_COSTS, series["limit"], strict=True))
    exact = all(_within(limit[c], v) for c, v in LIMIT_BACKING_DOWN.items())
    finite = [_falls(v, strictly=True) for lab, v in series.items() if lab != "limit"]
    passed = exact and _falls(series["limit"], strictly=False) and all(finite)
    return Finding(
        key="audience-costs-equilibrium",
        title="Audience costs with private types: the side that pays more for backing down backs down less",
        source="Fearon (1994)",
        kind="check",
        expected="P(B backs down) 0.95 -> 0 in the limit as B's audience cost goes 0 -> 0.2; falls at lambda 5 and 2",
        measured="; ".join(f"{lab}: " + " -> ".join(f"{v:.4f}" for v in vals) for lab, vals in series.items()),
        interval=f"exact (solver tolerance {TOLERANCE:g}); costs {', '.join(f'{c:g}' for c in AUDIENCE_COSTS)}",
        passed=passed,
        basis=(
            "Derived by the solver: who backs down follows from Bayes' rule on B's type and each "
            "type's best reply (rules.equilibrium.solve on the public tree; the logit QRE at lambda 5 "
            "and 2, its limit without noise). Assumed: the game of tests/rules/test_equilibrium.py "
            "(two equally likely types of B, disaster -2 or -6; A's disaster -3; slip 0.05 a rung) "
            "and an audience cost that lowers B's concession value per move (rules.bargaining)."
        ),
        notes=_audience_notes(series, rows),
        rows=rows,
        plot=Plot(x="audience_cost", y="p_b_backs_down", lo="lo", hi="hi", group="lambda",
                  xlabel="B's audience cost per move", ylabel="P(B backs down)"),
        runs=len(AUDIENCE_COSTS),
    )


def _audience_notes(series: dict[str, list[float]], rows: pd.DataFrame) -> str:
    """What the audience-cost numbers mean."""
    limit_a = rows[(rows["lambda"] == "limit")]["p_a_backs_down"].tolist()
    return (
        "Without noise (the limit) B backs down in round 2 whenever A's first move did not slip "
        f"({series['limit'][0]:.2f}) until its audience cost makes backing down later worth less "
        "than facing the risk; then A, expecting B to stand, yields at once "
        f"(A backs down with probability {limit_a[-1]:.2f} at cost {AUDIENCE_COSTS[-1]:g}). The limit is "
        "a step between costs 0.1 and 0.15; with noise (lambda 5 and 2) the fall is gradual and "
        "strict at every step. A selection effect of private types, not of noise: it holds in the limit."
    )


# ---- Haynes, exact --------------------------------------------------------------------------------

HAYNES_VALUES = (0.7, -0.2)
HAYNES_PLAY = (1.0, 0.0, 1.0) + (0.0,) * 7
"""Standing firm by round: firm in 1, concede in 2, firm in 3, concede from 4 on (Haynes 2019)."""


def haynes_equilibrium(reps: int, seed: int) -> Finding:
    """Haynes (2019) from the equilibrium solver: values 0.7 and -0.2, and the swap of first mover."""
    del reps, seed
    sol, swapped = solve(haynes_game()), solve(haynes_game(first_mover="BBB"))
    values = (float(sol.start_values[0][0]), float(sol.start_values[1][0]))
    swap = (float(swapped.start_values[1][0]), float(swapped.start_values[0][0]))
    play = [firm(sol, k) for k in range(1, 11)]
    rows = pd.DataFrame([
        {"first_mover": first, "side": side, "expected": exp, "measured": got}
        for first, got_pair in (("AAA", values), ("BBB", swap))
        for side, exp, got in zip(("first mover", "second mover"), HAYNES_VALUES, got_pair, strict=True)
    ])
    exact = all(_within(g, e, 1e-12) for g, e in zip(values + swap, HAYNES_VALUES * 2, strict=True))
    passed = exact and play == list(HAYNES_PLAY)
    return Finding(
        key="haynes-equilibrium",
        title="Haynes's competition in risk taking, solved in equilibrium: the order of moves alone decides",
        source="Haynes (2019)",
        kind="check",
        expected="values 0.7, -0.2; firm in rounds 1 and 3 only; swapping the first mover swaps the values",
        measured=(f"values {values[0]:.12g}, {values[1]:.12g}; swapped {swap[0]:.12g}, {swap[1]:.12g}; "
                  "firm by round " + "".join(str(int(v)) for v in play)),
        interval="exact (backward induction, 1e-12)",
        passed=passed,
        basis=(
            "Derived by the solver: rules.equilibrium.solve finds the play and values by exact "
            "backward induction on the public tree (one type a side, so no homotopy is needed). "
            "Assumed: scenarios/theory/haynes read by rules.scenario_game (payoffs +1, 0, -2, risks "
            "k/10) with a ten-move horizon and no obstinate types (params.game.horizon 10, "
            "params.game.obstinate_prior 0); the swap sets crises.rounds.first_mover to BBB."
        ),
        notes=(
            "The first mover stands firm (a 0.1 risk), the second concedes in round 2: the first "
            "mover expects 0.9 x 1 + 0.1 x (-2) = 0.7 and the second 0.1 x (-2) = -0.2. With equal "
            "stakes, swapping who moves first swaps the values exactly."
        ),
        rows=rows,
        runs=2,
    )


EQUILIBRIUM_CHECKS: dict[str, Callable[[int, int], Finding]] = {
    "reputation": reputation,
    "attrition-hazard": attrition_hazard,
    "audience-costs-equilibrium": audience_costs_equilibrium,
    "haynes-equilibrium": haynes_equilibrium,
}
"""Every equilibrium check by key, in the order of the theory table."""
