"""Scenario events fire at the start of their step, before any move, and do what they say."""

from __future__ import annotations

import pytest
from model_scenario_builder import crisis, scripted

from brink.api import run


def trait_by_step(result, code, trait):
    rows = result.agents[result.agents["state"] == code]
    return {int(step): value for step, value in zip(rows["step"], rows[trait], strict=True)}


@pytest.mark.parametrize("at", [1, 3, 7])
def test_set_event_is_visible_from_its_own_step_on(make_scenario, at):
    path = make_scenario(events=[{"kind": "set", "at": at, "path": "states.AAA.fear", "value": 0.9}])
    result = run(path, seed=0)
    fear = trait_by_step(result, "AAA", "fear")
    assert sorted(fear) == list(range(11))
    assert all(fear[step] == 0.5 for step in range(at))
    assert all(fear[step] == 0.9 for step in range(at, 11))
    assert trait_by_step(result, "BBB", "fear") == dict.fromkeys(range(11), 0.5)
    logged = result.events[result.events["action"] == "set"]
    assert logged["step"].tolist() == [at]
    assert logged["year"].tolist() == [pytest.approx(2025.0 + at)]


def test_set_event_fires_before_the_moves_of_its_step(make_scenario):
    # The event's log row comes before the move rows of the same step.
    path = make_scenario(
        states={"AAA": {"policy": scripted("hold")}, "BBB": {"policy": scripted("hold")}},
        crises={"c": crisis("AAA", "BBB")},
        events=[{"kind": "set", "at": 3, "path": "states.BBB.recklessness", "value": 0.1}],
        params={"max_steps": 5},
    )
    events = run(path, seed=0).events
    step3 = events[events["step"] == 3]["action"].tolist()
    assert step3[0] == "set"
    assert "hold" in step3[1:]


def test_set_event_sets_a_trait_from_its_step_on(make_scenario):
    # Values outside a field's range are refused when the scenario is validated (tests/scenarios).
    path = make_scenario(
        events=[
            {"kind": "set", "at": 2, "path": "states.AAA.fear", "value": 1.0},
            {"kind": "set", "at": 2, "path": "states.BBB.recklessness", "value": 0.0},
        ]
    )
    result = run(path, seed=0)
    fear, reckless = trait_by_step(result, "AAA", "fear"), trait_by_step(result, "BBB", "recklessness")
    assert (fear[1], fear[2], fear[10]) == (0.5, 1.0, 1.0)
    assert (reckless[1], reckless[2], reckless[10]) == (0.5, 0.0, 0.0)


@pytest.mark.parametrize(("by", "expected"), [(0.2, 0.7), (-0.3, 0.2), (0.9, 1.0), (-0.9, 0.0)])
def test_shift_event_adds_to_a_trait_and_clips(make_scenario, by, expected):
    path = make_scenario(events=[{"kind": "shift", "at": 4, "path": "states.CCC.commitment", "by": by}])
    commitment = trait_by_step(run(path, seed=0), "CCC", "commitment")
    assert commitment[3] == 0.5
    assert commitment[4] == pytest.approx(expected)
    assert commitment[10] == pytest.approx(expected)


def test_event_after_the_last_step_never_fires(make_scenario):
    # The file's step limit (12) reaches the event; running only 10 steps leaves it unfired.
    path = make_scenario(
        params={"max_steps": 12}, events=[{"kind": "set", "at": 11, "path": "states.AAA.fear", "value": 0.9}]
    )
    result = run(path, seed=0, steps=10)
    assert result.events.empty
    assert set(trait_by_step(result, "AAA", "fear").values()) == {0.5}


def test_align_event_sets_the_relation(make_scenario):
    path = make_scenario(
        relations={"AAA-BBB": 0.2},
        events=[{"kind": "align", "at": 2, "states": ["BBB", "AAA"], "relation": -0.7}],
    )
    result = run(path, seed=0)
    assert result.model.relations["AAA-BBB"] == -0.7
    assert result.model.relation(result.model.state("AAA"), result.model.state("BBB")) == -0.7


def strike_world(make_scenario, *, start_step, events, **extra):
    return make_scenario(
        params={"max_steps": 6, "cohesion": {"rate": 0.0}},
        states={
            "AAA": {"policy": scripted("hold")},
            "BBB": {"policy": scripted("hold")},
            "CCC": {"commitment": 1.0},
        },
        alliances={
            "BC": {"members": ["BBB", "CCC"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 1.0}
        },
        crises={"c": crisis("AAA", "BBB", start_step=start_step)},
        events=events,
        **extra,
    )


def test_strike_opens_a_pending_crisis_and_the_game_calls_the_targets_allies_at_its_next_move(make_scenario):
    # The strike is an event, not a move of the game (`model.crisis.strike`): it sets the crisis on
    # rung 2 with BBB to move and draws nothing. BBB holds at step 3; AAA's hold on the armed-attack
    # rung at step 4 is the move that calls BBB's ally, which, fully committed, joins.
    path = strike_world(
        make_scenario, start_step=50, events=[{"kind": "strike", "at": 3, "crisis": "c", "by": "AAA", "rung": 2}]
    )
    result = run(path, seed=0)
    ts = result.timeseries.set_index("step")
    assert ts.loc[2, "crisis.c.status"] == "pending"
    assert ts.loc[2, "crisis.c.rung"] == 0
    assert ts.loc[3, "crisis.c.status"] == "active"
    assert ts.loc[3, "crisis.c.rung"] == 2
    summary = result.summary["crises"]["c"]
    assert summary["opened_at"] == 3
    assert summary["max_rung"] == 2
    assert summary["joined"] == {"AAA": [], "BBB": ["CCC"]}
    step3 = result.events[result.events["step"] == 3]
    assert step3[["actor", "action"]].values.tolist() == [["BBB", "opens"], ["AAA", "strikes"], ["BBB", "hold"]]
    strike = step3[step3["action"] == "strikes"].iloc[0]
    assert (strike["actor"], strike["rung"], strike["rung_name"]) == ("AAA", 2, "Clash")
    step4 = result.events[result.events["step"] == 4]
    assert step4[["actor", "action"]].values.tolist() == [["AAA", "hold"], ["CCC", "joins"]]


def test_strike_escalates_an_open_crisis_to_its_rung(make_scenario):
    path = strike_world(
        make_scenario, start_step=1, events=[{"kind": "strike", "at": 4, "crisis": "c", "by": "BBB", "rung": 3}]
    )
    result = run(path, seed=0)
    rungs = result.timeseries["crisis.c.rung"].tolist()
    assert rungs[:4] == [0, 0, 0, 0]
    assert rungs[4:] == [3, 3, 3]
    summary = result.summary
    assert summary["first_deliberate_nuclear_user"] == "BBB"  # the strike is BBB's move
    assert summary["nuclear_used"] is True
    assert summary["max_rung"] == 3
    assert summary["max_rung_name"] == "Nuclear shot"


def test_strike_below_armed_attack_calls_no_allies(make_scenario):
    path = strike_world(
        make_scenario, start_step=50, events=[{"kind": "strike", "at": 2, "crisis": "c", "by": "AAA", "rung": 1}]
    )
    result = run(path, seed=0)
    summary = result.summary["crises"]["c"]
    assert summary["opened_at"] == 2
    assert summary["joined"] == {"AAA": [], "BBB": []}
    assert summary["declined"] == {"AAA": [], "BBB": []}
    assert not result.events["action"].isin(["joins", "stays out"]).any()
