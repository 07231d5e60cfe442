"""Exact agreement of the ensemble engine with the agent model where no draw can change a run.

In the scenarios of `ensemble_builders.degenerate_document` the leads play the heuristic policy
without decision noise, through the crisis game (its moves are the heuristic's options, its
transitions the moves' outcomes), and every run is determined by the decision arithmetic alone:
options, perceived risk, stand-fast chances, bloc images, audience costs, disaster values (given and
computed), starting beliefs and their updates (the ratchet the heuristic reads), treaty partners
joining or staying out when the game calls a side's ally, doctrine jumps, nuclear rungs forbidden to
a side without warheads, decisive rungs, damage, cohesion, third-power pull and dissolution. So one
agent run and every replication of the ensemble must give the same row, field by field (floats to
1e-9). (The crisis's own draws are shared by both simulators anyway, `test_ensemble_crisis.py`.)

Confidence: certain in the ``zero`` variant (no draw can fire but a fight won by a side of token
strength 1e-9). In the ``tiny`` variant a slip fires with probability below 1e-7 a move (under 2e-3
over the whole module's moves) and a leader leaves office (Gompertz intercept -30) with probability
below 1e-10 a step; either would show as a catastrophe or a succession, which the tests rule out.
Power, measured against deliberately broken copies of `ensemble/engine.py` (one mutation each) over
the 600 seeded scenarios: a missing abandonment shock shows in 10 of them, a missing resolve update
in 17, a missing image update in 9, an off-by-one in the crisis's elapsed steps in 15, the mover
charged the rung's damage to the target in 199; options that are not the game's moves stop the run
with an error. Partners put on the game's side index rather than the engine's cannot show here (AAA
is the first side as written and the first mover); `test_ensemble_crisis.py` catches it. What no
degenerate run can show (the honour boost of an alliance at cohesion 1, anything after a
catastrophe) is left to test_ensemble_crisis.py and test_ensemble_distributions.py.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from ensemble_builders import (
    EXACT_FIELDS,
    TOP,
    Knobs,
    degenerate_document,
    ensemble_rows,
    row_differences,
    seeded_knobs,
    write_yaml,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch.rows import run_row
from ensemble.engine import run_ensemble
from ensemble.rows import outcome_columns, replay_summary
from ensemble.world import build_world
from model import BrinkmanshipModel, summarize
from scenarios import Scenario, load_scenario

REPS = 3
SEEDED = 600
"""Scenarios of the seeded sweep: seeds 0 .. SEEDED - 1, every sixth without a crisis."""
counter = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("degenerate")


@pytest.fixture(scope="module")
def base(folder) -> Scenario:
    """A degenerate scenario read from a YAML file; examples replace its sections by overrides."""
    return load_scenario(write_yaml(folder, degenerate_document(Knobs()), "base.yaml"))


def both(source: Path | Scenario, document: dict, seed: int):
    """Load `document` and run it on both simulators.

    `source` is a folder (the document is written there as YAML and loaded from the file) or a
    scenario (every section of the document is applied as an override, which skips the slow
    pure-Python YAML parser). Returns the agent model, its row and the ensemble's rows.
    """
    if isinstance(source, Scenario):
        spec = load_scenario(source, document)
    else:
        spec = load_scenario(write_yaml(source, document, f"scenario-{next(counter)}.yaml"))
    model = BrinkmanshipModel(scenario=spec, rng=seed)
    model.run()
    outcomes = run_ensemble(spec, [seed + rep for rep in range(REPS)])
    return model, run_row(model), ensemble_rows(outcome_columns(spec, build_world(spec), outcomes))


def assert_same(agent_row: dict, rows: list[dict], document: dict) -> None:
    assert len(rows) == REPS
    for rep, row in enumerate(rows):
        problems = row_differences(agent_row, row)
        assert not problems, f"replication {rep} differs from the agent model: {problems}\nscenario: {document}"


def side_a_can_go_nuclear(k: Knobs) -> bool:
    """Whether AAA's side may move to nuclear rungs: only if AAA has warheads (the game fixes the
    forbidden rungs from the side's states at the start, `rules.scenario_game`)."""
    return k.warheads["AAA"] > 0


def known_truths(k: Knobs, model: BrinkmanshipModel, row: dict, crisis: bool) -> list[str]:
    """What every degenerate run must show, whatever the simulator (the rows are equal by then)."""
    problems = []
    if not side_a_can_go_nuclear(k) and row["first_deliberate_nuclear_user"] == "AAA":
        problems.append("AAA's side has no warheads but used them")
    if row["yield_cause"] == "defeat" and (k.decisive_rung is None or row["yielder"] != "BBB"):
        problems.append("a defeat without a certain decisive rung, or of the side with all the strength")
    if row["outcome"] == "catastrophe":
        problems.append("a catastrophe: nothing slips, no ally escalates and the heuristic never picks the top rung")
    if (not crisis or not k.stop_when_crises_end) and row["steps"] != k.max_steps:
        problems.append("the run ended before its step limit")
    summary = summarize(model)
    if summary["successions"]:
        problems.append("a leader left office")
    for alliance, fate in summary["alliances"].items():
        if alliance in ("A-C", "B-E", "C-E") and fate["survived"] != fate["initially_active"]:
            problems.append(f"{alliance}, held at cohesion 1, dissolved")
    return problems


def summary_differences(agent: dict, replayed: dict) -> list[str]:
    """Where `ensemble.rows.replay_summary` differs from `model.summarize` (keys and their order included;
    the final year, cohesion and damage, rounded from floats computed in another order, to 1e-6)."""
    problems = [] if list(agent) == list(replayed) else [f"keys: {list(agent)} != {list(replayed)}"]
    for key, value in agent.items():
        other = replayed.get(key)
        if key == "final_year":
            same = abs(value - other) <= 1e-6
        elif key == "damage":
            same = list(value) == list(other) and all(abs(value[c] - other[c]) <= 1e-6 for c in value)
        elif key == "alliances":
            same = list(value) == list(other) and all(
                {**a, "final_cohesion": 0} == {**other[k], "final_cohesion": 0}
                and abs(a["final_cohesion"] - other[k]["final_cohesion"]) <= 1e-6
                for k, a in value.items()
            )
        elif key == "crises":
            same = all(list(c) == list(other.get(k, {})) for k, c in value.items()) and value == other
        else:
            same = value == other and type(value) is type(other)
        if not same:
            problems.append(f"{key}: agents {value!r}, ensemble {other!r}")
    return problems


# --- a seeded sweep over the scenarios' structure -------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(base):
    """Both simulators on SEEDED degenerate scenarios, each drawn uniformly from its seed."""
    mismatches, truths, summaries = {}, {}, {}
    seen: dict[str, set] = {f: set() for f in ("outcome", "yield_cause", "yielder", "max_rung", "slip")}
    mechanisms: Counter = Counter()
    for seed in range(SEEDED):
        k = seeded_knobs(np.random.default_rng(seed))
        document = degenerate_document(k)
        crisis = seed % 6 != 0
        if not crisis:
            document["crises"] = {}  # alliance dynamics only: the run lasts max_steps
        model, agent_row, rows = both(base, document, seed)
        problems = [f"rep {rep}: {p}" for rep, row in enumerate(rows) for p in row_differences(agent_row, row)]
        if problems:
            mismatches[seed] = problems
        if wrong := summary_differences(summarize(model), replay_summary(model.spec, seed)):
            summaries[seed] = wrong
        if wrong := known_truths(k, model, agent_row, crisis):
            truths[seed] = wrong
        for name in ("outcome", "yield_cause", "yielder", "max_rung"):
            seen[name].add(agent_row[name])
        summary = summarize(model)
        for alliance in ("A-D", "B-F"):
            mechanisms[f"dissolved {alliance}"] += not summary["alliances"][alliance]["survived"]
        if crisis:
            seen["slip"].add((k.slip, agent_row["outcome"]))
            facts = summary["crises"]["standoff"]
            mechanisms["join"] += any(facts["joined"].values())
            mechanisms["stay out"] += any(facts["declined"].values())
            mechanisms["nuclear use"] += bool(agent_row["nuclear_used"])
            mechanisms["jump"] += any(e["action"].startswith("escalate (skips") for e in model.event_log)
            mechanisms["audience cost"] += bool(max(k.audience_cost) > 0 and agent_row["duration"] >= 2)
    return mismatches, truths, seen, mechanisms, summaries


def test_every_replication_of_every_seeded_scenario_equals_the_agent_run(seeded):
    mismatches = seeded[0]
    shown = {seed: problems[:4] for seed, problems in list(mismatches.items())[:5]}
    assert not mismatches, f"{len(mismatches)} of {SEEDED} scenarios differ (seed: fields): {shown}"


def test_a_replayed_replication_has_the_agent_runs_whole_summary(seeded):
    """`replay_summary` is shaped like `summarize` and, where no draw matters, equal to it: allies joined and
    refused in the agent model's order, steps of opening and ending, successions, alliance fates."""
    summaries = seeded[4]
    shown = {seed: problems[:3] for seed, problems in list(summaries.items())[:4]}
    assert not summaries, f"{len(summaries)} of {SEEDED} summaries differ: {shown}"


def test_seeded_runs_respect_what_the_scenarios_force(seeded):
    truths = seeded[1]
    assert not truths, truths


def test_the_seeded_scenarios_reach_every_outcome_and_mechanism(seeded):
    """Precondition of the tests above: the sweep exercises what it claims to."""
    _, _, seen, mechanisms, _ = seeded
    assert seen["outcome"] == {"yield", "stalemate", "not_started", "no_crisis"}
    assert seen["yield_cause"] == {"choice", "defeat", None}
    assert seen["yielder"] == {"AAA", "BBB", None}
    assert seen["max_rung"] == set(range(TOP))  # every rung but the top
    assert {("zero", "yield"), ("tiny", "yield"), ("zero", "stalemate"), ("tiny", "stalemate")} <= seen["slip"]
    assert len(mechanisms) == 7 and min(mechanisms.values()) >= 5, mechanisms


# --- hypothesis over the leads' traits ---------------------------------------------------------------------------

unit = st.floats(0.0, 1.0)


TRAIT_SETTINGS = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@TRAIT_SETTINGS
@given(
    structure=st.integers(0, 39),
    slip=st.sampled_from(["tiny", "tiny", "zero"]),
    a=st.tuples(unit, unit, unit),
    b=st.tuples(unit, unit, unit),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_traits_of_the_two_leads_give_the_agent_models_run(base, structure, slip, a, b, seed):
    """Fear, recklessness and commitment of both leads from hypothesis, on 40 seeded structures."""
    k = seeded_knobs(np.random.default_rng(10_000 + structure), slip)
    k.traits.update(AAA=a, BBB=b)
    document = degenerate_document(k)
    model, agent_row, rows = both(base, document, seed)
    assert_same(agent_row, rows, document)
    assert not known_truths(k, model, agent_row, crisis=True)


def test_fear_and_recklessness_decide_the_tiny_slip_crises_alike(base):
    """A grid over the leads' fear and recklessness: the outcomes vary with the traits, and agree."""
    k = Knobs(
        slip="tiny",
        risk_sensitivity=10.0,
        standfast_spread=1e-5,
        concede=(0.5, 0.5),
        disaster=(-1e6, -3e5),
        damage_target=(0.0, 0.0, 0.01, 0.01, 0.03, 0.0, 0.03, 1.0),
        audience_cost=(0.01, 0.0),
        max_steps=12,
        start_rung=2,
        join_c=True,
        join_e=True,
    )
    grid = np.linspace(0.0, 1.0, 4)
    found = set()
    for fear_a, reckless_a, (fear_b, reckless_b) in itertools.product(grid, grid, [(0.0, 1.0), (0.5, 0.5), (1.0, 0.0)]):
        k.traits = {"AAA": (fear_a, reckless_a, 0.5), "BBB": (fear_b, reckless_b, 0.5)}
        document = degenerate_document(k)
        _, agent_row, rows = both(base, document, seed=7)
        assert_same(agent_row, rows, document)
        found.add(tuple(agent_row[name] for name in EXACT_FIELDS))
    outcomes = {f[:2] for f in found}
    assert outcomes == {("yield", "AAA"), ("yield", "BBB"), ("stalemate", None)}, outcomes
    assert len(found) >= 6, found


# --- hand-made cases with a known answer, from YAML files ------------------------------------------------------


def test_a_side_without_warheads_never_goes_nuclear_even_with_a_nuclear_ally(folder):
    """AAA has no warheads: the game forbids it the nuclear rungs whatever allies may join later
    (`rules.scenario_game`), and no ally is called when the crisis opens on an armed attack. On
    rung 4 without holding, AAA's only other move is the nuclear warning shot: it yields at once."""
    base_knobs = Knobs(
        warheads={"AAA": 0, "BBB": 300, "CCC": 200},
        damage_self=(0.0,) * TOP + (1.0,),
        prevail=(1.0, 1.0),
        concede=(0.0, -0.5),
        disaster=(-5.0, -5.0),
        start_rung=4,  # an armed attack on AAA's side
        allow_hold=False,
        jumps={},
        max_steps=10,
    )
    for joins in (False, True):
        base_knobs.join_c = joins  # CCC (200 warheads) honours its treaty or never does
        document = degenerate_document(base_knobs)
        model, agent_row, rows = both(folder, document, seed=1)
        assert_same(agent_row, rows, document)
        assert (agent_row["outcome"], agent_row["yielder"], agent_row["duration"], agent_row["max_rung"]) == (
            "yield", "AAA", 1, 4,
        )  # fmt: skip
        assert not agent_row["nuclear_used"]
        assert summarize(model)["crises"]["standoff"]["joined"]["AAA"] == []


@pytest.mark.parametrize("attacked", [False, True])
def test_a_partner_that_stays_out_shakes_its_alliance_apart(folder, attacked):
    """AAA's first move holds an armed-attack rung (3) or a rung that is not one (1). The attack calls
    BBB's ally in the game: EEE honours its treaty and FFF (commitment 0) stays out; the shock,
    0.3 x (1 - 0), takes B-F's cohesion from 0.45 to 0.15, below 0.3, so B-F dissolves at the first
    cohesion update (step 1)."""
    k = Knobs(
        weak=(0.45, 0.0, 1.0),
        dissolve_below=0.3,
        step_years=1 / 365,
        start_rung=3 if attacked else 1,
        jumps={},
        join_e=True,
        max_steps=1,
        stop_when_crises_end=False,
    )
    document = degenerate_document(k)
    model, agent_row, rows = both(folder, document, seed=3)
    assert_same(agent_row, rows, document)
    assert model.event_log[1]["action"] == "hold"  # precondition: AAA holds its rung
    assert agent_row["alliance.B-F.survived"] is (not attacked)
    assert agent_row["alliance.B-F.dissolved_year"] == (round(2030.0 + 1 / 365, 6) if attacked else None)
    facts = summarize(model)["crises"]["standoff"]
    assert facts["declined"]["BBB"] == (["FFF"] if attacked else [])
    assert facts["joined"]["BBB"] == (["EEE"] if attacked else [])


def test_a_doctrine_jump_is_taken_and_seen_as_reckless(folder):
    """AAA may jump from rung 2 to 5 (a skip and a nuclear rung: two shocks on BBB's image of it)."""
    k = Knobs(
        warheads={"AAA": 1000, "BBB": 300, "CCC": 0},
        damage_self=(0.0, 0.0, 0.03, 0.03, 0.03, 0.0, 0.03, 1.0),
        jumps={"AAA": (2, 5)},
        start_rung=2,
        max_steps=2,
        learning_rate=0.2,
        shock_bonus=1.0,
        traits={"AAA": (0.5, 0.3, 0.5), "BBB": (0.5, 0.5, 0.5)},
    )
    document = degenerate_document(k)
    model, agent_row, rows = both(folder, document, seed=5)
    assert_same(agent_row, rows, document)
    assert model.event_log[1]["action"] == "escalate (skips 2)" and model.event_log[1]["rung"] == 5
    assert agent_row["first_deliberate_nuclear_user"] == "AAA"
    bbb, aaa = model.state("BBB").index, model.state("AAA").index
    # The image moves toward 1 with weight 0.2 x (1 + 1 x (nuclear + one skip)) = 0.6: 0.3 -> 0.72.
    assert model.belief_recklessness[bbb, aaa] == pytest.approx(0.3 + 0.6 * (1 - 0.3))
