"""The ensemble engine gives the agent model's outcome distributions.

For every shipped scenario the engine supports (its leads in equilibrium), and for parameterisations
that exercise alliance calls, refusals, dissolution, leader successions, the heuristic policy (alone
and against an equilibrium lead) and the floor on the value of yielding, the agent model runs a few
hundred replications (seeds `batch.seeds.run_seed(ROOT, i)`) and the ensemble 2,000 (seeds
`batch.seeds.run_seed(ENSEMBLE_ROOT, i)`, another root, so the samples share no seed: on a shared
seed both simulators play the same crisis, `test_ensemble_crisis.py`). Chi-square tests of
homogeneity compare outcome, yielder, max_rung, the catastrophe's cause, the side that held the rung
a crisis slipped from, the first deliberate nuclear user and the survival of every alliance (the
rarest categories merged until every expected count is at least 5), and two-sample
Kolmogorov-Smirnov tests compare the crisis's duration and the years alliances dissolved in. Each
test must give p > 0.01.

Confidence: under the null a test fails with probability at most 0.01 (the KS test is
conservative on discrete data); every seed is fixed, so the suite is deterministic. Power: with
300 agent runs against 2,000 the chi-square test detects a shift of 0.11 in a probability near
0.5 (0.065 near 0.1) in 80% of cases; the slow version (2,000 agent runs) detects 0.05 (0.03).
Run `pytest -m slow tests/ensemble` for it; `-s` prints every p-value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ensemble_builders import homogeneity_p, ks_p, write_yaml

from batch.runner import Task, local_pool, run_task
from ensemble.engine import simulate
from ensemble.rows import outcome_columns
from ensemble.world import build_world, unsupported
from scenarios import load_scenario, shipped_scenarios

ROOT = 0
ENSEMBLE_ROOT = 1
ENSEMBLE_REPS = 2_000
SLOW_AGENT_RUNS = 2_000
CHUNK = 50
CATEGORIES = ("outcome", "yielder", "max_rung", "catastrophe_cause", "slip_holder", "first_deliberate_nuclear_user")

SUPPORTED = [name for name in shipped_scenarios() if not unsupported(load_scenario(name))]
"""Every shipped scenario the ensemble supports, each compared below."""
AGENT_RUNS = {"moscow-strike": 300, "korean-peninsula": 400, "cuban-missile-1962": 400, "theory/audience-costs": 400}
"""Agent runs per scenario (about 30 runs/s for moscow-strike, 70 to 100 for the others); 300 for new ones."""

FRAYED = {
    "name": "frayed",
    "title": "A short crisis, leaders who change often and alliances that fray over ten years",
    "ladder": {
        "name": "short",
        "rungs": [
            {"id": 0, "name": "Status quo", "slip": 0.0, "decisive": 0.0},
            {"id": 1, "name": "Pressure", "slip": 0.01, "decisive": 0.0},
            {"id": 2, "name": "Clash", "armed_attack": True, "damage_target": 0.02, "damage_self": 0.01,
             "slip": 0.02, "decisive": 0.1},
            {"id": 3, "name": "Nuclear threat", "nuclear": True, "armed_attack": True, "damage_target": 0.05,
             "damage_self": 0.01, "slip": 0.05, "decisive": 0.0},
            {"id": 4, "name": "War", "nuclear": True, "civilian": True, "armed_attack": True, "damage_target": 1.0,
             "damage_self": 1.0, "slip": 1.0, "decisive": 0.0, "catastrophe": True},
        ],
    },
    "params": {
        "max_steps": 40,
        "step_years": 0.25,
        "start_year": 2030.0,
        "stop_when_crises_end": False,
        "decision_noise": 0.1,
        "cohesion": {"noise_sd": 0.12},
        "leaders": {"trait_sd": 0.3},
    },
    "states": {
        "AAA": {"name": "A", "fear": 0.4, "recklessness": 0.5, "commitment": 0.7, "warheads": 100,
                "value_at_risk": 5.0, "leader": {"age": 70.0, "political_hazard": 0.15}},
        "BBB": {"name": "B", "fear": 0.5, "recklessness": 0.4, "commitment": 0.7, "conventional": 2.0,
                "value_at_risk": 5.0, "audience_cost": 0.02, "leader": {"age": 60.0, "political_hazard": 0.15}},
        "CCC": {"name": "C", "fear": 0.3, "recklessness": 0.6, "commitment": 0.6, "warheads": 50,
                "leader": {"age": 65.0, "political_hazard": 0.15}},
        "DDD": {"name": "D", "aggregate": True, "fear": 0.5, "recklessness": 0.5, "commitment": 0.8,
                "leader": {"age": 60.0, "political_hazard": 0.3}},
    },
    "relations": {"CCC-DDD": -0.4},
    "alliances": {
        "B-C": {"members": ["BBB", "CCC"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 0.55,
                "shared_threat": 0.1},
        "A-D": {"members": ["AAA", "DDD"], "automaticity": 0.5, "institutionalisation": 0.4, "cohesion": 0.7,
                "shared_threat": 0.3},
        "C-D": {"members": ["CCC", "DDD"], "automaticity": 0.2, "institutionalisation": 0.1, "cohesion": 0.4},
    },
    "crises": {
        "clash": {
            "first_mover": "AAA",
            "start_rung": 1,
            "start_step": 8,
            "sides": {"AAA": {"prevail": 1.0, "concede": -0.5}, "BBB": {"prevail": 1.0, "concede": -0.5,
                                                                        "disaster": -6.0}},
        }
    },
}  # fmt: skip
for _rung in FRAYED["ladder"]["rungs"]:
    _rung.update({"stage": "Crisis", "kahn": 0, **{f: _rung.get(f, False) for f in ("nuclear", "civilian")}})
    _rung.update({f: _rung.get(f, 0.0) for f in ("damage_target", "damage_self")})
    _rung.setdefault("armed_attack", False)

HEURISTIC = {"states.RUS.policy": "heuristic", "states.USA.policy": "heuristic"}
KOREA_HEURISTIC = {"states.PRK.policy": "heuristic", "states.KOR.policy": "heuristic"}
VARIANTS = {
    # A bolder United States and noisier choices, both leads on the heuristic: more escalation past the
    # nuclear ultimatum.
    "moscow-bold-usa": ("moscow-strike", {"states.USA.fear": 0.2, "params.decision_noise": 0.2, **HEURISTIC}, 300),
    # Russia on the heuristic against the United States in equilibrium: a forced slot read by Bayes' rule.
    "moscow-mixed": ("moscow-strike", {"states.RUS.policy": "heuristic", "params.decision_noise": 0.2}, 300),
    # Pyongyang's treaties held loosely: Moscow and Beijing mostly stay out when the game calls them, and
    # each refusal's shock dissolves the treaty in the same step.
    "korea-weak-treaties": (
        "korean-peninsula",
        {"alliances.RUS-PRK.cohesion": 0.3, "alliances.CHN-PRK.cohesion": 0.3},
        400,
    ),
    # Ten years of quarterly steps with a short crisis in the third: successions (traits redrawn with a
    # spread of 0.3, cohesion shocks), noisy cohesion, third-power pull and dissolution at every step.
    "frayed": ("FRAYED", {}, 300),
    # Backing down costs 0.5 a step (heuristic leads): after eight steps it is worse than disaster, where
    # the value of yielding is floored, and the sides choose the disaster rung outright now and then.
    "audience-costs-high": (
        "theory/audience-costs",
        {
            "states.AAA.audience_cost": 0.5,
            "states.BBB.audience_cost": 0.5,
            "params.max_steps": 24,
            "states.AAA.policy": "heuristic",
            "states.BBB.policy": "heuristic",
        },
        250,
    ),
    # Very noisy heuristic choices on the Korean peninsula: about half the catastrophes are a side's
    # deliberate move to all-out war, the other half slips.
    "korea-noisy": ("korean-peninsula", {"params.decision_noise": 2.0, **KOREA_HEURISTIC}, 400),
}
ALLIANCE_CASES = {"korea-weak-treaties", "frayed"}


@pytest.fixture(scope="module")
def pool():
    executor = local_pool(2)
    yield executor
    executor.shutdown(cancel_futures=True)


@pytest.fixture(scope="module")
def frayed_path(tmp_path_factory) -> Path:
    return write_yaml(tmp_path_factory.mktemp("frayed"), FRAYED, "frayed.yaml")


def agent_table(pool, spec, runs: int) -> pd.DataFrame:
    """`runs` agent-model rows of `spec`, replication i seeded with `run_seed(ROOT, i)`."""
    futures = [
        pool.submit(run_task, spec, {}, Task(i, 0, first, min(CHUNK, runs - first)), ROOT)
        for i, first in enumerate(range(0, runs, CHUNK))
    ]
    table = pd.DataFrame([row for future in futures for row in future.result()])
    assert len(table) == runs and table["error"].isna().all(), table["error"].dropna().head()
    return table


def ensemble_table(spec) -> pd.DataFrame:
    outcomes = simulate(spec, ENSEMBLE_REPS, ENSEMBLE_ROOT)
    return pd.DataFrame(outcome_columns(spec, build_world(spec), outcomes))


def p_values(agents: pd.DataFrame, ensemble: pd.DataFrame, alliances: bool) -> dict[str, float]:
    """Every comparison's p-value, by name."""
    found = {name: homogeneity_p(agents[name], ensemble[name]) for name in CATEGORIES}
    found["duration (KS)"] = ks_p(agents["duration"], ensemble["duration"])
    for column in [c for c in agents.columns if c.startswith("alliance.")]:
        dissolved = min(agents[column].notna().sum(), ensemble[column].notna().sum())
        if column.endswith(".survived") and (alliances or agents[column].nunique() > 1):
            found[column] = homogeneity_p(agents[column], ensemble[column])
        elif column.endswith(".dissolved_year") and dissolved >= 20:
            found[f"{column} (KS)"] = ks_p(agents[column], ensemble[column])
    return found


def compare(pool, spec, runs: int, label: str, alliances: bool = False) -> dict[str, float]:
    agents, ensemble = agent_table(pool, spec, runs), ensemble_table(spec)
    assert set(agents.columns) - {"cell", "rep", "seed"} == set(ensemble.columns)
    found = p_values(agents, ensemble, alliances)
    print(f"\n{label}: {runs} agent runs vs {ENSEMBLE_REPS} ensemble runs")
    for name, p in found.items():
        print(f"  {name:40s} p = {p:.3f}")
    low = {name: round(p, 4) for name, p in found.items() if not p > 0.01}
    assert not low, f"{label}: the ensemble's distribution differs from the agent model's: {low}"
    return found


def variant_spec(name: str, frayed_path: Path):
    scenario, overrides, runs = VARIANTS[name]
    return load_scenario(frayed_path if scenario == "FRAYED" else scenario, overrides), runs


# --- the tests -----------------------------------------------------------------------------------------------------


def test_the_supported_shipped_scenarios_are_the_expected_ones():
    assert SUPPORTED == ["cuban-missile-1962", "korean-peninsula", "moscow-strike", "theory/audience-costs"]


@pytest.mark.parametrize("name", SUPPORTED)
def test_shipped_scenario_has_the_agent_models_distribution(pool, name):
    compare(pool, load_scenario(name), AGENT_RUNS.get(name, 300), name)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_parameterisation_has_the_agent_models_distribution(pool, frayed_path, name):
    spec, runs = variant_spec(name, frayed_path)
    found = compare(pool, spec, runs, name, alliances=name in ALLIANCE_CASES)
    if name in ALLIANCE_CASES:  # precondition: the alliance paths were exercised and compared
        assert any(key.endswith("dissolved_year (KS)") for key in found), found


def test_the_variants_exercise_what_they_are_for(frayed_path):
    """Preconditions, on the ensemble alone: allies refuse and treaties dissolve, leaders change."""
    weak = ensemble_table(variant_spec("korea-weak-treaties", frayed_path)[0])
    assert 0.5 < (~weak["alliance.RUS-PRK.survived"]).mean() < 0.95
    frayed = ensemble_table(variant_spec("frayed", frayed_path)[0])
    assert 0.3 < frayed["alliance.B-C.survived"].mean() < 0.8
    assert frayed["alliance.B-C.dissolved_year"].nunique() > 10  # dissolution years spread over the decade
    high = ensemble_table(variant_spec("audience-costs-high", frayed_path)[0])
    assert (high["duration"] > 8).mean() > 0.2  # runs that last past the point where the floor binds
    bold = ensemble_table(variant_spec("moscow-bold-usa", frayed_path)[0])
    assert (bold["max_rung"] >= 9).mean() > 0.2
    noisy = ensemble_table(variant_spec("korea-noisy", frayed_path)[0])["catastrophe_cause"].value_counts()
    assert noisy["deliberate"] >= 15 and noisy["slip"] >= 15, noisy


@pytest.mark.slow
@pytest.mark.parametrize("name", SUPPORTED + list(VARIANTS))
def test_slow_same_distribution_with_2000_agent_runs(pool, frayed_path, name):
    spec = load_scenario(name) if name in SUPPORTED else variant_spec(name, frayed_path)[0]
    compare(pool, spec, SLOW_AGENT_RUNS, f"{name} (slow)", alliances=name in ALLIANCE_CASES)


def test_the_homogeneity_test_tells_different_distributions_apart():
    """The checks above can fail: 300 draws with p = 0.5 against 2,000 with p = 0.65 are told apart."""
    rng = np.random.default_rng(1)
    same = homogeneity_p(rng.random(300) < 0.5, rng.random(2000) < 0.5)
    shifted = homogeneity_p(rng.random(300) < 0.5, rng.random(2000) < 0.65)
    assert same > 0.01 and shifted < 0.01
    assert ks_p(rng.poisson(3.0, 300), rng.poisson(3.6, 2000)) < 0.01
