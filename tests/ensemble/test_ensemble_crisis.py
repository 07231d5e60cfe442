"""The ensemble's crisis is the one game, played as `ensemble.crisis_runs` and the agent model play it.

Exact checks, no statistics (every seed fixed):

- Where nothing in the world can change the crisis (both leads play the equilibrium: the game is
  built from the scenario as loaded, so the crisis's path depends on the seed alone), every
  replication's crisis equals `ensemble.crisis_runs.run_crises` on the same seeds: the ending, the
  loser, the rungs, the moves, the types drawn and the final public posteriors.
- The agent model with seed S and the ensemble's replication of seed S play the same crisis, draw
  for draw (the shared streams of `ensemble.streams`): outcome, yielder, causes, rungs, duration,
  the partners that joined and stayed out, on moscow-strike and on `SMALL`, a short crisis with
  treaty partners on both sides (both leads in equilibrium, and a heuristic lead without decision
  noise against an equilibrium one). In `SMALL` no leader leaves office and cohesion has no
  noise, so the whole summary must agree: alliances (honour boosts, abandonment shocks) and damage.
- All-out war: every member of a side suffers at least the share of its value the enemy side's
  surviving warheads destroy (`rules.risk.destruction`); partners that stayed out are spared.

Power: `SMALL`'s seeds are chosen to reach yields by choice and by defeat, all three causes of
catastrophe (slip, deliberate, ally), partners that join, stay out and honour their clause at
all-out war (asserted below; without holding, no crisis of `SMALL` lasts to the horizon), so a
wrong side mapping, a partner drawn from the wrong stream or slot, a missing clause at all-out war
or a wrong ending code shows as a differing field.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from ensemble_builders import write_yaml

from batch.seeds import run_seeds
from ensemble.crisis_runs import run_crises
from ensemble.engine import CATASTROPHE, ENDINGS, crisis_play, run_ensemble
from ensemble.rows import replay_summary
from ensemble.world import SURVIVABLE, build_world
from model import BrinkmanshipModel, summarize
from rules.risk import destruction
from rules.scenario_game import true_obstinate_chances
from scenarios import load_scenario

SMALL = {
    "name": "small-alliances",
    "title": "A short crisis on a five-rung ladder with treaty partners on both sides",
    "ladder": {
        "name": "five",
        "rungs": [
            {"id": 0, "name": "Status quo", "slip": 0.0, "decisive": 0.0},
            {"id": 1, "name": "Pressure", "slip": 0.02, "decisive": 0.0},
            {"id": 2, "name": "Clash", "armed_attack": True, "damage_target": 0.02, "damage_self": 0.01,
             "slip": 0.04, "decisive": 0.15},
            {"id": 3, "name": "Nuclear threat", "nuclear": True, "armed_attack": True, "damage_target": 0.05,
             "damage_self": 0.02, "slip": 0.08, "decisive": 0.0},
            {"id": 4, "name": "War", "nuclear": True, "civilian": True, "armed_attack": True, "damage_target": 1.0,
             "damage_self": 1.0, "slip": 1.0, "decisive": 0.0, "catastrophe": True},
        ],
    },
    "params": {
        "max_steps": 30,
        "step_years": 0.25,
        "start_year": 2030.0,
        "decision_noise": 0.0,
        "game": {"horizon": 10, "ally_escalation": 0.6, "obstinate_prior": 0.4, "belief_points": 21},
        "leaders": {"mortality_log_base": -30.0},
        "cohesion": {"noise_sd": 0.0},
    },
    "states": {
        "AAA": {"name": "A", "fear": 0.4, "recklessness": 0.7, "commitment": 0.7, "warheads": 100,
                "conventional": 1.0, "value_at_risk": 5.0, "leader": {"age": 60.0, "political_hazard": 0.0}},
        "BBB": {"name": "B", "fear": 0.5, "recklessness": 0.5, "commitment": 0.7, "warheads": 80,
                "conventional": 2.0, "value_at_risk": 5.0, "audience_cost": 0.02,
                "leader": {"age": 60.0, "political_hazard": 0.0}},
        "CCC": {"name": "C", "fear": 0.3, "recklessness": 0.9, "commitment": 0.8, "warheads": 50,
                "conventional": 1.0, "leader": {"age": 60.0, "political_hazard": 0.0}},
        "DDD": {"name": "D", "fear": 0.5, "recklessness": 0.6, "commitment": 0.6, "conventional": 1.5,
                "leader": {"age": 60.0, "political_hazard": 0.0}},
        "EEE": {"name": "E", "fear": 0.5, "recklessness": 0.4, "commitment": 0.5, "conventional": 0.5,
                "leader": {"age": 60.0, "political_hazard": 0.0}},
    },
    "alliances": {
        "A-C": {"members": ["AAA", "CCC"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 0.9},
        "B-D": {"members": ["BBB", "DDD"], "automaticity": 0.5, "institutionalisation": 0.3, "cohesion": 0.8},
        "B-E": {"members": ["BBB", "EEE"], "automaticity": 0.2, "institutionalisation": 0.2, "cohesion": 0.7},
    },
    "crises": {
        "clash": {
            "first_mover": "BBB",
            "start_rung": 0,
            "allow_hold": False,
            "start_step": 2,
            "sides": {"AAA": {"prevail": 1.0, "concede": -0.5}, "BBB": {"prevail": 1.0, "concede": -0.5,
                                                                        "disaster": -6.0}},
        }
    },
}  # fmt: skip
for _rung in SMALL["ladder"]["rungs"]:
    _rung.update({"stage": "Crisis", "kahn": 0, **{f: _rung.get(f, False) for f in ("nuclear", "civilian")}})
    _rung.update({f: _rung.get(f, 0.0) for f in ("damage_target", "damage_self")})
    _rung.setdefault("armed_attack", False)


CRISIS_FIELDS = (
    "outcome", "yielder", "yield_cause", "yield_rung", "max_rung", "catastrophe", "catastrophe_cause",
    "slip_holder", "slip_rung", "first_deliberate_nuclear_user", "moves", "opened_at", "ended_at", "joined",
    "declined",
)  # fmt: skip
"""The crisis fields of a summary (`model.summary.crisis_summary`) both simulators must agree on."""
SEEDS = 30


@pytest.fixture(scope="module")
def small_path(tmp_path_factory) -> Path:
    return write_yaml(tmp_path_factory.mktemp("small"), SMALL, "small.yaml")


def small_spec(small_path: Path, aaa: str = "equilibrium"):
    """`SMALL` with AAA's policy `aaa` (BBB plays the equilibrium)."""
    return load_scenario(small_path, {"states.AAA.policy": aaa})


# --- the crisis alone -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["moscow-strike", "small"])
def test_the_ensembles_crisis_is_the_crisis_alone_on_the_same_seeds(small_path, name):
    spec = small_spec(small_path) if name == "small" else load_scenario(name)
    world = build_world(spec)
    play = crisis_play(spec, world)
    seeds = np.array(run_seeds(3, 3_000), dtype=np.uint64)
    out = run_ensemble(spec, seeds)
    chances = true_obstinate_chances(spec, world.crisis.id)
    alone = run_crises(play.sol, seeds, chances, start_step=world.crisis.start_step)
    crises, sides = alone.crises, play.sides
    status, cause, disaster = ENDINGS[crises.ended].T
    assert np.array_equal(out.status, status)
    assert np.array_equal(out.cause, cause) and np.array_equal(out.catastrophe_cause, disaster)
    assert np.array_equal(out.yielder, np.where(crises.loser >= 0, sides[np.maximum(crises.loser, 0)], -1))
    top = len(world.slip) - 1
    assert np.array_equal(out.max_rung, np.where(status == CATASTROPHE, top, crises.max_rung))
    assert np.array_equal(out.moves, alone.moves)
    assert np.array_equal(out.obstinate, crises.obstinate[:, sides])
    assert np.array_equal(out.posterior, crises.mu[:, sides])
    # Precondition: the runs differ in how they end, and some lead is drawn obstinate.
    assert len(np.unique(out.status)) >= 2 and out.obstinate.any() and len(np.unique(out.moves)) > 2


# --- the agent model, draw for draw ------------------------------------------------------------------------------


def crisis_fields(summary: dict) -> dict:
    """The crisis fields of a run summary that both simulators must agree on."""
    crisis = next(iter(summary["crises"].values()))
    return {name: crisis[name] for name in CRISIS_FIELDS}


def agent_summary(spec, seed: int) -> tuple[BrinkmanshipModel, dict]:
    model = BrinkmanshipModel(scenario=spec, rng=seed)
    model.run()
    return model, summarize(model)


def test_moscow_strike_plays_the_agent_models_crisis_seed_by_seed():
    spec = load_scenario("moscow-strike")
    seen = Counter()
    for seed in range(SEEDS):
        _, agents = agent_summary(spec, seed)
        replayed = replay_summary(spec, seed)
        assert crisis_fields(replayed) == crisis_fields(agents), f"seed {seed}"
        seen[crisis_fields(agents)["yielder"]] += 1
    assert len(seen) >= 2, seen  # precondition: both leads yield in some runs


def telling_seeds(spec, scan: int = 2_000, each: int = 3) -> list[int]:
    """Seeds 0 .. 9 and, among the first `scan`, the first `each` of every ending on the ensemble.

    Endings: a yield by choice and by defeat, a catastrophe by each cause, and an all-out war in
    which a partner that was not fighting at the start is fighting at the end.
    """
    out = run_ensemble(spec, np.arange(scan))
    world = build_world(spec)
    partners = ~world.crisis.members.any(axis=0)  # states not fighting at the start
    clause = (out.status == CATASTROPHE) & (out.members & partners).any(axis=(1, 2))
    kinds = [out.cause == c for c in (1, 2)] + [out.catastrophe_cause == c for c in (1, 2, 3)]
    kinds.append(clause)
    chosen = set(range(10))
    for kind in kinds:
        chosen |= {int(s) for s in np.flatnonzero(kind)[:each]}
    return sorted(chosen)


@pytest.mark.parametrize("aaa", ["equilibrium", "heuristic"])
def test_a_small_crisis_with_partners_gives_the_agent_models_whole_summary(small_path, aaa):
    spec = small_spec(small_path, aaa)
    found = Counter()
    for seed in telling_seeds(spec):
        _, agents = agent_summary(spec, seed)
        replayed = replay_summary(spec, seed)
        assert crisis_fields(replayed) == crisis_fields(agents), f"seed {seed}"
        assert list(replayed) == list(agents)
        for key in ("outcome", "yielder", "successions"):
            assert replayed[key] == agents[key], (seed, key)
        for key, fate in agents["alliances"].items():
            other = replayed["alliances"][key]
            assert {**fate, "final_cohesion": 0} == {**other, "final_cohesion": 0}, (seed, key)
            assert other["final_cohesion"] == pytest.approx(fate["final_cohesion"], abs=1e-6), (seed, key)
        assert replayed["damage"] == pytest.approx(agents["damage"], abs=1e-6), seed
        crisis = crisis_fields(agents)
        found[crisis["yield_cause"] or crisis["catastrophe_cause"] or crisis["outcome"]] += 1
        found["joins"] += any(len(v) > 0 for v in crisis["joined"].values())
        found["stays out"] += any(len(v) > 0 for v in crisis["declined"].values())
    # Precondition: the seeds exercise every ending and the partners.
    wanted = {"choice", "defeat", "slip", "deliberate", "ally", "joins", "stays out"}
    assert wanted <= {k for k, n in found.items() if n}, found


# --- all-out war ---------------------------------------------------------------------------------------------------


def test_all_out_war_destroys_what_the_enemy_can_reach_and_spares_who_stayed_out(small_path):
    spec = small_spec(small_path)
    world = build_world(spec)
    out = run_ensemble(spec, run_seeds(5, 4_000))
    war = out.status == CATASTROPHE
    assert war.sum() >= 100 and out.declined[war].any()  # precondition: wars with partners that stayed out
    warheads = world.capabilities[:, SURVIVABLE]
    for side in (0, 1):
        enemy = (out.members[war, 1 - side] * warheads).sum(axis=1)
        share = destruction(enemy, spec.params.warheads_for_devastation)
        members = out.members[war, side]
        assert np.all(out.damage[war][members] >= np.repeat(share, members.sum(axis=1)) - 1e-12)
    spared = out.declined[war].any(axis=1) & ~out.members[war].any(axis=1)  # (M, N): stayed out, never fought
    assert np.all(out.damage[war][spared] == 0.0)
