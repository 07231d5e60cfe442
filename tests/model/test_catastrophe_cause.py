"""Who caused a catastrophe: a slip out of control, or a side's deliberate move to the top rung.

A slip is nobody's choice (Schelling's threat that leaves something to chance): it is recorded with
the side that held the rung, never as a deliberate nuclear use. The summary, the event log's
``cause`` column and its wording say it the same way.
"""

from __future__ import annotations

import copy

import pytest
from model_scenario_builder import TINY_LADDER, crisis, scripted

from brink.api import run
from model import BrinkmanshipModel, summarize
from model.outcomes import EVENT_COLUMNS

MOSCOW_SEEDS = range(200)
HEURISTIC_LEADS = {"states.RUS.policy": "heuristic", "states.USA.policy": "heuristic"}
"""moscow-strike with both leads on the heuristic, which slips into catastrophe in some 7% of runs (the
equilibrium, about 1%): the cause bookkeeping is the same whichever policy chose the moves."""


def tiny_ladder(**slips: float) -> dict:
    """The tiny ladder with the given slip risks by rung (``r1=0.5``) and optionally a non-nuclear top."""
    ladder = copy.deepcopy(TINY_LADDER)
    for name, value in slips.items():
        ladder["rungs"][int(name[1:])]["slip"] = value
    return ladder


def ending(result) -> dict:
    """The event-log line that ended the (only) crisis."""
    events = result.events
    ends = events[events["cause"] != ""]
    assert len(ends) == 1, ends
    return ends.iloc[0].to_dict()


@pytest.fixture(scope="module")
def moscow():
    """200 seeded runs of moscow-strike with heuristic leads: summaries and event logs."""
    runs = []
    for seed in MOSCOW_SEEDS:
        model = BrinkmanshipModel(scenario="moscow-strike", rng=seed, overrides=HEURISTIC_LEADS)
        model.run()
        runs.append((summarize(model), model.event_log))
    return runs


def test_moscow_strike_catastrophes_are_slips_named_after_the_holder_not_a_nuclear_user(moscow):
    catastrophes = [(s, log) for s, log in moscow if s["catastrophe"]]
    assert len(catastrophes) >= 10, "precondition: seeded runs of moscow-strike end in catastrophe"
    for summary, log in catastrophes:
        assert summary["catastrophe_cause"] == "slip"
        assert summary["first_deliberate_nuclear_user"] is None  # nobody chose a nuclear rung first
        assert summary["nuclear_used"] is True  # the default ladder's top, all-out war, is nuclear
        holder, rung = summary["slip_holder"], summary["slip_rung"]
        assert holder in ("RUS", "USA") and 6 <= rung < 10
        last = log[-1]
        before = [line for line in log if line["action"].startswith(("hold", "escalate"))][-1]
        assert (before["actor"], before["rung"]) == (holder, rung)  # the holder's hold or move preceded it
        assert (last["cause"], last["action"], last["rung"]) == ("slip", "slips out of control", 10)
        assert f"slipped out of control while {holder} held rung {rung} (" in last["detail"]
        assert "nuclear user" not in last["detail"] and "first" not in last["detail"]
    assert len({s["slip_holder"] for s, _ in catastrophes}) == 2, "precondition: both sides held a rung that slipped"


def test_every_crisis_end_has_one_cause_on_the_line_that_ends_it(moscow):
    for summary, log in moscow:
        assert all(set(line) == set(EVENT_COLUMNS) for line in log)
        causes = [line["cause"] for line in log if line["cause"]]
        causes_by_outcome = {"yield": summary["yield_cause"], "catastrophe": summary["catastrophe_cause"]}
        expected = causes_by_outcome.get(summary["outcome"])
        assert causes == ([expected] if expected else [])
        if expected:
            assert log[-1]["cause"] == expected
    assert {s["outcome"] for s, _ in moscow} == {"yield", "catastrophe", "stalemate"}


def test_a_deliberate_move_to_all_out_war_is_the_movers(make_scenario):
    # Hawks on the tiny ladder (no slip below the top): AAA 1, BBB 2, AAA 3 (nuclear), BBB 4.
    hawks = {"AAA": {"policy": "hawk"}, "BBB": {"policy": "hawk"}}
    path = make_scenario(states=hawks, crises={"c": crisis("AAA", "BBB")})
    result = run(path, seed=0)
    summary = result.summary
    assert (summary["catastrophe_cause"], summary["first_deliberate_nuclear_user"]) == ("deliberate", "AAA")
    assert (summary["slip_holder"], summary["slip_rung"], summary["nuclear_used"]) == (None, None, True)
    assert {k: v for k, v in ending(result).items() if k in ("actor", "action", "rung", "cause")} == {
        "actor": "BBB", "action": "all-out war", "rung": 4, "cause": "deliberate"
    }  # fmt: skip


def test_a_certain_slip_below_the_nuclear_rungs_names_no_nuclear_user(make_scenario):
    # Rung 1 slips with certainty: AAA's first move onto it ends the crisis, nobody having gone nuclear.
    path = make_scenario(
        ladder=tiny_ladder(r1=1.0),
        states={"AAA": {"policy": scripted(1)}, "BBB": {"policy": scripted("hold")}},
        crises={"c": crisis("AAA", "BBB")},
    )
    result = run(path, seed=0)
    summary = result.summary
    assert (summary["outcome"], summary["catastrophe_cause"]) == ("catastrophe", "slip")
    assert (summary["slip_holder"], summary["slip_rung"], summary["first_deliberate_nuclear_user"]) == ("AAA", 1, None)
    assert summary["nuclear_used"] is True and summary["yielder"] is None and summary["yield_cause"] is None
    line = ending(result)
    assert (line["actor"], line["cause"]) == ("AAA", "slip")
    assert line["detail"] == "the crisis slipped out of control while AAA held rung 1 (Pressure)"


def test_a_slip_into_a_conventional_war_is_no_nuclear_use(make_scenario):
    ladder = tiny_ladder(r1=1.0)
    ladder["rungs"][4]["nuclear"] = False
    ladder["rungs"][3]["nuclear"] = False
    path = make_scenario(
        ladder=ladder,
        states={"AAA": {"policy": scripted(1)}, "BBB": {"policy": scripted("hold")}},
        crises={"c": crisis("AAA", "BBB")},
    )
    summary = run(path, seed=0).summary
    assert (summary["catastrophe_cause"], summary["nuclear_used"]) == ("slip", False)


def test_the_slip_holder_is_whoever_held_the_rung_last_and_the_nuclear_user_who_chose_it(make_scenario):
    # BBB moves onto the nuclear rung 3 (slip 0.5); then AAA only holds there. Over seeds, the crisis
    # slips sometimes right after BBB's move and sometimes after one of AAA's holds.
    path = make_scenario(
        ladder=tiny_ladder(r3=0.5),
        params={"max_steps": 30},
        states={"AAA": {"policy": scripted(1, "hold")}, "BBB": {"policy": scripted(2, 3, "hold")}},
        crises={"c": crisis("AAA", "BBB")},
    )
    holders = set()
    for seed in range(20):
        result = run(path, seed=seed)
        summary = result.summary
        if not summary["catastrophe"]:
            continue
        assert summary["first_deliberate_nuclear_user"] == "BBB"
        assert (summary["catastrophe_cause"], summary["slip_rung"]) == ("slip", 3)
        moves = result.events[result.events["action"].isin(["hold", "escalate"])]
        assert summary["slip_holder"] == moves.iloc[-1]["actor"]
        holders.add(summary["slip_holder"])
    assert holders == {"AAA", "BBB"}, "precondition: slips after both sides' moves in 20 seeds"


def test_a_yield_and_a_defeat_carry_their_cause_and_a_stalemate_none(make_scenario):
    policies = {"AAA": {"policy": "dove"}, "BBB": {"policy": "hawk"}}
    dove = make_scenario(states=policies, crises={"c": crisis("AAA", "BBB")})
    line = ending(run(dove, seed=0))
    assert (line["actor"], line["action"], line["cause"]) == ("AAA", "yields", "choice")
    ladder = copy.deepcopy(TINY_LADDER)
    ladder["rungs"][2]["decisive"] = 1.0  # fighting on rung 2 is decided by force
    fight = make_scenario(
        ladder=ladder,
        states={"AAA": {"policy": scripted(1, "hold"), "conventional": 0.0}, "BBB": {"policy": scripted(2)}},
        crises={"c": crisis("AAA", "BBB")},
    )
    result = run(fight, seed=0)
    summary = result.summary
    assert (summary["yielder"], summary["yield_cause"], summary["yield_rung"]) == ("AAA", "defeat", 2)
    assert summary["catastrophe_cause"] is None
    line = ending(result)
    assert (line["actor"], line["action"], line["cause"]) == ("AAA", "defeated", "defeat")
    holders = make_scenario(
        params={"max_steps": 3},
        states={"AAA": {"policy": scripted("hold")}, "BBB": {"policy": scripted("hold")}},
        crises={"c": crisis("AAA", "BBB", start_rung=1)},
    )
    events = run(holders, seed=0).events
    assert events.iloc[-1]["action"] == "step limit" and (events["cause"] == "").all()
