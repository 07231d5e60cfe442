"""One tab's live run: rebuilt from (scenario, seed, chosen values), stepped behind a lock, never shared."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from dashboards.controls import controls_for
from dashboards.session import LiveRun
from dashboards.views import build_frame
from model import BrinkmanshipModel
from scenarios import ScenarioError, load_scenario

FEAR = "states.USA.fear"


def steps_to_end(scenario: str, seed: int) -> int:
    model = BrinkmanshipModel(scenario=scenario, rng=seed)
    model.run()
    return model.steps


def test_a_new_run_is_the_scenario_at_step_zero():
    run = LiveRun("moscow-strike", seed=3)
    assert (run.scenario_ref, run.seed, run.values) == ("moscow-strike", 3, {})
    assert run.model.steps == 0 and run.model.seed == 3
    assert run.frame == build_frame(BrinkmanshipModel(scenario="moscow-strike", rng=3))
    assert [c.path for c in run.controls] == [c.path for c in controls_for(load_scenario("moscow-strike"))]
    assert run.current() is run.frame


def test_a_bad_scenario_cannot_start_a_run(tmp_path):
    with pytest.raises(ScenarioError, match="no such file or shipped scenario"):
        LiveRun(tmp_path / "missing.yaml")


def test_step_advances_one_step_and_matches_a_plain_model():
    run = LiveRun("moscow-strike", seed=0)
    plain = BrinkmanshipModel(scenario="moscow-strike", rng=0)
    for expected in (1, 2, 3):
        frame = run.step()
        plain.step()
        assert frame.step == expected == run.model.steps
        assert frame == build_frame(plain)
        assert run.current() is frame


def test_set_value_rebuilds_the_model_with_the_value():
    run = LiveRun("moscow-strike", seed=0)
    run.step()
    old = run.model
    frame = run.set_value(FEAR, 0.9)
    assert run.model is not old
    assert run.model.state("USA").fear == 0.9
    assert frame.step == 0 and run.model.steps == 0
    assert run.values == {FEAR: 0.9}
    assert frame == build_frame(BrinkmanshipModel(scenario="moscow-strike", rng=0, overrides={FEAR: 0.9}))
    control = next(c for c in run.controls if c.path == FEAR)
    assert run.value(control) == 0.9
    other = next(c for c in run.controls if c.path == "states.RUS.fear")
    assert run.value(other) == other.value == 0.35


def test_values_accumulate_across_controls():
    run = LiveRun("moscow-strike", seed=0)
    run.set_value(FEAR, 0.1)
    run.set_value("alliances.NATO.cohesion", 0.3)
    run.set_value("params.max_steps", 5)
    assert run.model.state("USA").fear == 0.1
    assert run.model.alliance("NATO").cohesion == 0.3
    assert run.model.params.max_steps == 5
    while run.model.running:
        run.step()
    assert run.model.steps <= 5


def test_an_invalid_value_raises_and_keeps_the_previous_model_and_values():
    run = LiveRun("moscow-strike", seed=0)
    run.set_value(FEAR, 0.2)
    run.step()
    model, frame = run.model, run.frame
    for path, value in ((FEAR, 2), ("states.USA.feer", 0.5), ("params.max_steps", 0)):
        with pytest.raises(ScenarioError):
            run.set_value(path, value)
        assert run.model is model and run.frame is frame
        assert run.values == {FEAR: 0.2}
    assert run.model.steps == 1 and run.model.state("USA").fear == 0.2


def test_reset_keeps_chosen_values_and_seed_and_restarts_at_step_zero():
    run = LiveRun("moscow-strike", seed=4)
    run.set_value(FEAR, 0.8)
    for _ in range(3):
        run.step()
    old = run.model
    frame = run.reset()
    assert run.model is not old
    assert frame.step == 0 and run.model.steps == 0
    assert run.seed == 4 and run.model.seed == 4
    assert run.values == {FEAR: 0.8} and run.model.state("USA").fear == 0.8
    # the restarted run replays the same trajectory
    fresh = BrinkmanshipModel(scenario="moscow-strike", rng=4, overrides={FEAR: 0.8})
    while fresh.running:
        fresh.step()
        assert run.step() == build_frame(fresh)
    assert not run.model.running


def test_set_seed_rebuilds_with_the_seed_and_keeps_values():
    run = LiveRun("korean-peninsula", seed=0)
    run.set_value(FEAR, 0.7)
    run.step()
    frame = run.set_seed(2)
    assert run.seed == 2 and run.model.seed == 2 and frame.step == 0
    assert run.model.state("USA").fear == 0.7
    while run.model.running:
        run.step()
    fresh = BrinkmanshipModel(scenario="korean-peninsula", rng=2, overrides={FEAR: 0.7})
    fresh.run()
    assert run.model.event_log == fresh.event_log


def test_negative_seed_raises_and_keeps_the_model():
    run = LiveRun("moscow-strike", seed=5)
    run.step()
    model, frame = run.model, run.frame
    with pytest.raises(ScenarioError, match="seed"):
        run.set_seed(-1)
    assert (run.seed, run.model, run.frame) == (5, model, frame)
    assert run.model.steps == 1


def test_choose_scenario_switches_and_clears_values():
    run = LiveRun("moscow-strike", seed=1)
    run.set_value(FEAR, 0.9)
    run.step()
    frame = run.choose_scenario("cuban-missile-1962")
    assert run.scenario_ref == "cuban-missile-1962" and run.base.name == "cuban-missile-1962"
    assert run.values == {}
    assert frame.step == 0 and run.seed == 1
    assert {c.label for c in run.controls} >= {"USSR fear", "USA fear", "CUB commitment"}
    assert run.model.state("USA").fear == load_scenario("cuban-missile-1962").states["USA"].fear
    assert frame == build_frame(BrinkmanshipModel(scenario="cuban-missile-1962", rng=1))


def test_choose_scenario_takes_a_file(tmp_path):
    text = load_scenario("cuban-missile-1962").source
    path = tmp_path / "mine.yaml"
    path.write_text(Path(text).read_text(encoding="utf-8").replace("name: cuban-missile-1962", "name: mine"))
    run = LiveRun("moscow-strike")
    run.choose_scenario(path)
    assert run.scenario_ref == str(path) and run.base.name == "mine"


@pytest.mark.parametrize("bad", ["no-such-scenario", "theory/nothing"])
def test_choose_a_bad_scenario_raises_and_keeps_the_run(bad):
    run = LiveRun("moscow-strike", seed=0)
    run.set_value(FEAR, 0.3)
    run.step()
    state = (run.scenario_ref, run.base, run.model, run.frame, dict(run.values), list(run.controls))
    with pytest.raises(ScenarioError):
        run.choose_scenario(bad)
    assert (run.scenario_ref, run.base, run.model, run.frame, run.values, run.controls) == state


def test_choose_a_malformed_file_raises_and_keeps_the_run(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nstates: [1, 2\n")
    run = LiveRun("moscow-strike")
    model = run.model
    with pytest.raises(ScenarioError, match="not valid YAML"):
        run.choose_scenario(path)
    assert run.model is model and run.scenario_ref == "moscow-strike"


def test_step_after_the_run_ended_does_not_step():
    run = LiveRun("cuban-missile-1962", seed=0)
    end = steps_to_end("cuban-missile-1962", 0)
    for _ in range(end):
        frame = run.step()
    assert not frame.running and frame.banner
    log = list(run.model.event_log)
    for _ in range(3):
        again = run.step()
        assert again is frame
    assert run.model.steps == end and run.model.event_log == log


def test_a_step_for_an_older_model_is_refused_after_a_rebuild():
    run = LiveRun("moscow-strike", seed=0)
    generation = run.generation
    assert run.step(generation).step == 1
    before = generation
    for rebuild in (lambda: run.set_value(FEAR, 0.4), run.reset, lambda: run.set_seed(3),
                    lambda: run.choose_scenario("korean-peninsula")):  # fmt: skip
        rebuild()
        assert run.generation > before
        before = run.generation
        assert run.step(generation) is None  # the loop that started before the rebuild
        assert run.model.steps == 0
    assert run.step(run.generation).step == 1


def test_a_refused_change_keeps_the_generation():
    run = LiveRun("moscow-strike", seed=0)
    generation = run.generation
    with pytest.raises(ScenarioError):
        run.set_value(FEAR, 2)
    with pytest.raises(ScenarioError):
        run.set_seed(-1)
    with pytest.raises(ScenarioError):
        run.choose_scenario("no-such-scenario")
    assert run.generation == generation
    assert run.step(generation).step == 1


def test_two_runs_never_share_a_model():
    a, b = LiveRun("moscow-strike", seed=0), LiveRun("moscow-strike", seed=0)
    assert a.model is not b.model
    assert a.frame == b.frame
    a.step()
    a.step()
    assert b.model.steps == 0 and b.current().step == 0
    a.set_value(FEAR, 0.05)
    assert b.model.state("USA").fear == 0.55 and b.values == {}
    b.set_seed(9)
    assert a.seed == 0


def test_stepping_while_another_thread_changes_values_and_resets():
    run = LiveRun("rus-prk-history", seed=0)  # 154 steps: the stepping thread never runs out
    errors: list[BaseException] = []
    stop = threading.Event()
    steps = 0

    def stepper() -> None:
        nonlocal steps
        try:
            while not stop.is_set():
                frame = run.step()
                assert frame.step <= run.model.params.max_steps
                steps += 1
        except BaseException as error:  # handed to the main thread
            errors.append(error)

    thread = threading.Thread(target=stepper)
    thread.start()
    rng = random.Random(11)
    chosen = []
    try:
        for i in range(100):
            if i % 3 == 2:
                run.reset()
            else:
                value = round(rng.random(), 3)
                chosen.append(value)
                run.set_value("states.RUS.fear", value)
            frame = run.current()
            assert frame.step >= 0
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []
    assert steps > 0
    with run._lock:
        frame, model = run.current(), run.model
    assert frame.step == model.steps
    assert frame == build_frame(model)
    assert model.state("RUS").fear == chosen[-1] == run.values["states.RUS.fear"]
