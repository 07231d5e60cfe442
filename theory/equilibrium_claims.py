"""The essays' claims measured on moscow-strike's crisis alone, played in equilibrium.

Each experiment maps the scenario, under conditions that differ in one thing, to one game
(`rules.scenario_game.crisis_game`), solves it by backward induction over time and reputations
(`rules.belief_equilibrium`, through the cache of `rules.solve_cache`) and plays it over many
replications on the same seeds (`ensemble.crisis_runs.run_crises`, common random numbers from
`batch.seeds.run_seeds`). Only the crisis is played: no Mesa model, no world around it. Every
condition is measured in every cell: each logit precision of `LAMBDAS` (the limit, a sequential
equilibrium, then noisier play) in each game setting of `SETTINGS` (finite horizons with the
leaders' reputations, and a finite horizon beside the stationary form with complete information,
the only information the stationary form takes: `rules.belief_equilibrium.solve_beliefs`).

A claim is made of parts (`Part`), each a claimed change of one outcome over ordered
conditions. A "rises" part holds in a cell when the rise from the first to the last condition is
positive with 95% confidence (Newcombe's interval) and no step between neighbouring conditions is
significantly negative; a "no fall" part when neither the whole change nor any step is
significantly negative; a "smaller" part when its change is smaller in size than every rise of
the claim. The cell is "borne out" when every part holds, "partly" when some claimed rise or no
fall does. The claim is borne out when every cell is, partly when some cell is at least partly.
``basis`` says which effect follows by construction from one mapping rule of
`rules.scenario_game` and which emerges from beliefs and chance events; ``origin`` says it in a
few words.

Cost: solving dominates (seconds to a minute a game; playing 20,000 crises takes a fraction of a
second), so `measure` solves each distinct game once, whatever claims and conditions share it,
and plays every condition that differs only in the truth (the true chance of an obstinate
leader) on that solution. Solutions are cached on disk when ``BRINK_SOLVE_CACHE`` names a folder.

The alliance-survival claim needs the world model (alliances over twenty years), not the
crisis: it stays with `theory.claims`.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from batch.seeds import run_seeds
from batch.stats import difference_interval, wilson_interval
from ensemble.crisis_runs import CrisisRuns, run_crises
from rules import crisis_play as play
from rules.crisis_game import CrisisGame, GameError
from rules.risk import critical_risk
from rules.scenario_game import crisis_game as scenario_crisis_game
from rules.scenario_game import true_obstinate_chances
from rules.solve_cache import solved
from scenarios import Scenario, load_scenario
from theory import replicate as replication
from theory.finding import Finding, Plot

CONFIDENCE = 0.95
"""Confidence level of the claim experiments."""

SCENARIO, CRISIS = "moscow-strike", "moscow"
LAMBDAS: tuple[float, ...] = (math.inf, 5.0, 2.0)
"""Logit precisions of the cells: the limit (no noise), then noisier play (McKelvey & Palfrey 1998)."""


@dataclass(frozen=True)
class Setting:
    """A cell's game apart from its precision: the horizon and the information (``--set`` overrides).

    ``horizon`` None is the stationary form (no deadline).
    """

    label: str
    horizon: int | None
    overrides: tuple[tuple[str, Any], ...] = ()


COMPLETE = (("params.game.obstinate_prior", 0.0),)
"""Complete information: no obstinate types, so no reputations (``params.game.obstinate_prior`` 0)."""
SETTINGS: tuple[Setting, ...] = (
    Setting("horizon 20", 20),
    Setting("horizon 40", 40),
    Setting("horizon 40, complete information", 40, COMPLETE),
    Setting("stationary, complete information", None, COMPLETE),
)
"""The cells' games: reputations at two deadlines (40 is moscow-strike's), then complete information
at the same deadline and with none, so the finite and the stationary form are compared on one game."""
NOTED = "horizon 40"
"""The setting whose other outcomes the notes quote (the shipped game)."""
STATIONARY_MOVES = 200
"""Moves a stationary crisis is played for at most; one still open then counts as a stalemate."""
SCALE = 20
"""Replications per condition for each of the report's ``reps`` (the crisis alone is cheap to play)."""
POINTS: int | None = None
"""Belief grid points; None: the scenario's ``params.game.belief_points``."""

OUTCOMES = ("usa_yields", "rus_yields", "usa_defeated", "rus_defeated", "catastrophe", "ally_escalation",
            "nuclear", "stalemate")
"""Outcome rates of every condition (a yield is a choice; a defeat is a decisive fight lost)."""


@dataclass(frozen=True)
class Condition:
    """One condition of an experiment: its name and its ``--set`` overrides of moscow-strike."""

    name: str
    overrides: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Part:
    """One claimed effect on ``outcome`` along ``levels`` (condition names, claimed low to high).

    ``kind``: "rises" (the outcome rises), "no fall" (it does not fall), or "smaller" (the change
    along ``levels`` is smaller in size than every "rises" part of the claim in the same cell).
    """

    name: str
    outcome: str
    levels: tuple[str, ...]
    kind: str = "rises"


@dataclass(frozen=True)
class Claim:
    """An essay's claim as conditions, parts, and what its Finding says.

    ``origin`` says in a few words whether the effect follows by construction or emerges;
    ``extra`` names outcomes reported beside each claimed change; ``more`` adds notes that do not
    depend on the runs (e.g. the critical risks the mapping gives each condition).
    """

    key: str
    title: str
    source: str
    expected: str
    origin: str
    basis: str
    conditions: tuple[Condition, ...]
    parts: tuple[Part, ...]
    explanation: str
    plot: bool = True
    extra: tuple[str, ...] = field(default=("catastrophe",))
    more: Callable[[Claim], str] | None = None


# ---- one condition in one cell --------------------------------------------------------------------


def cell_spec(overrides: Iterable[tuple[str, Any]], setting: Setting) -> Scenario:
    """moscow-strike with the setting's and then the condition's overrides, at the setting's horizon."""
    return load_scenario(SCENARIO, {**dict(setting.overrides), **dict(overrides),
                                    "params.game.horizon": setting.horizon})


@dataclass(frozen=True)
class Variant:
    """How a solved game is played and counted.

    Attributes:
        chances: Each lead's true chance of being obstinate (`rules.scenario_game.true_obstinate_chances`).
        usa: The game's index of the U.S. lead.
        rus: The game's index of the Russian lead.
        nuclear: Whether each rung of the ladder is nuclear.
    """

    chances: tuple[float, float]
    usa: int
    rus: int
    nuclear: tuple[bool, ...]


def outcome_counts(runs: CrisisRuns, usa: int, rus: int, nuclear: np.ndarray) -> dict[str, int]:
    """How many replications ended in each outcome of `OUTCOMES`."""
    ended, loser = runs.crises.ended, runs.crises.loser
    masks = {
        "usa_yields": (ended == play.YIELDED) & (loser == usa),
        "rus_yields": (ended == play.YIELDED) & (loser == rus),
        "usa_defeated": (ended == play.FIGHT) & (loser == usa),
        "rus_defeated": (ended == play.FIGHT) & (loser == rus),
        "catastrophe": np.isin(ended, (play.DELIBERATE, play.SLIP, play.ALLY)),
        "ally_escalation": ended == play.ALLY,
        "nuclear": nuclear[runs.crises.max_rung],
        "stalemate": ended == play.STALEMATE,
    }
    return {name: int(np.sum(mask)) for name, mask in masks.items()}


def solve_and_play(
    game: CrisisGame, lam: float, points: int, reps: int, seed: int, variants: Sequence[Variant]
) -> list[dict[str, int]] | None:
    """Solve ``game`` once at ``lam`` and play each variant ``reps`` times on the seeds of ``seed``.

    The game's priors are the images; the types are drawn from each variant's true chances. A
    stationary game is played for at most `STATIONARY_MOVES` moves. Returns None when the solver
    cannot solve the game (`rules.crisis_game.GameError`, e.g. a stationary trace that fails).
    """
    try:
        sol = solved(game, lam, points)
    except GameError:
        return None
    seeds = run_seeds(seed, reps)
    moves = STATIONARY_MOVES if game.horizon is None else None
    out = []
    for v in variants:
        runs = run_crises(sol, seeds, v.chances, max_moves=moves)
        out.append({"n": reps, **outcome_counts(runs, v.usa, v.rus, np.asarray(v.nuclear, dtype=bool))})
    return out


def cell_job(
    overrides: tuple[tuple[str, Any], ...], setting: Setting, points: int | None
) -> tuple[CrisisGame, int, Variant]:
    """The game one condition maps to in one setting, its belief grid, and how it is played."""
    spec = cell_spec(overrides, setting)
    leads = list(spec.crises[CRISIS].sides)
    chances = true_obstinate_chances(spec, CRISIS)
    variant = Variant((float(chances[0]), float(chances[1])), leads.index("USA"), leads.index("RUS"),
                      tuple(bool(x) for x in spec.resolved_ladder.arrays["nuclear"]))
    return scenario_crisis_game(spec, CRISIS), spec.params.game.belief_points if points is None else points, variant


_COUNTS: dict[tuple, dict[str, int] | None] = {}
"""Counts measured in this process, by (game digest, lambda, points, reps, seed, variant): a game shared
by conditions or claims is solved once, and a condition shared by claims is played once."""


def _cost(game: CrisisGame, lam: float) -> float:
    """A rough relative cost of solving ``game`` at ``lam`` (to hand the longest solves out first)."""
    stages = 10 if game.horizon is None else game.horizon
    return stages * (1.0 if math.isinf(lam) else 3.0)


def measure(
    jobs: Sequence[tuple[CrisisGame, float, int, Variant]], reps: int, seed: int
) -> list[dict[str, int] | None]:
    """Counts of each ``(game, lam, points, variant)`` job, every distinct game solved once.

    Solves are spread over `theory.replicate.parallel`'s workers if any, longest first; the
    counts do not depend on the workers.
    """
    key = lambda j: (j[0].digest(), float(j[1]), j[2], reps, seed, j[3])  # noqa: E731
    groups: dict[tuple, tuple[CrisisGame, float, int, list[Variant]]] = {}
    for job in jobs:
        if key(job) not in _COUNTS:
            group = groups.setdefault(key(job)[:3], (job[0], job[1], job[2], []))
            if job[3] not in group[3]:
                group[3].append(job[3])
    tasks = sorted(groups.values(), key=lambda g: -_cost(g[0], g[1]))
    pool = replication.pool()  # the report's worker pool (None outside `parallel`)
    if pool is not None and len(tasks) > 1:
        futures = [pool.submit(solve_and_play, g, lam, p, reps, seed, tuple(vs)) for g, lam, p, vs in tasks]
        results = [f.result() for f in futures]
    else:
        results = [solve_and_play(g, lam, p, reps, seed, tuple(vs)) for g, lam, p, vs in tasks]
    for (game, lam, p, variants), counts in zip(tasks, results, strict=True):
        for i, v in enumerate(variants):
            _COUNTS[key((game, lam, p, v))] = None if counts is None else counts[i]
    return [_COUNTS[key(job)] for job in jobs]


def lambda_label(lam: float) -> str:
    """"limit" for the sequential equilibrium, else the precision."""
    return "limit" if math.isinf(lam) else f"{lam:g}"


def claim_jobs(claim: Claim) -> list[tuple[float, int, Condition, tuple]]:
    """Every (precision, setting index, condition) of a claim with its job for `measure`."""
    cells = [(s, i) for s in range(len(SETTINGS)) for i in range(len(claim.conditions))]
    built = {(s, i): cell_job(claim.conditions[i].overrides, SETTINGS[s], POINTS) for s, i in cells}
    return [(lam, s, claim.conditions[i], (built[s, i][0], lam, built[s, i][1], built[s, i][2]))
            for lam in LAMBDAS for s, i in cells]


def measure_claims(claims: Sequence[Claim], reps: int, seed: int) -> None:
    """Measure every condition of every claim in one batch (the report's fastest order)."""
    measure([job for claim in claims for *_, job in claim_jobs(claim)], SCALE * reps, seed)


def condition_rows(claim: Claim, reps: int, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Every condition in every solved cell, and the cells the solver could not solve, in words.

    A row holds a condition's counts, rates and Wilson intervals of `OUTCOMES` in one cell.
    """
    cells = claim_jobs(claim)
    counts = measure([job for *_, job in cells], reps, seed)
    failed = {(lam, s) for (lam, s, _, _), k in zip(cells, counts, strict=True) if k is None}
    rows = []
    for (lam, s, c, _), k in zip(cells, counts, strict=True):
        if (lam, s) in failed or k is None:
            continue
        row: dict[str, Any] = {"lambda": lambda_label(lam), "setting": SETTINGS[s].label, "cell": s + 1,
                               "condition": c.name, "n": k["n"]}
        for name in OUTCOMES:
            lo, hi = wilson_interval(k[name], k["n"], CONFIDENCE)
            row |= {f"{name}_k": k[name], name: k[name] / k["n"], f"{name}_lo": lo, f"{name}_hi": hi}
        rows.append(row)
    unsolved = [f"{lambda_label(lam)}, {SETTINGS[s].label}" for lam, s in sorted(failed, key=lambda x: (-x[0], x[1]))]
    return pd.DataFrame(rows), unsolved


# ---- verdicts ---------------------------------------------------------------------------------------


def change(cell: pd.DataFrame, outcome: str, low: str, high: str) -> tuple[float, float, float]:
    """``rate(high) - rate(low)`` of ``outcome`` in one cell, with Newcombe's interval."""
    a, b = cell.set_index("condition").loc[high], cell.set_index("condition").loc[low]
    return difference_interval(int(a[f"{outcome}_k"]), int(a["n"]), int(b[f"{outcome}_k"]), int(b["n"]), CONFIDENCE)


def part_row(cell: pd.DataFrame, part: Part, extra: Sequence[str]) -> dict[str, Any]:
    """The part's change from its first to its last level in one cell, and its steps."""
    low, high = part.levels[0], part.levels[-1]
    d, lo, hi = change(cell, part.outcome, low, high)
    steps = [change(cell, part.outcome, a, b) for a, b in itertools.pairwise(part.levels)]
    by = cell.set_index("condition")
    row = {"part": part.name, "kind": part.kind, "outcome": part.outcome, "from": low, "to": high,
           "rate_from": float(by.loc[low, part.outcome]), "rate_to": float(by.loc[high, part.outcome]),
           "difference": d, "lo": lo, "hi": hi, "reversal": any(s[2] < 0 for s in steps),
           "steps": "; ".join(f"{100 * s[0]:+.1f} [{100 * s[1]:+.1f}, {100 * s[2]:+.1f}]" for s in steps)}
    for name in extra:
        row |= {f"{name}_from": float(by.loc[low, name]), f"{name}_to": float(by.loc[high, name])}
    return row


def part_holds(rows: pd.DataFrame) -> pd.Series:
    """Whether each part holds in its cell (rows of one cell: see the module docstring)."""
    rises, no_fall = rows["kind"] == "rises", rows["kind"] == "no fall"
    steady = ~rows["reversal"].astype(bool)
    held = (rises & (rows["lo"] > 0) & steady) | (no_fall & (rows["hi"] >= 0) & steady)
    smallest = rows.loc[rises, "difference"].abs().min() if rises.any() else math.inf
    return held | (rows["kind"].eq("smaller") & (rows["difference"].abs() < smallest))


def cell_verdict(holds: Sequence[bool], kinds: Sequence[str]) -> str:
    """"borne out" if every part holds; "partly" if some claimed rise (or no fall) holds; else "not borne out".

    A "smaller" part alone never makes a claim partly borne out: it compares with the rises.
    """
    if all(holds):
        return "borne out"
    claimed = [h for h, k in zip(holds, kinds, strict=True) if k != "smaller"]
    return "partly" if any(claimed) else "not borne out"


def verdict_rows(conditions: pd.DataFrame, claim: Claim) -> pd.DataFrame:
    """The grid of verdicts: one row per cell and part, with the cell's verdict."""
    out = []
    for (lam, setting), cell in conditions.groupby(["lambda", "setting"], sort=False):
        rows = pd.DataFrame([part_row(cell, p, claim.extra) for p in claim.parts])
        rows.insert(0, "cell", int(cell["cell"].iloc[0]))
        rows.insert(0, "setting", setting)
        rows.insert(0, "lambda", lam)
        rows["holds"] = part_holds(rows)
        rows["verdict"] = cell_verdict(rows["holds"].tolist(), rows["kind"].tolist())
        rows["series"] = [f"{p} ({'limit' if lam == 'limit' else 'lambda ' + lam})" for p in rows["part"]]
        out.append(rows)
    return pd.concat(out, ignore_index=True)


def cell_verdicts(grid: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Each cell's verdict, by (lambda, setting)."""
    first = grid.drop_duplicates(["lambda", "setting"])
    return {(r["lambda"], r["setting"]): r["verdict"] for _, r in first.iterrows()}


def tally(verdicts: dict[tuple[str, str], str]) -> str:
    """Cells borne out (and partly) per precision, in words."""
    parts = []
    for lam in dict.fromkeys(lam for lam, _ in verdicts):
        mine = [v for (la, _), v in verdicts.items() if la == lam]
        partly = sum(v == "partly" for v in mine)
        parts.append(f"{lam}: {sum(v == 'borne out' for v in mine)}/{len(mine)}"
                     + (f" (+{partly} partly)" if partly else ""))
    return "borne out in " + ", ".join(parts)


def setting_verdicts(verdicts: dict[tuple[str, str], str]) -> str:
    """Each setting's verdicts across the precisions, in words."""
    out = []
    for setting in dict.fromkeys(s for _, s in verdicts):
        out.append(f"{setting}: " + ", ".join(f"{lam} {v}" for (lam, s), v in verdicts.items() if s == setting))
    return "Verdicts by game: " + "; ".join(out) + "."


def dependence_notes(grid: pd.DataFrame) -> str:
    """How each part's change varies with the precision and the game setting, in percentage points."""
    settings = list(dict.fromkeys(grid.sort_values("cell")["setting"]))
    out = []
    for part, rows in grid.groupby("part", sort=False):
        per = []
        for lam, by_lam in rows.groupby("lambda", sort=False):
            values = ", ".join(f"{100 * d:+.1f}" for d in by_lam.sort_values("cell")["difference"])
            per.append(f"{lam} {values}")
        out.append(f"{part}: " + "; ".join(per))
    text = f"Changes in percentage points in the games {'; '.join(settings)}, by precision. " + ". ".join(out) + "."
    same = same_settings(grid)
    if same:
        pairs = "; ".join(f"{a} and {b}" for a, b in same)
        text += f" These games give the same compared rates at every precision: {pairs}."
    return text


def extra_notes(grid: pd.DataFrame, extra: Sequence[str]) -> str:
    """Each claimed change's other outcomes (``extra``), from -> to, in the `NOTED` game, by precision."""
    noted = NOTED if NOTED in set(grid["setting"]) else grid["setting"].iloc[0]
    last = grid[(grid["setting"] == noted) & (grid["kind"] != "smaller")]
    out = []
    for part, rows in last.groupby("part", sort=False):
        for name in extra:
            values = ", ".join(f"{r['lambda']} {100 * r[f'{name}_from']:.2f}% -> {100 * r[f'{name}_to']:.2f}%"
                               for _, r in rows.iterrows())
            out.append(f"{part}, {name.replace('_', ' ')}: {values}")
    return f"In the game {noted}: " + "; ".join(out) + "." if out else ""


def same_settings(grid: pd.DataFrame) -> list[tuple[str, str]]:
    """Neighbouring game settings whose compared rates are equal in every part and precision."""
    out = []
    order = grid.drop_duplicates("setting").sort_values("cell")["setting"].tolist()
    for a, b in itertools.pairwise(order):
        rates = [grid[grid["setting"] == s].sort_values(["lambda", "part"])[["lambda", "part", "rate_from", "rate_to"]]
                 .to_numpy() for s in (a, b)]
        if rates[0].shape == rates[1].shape and (rates[0] == rates[1]).all():
            out.append((a, b))
    return out


def settings_label() -> str:
    """The plot's horizontal axis: each setting's number and label."""
    return "\n".join(textwrap.wrap("Game: " + "; ".join(f"{i} {s.label}" for i, s in enumerate(SETTINGS, 1)), 80))


def finding(claim: Claim, reps: int, seed: int) -> Finding:
    """Run the claim's conditions in every cell and judge it."""
    n = SCALE * reps
    conditions, unsolved = condition_rows(claim, n, seed)
    grid = verdict_rows(conditions, claim)
    verdicts = cell_verdicts(grid)
    passed = all(v == "borne out" for v in verdicts.values())
    partial = not passed and any(v != "not borne out" for v in verdicts.values())
    shown = grid.loc[grid["kind"] != "smaller"]
    skipped = f" The solver could not solve the cells {'; '.join(unsolved)}: they are left out." if unsolved else ""
    return Finding(
        key=claim.key, title=claim.title, source=claim.source, kind="claim", role="equilibrium",
        expected=claim.expected, measured=tally(verdicts),
        interval=(f"{CONFIDENCE:.0%} Newcombe; changes {100 * shown['difference'].min():+.1f} to "
                  f"{100 * shown['difference'].max():+.1f} pp over {len(verdicts)} cells"),
        passed=passed, partial=partial, basis=claim.basis, origin=claim.origin,
        notes=" ".join(filter(None, (claim.explanation, claim.more(claim) if claim.more else "",
                                     setting_verdicts(verdicts), dependence_notes(grid),
                                     extra_notes(grid, claim.extra)))) + skipped,
        rows=grid,
        plot=Plot(x="cell", y="difference", lo="lo", hi="hi", group="series", xlabel=settings_label(),
                  ylabel="Change in the outcome's rate") if claim.plot else None,
        runs=n * len(conditions),
        confidence=CONFIDENCE,
    )


# ---- the claims -------------------------------------------------------------------------------------

FEARS = (0.3, 0.45, 0.6)
RECKLESSNESS = (0.2, 0.6, 0.9)
CONVENTIONAL = (0.25, 1.0, 4.0)
PRK_IMAGES = {"low": 0.2, "high": 0.95}
"""North Korea's reckless image as the U.S. side sees it: low, and the shipped trait (0.95)."""


def _levels(prefix: str, values: Sequence[float], suffix: str = "") -> tuple[str, ...]:
    """Condition names ``"<prefix> <value><suffix>"`` for each value."""
    return tuple(f"{prefix} {v:g}{suffix}" for v in values)


def critical_risks(claim: Claim) -> str:
    """Each lead's critical risk (Powell 1987) in each condition, from the mapped normal types."""
    parts, weaker = [], set()
    for c in claim.conditions:
        game = scenario_crisis_game(cell_spec(c.overrides, SETTINGS[0]), CRISIS)
        risks = {side.name: float(critical_risk(side.types[0].prevail, side.types[0].concede, side.types[0].disaster))
                 for side in game.sides}
        weaker.add(min(risks, key=risks.__getitem__))
        parts.append(f"{c.name}: " + ", ".join(f"{name} {r:.3f}" for name, r in risks.items()))
    text = "Critical risks (prevail - concede)/(prevail - disaster) of the normal types: " + "; ".join(parts) + "."
    if len(weaker) == 1:
        text += (f" {weaker.pop()} is the less resolute side in every condition, so the complete-information "
                 "rule (the less resolute side yields at once) predicts no change in who yields: what changes "
                 "comes from noise and beliefs.")
    return text


FEAR = Claim(
    key="fear-yields-equilibrium",
    title="In equilibrium, the side that fears catastrophe more yields more often",
    source="Kivimäki (2024), after Schelling (1960)",
    expected="P(USA yields) rises with U.S. fear 0.3 -> 0.6; P(RUS yields) rises with Russian fear 0.3 -> 0.6",
    origin=("by construction in complete information (one rule: fear sets the value of catastrophe); "
            "emerges with reputations"),
    basis=(
        "By construction in complete information: rules.scenario_game maps fear to the value of "
        "catastrophe (disaster = concede - (concede - d0) x 4^(fear - 0.5)), so the more fearful "
        "side's critical risk is lower, and with complete information the less resolute side yields "
        "(Powell 1987). What emerges: how far that survives the obstinate types' reputations, the "
        "allies' joining and own escalation (chance events), the horizon and noisy play."
    ),
    conditions=tuple(Condition(f"USA fear {f:g}", (("states.USA.fear", f),)) for f in FEARS)
    + tuple(Condition(f"RUS fear {f:g}", (("states.RUS.fear", f),)) for f in FEARS),
    parts=(
        Part("USA yields more as it fears more", "usa_yields", _levels("USA fear", FEARS)),
        Part("RUS yields more as it fears more", "rus_yields", _levels("RUS fear", FEARS)),
    ),
    explanation=(
        "moscow-strike's crisis alone, one side's fear at 0.3, 0.45 and 0.6 with the other's at its "
        "shipped value (U.S. 0.55, Russia 0.35)."
    ),
    more=critical_risks,
)


def recklessness_reach(claim: Claim) -> str:
    """How Russia's recklessness reaches the crisis: the games solved and the true obstinate chances."""
    games, chances = {}, {}
    for c in claim.conditions:
        spec = cell_spec(c.overrides, SETTINGS[0])
        games.setdefault(spec.states["RUS"].conventional, set()).add(scenario_crisis_game(spec, CRISIS).digest())
        leads = list(spec.crises[CRISIS].sides)
        chances[spec.states["RUS"].recklessness] = true_obstinate_chances(spec, CRISIS)[leads.index("RUS")]
    same = all(len(digests) == 1 for digests in games.values())
    shown = ", ".join(f"{chance:.3g} at {r:g}" for r, chance in sorted(chances.items()))
    return ("At each conventional strength the game solved is " + ("the same" if same else "not the same")
            + " whatever Russia's recklessness; recklessness sets the true chance that Russia's leader is "
            f"obstinate ({shown}).")


RECKLESS = Claim(
    key="reckless-leverage-equilibrium",
    title="In equilibrium, recklessness rather than military capacity is the weaker side's leverage",
    source="Kivimäki (2024)",
    expected=("P(USA yields) rises with Russian recklessness 0.2 -> 0.9 far more than with Russian "
              "conventional strength 0.25 -> 4"),
    origin="emerges, through reputations only (none by construction in complete information)",
    basis=(
        "Emergent through beliefs: Russia's recklessness enters only as the true chance that its "
        "leader is obstinate (params.game.obstinate_prior x recklessness, "
        "rules.scenario_game.true_obstinate_chances); the game's prior is the U.S. image of Russia "
        "(beliefs.USA.RUS.recklessness 0.35), which does not change, so the solved game is the same "
        "at every recklessness and any effect comes from the obstinate type's play and what the U.S. "
        "side learns by Bayes' rule. By construction, one rule: conventional strength sets the share "
        "of decisive fights (rules.crisis_game.CrisisGame.share)."
    ),
    conditions=tuple(
        Condition(f"recklessness {r:g}, conventional {c:g}",
                  (("states.RUS.recklessness", r), ("states.RUS.conventional", c)))
        for c in CONVENTIONAL for r in RECKLESSNESS
    ),
    parts=tuple(
        Part(f"recklessness 0.2 -> 0.9 at conventional {c:g}", "usa_yields",
             tuple(f"recklessness {r:g}, conventional {c:g}" for r in RECKLESSNESS))
        for c in CONVENTIONAL
    ) + tuple(
        Part(f"conventional 0.25 -> 4 at recklessness {r:g}", "usa_yields",
             tuple(f"recklessness {r:g}, conventional {c:g}" for c in CONVENTIONAL), kind="smaller")
        for r in RECKLESSNESS
    ),
    explanation=(
        "moscow-strike's crisis alone with Russia's recklessness at 0.2, 0.6 and 0.9 and its "
        "conventional strength at 0.25, 1 and 4 (the U.S. side has 4.4 with Ukraine). A 'smaller' "
        "part holds when the change from conventional strength is smaller in size than every change "
        "from recklessness in the cell."
    ),
    plot=False,
    more=recklessness_reach,
)

ORDER = Claim(
    key="order-of-moves-equilibrium",
    title="In equilibrium, whoever must choose first between yielding and escalating yields more often",
    source="Kivimäki (2024); Haynes (2019)",
    expected="each side yields more when it moves first",
    origin="emerges",
    basis=(
        "Emergent: the two games differ only in who moves first; who gains from the order follows "
        "from backward induction over the ladder's slip risks, the horizon and the reputations "
        "(Haynes 2019 is the case of one rung a move and no types, where moving first wins)."
    ),
    conditions=(Condition("RUS moves first"), Condition("USA moves first", (("crises.moscow.first_mover", "USA"),))),
    parts=(
        Part("USA yields more when it moves first", "usa_yields", ("RUS moves first", "USA moves first")),
        Part("RUS yields more when it moves first", "rus_yields", ("USA moves first", "RUS moves first")),
    ),
    explanation="moscow-strike's crisis alone, opened on rung 6 with holding allowed, Russia or the U.S. side first.",
)

JUMPS = Claim(
    key="rung-skipping-equilibrium",
    title=("In equilibrium, a doctrine of skipping rungs improves the weaker side's bargain, "
           "at a cost in catastrophe risk"),
    source="Kivimäki (2024), after Kahn (1965)",
    expected="P(USA yields) higher with Russia's jumps to rung 9; catastrophe risk measured",
    origin="emerges",
    basis=(
        "Emergent: the doctrine adds moves (from rungs 5-7 straight to the punitive strike, rung 9, "
        "rules.scenario_game.jump_pairs); whether Russia takes them, and what the U.S. side does on "
        "the rung below all-out war, follow from the equilibrium."
    ),
    conditions=(Condition("doctrine jumps"), Condition("no jumps", (("states.RUS.doctrine.jumps", []),))),
    parts=(Part("USA yields more with the jumps", "usa_yields", ("no jumps", "doctrine jumps")),),
    explanation=(
        "moscow-strike's crisis alone with Russia's doctrine jump (5 -> 9) and with "
        "states.RUS.doctrine.jumps cleared. The catastrophe and nuclear-use rates of both are in the rows."
    ),
    extra=("catastrophe", "nuclear"),
)

ALLY = Claim(
    key="ally-image-equilibrium",
    title="In equilibrium, North Korea's reckless image raises the chance that the U.S. side yields",
    source="Kivimäki (2024)",
    expected="P(USA yields) higher with the RUS-PRK treaty in force, and higher when North Korea's image is reckless",
    origin=("partly by construction (one rule each: the treaty makes the ally, the image its escalation); "
            "the effect on who yields emerges"),
    basis=(
        "By construction, one rule: the ally's own escalation chance is params.game.ally_escalation "
        "times North Korea's reckless image as the U.S. side sees it, and the treaty makes the ally "
        "(join chance from rules.alliance.join_probability). Emergent: how the ally's chance events "
        "(joining, then escalating on its own) move who yields in equilibrium. In the crisis alone "
        "the ally escalates with the chance its image gives: image and truth are one here."
    ),
    conditions=(
        Condition("treaty in force"), Condition("treaty off", (("alliances.RUS-PRK.active", False),)),
        *(Condition(f"PRK image {name}", (("states.PRK.image", v),)) for name, v in PRK_IMAGES.items()),
    ),
    parts=(
        Part("USA yields more with the treaty in force", "usa_yields", ("treaty off", "treaty in force")),
        Part("USA yields more when the ally looks reckless", "usa_yields", ("PRK image low", "PRK image high")),
    ),
    explanation=(
        "moscow-strike's crisis alone with alliances.RUS-PRK.active true and false, and with "
        "states.PRK.image at 0.2 and 0.95 (the treaty in force)."
    ),
    extra=("catastrophe", "ally_escalation"),
)

USA_CONVENTIONAL = (1.0, 4.0, 16.0)
"""The U.S. lead's conventional strength (Russia's is 1; the shipped 4 is 4.4 with Ukraine)."""

SUPERIORITY = Claim(
    key="superiority-equilibrium",
    title=("In equilibrium, conventional superiority buys no safety once the weaker side can inflict "
           "unacceptable damage"),
    source="Kivimäki (2024)",
    expected="P(catastrophe) does not fall as U.S. conventional strength grows 1 -> 16 (Russia armed)",
    origin="emerges (strength reaches only the share of decisive fights)",
    basis=(
        "One rule: conventional strength enters only the share of decisive fights the U.S. side wins "
        "(rules.crisis_game.CrisisGame.share); the slip risks, the allies' chances and the value of "
        "catastrophe do not depend on it. Emergent: whether a stronger U.S. side makes Russia yield "
        "or lose before the nuclear rungs, or makes it climb them sooner, follows from the equilibrium."
    ),
    conditions=tuple(Condition(f"USA conventional {c:g}", (("states.USA.conventional", c),))
                     for c in USA_CONVENTIONAL),
    parts=(Part("catastrophe does not fall as the U.S. side grows stronger", "catastrophe",
                _levels("USA conventional", USA_CONVENTIONAL), kind="no fall"),),
    explanation=(
        "moscow-strike's crisis alone with the U.S. lead's conventional strength at 1, 4 (shipped) and "
        "16, Russia's at 1, Russia armed. A 'no fall' part holds when neither the change from 1 to 16 "
        "nor any step is significantly negative: the interval bounds how much safety superiority buys."
    ),
    extra=("usa_yields", "rus_defeated", "nuclear"),
)

CLAIM_LIST = (FEAR, RECKLESS, ORDER, JUMPS, ALLY, SUPERIORITY)


def _runner(claim: Claim) -> Callable[[int, int], Finding]:
    """The registry's callable ``(reps, seed) -> Finding`` of a claim."""

    def run(reps: int, seed: int) -> Finding:
        """Run the claim."""
        return finding(claim, reps, seed)

    return run


EQUILIBRIUM_CLAIMS: dict[str, Callable[[int, int], Finding]] = {c.key: _runner(c) for c in CLAIM_LIST}
"""Every equilibrium claim by key, in the order of the theory table (alliance survival: `theory.claims`)."""

CLAIMS_BY_KEY: dict[str, Claim] = {c.key: c for c in CLAIM_LIST}
"""Every equilibrium claim by key."""


def prepare(keys: Iterable[str], reps: int, seed: int) -> None:
    """Measure the conditions of the equilibrium claims among ``keys`` in one batch, before they run.

    Every distinct game of the claims is solved once and the solves are handed out longest first,
    so the workers stay busy; each claim then reads its counts (`measure`'s memo).
    """
    claims = [CLAIMS_BY_KEY[k] for k in keys if k in CLAIMS_BY_KEY]
    if claims:
        measure_claims(claims, reps, seed)
