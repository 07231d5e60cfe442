"""The essays' claims measured on moscow-strike's crisis alone, played in equilibrium.

Each experiment maps the scenario, under conditions that differ in one thing, to one game
(`rules.scenario_game.crisis_game`), solves it by backward induction over time and reputations
(`rules.belief_equilibrium`, through the cache of `rules.solve_cache`) and plays it over many
replications on the same seeds (`ensemble.crisis_runs.run_crises`, common random numbers from
`batch.seeds.run_seeds`). Only the crisis is played: no Mesa model, no world around it. Every
condition is measured at each logit precision of `LAMBDAS` (the limit, a sequential equilibrium,
then noisier play) and each horizon of `HORIZONS`, and the claim gets a verdict in every cell.

A claim is made of parts (`Part`), each a claimed rise of one outcome over ordered conditions. A
part holds in a cell when the rise from the first to the last condition is positive with 95%
confidence (Newcombe's interval) and no step between neighbouring conditions is significantly
negative; a "smaller" part holds when its change is smaller in size than every rise of the
claim. The cell is "borne out" when every part holds, "partly" when some claimed rise does. The
claim is borne out when every cell is, partly when some cell is at least partly. ``basis`` says
which effect follows by construction from one mapping rule of `rules.scenario_game` and which
emerges from beliefs and chance events.

The alliance-survival claim needs the world model (alliances over twenty years), not the
crisis: it stays with `theory.claims`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from batch.seeds import run_seeds
from batch.stats import difference_interval, wilson_interval
from ensemble.crisis_runs import CrisisRuns, run_crises
from rules import crisis_play as play
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
HORIZONS: tuple[int, ...] = (20, 40, 60)
"""Moves before an unresolved crisis ends in stalemate."""
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
    """One claimed effect: ``outcome`` rises along ``levels`` (condition names, claimed low to high).

    ``kind`` "smaller" claims instead that the change along ``levels`` is smaller in size than
    every "rises" part of the claim in the same cell.
    """

    name: str
    outcome: str
    levels: tuple[str, ...]
    kind: str = "rises"


@dataclass(frozen=True)
class Claim:
    """An essay's claim as conditions, parts, and what its Finding says.

    ``extra`` names outcomes reported beside each claimed rise; ``more`` adds notes that do not
    depend on the runs (e.g. the critical risks the mapping gives each condition).
    """

    key: str
    title: str
    source: str
    expected: str
    basis: str
    conditions: tuple[Condition, ...]
    parts: tuple[Part, ...]
    explanation: str
    plot: bool = True
    extra: tuple[str, ...] = field(default=("catastrophe",))
    more: Callable[[Claim], str] | None = None


# ---- one condition in one cell --------------------------------------------------------------------


def cell_spec(overrides: Iterable[tuple[str, Any]], horizon: int) -> Scenario:
    """moscow-strike with the condition's overrides and the cell's horizon."""
    return load_scenario(SCENARIO, {**dict(overrides), "params.game.horizon": horizon})


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


def condition_counts(
    overrides: tuple[tuple[str, Any], ...], lam: float, horizon: int, reps: int, seed: int, points: int | None
) -> dict[str, int]:
    """Solve the condition's game at ``lam`` and play it ``reps`` times on the seeds of ``seed``.

    Types are drawn from each lead's true chance of being obstinate
    (`rules.scenario_game.true_obstinate_chances`); the game's priors are the images.
    """
    spec = cell_spec(overrides, horizon)
    game = scenario_crisis_game(spec, CRISIS)
    sol = solved(game, lam, spec.params.game.belief_points if points is None else points)
    runs = run_crises(sol, run_seeds(seed, reps), true_obstinate_chances(spec, CRISIS))
    leads = list(spec.crises[CRISIS].sides)
    nuclear = np.asarray(spec.resolved_ladder.arrays["nuclear"], dtype=bool)
    return {"n": reps, **outcome_counts(runs, leads.index("USA"), leads.index("RUS"), nuclear)}


_COUNTS: dict[str, dict[str, int]] = {}
"""Counts already measured in this process, by the task's repr (a condition shared by claims runs once)."""


def measure(tasks: Sequence[tuple]) -> list[dict[str, int]]:
    """`condition_counts` of each task, spread over `theory.replicate.parallel`'s workers if any."""
    missing = list({repr(t): t for t in tasks if repr(t) not in _COUNTS}.items())
    pool = replication._executor  # the report's worker pool (None outside `parallel`)
    if pool is not None and len(missing) > 1:
        futures = [(key, pool.submit(condition_counts, *t)) for key, t in missing]
        _COUNTS.update({key: f.result() for key, f in futures})
    else:
        _COUNTS.update({key: condition_counts(*t) for key, t in missing})
    return [_COUNTS[repr(t)] for t in tasks]


def lambda_label(lam: float) -> str:
    """"limit" for the sequential equilibrium, else the precision."""
    return "limit" if math.isinf(lam) else f"{lam:g}"


def condition_rows(claim: Claim, reps: int, seed: int) -> pd.DataFrame:
    """Every condition in every cell: counts, rates and Wilson intervals of `OUTCOMES`."""
    cells = [(lam, h, c) for lam in LAMBDAS for h in HORIZONS for c in claim.conditions]
    counts = measure([(c.overrides, lam, h, reps, seed, POINTS) for lam, h, c in cells])
    rows = []
    for (lam, h, c), k in zip(cells, counts, strict=True):
        row: dict[str, Any] = {"lambda": lambda_label(lam), "horizon": h, "condition": c.name, "n": k["n"]}
        for name in OUTCOMES:
            lo, hi = wilson_interval(k[name], k["n"], CONFIDENCE)
            row |= {f"{name}_k": k[name], name: k[name] / k["n"], f"{name}_lo": lo, f"{name}_hi": hi}
        rows.append(row)
    return pd.DataFrame(rows)


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
    rises = rows["kind"] == "rises"
    held = rises & (rows["lo"] > 0) & ~rows["reversal"].astype(bool)
    smallest = rows.loc[rises, "difference"].abs().min() if rises.any() else math.inf
    return held | (~rises & (rows["difference"].abs() < smallest))


def cell_verdict(holds: Sequence[bool], kinds: Sequence[str]) -> str:
    """"borne out" if every part holds; "partly" if some claimed rise holds; else "not borne out".

    A "smaller" part alone never makes a claim partly borne out: it compares with the rises.
    """
    if all(holds):
        return "borne out"
    rises = [h for h, k in zip(holds, kinds, strict=True) if k == "rises"]
    return "partly" if any(rises) else "not borne out"


def verdict_rows(conditions: pd.DataFrame, claim: Claim) -> pd.DataFrame:
    """The grid of verdicts: one row per cell and part, with the cell's verdict."""
    out = []
    for (lam, h), cell in conditions.groupby(["lambda", "horizon"], sort=False):
        rows = pd.DataFrame([part_row(cell, p, claim.extra) for p in claim.parts])
        rows.insert(0, "horizon", h)
        rows.insert(0, "lambda", lam)
        rows["holds"] = part_holds(rows)
        rows["verdict"] = cell_verdict(rows["holds"].tolist(), rows["kind"].tolist())
        rows["series"] = [f"{p} ({'limit' if lam == 'limit' else 'lambda ' + lam})" for p in rows["part"]]
        out.append(rows)
    return pd.concat(out, ignore_index=True)


def cell_verdicts(grid: pd.DataFrame) -> dict[tuple[str, int], str]:
    """Each cell's verdict, by (lambda, horizon)."""
    first = grid.drop_duplicates(["lambda", "horizon"])
    return {(r["lambda"], int(r["horizon"])): r["verdict"] for _, r in first.iterrows()}


def tally(verdicts: dict[tuple[str, int], str]) -> str:
    """Cells borne out (and partly) per precision, in words."""
    parts = []
    for lam in dict.fromkeys(lam for lam, _ in verdicts):
        mine = [v for (la, _), v in verdicts.items() if la == lam]
        partly = sum(v == "partly" for v in mine)
        parts.append(f"{lam}: {sum(v == 'borne out' for v in mine)}/{len(mine)}"
                     + (f" (+{partly} partly)" if partly else ""))
    return "borne out in " + ", ".join(parts)


def dependence_notes(grid: pd.DataFrame) -> str:
    """How each part's change varies with the precision and the horizon, in percentage points."""
    out = []
    for part, rows in grid.groupby("part", sort=False):
        per = []
        for lam, by_lam in rows.groupby("lambda", sort=False):
            values = ", ".join(f"{100 * d:+.1f}" for d in by_lam.sort_values("horizon")["difference"])
            per.append(f"{lam} {values}")
        out.append(f"{part}: " + "; ".join(per))
    horizons = ", ".join(str(h) for h in HORIZONS)
    text = f"Changes in percentage points at horizons {horizons}, by precision. " + ". ".join(out) + "."
    same = same_horizons(grid)
    if same:
        pairs = ", ".join(f"{a} and {b}" for a, b in same)
        text += (f" Horizons {pairs} give the same compared rates at every precision: a later deadline "
                 "does not change them.")
    return text


def extra_notes(grid: pd.DataFrame, extra: Sequence[str]) -> str:
    """Each claimed rise's other outcomes (``extra``), from -> to, at the longest horizon, by precision."""
    last = grid[(grid["horizon"] == grid["horizon"].max()) & (grid["kind"] == "rises")]
    out = []
    for part, rows in last.groupby("part", sort=False):
        for name in extra:
            values = ", ".join(f"{r['lambda']} {100 * r[f'{name}_from']:.2f}% -> {100 * r[f'{name}_to']:.2f}%"
                               for _, r in rows.iterrows())
            out.append(f"{part}, {name.replace('_', ' ')}: {values}")
    return f"At horizon {int(grid['horizon'].max())}: " + "; ".join(out) + "." if out else ""


def same_horizons(grid: pd.DataFrame) -> list[tuple[int, int]]:
    """Neighbouring horizons whose compared rates are equal in every part and precision."""
    out = []
    for a, b in itertools.pairwise(sorted(grid["horizon"].unique())):
        rates = [grid[grid["horizon"] == h].sort_values(["lambda", "part"])[["rate_from", "rate_to"]].to_numpy()
                 for h in (a, b)]
        if rates[0].shape == rates[1].shape and np.array_equal(rates[0], rates[1]):
            out.append((int(a), int(b)))
    return out


def finding(claim: Claim, reps: int, seed: int) -> Finding:
    """Run the claim's conditions in every cell and judge it."""
    n = SCALE * reps
    conditions = condition_rows(claim, n, seed)
    grid = verdict_rows(conditions, claim)
    verdicts = cell_verdicts(grid)
    passed = all(v == "borne out" for v in verdicts.values())
    partial = not passed and any(v != "not borne out" for v in verdicts.values())
    shown = grid.loc[grid["kind"] == "rises"]
    return Finding(
        key=claim.key, title=claim.title, source=claim.source, kind="claim", expected=claim.expected,
        measured=tally(verdicts),
        interval=(f"{CONFIDENCE:.0%} Newcombe; changes {100 * shown['difference'].min():+.1f} to "
                  f"{100 * shown['difference'].max():+.1f} pp over {len(verdicts)} cells"),
        passed=passed, partial=partial, basis=claim.basis,
        notes=" ".join(filter(None, (claim.explanation, claim.more(claim) if claim.more else "",
                                     dependence_notes(grid), extra_notes(grid, claim.extra)))),
        rows=grid,
        plot=Plot(x="horizon", y="difference", lo="lo", hi="hi", group="series", xlabel="Horizon (moves)",
                  ylabel="Change in the outcome's rate") if claim.plot else None,
        runs=n * len(conditions),
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
        game = scenario_crisis_game(cell_spec(c.overrides, HORIZONS[0]), CRISIS)
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
        spec = cell_spec(c.overrides, HORIZONS[0])
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

CLAIM_LIST = (FEAR, RECKLESS, ORDER, JUMPS, ALLY)


def _runner(claim: Claim) -> Callable[[int, int], Finding]:
    """The registry's callable ``(reps, seed) -> Finding`` of a claim."""

    def run(reps: int, seed: int) -> Finding:
        """Run the claim."""
        return finding(claim, reps, seed)

    return run


EQUILIBRIUM_CLAIMS: dict[str, Callable[[int, int], Finding]] = {c.key: _runner(c) for c in CLAIM_LIST}
"""Every equilibrium claim by key, in the order of the theory table (alliance survival: `theory.claims`)."""
