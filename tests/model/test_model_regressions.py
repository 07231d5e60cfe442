"""Regression tests for behaviour found wrong in review."""

from brink import run


def test_audience_costs_never_make_a_side_choose_all_out_war() -> None:
    # Both sides pay 0.5 a step for backing down; by step 10 yielding "costs" more than disaster.
    # Backing down is floored at the disaster value, so the catastrophe rung is never chosen.
    overrides = {
        "states.AAA.audience_cost": 0.5,
        "states.BBB.audience_cost": 0.5,
        "params.decision_noise": 0.0,
    }
    for seed in range(30):
        events = run("theory/audience-costs", seed=seed, overrides=overrides).events
        assert "all-out war" not in set(events["action"]), f"seed {seed} chose catastrophe"


def test_aggregate_actors_do_not_die_of_old_age() -> None:
    overrides = {
        "states.NATO_EU.leader.age": 95.0,
        "states.NATO_EU.leader.political_hazard": 0.0,
        "params.max_steps": 80,
    }
    for seed in range(20):
        result = run("alliance-after-war", seed=seed, overrides=overrides)
        assert "NATO_EU" not in result.summary["successions"]
    # A state's leader of that age very likely dies within the 20 years (Gompertz hazard > 0.5/yr).
    dying = {"states.USA.leader.age": 95.0, "states.USA.leader.political_hazard": 0.0, "params.max_steps": 80}
    deaths = sum("USA" in run("alliance-after-war", seed=s, overrides=dying).summary["successions"] for s in range(20))
    assert deaths >= 15
