"""A scenario's crisis as one game: each rule of the trait -> type mapping on small scenarios."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest

from rules.alliance import bloc_image, join_probability
from rules.belief_equilibrium import build_layout
from rules.equilibrium import solve
from rules.risk import destruction
from rules.scenario_game import (
    FLOOR_LOSS,
    MIN_OBSTINATE_PRIOR,
    crisis_game,
    crisis_sides,
    logit_precision,
    true_obstinate_chances,
)
from scenarios import Scenario, ScenarioError, load_scenario
from scenarios.paths import parse_assignment, set_path


def rung(rid: int, **fields: Any) -> dict[str, Any]:
    base = {"id": rid, "name": f"rung {rid}", "stage": "Only", "kahn": 0, "nuclear": False, "civilian": False,
            "armed_attack": False, "damage_target": 0.0, "damage_self": 0.0, "slip": 0.0, "decisive": 0.0}
    return {**base, **fields}


LADDER = {
    "name": "small",
    "rungs": [
        rung(0),
        rung(1, slip=0.1, damage_self=0.01, damage_target=0.02),
        rung(2, slip=0.2, decisive=0.3, armed_attack=True, damage_self=0.05, damage_target=0.1),
        rung(3, slip=0.4, nuclear=True, armed_attack=True),
        rung(4, slip=0.5, nuclear=True, armed_attack=True),
        rung(5, slip=1.0, nuclear=True, armed_attack=True, catastrophe=True),
    ],
}


def state(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "fear": 0.5, "recklessness": 0.5, "commitment": 0.5, **fields}


def document() -> dict[str, Any]:
    """AAA (with CCC) against BBB; DDD and EEE are AAA's treaty partners, FFF is BBB's."""
    return {
        "name": "small",
        "ladder": copy.deepcopy(LADDER),
        "states": {
            "AAA": state("A", conventional=2.0, warheads=100, value_at_risk=10.0),
            "BBB": state("B", conventional=3.0, warheads=40, second_strike=0.5, value_at_risk=5.0),
            "CCC": state("C", conventional=1.0, warheads=20, second_strike=0.25),
            "DDD": state("D", commitment=0.8, conventional=4.0, recklessness=0.9),
            "EEE": state("E", commitment=0.4, conventional=1.0, recklessness=0.2),
            "FFF": state("F", commitment=1.0, conventional=0.5),
        },
        "alliances": {
            "AD": {"members": ["AAA", "DDD"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 0.9},
            "AE": {"members": ["AAA", "EEE"], "automaticity": 0.0, "institutionalisation": 0.5, "cohesion": 0.5},
            "BF": {"members": ["BBB", "FFF"], "automaticity": 0.5, "institutionalisation": 0.5, "cohesion": 1.0},
        },
        "crises": {
            "c": {
                "first_mover": "BBB",
                "start_rung": 1,
                "sides": {
                    "AAA": {"with": ["CCC"], "prevail": 2.0, "concede": 0.0, "disaster": -4.0},
                    "BBB": {"prevail": 1.0, "concede": -1.0},
                },
            }
        },
    }


def load(doc: dict[str, Any] | None = None, **overrides: Any) -> Scenario:
    """Validate a document (default `document()`) and apply dotted-path overrides."""
    return load_scenario(Scenario.model_validate(doc or document()), overrides)


def edited(**changes: Any) -> Scenario:
    """`document()` with raw edits at dotted paths (for changes an override may not make)."""
    doc = document()
    for path, value in changes.items():
        set_path(doc, path.replace("__", "."), value)
    return load(doc)


def types_of(spec: Scenario, index: int) -> dict[str, Any]:
    return {t.name: t for t in crisis_game(spec, "c").sides[index].types}


# ---- rungs, sides and the crisis --------------------------------------------------------------


def test_rungs_come_from_the_ladder_with_slip_scaled_and_clipped() -> None:
    game = crisis_game(load(**{"params.slip_scale": 3.0}), "c")
    assert [r.slip for r in game.rungs] == pytest.approx([0.0, 0.3, 0.6, 1.0, 1.0, 1.0])
    assert [r.decisive for r in game.rungs] == [0.0, 0.0, 0.3, 0.0, 0.0, 0.0]
    assert [r.armed_attack for r in game.rungs] == [False, False, True, True, True, True]
    assert [r.catastrophe for r in game.rungs] == [False] * 5 + [True]


def test_side_order_mover_start_hold_and_horizon_come_from_the_crisis() -> None:
    spec = load(**{"crises.c.allow_hold": False, "params.game.horizon": 7})
    game = crisis_game(spec, "c")
    assert [s.name for s in game.sides] == ["AAA", "BBB"]
    assert (game.first_mover, game.start_rung, game.allow_hold, game.horizon) == (1, 1, False, 7)
    assert crisis_game(load(), "c").horizon == 40  # the default
    assert crisis_game(load(**{"params.game.horizon": None}), "c").horizon is None


def test_strength_costs_and_exposure_are_the_leads_as_the_model_reads_them() -> None:
    game = crisis_game(load(), "c")
    a, b = game.sides
    assert (a.strength, b.strength) == (3.0, 3.0)  # AAA 2 + CCC 1 against BBB 3
    assert a.rung_cost == pytest.approx((0.0, 0.1, 0.5, 0.0, 0.0, 0.0))  # damage_self x 10
    assert b.exposure == pytest.approx((0.0, 0.1, 0.5, 0.0, 0.0, 0.0))  # damage_target x 5


def test_a_side_without_warheads_may_not_use_nuclear_rungs() -> None:
    assert crisis_game(load(), "c").sides[1].forbidden == ()
    unarmed = crisis_game(load(**{"states.BBB.warheads": 0}), "c")
    assert unarmed.sides[1].forbidden == (3, 4, 5)
    assert unarmed.sides[0].forbidden == ()


def test_a_side_without_forces_loses_every_decisive_fight() -> None:
    game = crisis_game(load(**{"states.BBB.conventional": 0.0}), "c")
    assert game.share((False, False)) == pytest.approx(1.0)


def test_doctrine_jumps_are_expanded_into_explicit_pairs() -> None:
    spec = load(**{"states.AAA.doctrine": {"jumps": [{"from": 0, "to": 3}, {"from": 1, "to": 5}]}})
    jumps = crisis_game(spec, "c").sides[0].jumps
    assert jumps == ((0, 3), (1, 3), (1, 5), (2, 5), (3, 5))
    assert crisis_game(spec, "c").sides[1].jumps == ()


# ---- the normal type: payoffs and fear ----------------------------------------------------------


def test_normal_type_takes_the_sides_payoffs_and_the_leads_audience_cost() -> None:
    normal = types_of(load(**{"states.AAA.audience_cost": 0.3}), 0)["normal"]
    assert (normal.prevail, normal.concede, normal.disaster) == (2.0, 0.0, -4.0)
    assert normal.stalemate == 1.0  # halfway between prevail and concede
    assert (normal.audience_cost, normal.hold_cost) == (0.3, 0.0)
    given = types_of(load(**{"crises.c.sides.AAA.stalemate": -0.5}), 0)["normal"]
    assert given.stalemate == -0.5


@pytest.mark.parametrize(("fear", "disaster"), [(0.5, -4.0), (1.0, -8.0), (0.0, -2.0), (0.75, -4.0 * math.sqrt(2))])
def test_fear_bends_the_loss_from_catastrophe(fear: float, disaster: float) -> None:
    # disaster = concede - (concede - d0) * 4 ** (fear - 0.5): fear 1 doubles the loss, 0 halves it.
    assert types_of(load(**{"states.AAA.fear": fear}), 0)["normal"].disaster == pytest.approx(disaster)


def test_computed_disaster_is_from_the_enemy_sides_warheads_and_not_capped_at_conceding() -> None:
    # BBB's d0 = -5 x destruction(AAA 100 x 0.5 + CCC 20 x 0.25 = 55 surviving warheads).
    spec = load()
    d0 = -5.0 * float(destruction(55.0, spec.params.warheads_for_devastation))
    assert types_of(spec, 1)["normal"].disaster == pytest.approx(d0)
    assert d0 < -1.0  # below concede: no cap applies either way
    feared = types_of(load(**{"states.BBB.fear": 1.0}), 1)["normal"]
    assert feared.disaster == pytest.approx(-1.0 - 2.0 * (-1.0 - d0))


def test_an_enemy_without_warheads_leaves_a_floor_loss() -> None:
    spec = load(**{"states.AAA.warheads": 0, "states.CCC.warheads": 0})
    assert types_of(spec, 1)["normal"].disaster == pytest.approx(-1.0 - FLOOR_LOSS * 2.0)
    # A computed d0 above concede (a small arsenal against a side that concedes at -1) takes the floor too.
    small = load(**{"states.AAA.warheads": 2, "states.CCC.warheads": 0, "states.BBB.fear": 1.0})
    assert types_of(small, 1)["normal"].disaster == pytest.approx(-1.0 - 2.0 * FLOOR_LOSS * 2.0)


# ---- the obstinate type: priors from images ------------------------------------------------------


def test_obstinate_prior_is_obstinate_prior_times_the_trait_without_an_image() -> None:
    kinds = types_of(load(**{"states.AAA.recklessness": 0.6, "params.game.obstinate_prior": 0.5}), 0)
    assert kinds["obstinate"].prior == pytest.approx(0.3)
    assert kinds["normal"].prior == pytest.approx(0.7)
    assert kinds["obstinate"].obstinate and not kinds["normal"].obstinate
    assert kinds["obstinate"].disaster == kinds["normal"].disaster


def test_the_image_replaces_the_trait_in_the_prior_but_not_in_the_truth() -> None:
    spec = load(**{"states.AAA.recklessness": 0.6, "states.AAA.image": 0.1, "params.game.obstinate_prior": 0.5})
    assert types_of(spec, 0)["obstinate"].prior == pytest.approx(0.05)
    assert true_obstinate_chances(spec, "c") == pytest.approx((0.3, 0.25))


def test_the_opponents_belief_overrides_the_image() -> None:
    # The prior of AAA's obstinate type is what BBB believes of AAA; AAA's own belief about itself is no prior.
    doc = document()
    doc["states"]["AAA"]["image"] = 0.1
    doc["beliefs"] = {"BBB": {"AAA": {"recklessness": 0.8}}, "AAA": {"AAA": {"recklessness": 0.0}}}
    assert types_of(load(doc), 0)["obstinate"].prior == pytest.approx(0.2 * 0.8)


def test_a_zero_prior_leaves_only_the_normal_type() -> None:
    none = crisis_game(load(**{"params.game.obstinate_prior": 0.0}), "c")
    assert [[t.name for t in s.types] for s in none.sides] == [["normal"], ["normal"]]
    assert none.sides[0].types[0].prior == 1.0
    # An image of 0 and a recklessness of 0: nobody is, or is thought, obstinate.
    one = crisis_game(load(**{"states.BBB.image": 0.0, "states.BBB.recklessness": 0.0}), "c")
    assert [len(s.types) for s in one.sides] == [2, 1]


def test_an_image_of_0_keeps_a_real_obstinate_type_at_the_floor_prior() -> None:
    # BBB's recklessness 0.5 makes it truly obstinate with 0.2 x 0.5; AAA sees nothing (image 0),
    # so the game keeps BBB's obstinate type at the prior 1e-6 instead of dropping it.
    spec = load(**{"states.BBB.image": 0.0})
    assert true_obstinate_chances(spec, "c")[1] == pytest.approx(0.1)
    kinds = types_of(spec, 1)
    assert kinds["obstinate"].prior == MIN_OBSTINATE_PRIOR and kinds["normal"].prior == 1.0 - MIN_OBSTINATE_PRIOR
    assert build_layout(crisis_game(spec, "c")).has_obstinate == (True, True)  # simulated draws are not masked
    # A small positive image above the floor is kept as it is; below it, it is raised to it.
    assert types_of(load(**{"states.BBB.image": 0.01}), 1)["obstinate"].prior == pytest.approx(0.002)
    assert types_of(load(**{"states.BBB.image": 1e-7}), 1)["obstinate"].prior == MIN_OBSTINATE_PRIOR


def test_the_obstinate_types_fixed_move_comes_from_params_game() -> None:
    assert types_of(load(), 0)["obstinate"].fixed_move == "hold"
    kinds = types_of(load(**{"params.game.obstinate_move": "escalate"}), 0)
    assert kinds["obstinate"].fixed_move == "escalate"
    with pytest.raises(ScenarioError):
        load(**{"params.game.obstinate_move": "retreat"})


def test_a_certain_image_still_leaves_a_normal_type() -> None:
    kinds = types_of(load(**{"states.AAA.image": 1.0, "params.game.obstinate_prior": 1.0}), 0)
    assert 0 < kinds["normal"].prior < 1e-5


# ---- the ally ----------------------------------------------------------------------------------


def chances(spec: Scenario) -> tuple[float, float]:
    """Join chances of DDD (AD) and EEE (AE), by `rules.alliance.join_probability`."""
    w = spec.params.cohesion.consultation_weight
    return float(join_probability(0.8, 0.9, 1.0, w)), float(join_probability(0.4, 0.5, 0.0, w))


def test_ally_joins_unless_every_partner_stays_out() -> None:
    spec = load()
    c_d, c_e = chances(spec)
    assert (c_d, c_e) == pytest.approx((0.72, 0.1))
    ally = crisis_game(spec, "c").sides[0].ally
    assert ally is not None
    assert ally.join == pytest.approx(1 - (1 - c_d) * (1 - c_e))
    # The expected strength given that the ally joined: partner k is in with chance c_k / join.
    assert ally.strength == pytest.approx((4.0 * c_d + 1.0 * c_e) / ally.join)


def test_partners_sure_to_join_bring_both_their_strengths() -> None:
    # Automatic clauses with full commitment and cohesion: both join, so the ally is DDD 4 + EEE 1
    # (the old c-weighted average said 2.5).
    sure = {"states.DDD.commitment": 1.0, "states.EEE.commitment": 1.0, "alliances.AE.automaticity": 1.0,
            "alliances.AD.cohesion": 1.0, "alliances.AE.cohesion": 1.0}
    spec = load(**sure)
    assert [a.join for a in crisis_sides(spec, "c")[0].allies] == pytest.approx([1.0, 1.0])
    ally = crisis_game(spec, "c").sides[0].ally
    assert ally is not None and (ally.join, ally.strength) == pytest.approx((1.0, 5.0))


def test_ally_partners_are_the_leads_active_treaty_partners_outside_the_crisis() -> None:
    sides = crisis_sides(load(), "c")
    assert [(a.code, a.alliance) for a in sides[0].allies] == [("DDD", "AD"), ("EEE", "AE")]
    assert sides[0].members == ("AAA", "CCC") and sides[1].members == ("BBB",)
    inactive = crisis_sides(load(**{"alliances.AE.active": False}), "c")
    assert [a.code for a in inactive[0].allies] == ["DDD"]
    # A partner already fighting on a side is no ally.
    fighting = crisis_sides(edited(crises__c__sides__AAA__with=["CCC", "DDD"]), "c")
    assert [a.code for a in fighting[0].allies] == ["EEE"]
    assert crisis_game(edited(alliances={}), "c").sides[0].ally is None


def test_partners_that_never_join_make_no_ally() -> None:
    game = crisis_game(load(**{"alliances.BF.cohesion": 0.0}), "c")
    assert game.sides[1].ally is None


def test_ally_escalation_is_the_partners_image_as_the_opponent_sees_them() -> None:
    doc = document()
    doc["params"] = {"game": {"ally_escalation": 0.5}}
    doc["beliefs"] = {"BBB": {"DDD": {"recklessness": 0.3}}, "AAA": {"DDD": {"recklessness": 1.0}}}
    spec = load(doc)
    c = np.array(chances(spec))
    join = 1 - np.prod(1 - c)
    expected = 0.5 * float(bloc_image([0.3, 0.2], c / join))
    ally = crisis_game(spec, "c").sides[0].ally
    assert ally is not None and ally.escalate == pytest.approx(expected)
    # One partner: a joined ally escalates with ally_escalation times its image.
    other = crisis_game(load(**{"params.game.ally_escalation": 0.5, "states.FFF.image": 0.4}), "c").sides[1].ally
    assert other is not None and other.escalate == pytest.approx(0.5 * 0.4)


# ---- params.game through --set -----------------------------------------------------------------


def test_set_reaches_the_game_parameters() -> None:
    pairs = dict(parse_assignment(t) for t in ("params.game.horizon=20", "params.game.lambda=5"))
    spec = load(**pairs)
    assert (spec.params.game.horizon, spec.params.game.lambda_) == (20, 5.0)
    assert crisis_game(spec, "c").horizon == 20
    assert logit_precision(spec) == 5.0
    doc = document()
    doc["params"] = {"game": {"lambda": 2.0, "horizon": 9}}
    back = load(doc, **dict([parse_assignment("params.game.lambda=null"), parse_assignment("params.game.horizon=~")]))
    assert (back.params.game.lambda_, back.params.game.horizon) == (None, None)
    assert logit_precision(back) == math.inf


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("params.game.lambda=-1", "greater than or equal to 0"),
        ("params.game.horizon=true", "not a boolean"),
        ("params.game.horizon=0", "greater than or equal to 1"),
        ("params.game.obstinate_prior=1.5", "less than or equal to 1"),
        ("params.game.belief_points=402", "less than or equal to 401"),
        ("params.game.lamda=5", "did you mean 'params.game.lambda'"),
        ("states.AAA.fear=null", "valid number"),
    ],
)
def test_bad_game_parameters_are_one_clear_error(text: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load(**dict([parse_assignment(text)]))
    assert caught.value.source == "--set"
    assert caught.value.path == text.partition("=")[0]
    assert fragment in caught.value.problem


def test_a_comment_is_still_a_missing_value() -> None:
    with pytest.raises(ScenarioError, match="missing value"):
        parse_assignment("params.game.lambda=# later")


def test_an_unknown_crisis_or_an_unplayable_one_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match="no crisis 'x'"):
        crisis_game(load(), "x")
    # Stakes so close that catastrophe cannot be told from conceding in floating point.
    close = load(**{"crises.c.sides.BBB.concede": -1e6, "crises.c.sides.BBB.prevail": math.nextafter(-1e6, 0.0),
                    "states.AAA.warheads": 0, "states.CCC.warheads": 0})
    with pytest.raises(ScenarioError) as caught:
        crisis_game(close, "c")
    assert caught.value.path == "crises.c" and "prevail > concede > disaster" in caught.value.problem


# ---- shipped scenarios -------------------------------------------------------------------------


def test_haynes_yaml_gives_the_haynes_game() -> None:
    spec = load_scenario("theory/haynes", {"params.game.obstinate_prior": 0.0, "params.game.horizon": 10})
    game = crisis_game(spec, "rounds")
    assert len(game.rungs) == 12
    assert [r.slip for r in game.rungs[:11]] == pytest.approx([k / 10 for k in range(11)])
    assert game.rungs[11].catastrophe and not any(r.catastrophe for r in game.rungs[:11])
    assert (game.allow_hold, game.first_mover, game.start_rung) == (False, 0, 0)
    for side in game.sides:
        (t,) = side.types
        assert (t.prevail, t.concede, t.disaster) == (1.0, 0.0, -2.0)
    sol = solve(game)
    assert sol.start_values[0][0] == pytest.approx(0.7) and sol.start_values[1][0] == pytest.approx(-0.2)


def test_reputation_yaml_has_an_obstinate_player_2_whose_prior_is_its_image() -> None:
    spec = load_scenario("theory/reputation")
    game = crisis_game(spec, "rounds")
    assert [len(s.types) for s in game.sides] == [1, 2]
    assert game.sides[1].types[1].prior == pytest.approx(0.02)
    assert game.horizon == 10
    assert true_obstinate_chances(spec, "rounds") == pytest.approx((0.0, 0.02))
    moved = crisis_game(load_scenario("theory/reputation", {"states.BBB.image": 0.05}), "rounds")
    assert moved.sides[1].types[1].prior == pytest.approx(0.05)


def test_reputation_yaml_flips_who_prevails_near_25_over_567() -> None:
    def advantage(p: float) -> float:
        sol = solve(crisis_game(load_scenario("theory/reputation", {"states.BBB.image": p}), "rounds"))
        values = sol.decisions[0].values[0]
        return float(values[1] - values[0])  # Player 1's gain from standing firm in round 1

    flip = 25 / 567
    assert advantage(0.02) == pytest.approx(0.38248, abs=1e-4)
    assert advantage(flip - 5e-4) > 0 > advantage(flip + 5e-4)


def test_moscow_strike_has_two_types_a_side_and_allies() -> None:
    spec = load_scenario("moscow-strike")
    game = crisis_game(spec, "moscow")
    assert [s.name for s in game.sides] == ["RUS", "USA"] and game.first_mover == 0
    assert [len(s.types) for s in game.sides] == [2, 2]
    # Washington's belief about Russia (0.35) sets Russia's prior; Russia sees the U.S. trait (0.3).
    assert [s.types[1].prior for s in game.sides] == pytest.approx([0.2 * 0.35, 0.2 * 0.3])
    rus, usa = game.sides
    assert rus.ally is not None and rus.ally.join == pytest.approx(0.8 * 0.8 * 1.0)
    assert rus.ally.strength == pytest.approx(0.3) and rus.ally.escalate == pytest.approx(0.1 * 0.95)
    assert usa.ally is not None and usa.strength == pytest.approx(4.4)
    assert rus.jumps == ((5, 9), (6, 9), (7, 9))
    assert crisis_sides(spec, "moscow")[1].co_belligerents == ("UKR",)
