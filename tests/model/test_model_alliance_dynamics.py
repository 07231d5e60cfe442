"""Alliance cohesion in the running model: drift toward the target, shocks, dissolution."""

from __future__ import annotations

import itertools
import math

import pytest

from brink.api import run

# Defaults of scenarios.schema.CohesionParams that the expected values below rely on.
BASELINE, THREAT_WEIGHT, INSTITUTION_WEIGHT, RATE = 0.2, 0.45, 0.4, 0.8


def alliance(**fields):
    spec = {"members": ["AAA", "BBB"], "automaticity": 1.0, "institutionalisation": 0.5, "cohesion": 0.9}
    spec.update(fields)
    return spec


def cohesion_series(result, key="AB"):
    return result.timeseries[f"alliance.{key}.cohesion"].tolist()


@pytest.mark.parametrize("start", [0.9, 0.25])
def test_cohesion_moves_toward_target_every_step_without_noise(make_scenario, start):
    path = make_scenario(alliances={"AB": alliance(cohesion=start, institutionalisation=0.5)})
    target = BASELINE + INSTITUTION_WEIGHT * 0.5  # no shared threat, no war, no third powers
    series = cohesion_series(run(path, seed=3))
    assert len(series) == 11
    assert series[0] == pytest.approx(start)
    factor = math.exp(-RATE * 1.0)  # step_years = 1
    for before, after in itertools.pairwise(series):
        assert abs(after - target) < abs(before - target)
        assert (after - target) * (before - target) > 0  # approaches without overshooting
        assert after == pytest.approx(target + (before - target) * factor, abs=2e-6)


def test_noise_free_cohesion_does_not_depend_on_seed(make_scenario):
    path = make_scenario(alliances={"AB": alliance()})
    assert cohesion_series(run(path, seed=1)) == cohesion_series(run(path, seed=99))


def test_set_event_pushing_cohesion_below_threshold_dissolves_alliance(make_scenario):
    path = make_scenario(
        params={"cohesion": {"rate": 0.1}},
        alliances={"AB": alliance()},
        events=[{"kind": "set", "at": 3, "path": "alliances.AB.cohesion", "value": 0.05}],
    )
    result = run(path, seed=0)
    fate = result.summary["alliances"]["AB"]
    assert fate["survived"] is False
    assert fate["dissolved_at"] == 3
    active = result.timeseries["alliance.AB.active"].tolist()
    assert active[:3] == [True, True, True]
    assert not any(active[3:])
    cohesion = cohesion_series(result)
    assert cohesion[3] < 0.2
    assert len(set(cohesion[3:])) == 1  # a dissolved alliance no longer updates
    dissolves = result.events[result.events["action"] == "dissolves"]
    assert dissolves["actor"].tolist() == ["AB"]
    assert dissolves["step"].tolist() == [3]


def test_dissolved_at_is_first_step_below_threshold(make_scenario):
    # Target 0.1 (baseline 0.1, no institutions): c_t = 0.1 + 0.2 * exp(-0.2 t) < 0.2 first at t = 4.
    path = make_scenario(
        params={"cohesion": {"rate": 0.2, "baseline": 0.1}},
        alliances={"AB": alliance(institutionalisation=0.0, cohesion=0.3)},
    )
    result = run(path, seed=0)
    series = cohesion_series(result)
    first_below = next(step for step, value in enumerate(series) if value < 0.2)
    assert first_below == 4
    assert result.summary["alliances"]["AB"]["dissolved_at"] == first_below
    assert result.summary["alliances"]["AB"]["survived"] is False


def test_surviving_alliance_has_no_dissolution_step(make_scenario):
    result = run(make_scenario(alliances={"AB": alliance()}), seed=0)
    fate = result.summary["alliances"]["AB"]
    assert fate == {
        "members": ["AAA", "BBB"],
        "initially_active": True,
        "survived": True,
        "final_cohesion": pytest.approx(cohesion_series(result)[-1]),
        "dissolved_at": None,
    }


def war_scenario(make_scenario, events):
    return make_scenario(
        params={"cohesion": {"dissolve_below": 0.0}},
        context={"war": True},
        alliances={"AB": alliance(institutionalisation=0.0, shared_threat=0.0, cohesion=0.65, war_context="war")},
        events=events,
    )


def test_war_end_lowers_target_so_cohesion_falls(make_scenario):
    during_war = BASELINE + THREAT_WEIGHT  # 0.65: the start value is already the target
    ended = run(war_scenario(make_scenario, [{"kind": "war_end", "at": 4, "context": "war"}]), seed=0)
    ongoing = run(war_scenario(make_scenario, []), seed=0)

    assert cohesion_series(ongoing) == pytest.approx([during_war] * 11, abs=1e-6)
    series = cohesion_series(ended)
    assert series[:4] == pytest.approx([during_war] * 4, abs=1e-6)
    assert all(after < before for before, after in itertools.pairwise(series[3:]))
    expected_final = BASELINE + THREAT_WEIGHT * math.exp(-RATE * 7)
    assert series[-1] == pytest.approx(expected_final, abs=1e-5)
    assert ended.timeseries["context.war"].tolist() == [True] * 4 + [False] * 7


@pytest.mark.parametrize("noise_sd", [0.0, 0.04])
def test_higher_institutionalisation_gives_higher_final_cohesion(make_scenario, noise_sd):
    finals = []
    for inst in (0.0, 0.3, 0.6, 0.9):
        path = make_scenario(
            params={"cohesion": {"noise_sd": noise_sd, "dissolve_below": 0.0}},
            alliances={"AB": alliance(institutionalisation=inst, cohesion=0.5)},
        )
        finals.append(run(path, seed=11).summary["alliances"]["AB"]["final_cohesion"])
    assert finals == sorted(finals)
    assert len(set(finals)) == len(finals)


@pytest.mark.parametrize(("shock", "inst"), [(0.25, 0.4), (0.5, 0.0), (0.3, 1.0)])
def test_succession_event_lowers_cohesion_by_damped_shock(make_scenario, shock, inst):
    start = 0.8
    path = make_scenario(
        params={"cohesion": {"rate": 0.0, "succession_shock": shock, "dissolve_below": 0.0}},
        alliances={"AB": alliance(institutionalisation=inst, cohesion=start)},
        events=[
            {"kind": "succession", "at": 3, "state": "AAA"},
            {"kind": "succession", "at": 6, "state": "CCC"},  # not a member: no effect on AB
        ],
    )
    result = run(path, seed=2)
    series = cohesion_series(result)
    after = start - shock * (1 - inst)
    assert series[:3] == pytest.approx([start] * 3, abs=1e-9)
    assert series[3:] == pytest.approx([after] * 8, abs=1e-6)
    assert result.summary["successions"] == {"AAA": 1, "CCC": 1}
    assert result.events[result.events["action"] == "succession"]["step"].tolist() == [3, 6]
