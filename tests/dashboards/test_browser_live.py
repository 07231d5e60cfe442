"""The live run page in Chromium, against a real `brink dashboard` (fixtures in conftest.py).

Expected values come from the model run in this process (`brink.run`, `LiveRun`), so the
page is checked against what the model does, not against numbers written here.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

import brink
from dashboards.controls import controls_for
from dashboards.session import LiveRun
from dashboards.views import outcome_banner
from scenarios import load_scenario

pytestmark = pytest.mark.browser

START = "moscow-strike"  # the scenario `brink dashboard --scenario` opens (conftest.START_SCENARIO)
LONG_RUN = "rus-prk-history"  # no crisis: it runs to max_steps
WAIT = 20_000  # ms
SOLVE_WAIT = 120_000  # ms: the first step after the crisis game changed solves it (seconds on a quiet machine)


def title_of(name: str) -> str:
    scenario = load_scenario(name)
    return scenario.title or scenario.name


def control(scenario: str, label: str):
    """The live page's control with that label, as the page generates it for the scenario."""
    (found,) = [c for c in controls_for(load_scenario(scenario)) if c.label == label]
    return found


def moved(scenario: str, label: str, presses: int) -> tuple[float, float]:
    """A slider's starting value, and its value after `presses` presses of ArrowRight."""
    start = control(scenario, label)
    return start.value, round(start.value + presses * start.step, 6)


def fear_text(value: float) -> str:
    """How the network tooltip writes a state's fear."""
    return f"fear {value:.2f},"


def expect_slider_value(live, slider, value: float) -> None:
    live.wait_for(
        lambda: abs(float(slider.get_attribute("aria-valuenow") or "nan") - value) < 1e-9,
        f"the slider to show {value}",
    )


def test_page_loads_from_the_local_server_alone(live):
    expected = LiveRun(START, seed=0).frame
    states = len(load_scenario(START).states)
    live.page.wait_for_load_state("networkidle")

    live.expect_step(0)
    expect(live.status).to_contain_text("step 0")
    expect(live.title).to_have_text(title_of(START))
    network = live.page.get_by_test_id("network").locator("svg")
    expect(network).to_be_visible()
    expect(network.locator("circle")).to_have_count(states)
    ladder = live.ladder("moscow")
    expect(ladder.locator("svg")).to_be_visible()
    expect(ladder).to_have_attribute("data-rung", str(expected.rungs["moscow"]))

    assert any(url.startswith(("ws://", "wss://")) for url in live.requests), live.requests
    assert len(live.requests) > 5, live.requests
    assert live.foreign_requests() == []
    assert live.bad_responses == []
    live.assert_healthy()


def test_choosing_a_scenario_switches_to_its_crisis(live):
    korea = load_scenario("korean-peninsula")
    (crisis,) = LiveRun("korean-peninsula").frame.ladders
    expect(live.ladder("moscow")).to_be_visible()

    live.choose_scenario("korean-peninsula")

    expect(live.title).to_have_text(title_of("korean-peninsula"))
    expect(live.ladder(crisis)).to_be_visible()
    expect(live.ladder("moscow")).to_have_count(0)
    expect(live.page.get_by_role("button", name=f"States ({3 * len(korea.states)})")).to_be_visible()
    live.expect_step(0)
    live.assert_healthy()


def test_play_advances_and_ends_with_the_outcome(live):
    finished = brink.run(START, seed=0).model
    live.record_changes("moscow")

    live.button("Play").click()

    banner = live.page.get_by_test_id("outcome-banner")
    expect(banner).to_have_text(outcome_banner(finished), timeout=WAIT)
    seen = live.recorded()
    assert len(set(seen["steps"])) >= 3, seen
    assert seen["steps"] == sorted(seen["steps"]), seen
    assert seen["steps"][-1] == finished.steps, seen
    assert len(set(seen["rungs"])) >= 2, seen  # the ladder moved
    live.expect_step(finished.steps)
    expect(live.status).to_contain_text("ended")
    expect(live.button("Play")).to_be_visible()  # the loop stopped by itself and said so
    live.assert_healthy()


def test_rapid_clicks_while_playing_leave_the_page_working(live, dashboard_server):
    _, fear = moved(LONG_RUN, "USA fear", 1)
    mark = dashboard_server.log_size()
    live.choose_scenario(LONG_RUN)
    expect(live.title).to_have_text(title_of(LONG_RUN))
    live.button("Play").click()
    live.wait_for(lambda: live.step() >= 2, "play to start")

    for _ in range(20):  # real mouse clicks, without waiting for the buttons to settle in between
        live.button("Step").click(force=True)
        live.button("Reset").click(force=True)
        live.play_pause.click(force=True)

    # The server handles clicks in order: once the tooltip shows a slider's new value, it has
    # handled every click above. A slider move pauses and rebuilds the run at step 0, and nothing
    # may step it from then on.
    live.press_slider("USA fear", "ArrowRight")
    expect(live.state_tooltip("USA")).to_contain_text(fear_text(fear), timeout=WAIT)
    live.assert_healthy()
    expect(live.button("Play")).to_be_visible()
    live.expect_step(0)
    live.page.wait_for_timeout(500)  # an observation window: nothing may step a paused run
    assert live.step() == 0
    live.button("Step").click()
    live.expect_step(1)
    live.button("Reset").click()
    live.expect_step(0)
    live.button("Play").click()
    live.wait_for(lambda: live.step() >= 3, "the status to advance again")
    live.button("Pause").click()
    expect(live.button("Play")).to_be_visible()
    live.assert_healthy()
    assert "Traceback" not in dashboard_server.log(mark), dashboard_server.log(mark)


def test_fear_slider_rebuilds_the_model_and_reset_keeps_it(live):
    fear, higher = moved(START, "USA fear", 5)
    tooltip = live.state_tooltip("USA")
    expect(tooltip).to_contain_text(fear_text(fear))
    live.button("Step").click()
    live.expect_step(1, timeout=SOLVE_WAIT)

    slider = live.press_slider("USA fear", "ArrowRight", times=5)

    expect_slider_value(live, slider, higher)
    expect(tooltip).to_contain_text(fear_text(higher))
    live.expect_step(0)
    live.button("Step").click()
    live.expect_step(1, timeout=SOLVE_WAIT)  # a new fear is a new game: this step solves it
    live.button("Reset").click()
    live.expect_step(0)
    expect(tooltip).to_contain_text(fear_text(higher))
    expect_slider_value(live, slider, higher)
    live.assert_healthy()


def test_typed_seed_restarts_the_run_and_matches_the_api(live):
    result = brink.run(START, seed=1)
    expected = outcome_banner(result.model)
    assert expected != outcome_banner(brink.run(START, seed=0).model)  # else the seed would not show
    crisis = result.summary["crises"]["moscow"]
    live.button("Step").click()
    live.expect_step(1)

    seed = live.page.get_by_label("Seed", exact=True)
    seed.fill("1")
    seed.press("Enter")

    live.expect_step(0)
    live.button("Play").click()
    banner = live.page.get_by_test_id("outcome-banner")
    expect(banner).to_have_text(expected, timeout=WAIT)
    if crisis["outcome"] == "yield":
        expect(banner).to_contain_text(f"moscow: {crisis['yielder']} ")
    else:
        expect(banner).to_contain_text(crisis["outcome"])
    live.expect_step(result.model.steps)
    expect(seed).to_have_value("1")
    live.assert_healthy()


def test_two_tabs_have_their_own_runs(open_dashboard):
    first, second = open_dashboard("/"), open_dashboard("/")
    fear, higher = moved(START, "USA fear", 5)

    for step in (1, 2, 3):
        first.button("Step").click()
        first.expect_step(step)
    second.expect_step(0)
    # Make the second tab draw again without touching its run: it must still show its own step 0.
    speed = second.press_slider("Speed (frames/s)", "ArrowLeft", group=None)
    expect_slider_value(second, speed, 9)
    second.expect_step(0)
    second.button("Step").click()
    second.expect_step(1)
    first.expect_step(3)

    first.press_slider("USA fear", "ArrowRight", times=5)
    expect(first.state_tooltip("USA")).to_contain_text(fear_text(higher))
    second.button("Step").click()
    second.expect_step(2)
    expect(second.state_tooltip("USA")).to_contain_text(fear_text(fear))
    expect_slider_value(second, second.slider("USA fear"), fear)
    first.assert_healthy()
    second.assert_healthy()


STOP_DEADLINE = 10.0  # s for the loop to stop after the tab goes (a lingering session lives 1 min more)


@pytest.mark.parametrize("goodbye", [True, False], ids=["closed", "vanished"])
def test_closing_the_tab_stops_the_play_loop(live, dashboard_server, goodbye):
    """A closed tab ends its session at once; a vanished one (crash, lost network: no close beacon) leaves
    the session up for the cull timeout, and then only the page's own connection check stops the loop."""
    max_steps = control(LONG_RUN, "max_steps")
    live.choose_scenario(LONG_RUN)
    expect(live.title).to_have_text(title_of(LONG_RUN))
    longest = live.press_slider("max_steps", "End", group="Global parameters")
    expect_slider_value(live, longest, max_steps.high)
    speed = live.press_slider("Speed (frames/s)", "End", group=None)
    expect_slider_value(live, speed, 30)
    live.expect_step(0)
    live.button("Play").click()
    live.wait_for(lambda: live.step() >= 3, "play to start")

    # While the tab is open the loop shows in the server's CPU time ...
    first_step, first_cpu, started = live.step(), dashboard_server.cpu_seconds(), time.monotonic()
    live.page.wait_for_timeout(1500)  # a measuring window
    playing = (dashboard_server.cpu_seconds() - first_cpu) / (time.monotonic() - started)
    last_step = live.step()
    assert last_step - first_step >= 8, (first_step, last_step)
    assert playing > 0.1, f"the play loop used only {playing:.2f} CPU s/s: too little to tell when it stops"
    assert (max_steps.high - last_step) / 30 > STOP_DEADLINE + 3, "the run would end by itself too soon"

    if not goodbye:  # the page says goodbye with a beacon on pagehide: record it instead of sending it
        live.page.evaluate(
            "() => { navigator.sendBeacon = url => { localStorage.setItem('brink-beacon', url); return true; }; }"
        )
    live.screenshot()
    live.page.close()

    # ... and once the tab has gone it must stop long before the run would have ended.
    quiet_below = max(0.05, playing / 5)
    deadline = time.monotonic() + STOP_DEADLINE
    rates: list[float] = []
    while len(rates) < 2 or max(rates[-2:]) >= quiet_below:
        assert time.monotonic() < deadline, (
            f"the server still steps after the tab went: CPU {rates} s/s (playing {playing:.2f})"
        )
        cpu, since = dashboard_server.cpu_seconds(), time.monotonic()
        time.sleep(0.5)
        rates.append((dashboard_server.cpu_seconds() - cpu) / (time.monotonic() - since))
    if not goodbye:  # make sure the goodbye was due, and not sent
        other = live.page.context.new_page()
        other.goto(dashboard_server.url + "/static/brink-no-such-file")  # same origin, a 404: no session
        assert "/_solara/api/close/" in (other.evaluate("() => localStorage.getItem('brink-beacon')") or "")
        other.close()
