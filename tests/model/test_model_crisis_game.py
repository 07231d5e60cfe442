"""The Mesa model plays each crisis through the one game (`rules.crisis_play`), draw for draw.

Solves of moscow-strike take seconds: one module-scoped solve, kept in memory and on disk in the
session's ``BRINK_SOLVE_CACHE`` (tests/conftest.py), so the runs reuse it.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from model_scenario_builder import TINY_LADDER, crisis, scripted, state

from brink.api import run
from ensemble import streams
from ensemble.crisis_runs import run_crises
from model import BrinkmanshipModel, summarize
from rules.crisis_effects import partner_joins
from rules.crisis_play import KINDS
from rules.scenario_game import crisis_game, crisis_sides, logit_precision, true_obstinate_chances
from rules.solve_cache import solved
from scenarios import load_scenario

SEEDS = range(40)


@pytest.fixture(scope="module")
def moscow_game():
    """moscow-strike's scenario and its crisis solved at the defaults."""
    spec = load_scenario("moscow-strike")
    game = crisis_game(spec, "moscow")
    return spec, solved(game, logit_precision(spec), spec.params.game.belief_points)


def test_a_mesa_run_plays_the_same_crisis_as_the_game_replayed_from_its_seed(moscow_game):
    # `ensemble.crisis_runs.run_crises` plays the solved crisis alone from the same streams: every
    # Mesa run of seed S ends as the replay of seed S does (kind, loser, rung, moves).
    spec, sol = moscow_game
    replay = run_crises(sol, list(SEEDS), true_obstinate_chances(spec, "moscow"), start_step=1)
    leads = list(spec.crises["moscow"].sides)  # the game's side order
    ending = {"yield": "choice", "fight": "defeat", "slip": "slip", "deliberate": "deliberate", "ally": "ally"}
    for position, seed in enumerate(SEEDS):
        model = BrinkmanshipModel(scenario="moscow-strike", rng=seed)
        model.run()
        c = summarize(model)["crises"]["moscow"]
        kind = KINDS[int(replay.crises.ended[position])]
        assert c["moves"] == int(replay.moves[position]), seed
        assert (c["yield_cause"] or c["catastrophe_cause"] or "stalemate") == ending.get(kind, "stalemate"), seed
        loser = int(replay.crises.loser[position])
        assert c["yielder"] == (leads[loser] if loser >= 0 else None), seed
        assert c["max_rung"] == (10 if c["catastrophe"] else int(replay.crises.max_rung[position])), seed


def test_each_move_logs_the_stage_game_the_solver_gives_at_its_public_state(moscow_game):
    # Before every move, `BeliefSolution.decide` at the run's public state and posteriors; the move's
    # line in the log carries those probabilities and values, and the mover's belief about the other.
    _, sol = moscow_game
    checked = 0
    for seed in range(12):
        model = BrinkmanshipModel(scenario="moscow-strike", rng=seed)
        c = model.crisis("moscow")
        while model.running:
            expected = None
            if c.is_open:
                play = c.play
                decided = sol.decide(int(play.crises.elapsed[0]), np.array([play.index]), play.crises.mu[:1])
                mover = int(play.tr.mover[play.index])
                expected = (decided, mover, float(play.crises.mu[0, 1 - mover]), len(model.event_log))
            model.step()
            if expected is None:
                continue
            decided, mover, belief, start = expected
            line = next(e for e in model.event_log[start:] if e["options"])
            p = [float(x) for x in re.findall(r"p=([0-9.]+)", line["options"])]
            v = [float(x) for x in re.findall(r"v=(-?[0-9.e+-]+)", line["options"])]
            n = len(p)
            np.testing.assert_allclose(p, decided.probabilities[0, :n], atol=5e-4)
            np.testing.assert_allclose(v, decided.values[0, :n, mover], rtol=5e-3, atol=1e-3)
            assert line["belief"] == pytest.approx(belief, abs=1e-6)
            checked += 1
    assert checked >= 10


def test_the_us_side_yields_in_most_runs_and_says_why(moscow_game):
    # 200 runs at the defaults: the U.S. side yields by choice in most of them (82% with the shipped
    # solver; the 99% Wilson interval of 164/200 is [0.74, 0.88]); each yield line records the stage
    # game, in which yielding had the largest probability or the mover's draw fell on it.
    yields = 0
    for seed in range(200):
        result = run("moscow-strike", seed=seed)
        if result.summary["yielder"] == "USA" and result.summary["yield_cause"] == "choice":
            yields += 1
            line = result.events[result.events["action"] == "yields"].iloc[-1]
            assert line["actor"] == "USA" and line["options"].startswith("yield p=")
            assert float(re.match(r"yield p=([0-9.]+)", line["options"]).group(1)) > 0
    assert 0.6 < yields / 200 < 0.95


def ally_world(make_scenario, **params):
    """AAA climbs 1, 2; BBB holds; CCC, BBB's fully committed and reckless ally, escalates once joined."""
    return make_scenario(
        params={"game": {"ally_escalation": 1.0, "horizon": 10}, **params},
        states={
            "AAA": {"policy": scripted(1, 2)},
            "BBB": {"policy": scripted("hold")},
            "CCC": {"commitment": 1.0, "recklessness": 1.0},
        },
        alliances={
            "BC": {"members": ["BBB", "CCC"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 1.0}
        },
        crises={"c": crisis("AAA", "BBB")},
    )


def test_a_joined_allys_own_escalation_into_all_out_war_is_the_ally_cause(make_scenario):
    # AAA's move onto the armed attack (rung 2, step 3) calls CCC, which joins (chance 1) and at once
    # escalates to rung 3 (chance 1 x image 1); BBB's hold there (step 4) is followed by CCC's
    # escalation into all-out war (rung 4): a catastrophe nobody chose.
    result = run(ally_world(make_scenario), seed=0)
    summary = result.summary
    assert (summary["outcome"], summary["catastrophe_cause"]) == ("catastrophe", "ally")
    assert (summary["slip_holder"], summary["slip_rung"]) == (None, None)
    assert summary["first_deliberate_nuclear_user"] == "BBB"  # BBB chose to hold the nuclear rung 3
    assert summary["crises"]["c"]["joined"] == {"AAA": [], "BBB": ["CCC"]}
    events = result.events
    three = events[events["step"] == 3][["actor", "action", "rung"]].values.tolist()
    assert three == [["AAA", "escalate", 2], ["CCC", "joins", ""]]
    assert "a joined ally escalated on its own to rung 3" in events[events["step"] == 3].iloc[0]["detail"]
    last = events.iloc[-1]
    assert (last["step"], last["cause"], last["action"], last["rung"]) == (4, "ally", "ally escalates", 4)
    assert result.summary["damage"]["CCC"] > 0  # a joined partner shares the destruction


def two_partner_world(make_scenario, **extra):
    """BBB's treaty binds CCC (chance 0.5) and DDD (chance 0.8); AAA climbs to the armed attack at step 3."""
    return make_scenario(
        states={
            "AAA": {"policy": scripted(1, 2, "hold")},
            "BBB": {"policy": scripted("hold")},
            "CCC": {"commitment": 0.5},
            "DDD": state("Dland", commitment=0.8),
        },
        alliances={
            "BCD": {"members": ["BBB", "CCC", "DDD"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 1.0}
        },
        crises={"c": crisis("AAA", "BBB")},
        params={"cohesion": {"rate": 0.0}, "max_steps": 6},
        **extra,
    )


def test_partner_joins_follow_partner_joins_on_the_partner_streams(make_scenario):
    # When the game calls BBB's ally (step 3), the partners who join are `partner_joins` of their
    # chances, the game's draw (the bloc joined or not) and the PARTNERS uniforms of the run's seed.
    path = two_partner_world(make_scenario)
    spec = load_scenario(path)
    partners = crisis_sides(spec, "c")[1].allies
    chances = np.array([[p.join for p in partners]])
    assert [p.code for p in partners] == ["CCC", "DDD"] and chances.tolist() == [[0.5, 0.8]]
    seen = set()
    for seed in range(30):
        result = run(path, seed=seed)
        joined = tuple(result.summary["crises"]["c"]["joined"]["BBB"])
        called = result.events[result.events["action"].isin(["joins", "stays out"])]
        assert called["step"].tolist() == [3, 3]
        base = streams.bases([seed])
        slots = [streams.partner_slot(0, 1, k) for k in range(2)]
        u = streams.uniforms(base, streams.PARTNERS, 3, slots)
        expected = partner_joins(chances, np.array([bool(joined)]), u)[0]
        assert joined == tuple(p.code for p, j in zip(partners, expected, strict=True) if j), seed
        seen.add(joined)
    assert {(), ("CCC",), ("DDD",), ("CCC", "DDD")} <= seen, "precondition: every pattern in 30 seeds"


def test_all_out_war_calls_every_uncalled_partners_clause(make_scenario):
    # Rung 1 slips with certainty: AAA's first move ends the crisis before any armed attack, so BBB's
    # partners were never called. All-out war calls their clauses: CCC (chance 1) joins and shares the
    # destruction, DDD (chance 0) stays out, is spared and its treaty is shocked, before the ending line.
    path = make_scenario(
        ladder=_tiny_with_slip(1, 1.0),
        states={
            "AAA": {"policy": scripted(1)},
            "BBB": {"policy": scripted("hold")},
            "CCC": {"commitment": 1.0},
            "DDD": state("Dland", commitment=0.0),
        },
        alliances={
            "BCD": {"members": ["BBB", "CCC", "DDD"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 1.0}
        },
        crises={"c": crisis("AAA", "BBB")},
        params={"cohesion": {"rate": 0.0}},
    )
    result = run(path, seed=0)
    summary = result.summary
    assert (summary["catastrophe_cause"], summary["slip_rung"]) == ("slip", 1)
    assert summary["crises"]["c"]["joined"] == {"AAA": [], "BBB": ["CCC"]}
    assert summary["crises"]["c"]["declined"] == {"AAA": [], "BBB": ["DDD"]}
    tail = result.events[["actor", "action"]].values.tolist()[-3:]
    assert tail == [["CCC", "joins"], ["DDD", "stays out"], ["AAA", "slips out of control"]]
    assert summary["damage"]["CCC"] > 0 and summary["damage"]["DDD"] == 0
    # honour boost 0.1 (capped at 1), then the abandonment shock 0.3 damped by institutionalisation 0.5
    assert summary["alliances"]["BCD"]["final_cohesion"] == pytest.approx(1.0 - 0.3 * 0.5, abs=1e-6)


def _tiny_with_slip(rung: int, slip: float) -> dict:
    ladder = copy.deepcopy(TINY_LADDER)
    ladder["rungs"][rung]["slip"] = slip
    return ladder


@pytest.mark.parametrize(("fixed", "kinds"), [("hold", {"hold"}), ("escalate", {"escalate", "hold"})])
def test_an_obstinate_lead_never_yields_and_makes_its_fixed_move(make_scenario, fixed, kinds):
    # AAA's leader is reckless (1.0) and params.game.obstinate_prior is 1: its true chance of being
    # obstinate is 1, so in every seed it is the obstinate type, whose moves are fixed.
    path = make_scenario(
        params={"game": {"obstinate_prior": 1.0, "horizon": 8, "obstinate_move": fixed}, "max_steps": 8},
        states={"AAA": {"recklessness": 1.0}, "BBB": {"recklessness": 0.0}},
        crises={"c": crisis("AAA", "BBB")},
    )
    for seed in range(15):
        result = run(path, seed=seed)
        assert bool(result.model.crisis("c").play.crises.obstinate[0, 0])
        assert result.summary["yielder"] != "AAA"
        moves = result.events[result.events["actor"] == "AAA"]["action"]
        assert set(moves) - {"opens"} <= kinds
        if fixed == "escalate":
            assert next(m for m in moves if m != "opens") == "escalate"


def test_each_crisis_draws_its_leads_types_from_its_own_slots(make_scenario):
    # Two crises of one run, the second opening at step 2: crisis number c draws its types from
    # stream TYPES at its opening step, slots crisis_slot(c, side). Obstinate prior 1 and
    # recklessness 0.5 make each lead obstinate with chance 0.5.
    holds = {"policy": scripted("hold")}
    path = make_scenario(
        params={"game": {"obstinate_prior": 1.0, "horizon": 5}},
        states={"AAA": holds, "BBB": holds, "CCC": holds, "DDD": state("Dland", **holds)},
        crises={"c0": crisis("AAA", "BBB"), "c1": crisis("CCC", "DDD", start_step=2)},
    )
    patterns = set()
    for seed in range(16):
        model = BrinkmanshipModel(scenario=path, rng=seed)
        model.run()
        base = streams.bases([seed])
        for number, key, opened in ((0, "c0", 1), (1, "c1", 2)):
            slots = (streams.crisis_slot(number, 0), streams.crisis_slot(number, 1))
            u = streams.uniforms(base, streams.TYPES, opened, slots)[0]
            obstinate = model.crisis(key).play.crises.obstinate[0]
            np.testing.assert_array_equal(obstinate, u < 0.5)
            patterns.add(tuple(obstinate))
    assert len(patterns) == 4, "precondition: every pair of types occurs"
