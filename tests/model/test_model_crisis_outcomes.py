"""How crises end: yielding, catastrophe, slips, stalemate; nuclear options; allies called in."""

from __future__ import annotations

import pytest
from model_scenario_builder import NUCLEAR_RUNGS, TINY_TOP, crisis, scripted

from brink.api import run
from model import BrinkmanshipModel
from model.crisis import options_for

SEEDS = range(8)


@pytest.mark.parametrize("ladder", ["tiny", "default"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dove_moving_first_yields_at_its_first_move(make_scenario, ladder, seed):
    extra = {} if ladder == "tiny" else {"ladder": "default"}
    path = make_scenario(
        states={"AAA": {"policy": "dove"}, "BBB": {"policy": "hawk"}},
        crises={"c": crisis("AAA", "BBB", start_rung=1)},
        **extra,
    )
    summary = run(path, seed=seed).summary
    assert summary["outcome"] == "yield"
    assert summary["yielder"] == "AAA"
    assert summary["yield_cause"] == "choice"
    assert summary["crises"]["c"]["moves"] == 1
    assert summary["crises"]["c"]["yield_rung"] == 1
    assert summary["max_rung"] == 1
    assert summary["catastrophe"] is False
    assert summary["steps"] == 1  # the run stops once its only crisis is over


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dove_moving_second_yields_at_its_first_move(make_scenario, seed):
    path = make_scenario(
        states={"AAA": {"policy": "dove"}, "BBB": {"policy": "hawk"}},
        crises={"c": crisis("BBB", "AAA")},
    )
    summary = run(path, seed=seed).summary
    assert (summary["outcome"], summary["yielder"], summary["yield_cause"]) == ("yield", "AAA", "choice")
    assert summary["crises"]["c"]["moves"] == 2  # the hawk's escalation, then the dove's yield
    assert summary["max_rung"] == 1
    assert summary["crises"]["c"]["yield_rung"] == 1


@pytest.mark.parametrize("seed", [0, 5])
def test_hawk_against_hawk_climbs_to_catastrophe_without_slip_risk(make_scenario, seed):
    path = make_scenario(
        states={"AAA": {"policy": "hawk"}, "BBB": {"policy": "hawk"}},
        crises={"c": crisis("AAA", "BBB")},
    )
    result = run(path, seed=seed)
    summary = result.summary
    assert summary["outcome"] == "catastrophe"
    assert summary["catastrophe"] is True
    assert summary["yielder"] is None
    assert summary["max_rung"] == TINY_TOP
    assert summary["max_rung_name"] == "All-out war"
    assert summary["crises"]["c"]["moves"] == TINY_TOP
    assert summary["first_deliberate_nuclear_user"] == "AAA"  # AAA's second move reaches rung 3
    assert (summary["catastrophe_cause"], summary["slip_holder"]) == ("deliberate", None)  # BBB chose rung 4
    last = result.events.iloc[-1]
    assert (last["action"], last["actor"], last["cause"]) == ("all-out war", "BBB", "deliberate")


def test_hawk_against_hawk_on_default_ladder_never_yields_by_choice(make_scenario):
    ends = []
    for seed in range(20):
        path = make_scenario(
            ladder="default",
            params={"slip_scale": 5.0},
            states={"AAA": {"policy": "hawk"}, "BBB": {"policy": "hawk"}},
            crises={"c": crisis("AAA", "BBB")},
        )
        result = run(path, seed=seed)
        summary = result.summary
        assert summary["yield_cause"] != "choice"
        if summary["outcome"] == "catastrophe":
            assert summary["max_rung"] == 10
            ends.append(result.events["action"].iloc[-1])
        else:
            assert (summary["outcome"], summary["yield_cause"]) == ("yield", "defeat")
            ends.append("defeated")
    assert set(ends) <= {"all-out war", "slips out of control", "defeated"}
    # Slip risk 5x the ladder's: a slip before the top is all but certain in some of 20 fixed seeds.
    assert "slips out of control" in ends


@pytest.mark.parametrize("steps", [1, 4, 7])
def test_two_scripted_holders_end_in_stalemate_at_the_step_limit(make_scenario, steps):
    path = make_scenario(
        params={"max_steps": steps},
        states={"AAA": {"policy": scripted("hold")}, "BBB": {"policy": scripted("hold")}},
        crises={"c": crisis("AAA", "BBB", start_rung=1)},
    )
    result = run(path, seed=0)
    summary = result.summary
    assert summary["outcome"] == "stalemate"
    assert summary["yielder"] is None
    assert summary["catastrophe"] is False
    assert summary["steps"] == steps
    assert summary["max_rung"] == 1
    crisis_summary = summary["crises"]["c"]
    assert crisis_summary["moves"] == steps
    assert crisis_summary["ended_at"] == steps
    last = result.events.iloc[-1]
    assert (last["action"], last["detail"]) == ("step limit", "stalemate")


def non_nuclear_hawk(make_scenario, **extra):
    return make_scenario(
        states={
            "AAA": {
                "warheads": 0,
                "policy": {"name": "hawk", "jump": True},
                "doctrine": {"jumps": [{"from": 0, "to": 3}]},
            },
            "BBB": {"policy": scripted("hold")},
        },
        **extra,
    )


def test_nuclear_rungs_are_not_options_for_a_side_without_warheads(make_scenario):
    path = non_nuclear_hawk(make_scenario, crises={"c": crisis("AAA", "BBB")})
    model = BrinkmanshipModel(scenario=path, rng=0)
    model.step()
    c = model.crisis("c")
    for rung in range(TINY_TOP):
        no_nukes = options_for(model, c, 0, rung)
        assert not set(no_nukes) & set(NUCLEAR_RUNGS)
        armed = options_for(model, c, 1, rung)
        assert rung + 1 in armed  # the nuclear-armed side keeps the next rung, nuclear or not
    model.run()
    summary = model_summary(model)
    assert summary["max_rung"] == 2
    assert summary["nuclear_used"] is False
    assert summary["first_deliberate_nuclear_user"] is None
    assert summary["outcome"] == "stalemate"


def test_a_nuclear_co_belligerent_restores_nuclear_options(make_scenario):
    sides = {"AAA": {"with": ["CCC"], "prevail": 1.0, "concede": -1.0}, "BBB": {"prevail": 1.0, "concede": -1.0}}
    path = non_nuclear_hawk(make_scenario, crises={"c": {"first_mover": "AAA", "sides": sides}})
    summary = run(path, seed=0).summary
    assert summary["outcome"] == "catastrophe"
    assert summary["first_deliberate_nuclear_user"] == "AAA"


def default_ladder_non_nuclear_hawk(make_scenario):
    return make_scenario(
        ladder="default",
        states={"AAA": {"warheads": 0, "policy": "hawk"}, "BBB": {"policy": scripted("hold")}},
        crises={"c": crisis("AAA", "BBB")},
        params={"max_steps": 30},
    )


def test_non_nuclear_hawk_never_moves_to_a_nuclear_rung_on_default_ladder(make_scenario):
    path = default_ladder_non_nuclear_hawk(make_scenario)
    for seed in SEEDS:
        events = run(path, seed=seed).events
        moves = events[(events["actor"] == "AAA") & events["action"].str.startswith(("escalate", "hold"))]
        assert len(moves) > 0
        assert moves["rung"].astype(int).max() <= 7  # rung 8 is the first nuclear rung


def test_a_slip_into_nuclear_war_makes_nobody_a_deliberate_nuclear_user(make_scenario):
    # AAA has no nuclear weapons and climbs no higher than rung 7; BBB only holds. When the crisis
    # slips out of control into all-out (nuclear) war, nobody chose a nuclear rung.
    path = default_ladder_non_nuclear_hawk(make_scenario)
    summaries = {seed: run(path, seed=seed).summary for seed in SEEDS}
    slips = {seed: s for seed, s in summaries.items() if s["catastrophe"]}
    assert slips, "fixture should produce at least one nuclear catastrophe"
    for summary in slips.values():
        assert summary["catastrophe_cause"] == "slip"
        assert summary["first_deliberate_nuclear_user"] is None
        assert summary["nuclear_used"] is True  # the top rung is nuclear
        assert summary["slip_holder"] in ("AAA", "BBB") and summary["slip_rung"] <= 7


def model_summary(model):
    from model import summarize

    return summarize(model)


def test_first_deliberate_nuclear_user_is_the_first_side_on_a_nuclear_rung(make_scenario):
    path = make_scenario(
        states={"AAA": {"policy": scripted(1, "hold", 4)}, "BBB": {"policy": scripted(2, 3)}},
        crises={"c": crisis("AAA", "BBB")},
    )
    result = run(path, seed=0)
    summary = result.summary
    assert summary["first_deliberate_nuclear_user"] == "BBB"  # BBB reaches rung 3 at step 4; AAA goes to 4 later
    assert summary["nuclear_used"] is True
    assert (summary["outcome"], summary["catastrophe_cause"]) == ("catastrophe", "deliberate")
    assert summary["crises"]["c"]["moves"] == 5
    assert result.timeseries["crisis.c.rung"].tolist() == [0, 1, 2, 2, 3, 4]


def defence_world(make_scenario, *, commitment, cohesion=1.0, institutionalisation=0.5):
    return make_scenario(
        params={"cohesion": {"rate": 0.0}, "max_steps": 8},
        states={
            "AAA": {"policy": scripted(1, 2, 3)},
            "BBB": {"policy": scripted("hold")},
            "CCC": {"commitment": commitment},
        },
        alliances={
            "BC": {
                "members": ["BBB", "CCC"],
                "automaticity": 1.0,
                "institutionalisation": institutionalisation,
                "cohesion": cohesion,
            }
        },
        crises={"c": crisis("AAA", "BBB")},
    )


def test_fully_committed_ally_always_joins(make_scenario):
    path = defence_world(make_scenario, commitment=1.0)
    for seed in SEEDS:
        result = run(path, seed=seed)
        c = result.summary["crises"]["c"]
        assert c["joined"] == {"AAA": [], "BBB": ["CCC"]}
        assert c["declined"] == {"AAA": [], "BBB": []}
        rows = result.events[result.events["action"].isin(["joins", "stays out"])]
        assert rows[["step", "actor", "action"]].values.tolist() == [[3, "CCC", "joins"]]  # called once only
        assert result.summary["alliances"]["BC"]["final_cohesion"] == 1.0


def test_an_ally_that_declines_stays_out_and_abandonment_lowers_cohesion_once(make_scenario):
    # Commitment 0.5 with cohesion 0.9: the ally joins with chance 0.45 when AAA's move reaches the armed
    # attack (rung 2, step 3); the game calls it once (`rules.crisis_game`), so over seeds it either
    # joins at step 3 or stays out for good, never answering a second call at AAA's rung-3 move.
    path = defence_world(make_scenario, commitment=0.5, cohesion=0.9, institutionalisation=0.5)
    outcomes = set()
    for seed in range(12):
        result = run(path, seed=seed)
        c = result.summary["crises"]["c"]
        rows = result.events[result.events["action"].isin(["joins", "stays out"])]
        calls = rows[["step", "actor", "action"]].values.tolist()
        assert calls in ([[3, "CCC", "joins"]], [[3, "CCC", "stays out"]])
        outcomes.add(calls[0][2])
        if calls[0][2] == "stays out":
            assert (c["joined"], c["declined"]) == ({"AAA": [], "BBB": []}, {"AAA": [], "BBB": ["CCC"]})
            cohesion = result.timeseries["alliance.BC.cohesion"].tolist()
            assert cohesion[:3] == pytest.approx([0.9] * 3)
            # default abandonment_shock 0.3, damped by institutionalisation 0.5, applied once
            assert cohesion[3:] == pytest.approx([0.9 - 0.3 * 0.5] * (len(cohesion) - 3), abs=1e-6)
    assert outcomes == {"joins", "stays out"}, "precondition: both answers occur in 12 seeds"


def test_an_ally_that_can_never_join_is_no_ally_of_the_game_and_is_never_called(make_scenario):
    # Commitment 0: join chance 0, so the game has no ally for BBB (`rules.scenario_game.side_ally`);
    # no call, no abandonment shock while the crisis stays below all-out war.
    path = defence_world(make_scenario, commitment=0.0, cohesion=0.9)
    result = run(path, seed=0)
    assert not result.events["action"].isin(["joins", "stays out"]).any()
    assert result.summary["alliances"]["BC"]["final_cohesion"] == pytest.approx(0.9)


def test_no_allies_are_called_below_an_armed_attack(make_scenario):
    path = defence_world(make_scenario, commitment=1.0)
    summary = run(path, seed=0, steps=2).summary  # AAA reaches only rung 1
    assert summary["max_rung"] == 1
    assert summary["crises"]["c"]["joined"] == {"AAA": [], "BBB": []}
    assert summary["crises"]["c"]["declined"] == {"AAA": [], "BBB": []}


@pytest.mark.parametrize(("ally_of", "step"), [("BBB", 2), ("AAA", 1)])
def test_a_crisis_opening_on_an_armed_attack_calls_no_ally_until_a_move_onto_one(make_scenario, ally_of, step):
    # The crisis opens on rung 2 (an armed attack) with BBB to move; the game has no call at its root.
    # BBB's hold at step 1 is a move onto an armed-attack rung: AAA's ally is called. AAA's hold at
    # step 2 calls BBB's ally. A fully committed ally joins when called.
    path = make_scenario(
        params={"max_steps": 3},
        states={
            "AAA": {"policy": scripted("hold")},
            "BBB": {"policy": scripted("hold")},
            "CCC": {"commitment": 1.0},
        },
        alliances={
            "X": {"members": [ally_of, "CCC"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 1.0}
        },
        crises={"c": crisis("BBB", "AAA", start_rung=2)},
    )
    result = run(path, seed=0)
    joined = result.summary["crises"]["c"]["joined"]
    assert joined == {"BBB": ["CCC"] if ally_of == "BBB" else [], "AAA": ["CCC"] if ally_of == "AAA" else []}
    rows = result.events[result.events["action"] == "joins"]
    assert rows["step"].tolist() == [step]
    opens = result.events[result.events["action"] == "opens"].iloc[0]
    assert (opens["actor"], opens["next_mover"], opens["rung"]) == ("AAA", "BBB", 2)
    assert result.events[result.events["step"] == 1]["action"].tolist()[:2] == ["opens", "hold"]
