"""Scenarios and row helpers for the ensemble engine's tests.

`degenerate_document` builds a scenario in which no draw of either simulator can change what
happens: the leads play the heuristic policy with decision noise 0, leaders never leave office (no
political hazard, a Gompertz intercept of -30), cohesion has no noise, decisive rungs decide with
probability 0 or 1 between a side with all the conventional strength and one with none (up to the
game's token strength of 1e-9), allies either have commitment 1 in an alliance held at cohesion 1
(they always join) or commitment 0 (they never do), and a joined ally never escalates on its own
(``params.game.ally_escalation`` 0). With
``slip="zero"`` no rung below the top can slip; with ``slip="tiny"`` rungs carry slips of at most
5e-8 a move against disasters of -1e5 to -1e6, so fear and recklessness move the decisions while
a slip practically never happens (below 1e-7 a move with ``slip_scale`` at most 2: under 2e-3
over the 16,000 or so moves of the test module, and far less as most moves are on rungs of 1e-9).

The states: AAA and BBB lead the two sides (AAA moves first); CCC (commitment 0 or 1) and DDD
(commitment 0) are AAA's treaty allies, EEE (0 or 1) and FFF (0, a weak alliance that may
dissolve once the crisis is over) are BBB's; GGG may fight beside BBB from the start. CCC and
EEE may also be tied to each other (an alliance that is active or not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

RUNG_FLAGS = [
    # name, nuclear, civilian, armed_attack
    ("Status quo", False, False, False),
    ("Protest", False, False, False),
    ("Blockade", False, False, False),
    ("Border clash", False, False, True),
    ("Strikes on cities", False, True, True),
    ("Nuclear warning shot", True, False, False),
    ("Nuclear strike", True, True, True),
    ("All-out war", True, True, True),
]
TOP = len(RUNG_FLAGS) - 1
TINY_SLIPS = (0.0, 1e-11, 1e-10, 5e-10, 2e-9, 1e-8, 5e-8)
"""Slips of the rungs below the top in the ``tiny`` variant (at most 5e-8 a move)."""

CODES = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG")
ALLIANCES = ("A-C", "A-D", "B-E", "B-F", "C-E")


@dataclass
class Knobs:
    """Everything a degenerate scenario varies (see `degenerate_document`)."""

    slip: str = "zero"  # "zero" or "tiny"
    traits: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # code -> fear, reck., commitment
    join_c: bool = True  # CCC honours its treaty (commitment 1) or never does (0)
    join_e: bool = False
    ce_active: bool = False
    with_g: bool = False
    fff_aggregate: bool = False
    warheads: dict[str, int] = field(default_factory=lambda: {"AAA": 0, "BBB": 300, "CCC": 200})
    second_strike: float = 0.5
    value_at_risk: tuple[float, float] = (10.0, 10.0)
    audience_cost: tuple[float, float] = (0.0, 0.0)
    image: dict[str, float] = field(default_factory=dict)
    damage_self: tuple[float, ...] = (0.0,) * (TOP + 1)
    damage_target: tuple[float, ...] = (0.0,) * (TOP + 1)
    decisive_rung: int | None = None  # a rung decided by force with certainty (AAA's side holds all the strength)
    prevail: tuple[float, float] = (1.0, 1.0)
    concede: tuple[float, float] = (0.0, 0.0)
    disaster: tuple[float | None, float | None] = (-5.0, None)
    jumps: dict[str, tuple[int, int]] = field(default_factory=lambda: {"AAA": (2, 5)})
    start_rung: int = 0
    start_step: int = 1
    allow_hold: bool = True
    max_steps: int = 20
    stop_when_crises_end: bool = True
    step_years: float = 0.25
    risk_sensitivity: float = 2.0
    slip_scale: float = 1.0
    standfast_spread: float = 0.5
    learning_rate: float = 0.2
    shock_bonus: float = 1.0
    warheads_for_devastation: float = 50.0
    cohesion_rate: float = 2.0
    dissolve_below: float = 0.3
    weak: tuple[float, float, float] = (0.5, 0.0, 0.0)  # B-F cohesion, institutionalisation, shared threat
    middle: tuple[float, float, float] = (0.8, 0.5, 0.0)  # A-D cohesion, institutionalisation, shared threat
    relation_cd: float = 0.0
    relation_ef: float = -0.5
    automaticity_ad: float = 0.5
    consultation_weight: float = 0.5
    resolve_beliefs: dict[tuple[str, str], float] = field(default_factory=dict)
    reckless_beliefs: dict[tuple[str, str], float] = field(default_factory=dict)
    war_context: bool = True


def _state(code: str, knobs: Knobs, commitment: float | None, **extra: Any) -> dict[str, Any]:
    fear, reckless, trait_commitment = knobs.traits.get(code, (0.5, 0.5, 0.5))
    commitment = trait_commitment if commitment is None else commitment
    spec: dict[str, Any] = {
        "name": f"State {code}",
        "fear": fear,
        "recklessness": reckless,
        "commitment": commitment,
        "warheads": knobs.warheads.get(code, 0),
        "second_strike": knobs.second_strike,
        "leader": {"name": f"Leader of {code}", "age": 55.0, "political_hazard": 0.0},
        "policy": "heuristic",
    }
    if code in knobs.image:
        spec["image"] = knobs.image[code]
    spec.update(extra)
    return spec


def degenerate_document(knobs: Knobs) -> dict[str, Any]:
    """A scenario document whose runs no draw can change (see the module docstring)."""
    sides, beliefs = _degenerate_sides(knobs), _degenerate_beliefs(knobs)
    rungs, states, alliances = _degenerate_rungs(knobs), _degenerate_states(knobs), _degenerate_alliances(knobs)
    return {
        "name": f"degenerate-{knobs.slip}",
        "ladder": {"name": "degenerate", "rungs": rungs},
        "params": {
            "max_steps": knobs.max_steps,
            "step_years": knobs.step_years,
            "start_year": 2030.0,
            "stop_when_crises_end": knobs.stop_when_crises_end,
            "risk_sensitivity": knobs.risk_sensitivity,
            "slip_scale": knobs.slip_scale,
            "standfast_spread": knobs.standfast_spread,
            "decision_noise": 0.0,
            "warheads_for_devastation": knobs.warheads_for_devastation,
            "beliefs": {"learning_rate": knobs.learning_rate, "shock_bonus": knobs.shock_bonus},
            "cohesion": {
                "noise_sd": 0.0,
                # Strong alliances aim above 1 (held at exactly 1); only B-F and A-D can fall.
                "baseline": 0.6,
                "competition": 0.5,
                "rate": knobs.cohesion_rate,
                "dissolve_below": knobs.dissolve_below,
                "consultation_weight": knobs.consultation_weight,
            },
            "leaders": {"mortality_log_base": -30.0},
            "game": {"ally_escalation": 0.0},
        },
        "context": {"war": True},
        "states": states,
        # Pulls on the strong alliances stay small enough that their target stays above 1.
        "relations": {"CCC-DDD": knobs.relation_cd, "EEE-FFF": knobs.relation_ef, "AAA-EEE": 0.5, "BBB-CCC": 0.5},
        "alliances": alliances,
        "beliefs": beliefs,
        "crises": {
            "standoff": {
                "first_mover": "AAA",
                "start_rung": knobs.start_rung,
                "start_step": knobs.start_step,
                "allow_hold": knobs.allow_hold,
                "sides": sides,
            }
        },
    }


def _degenerate_rungs(knobs: Knobs) -> list[dict[str, Any]]:
    """The degenerate ladder's rungs (`degenerate_document`)."""
    slips = TINY_SLIPS if knobs.slip == "tiny" else (0.0,) * TOP
    rungs = []
    for rid, (name, nuclear, civilian, armed) in enumerate(RUNG_FLAGS):
        top = rid == TOP
        rungs.append(
            {
                "id": rid,
                "name": name,
                "stage": "Crisis",
                "kahn": 0,
                "nuclear": nuclear,
                "civilian": civilian,
                "armed_attack": armed,
                "damage_target": 1.0 if top else knobs.damage_target[rid],
                "damage_self": 1.0 if top else knobs.damage_self[rid],
                "slip": 1.0 if top else slips[rid],
                "decisive": 1.0 if rid == knobs.decisive_rung else 0.0,
                **({"catastrophe": True} if top else {}),
            }
        )
    return rungs


def _degenerate_states(knobs: Knobs) -> dict[str, Any]:
    """The degenerate scenario's states (`degenerate_document`)."""
    # A decisive rung is decided with certainty only if one side has all the conventional strength.
    strong = {"AAA": 2.0, "CCC": 1.0, "DDD": 0.5} if knobs.decisive_rung is not None else {}
    conventional = {code: strong.get(code, 0.0 if knobs.decisive_rung is not None else 1.0) for code in CODES}
    commitments = {"CCC": 1.0 if knobs.join_c else 0.0, "DDD": 0.0, "EEE": 1.0 if knobs.join_e else 0.0, "FFF": 0.0}
    states = {}
    for code in CODES:
        extra: dict[str, Any] = {"conventional": conventional[code]}
        if code in ("AAA", "BBB"):
            side = 0 if code == "AAA" else 1
            extra["value_at_risk"] = knobs.value_at_risk[side]
            extra["audience_cost"] = knobs.audience_cost[side]
        if code in knobs.jumps:
            start, to = knobs.jumps[code]
            extra["doctrine"] = {"jumps": [{"from": start, "to": to}]}
        if code == "FFF" and knobs.fff_aggregate:
            extra["aggregate"] = True
        states[code] = _state(code, knobs, commitments.get(code), **extra)
    return states


def _degenerate_alliances(knobs: Knobs) -> dict[str, Any]:
    """The degenerate scenario's alliances (`degenerate_document`)."""
    strong_alliance = {"automaticity": 1.0, "institutionalisation": 1.0, "cohesion": 1.0, "shared_threat": 1.0}
    alliances = {
        "A-C": {"members": ["AAA", "CCC"], **strong_alliance},
        "A-D": {
            "members": ["AAA", "DDD"],
            "automaticity": knobs.automaticity_ad,
            "cohesion": knobs.middle[0],
            "institutionalisation": knobs.middle[1],
            "shared_threat": knobs.middle[2],
        },
        "B-E": {"members": ["BBB", "EEE"], **strong_alliance},
        "B-F": {
            "members": ["BBB", "FFF"],
            "automaticity": 1.0,
            "cohesion": knobs.weak[0],
            "institutionalisation": knobs.weak[1],
            "shared_threat": knobs.weak[2],
        },
        "C-E": {"members": ["CCC", "EEE"], "active": knobs.ce_active, **strong_alliance},
    }
    if knobs.war_context:
        alliances["A-C"]["war_context"] = "war"
    return alliances


def _degenerate_sides(knobs: Knobs) -> dict[str, Any]:
    """The crisis's sides (`degenerate_document`)."""
    sides = {}
    for side, code in enumerate(("AAA", "BBB")):
        spec: dict[str, Any] = {"prevail": knobs.prevail[side], "concede": knobs.concede[side]}
        if knobs.disaster[side] is not None:
            spec["disaster"] = knobs.disaster[side]
        sides[code] = spec
    if knobs.with_g:
        sides["BBB"]["with"] = ["GGG"]
    return sides


def _degenerate_beliefs(knobs: Knobs) -> dict[str, Any]:
    """The scenario's starting beliefs (`degenerate_document`)."""
    beliefs: dict[str, dict[str, dict[str, float]]] = {}
    for (observer, target), value in knobs.resolve_beliefs.items():
        beliefs.setdefault(observer, {}).setdefault(target, {})["resolve"] = value
    for (observer, target), value in knobs.reckless_beliefs.items():
        beliefs.setdefault(observer, {}).setdefault(target, {})["recklessness"] = value
    return beliefs


def write_yaml(directory: Path, document: dict[str, Any], name: str) -> Path:
    """Write a scenario document as YAML and return its path."""
    path = Path(directory) / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


# --- rows ------------------------------------------------------------------------------------------------------

EXACT_FIELDS = (
    "outcome",
    "yielder",
    "yield_cause",
    "max_rung",
    "max_rung_name",
    "nuclear_used",
    "first_deliberate_nuclear_user",
    "catastrophe",
    "catastrophe_cause",
    "slip_holder",
    "duration",
    "steps",
)


def plain(value: Any) -> Any:
    """A row value as a plain Python value (None for NaN and NA, int for numpy integers)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def ensemble_rows(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """`ensemble.rows.outcome_columns` as one plain dict per replication."""
    reps = len(columns["outcome"])
    return [{name: plain(values[i]) for name, values in columns.items()} for i in range(reps)]


def row_differences(agent: dict[str, Any], ensemble: dict[str, Any], tolerance: float = 1e-9) -> list[str]:
    """Fields where an ensemble row differs from an agent row (floats to `tolerance`)."""
    problems = []
    if set(agent) != set(ensemble):
        problems.append(f"columns differ: {sorted(set(agent) ^ set(ensemble))}")
    for name in agent:
        a, e = plain(agent[name]), plain(ensemble.get(name))
        if name == "final_year" or (name.startswith("alliance.") and name.endswith("_year")):
            same = (a is None and e is None) or (a is not None and e is not None and abs(a - e) <= 1e-6)
        elif name.startswith("damage."):
            same = a is not None and e is not None and abs(a - e) <= tolerance
        else:
            same = a == e and type(a) is type(e)
        if not same:
            problems.append(f"{name}: agents {a!r}, ensemble {e!r}")
    return problems


def seeded_knobs(rng: np.random.Generator, slip: str | None = None) -> Knobs:
    """Every knob of a degenerate scenario drawn from `rng` (uniformly over the choices).

    Args:
        rng: The generator.
        slip: "zero" or "tiny"; drawn when None.
    """
    k = Knobs()
    k.slip = str(rng.choice(["zero", "tiny"])) if slip is None else slip
    _draw_world(k, rng)
    _draw_jumps(k, rng)
    k.value_at_risk = (float(rng.uniform(1.0, 30.0)), float(rng.uniform(1.0, 30.0)))
    _draw_stakes(k, rng)
    pairs = [*LEADS, ("AAA", "EEE"), ("BBB", "CCC"), ("EEE", "AAA")]
    k.reckless_beliefs = {pair: _unit(rng) for pair in pairs if rng.random() < 0.35}
    return k


LEADS = [("AAA", "BBB"), ("BBB", "AAA")]
"""The crisis leads as (observer, target) pairs."""


def _unit(rng: np.random.Generator) -> float:
    """A uniform draw rounded to three places."""
    return float(np.round(rng.random(), 3))


def _pick(rng: np.random.Generator, options: list[Any] | tuple[Any, ...]) -> Any:
    """One of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def _draw_world(k: Knobs, rng: np.random.Generator) -> None:
    """The traits, arsenals, ladder costs, timing and alliance knobs (`seeded_knobs`, in its draw order)."""
    k.traits = {code: (_unit(rng), _unit(rng), _unit(rng)) for code in CODES}
    k.join_c, k.join_e, k.ce_active, k.with_g, k.fff_aggregate, k.war_context = (
        bool(rng.random() < 0.5) for _ in range(6)
    )
    k.warheads = {
        "AAA": _pick(rng, [0, 0, 10, 1000]),
        "BBB": _pick(rng, [0, 300]),
        "CCC": _pick(rng, [0, 200]),
        "EEE": _pick(rng, [0, 50]),
        "GGG": _pick(rng, [0, 20]),
    }
    k.second_strike = _unit(rng)
    damages = (0.0, 0.001, 0.005, 0.01, 0.03)
    k.damage_self = tuple(_pick(rng, damages) for _ in range(TOP + 1))
    k.damage_target = tuple(_pick(rng, damages) for _ in range(TOP + 1))
    k.decisive_rung = None if rng.random() < 0.6 else int(rng.integers(1, TOP))
    k.audience_cost = (_pick(rng, [0.0, 0.0, 0.01, 0.05, 0.2, 1.0]), _pick(rng, [0.0, 0.0, 0.01, 0.05, 0.2, 1.0]))
    k.image = {code: _unit(rng) for code in CODES if rng.random() < 0.3}
    k.start_rung = int(rng.integers(0, TOP))
    k.start_step = int(rng.integers(1, 4))
    k.allow_hold = bool(rng.random() < 0.7)
    k.max_steps = _pick(rng, [1, 2, 3, 5, 8, 13, 21, 30])
    k.stop_when_crises_end = bool(rng.random() < 0.6)
    k.step_years = _pick(rng, [1 / 365, 0.25, 1.0])
    k.learning_rate = _unit(rng)
    k.shock_bonus = _pick(rng, [0.0, 1.0, 3.0])
    k.warheads_for_devastation = _pick(rng, [10.0, 50.0, 500.0])
    k.cohesion_rate = _pick(rng, [0.5, 2.0, 5.0])
    k.dissolve_below = _pick(rng, [0.2, 0.3, 0.5])
    k.weak = (_unit(rng), _unit(rng) * 0.5, _unit(rng) * 0.3)
    k.middle = (_unit(rng), _unit(rng), _unit(rng))
    k.relation_cd = float(rng.uniform(-0.6, 1.0))
    k.relation_ef = float(rng.uniform(-0.6, 1.0))
    k.automaticity_ad = _unit(rng)
    k.consultation_weight = _unit(rng)


def _draw_jumps(k: Knobs, rng: np.random.Generator) -> None:
    """The leads' doctrine jumps, sometimes one worth taking from the start (`seeded_knobs`)."""
    k.jumps = {}
    for code in ("AAA", "BBB"):
        if rng.random() < 0.5:
            start = int(rng.integers(0, TOP - 1))
            k.jumps[code] = (start, int(rng.integers(start + 2, TOP + 1)))
    if k.start_rung + 2 < TOP and rng.random() < 0.3:
        # A jump worth taking from the start: holding and the rungs it skips cost, its target is free.
        to = int(rng.integers(k.start_rung + 2, TOP))
        k.jumps["AAA"] = (k.start_rung, to)
        costs = list(k.damage_self)
        costs[k.start_rung : to] = [0.03] * (to - k.start_rung)
        costs[to] = 0.0
        k.damage_self = tuple(costs)


def _draw_stakes(k: Knobs, rng: np.random.Generator) -> None:
    """The stakes, stand-fast and resolve knobs, by slip regime (`seeded_knobs`)."""
    if k.slip == "zero":
        k.risk_sensitivity = float(rng.uniform(0.0, 10.0))
        k.standfast_spread = _pick(rng, [0.05, 0.2, 1.0])
        k.prevail = (float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.5, 2.0)))
        k.concede = tuple(p - float(rng.uniform(0.1, 2.0)) for p in k.prevail)  # type: ignore[assignment]
        k.disaster = tuple(None if rng.random() < 0.5 else c - float(rng.uniform(0.5, 10.0)) for c in k.concede)  # type: ignore[assignment]
        k.resolve_beliefs = {pair: _unit(rng) for pair in LEADS if rng.random() < 0.3}
    else:
        # Disasters of -1e5 to -1e6 against slips of 1e-11 to 5e-8: the perceived risk (bent by fear and
        # recklessness) weighs in every choice. With resolve estimates in the range of the slips and a
        # narrow stand-fast threshold, the reckless images and the resolve each move reveals do too.
        k.risk_sensitivity = _pick(rng, [6.0, 10.0])
        k.slip_scale = _pick(rng, [0.5, 1.0, 2.0])
        k.prevail = (1.0, 1.0)
        k.concede = (_pick(rng, [0.0, 0.5, 0.9]), _pick(rng, [0.0, 0.5, 0.9]))
        k.disaster = (_pick(rng, [-1e6, -3e5, -1e5]), _pick(rng, [-1e6, -3e5, -1e5]))
        if rng.random() < 0.25:  # resolve estimated from the stakes alone, 1e-7 to 1e-5
            k.standfast_spread = _pick(rng, [1e-6, 1e-5])
        else:
            k.standfast_spread = _pick(rng, [1e-11, 1e-10, 1e-9])
            k.resolve_beliefs = {pair: _pick(rng, [0.0, *TINY_SLIPS[1:]]) for pair in LEADS}


# --- statistics ------------------------------------------------------------------------------------------------


def labels(values: Any) -> list[str]:
    """Category labels of a column: missing values become "none"."""
    return ["none" if plain(v) is None else str(plain(v)) for v in values]


def merged_table(a: Any, b: Any, minimum: float = 5.0) -> pd.DataFrame:
    """A 2 x C contingency table of two samples' categories, the rarest categories merged until every
    expected count is at least `minimum` (or one category is left)."""
    table = pd.DataFrame({"a": pd.Series(labels(a)).value_counts(), "b": pd.Series(labels(b)).value_counts()})
    table = table.fillna(0).T
    while table.shape[1] > 1:
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.to_numpy().sum()
        if expected.min() >= minimum:
            break
        rarest = table.sum(axis=0).sort_values(kind="stable").index[:2]
        merged = table[rarest].sum(axis=1)
        table = table.drop(columns=rarest)
        table[" + ".join(sorted(rarest))] = merged
    return table


def homogeneity_p(a: Any, b: Any) -> float:
    """p-value of the chi-square test that two samples come from one categorical distribution
    (`scipy.stats.chi2_contingency` on `merged_table`; 1.0 when a single category is left)."""
    from scipy.stats import chi2_contingency

    table = merged_table(a, b)
    if table.shape[1] < 2:
        return 1.0
    return float(chi2_contingency(table.to_numpy()).pvalue)


def ks_p(a: Any, b: Any) -> float:
    """p-value of the two-sample Kolmogorov-Smirnov test (missing values dropped; 1.0 if both constant
    and equal)."""
    from scipy.stats import ks_2samp

    x = pd.Series(a, dtype=float).dropna().to_numpy()
    y = pd.Series(b, dtype=float).dropna().to_numpy()
    if len(np.unique(np.concatenate([x, y]))) == 1:
        return 1.0
    return float(ks_2samp(x, y).pvalue)
