"""The live page rendered without a browser (solara.render in a fresh kernel context), and its play loop."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import ipyvuetify as v
import ipywidgets
import pytest
import solara
import solara.server.app  # patches ipywidgets for per-kernel widgets, as solara's own tests do
import solara.widgets
from solara.server import kernel
from solara.server.kernel_context import PageStatus, VirtualKernelContext

import dashboards.live as live
from dashboards import DATA_VARIABLE
from dashboards.files import INVALID_SCENARIO, NOT_A_SCENARIO
from dashboards.live import (
    DEFAULT_SPEED,
    SCENARIO_VARIABLE,
    FrameViews,
    LivePage,
    play,
    starting_scenario,
    tab_connected,
)
from dashboards.session import LiveRun
from dashboards.views import Frame, build_frame
from model import BrinkmanshipModel
from scenarios import DEFAULT_SCENARIO, load_scenario

DEADLINE = 15.0


@pytest.fixture(autouse=True)
def kernel_context(monkeypatch):
    """A fresh virtual kernel per test (Solara's own test fixture), so no reactive state leaks between tests.

    The pages' play loops are counted, so that teardown can close the tab and wait for them to return
    before it closes the widgets they draw on.
    """
    playing = []
    original = live.play

    def counted(*args: Any, **kwargs: Any) -> None:
        playing.append(1)
        try:
            original(*args, **kwargs)
        finally:
            playing.pop()

    monkeypatch.setattr(live, "play", counted)
    context = VirtualKernelContext(id="dashboard-test", kernel=kernel.Kernel(), session_id="session-1")
    try:
        with context:
            yield context
    finally:
        context.page_status["teardown"] = PageStatus.CLOSED
        end = time.monotonic() + 5
        while playing and time.monotonic() < end:
            time.sleep(0.01)
        time.sleep(0.05)  # the loop's last render
        with context:
            context.close()


@pytest.fixture
def runs(monkeypatch) -> list[LiveRun]:
    """Every LiveRun the pages build, in order (to look at the model behind a page)."""
    made: list[LiveRun] = []

    class Recorded(LiveRun):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(live, "LiveRun", Recorded)
    return made


# --- finding things in the widget tree ---------------------------------------------------------------------------


def walk(root: ipywidgets.Widget) -> list[ipywidgets.Widget]:
    """Every widget under `root` (rc.find stops at a match; this does not)."""
    seen: set[int] = set()
    found: list[ipywidgets.Widget] = []
    queue: list[Any] = [root]
    while queue:
        item = queue.pop(0)
        if isinstance(item, ipywidgets.Widget):
            if id(item) in seen:
                continue
            seen.add(id(item))
            found.append(item)
            queue.extend(getattr(item, name) for name in item.keys)
        elif isinstance(item, list | tuple):
            queue.extend(item)
        elif isinstance(item, dict):
            queue.extend(item.values())
    return found


def html(rc, testid: str) -> list[solara.widgets.HTML]:
    return [w for w in rc.find(solara.widgets.HTML).widgets if (w.attributes or {}).get("data-testid") == testid]


def status(rc) -> solara.widgets.HTML:
    (found,) = html(rc, "frame-status")
    return found


def shown_step(rc) -> int:
    return int(status(rc).attributes["data-step"])


def button(rc, label: str) -> v.Btn:
    (found,) = [b for b in rc.find(v.Btn).widgets if label in b.children]
    return found


def button_labels(rc) -> list[str]:
    return [next(c for c in b.children if isinstance(c, str)) for b in rc.find(v.Btn).widgets]


def slider(rc, label: str) -> v.Slider:
    (found,) = [s for s in rc.find(v.Slider).widgets if s.label == label]
    return found


def text_field(rc, label: str) -> v.TextField:
    (found,) = [t for t in rc.find(v.TextField).widgets if t.label.startswith(label)]
    return found


def enter(field: v.TextField, text: str) -> None:
    field.v_model = text
    field.fire_event("keyup.enter", None)


def errors(box) -> list[str]:
    return [str(c) for w in walk(box) if isinstance(w, v.Alert) and w.type == "error" for c in w.children]


def title(box) -> str:
    """The inner HTML of the page's heading (an h3 set with v-html, which Vue does not compile)."""
    (heading,) = [w for w in walk(box) if isinstance(w, solara.widgets.HTML) and w.tag == "h3"]
    return heading.unsafe_innerHTML


def wait_for(condition: Callable[[], bool], deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met before the deadline")


def steps_to_end(scenario: str, seed: int = 0) -> BrinkmanshipModel:
    model = BrinkmanshipModel(scenario=scenario, rng=seed)
    model.run()
    return model


def render_live():
    box, rc = solara.render(LivePage(), handle_error=False)
    return box, rc


def fast(rc) -> None:
    slider(rc, "Speed (frames/s)").v_model = live.MAX_SPEED


# === the page ====================================================================================================


def test_live_page_opens_the_default_scenario_at_step_zero(runs):
    box, rc = render_live()
    assert shown_step(rc) == 0
    assert status(rc).unsafe_innerHTML == "step 0 · year 2025.90"
    assert html(rc, "outcome-banner") == []
    assert html(rc, "network")[0].unsafe_innerHTML.startswith("<svg")
    assert html(rc, "ladder-moscow")[0].attributes["data-rung"] == "0"
    assert "nothing has happened yet" in html(rc, "event-log")[0].unsafe_innerHTML
    assert html(rc, "beliefs") and html(rc, "cohesion")
    assert button_labels(rc) == ["Play", "Step", "Reset"]
    assert "A conventional strike on Moscow" in title(box)
    assert slider(rc, "Speed (frames/s)").v_model == DEFAULT_SPEED
    (run,) = runs
    assert run.scenario_ref == DEFAULT_SCENARIO and run.seed == 0


def test_live_page_has_a_control_for_each_generated_control(runs):
    box, rc = render_live()
    (run,) = runs
    labels = {s.label: s for s in rc.find(v.Slider).widgets}
    for control in run.controls:
        if control.kind == "bool":
            (box_,) = [c for c in walk(box) if isinstance(c, v.Checkbox) and c.label == control.label]
            assert box_.v_model is control.value
        else:
            assert labels[control.label].v_model == control.value
            assert (labels[control.label].min, labels[control.label].max) == (control.low, control.high)
    assert labels["USA fear"].v_model == load_scenario("moscow-strike").states["USA"].fear


def test_clicking_step_advances_the_shown_step(runs):
    _box, rc = render_live()
    button(rc, "Step").fire_event("click", None)
    assert shown_step(rc) == 1
    button(rc, "Step").fire_event("click", None)
    assert shown_step(rc) == 2
    (run,) = runs
    assert run.model.steps == 2
    frame = build_frame(run.model)
    assert html(rc, "ladder-moscow")[0].attributes["data-rung"] == str(frame.rungs["moscow"])
    log = html(rc, "event-log")[0].unsafe_innerHTML
    assert log.count("<li>") == len(frame.events) and escape(frame.events[-1]) in log


def test_play_runs_to_the_end_and_shows_the_outcome(runs):
    _box, rc = render_live()
    fast(rc)
    button(rc, "Play").fire_event("click", None)
    wait_for(lambda: bool(html(rc, "outcome-banner")))
    expected = steps_to_end("moscow-strike", 0)
    (banner,) = html(rc, "outcome-banner")
    assert banner.unsafe_innerHTML == escape(build_frame(expected).banner)
    wait_for(lambda: shown_step(rc) == expected.steps)
    assert status(rc).unsafe_innerHTML.endswith(" · ended")
    wait_for(lambda: button_labels(rc)[0] == "Play")  # the loop hands the button back when the run ends
    # Reset starts again: no banner, step 0
    button(rc, "Reset").fire_event("click", None)
    wait_for(lambda: shown_step(rc) == 0 and html(rc, "outcome-banner") == [])


def choose(rc, name: str) -> None:
    (select,) = [s for s in rc.find(v.Select).widgets if s.label == "Scenario"]
    select.v_model = name


def test_pause_stops_the_loop(runs):
    _box, rc = render_live()
    (run,) = runs
    choose(rc, "rus-prk-history")  # long enough not to end while we look
    button(rc, "Play").fire_event("click", None)
    wait_for(lambda: run.model.steps >= 2)
    wait_for(lambda: button_labels(rc)[0] == "Pause")
    button(rc, "Pause").fire_event("click", None)
    wait_for(lambda: button_labels(rc)[0] == "Play")
    time.sleep(0.15)
    paused = run.model.steps
    time.sleep(0.4)
    assert run.model.steps == paused
    wait_for(lambda: shown_step(rc) == paused)


def test_moving_a_slider_rebuilds_the_model_and_stops_playing(runs):
    _box, rc = render_live()
    (run,) = runs
    choose(rc, "rus-prk-history")
    fast(rc)
    button(rc, "Play").fire_event("click", None)
    wait_for(lambda: run.model.steps >= 3)
    before = run.model
    slider(rc, "RUS fear").v_model = 0.9
    assert run.model is not before
    assert run.model.state("RUS").fear == 0.9
    assert run.values == {"states.RUS.fear": 0.9}
    wait_for(lambda: button_labels(rc)[0] == "Play")
    assert slider(rc, "RUS fear").v_model == 0.9
    time.sleep(0.2)
    settled = run.model.steps
    time.sleep(0.4)
    assert run.model.steps == settled, "the loop has stopped"
    assert run.model.state("RUS").fear == 0.9


def test_a_slider_move_while_playing_leaves_the_rebuilt_run_at_step_zero(runs, monkeypatch):
    """A step under way when the slider moves must not land on the rebuilt model (it did, about 1 move in 10)."""
    original = LiveRun.step

    def slow_step(self, *args: Any, **kwargs: Any):
        time.sleep(0.1)  # a slow step or frame: the page's handlers run meanwhile
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LiveRun, "step", slow_step)
    _box, rc = render_live()
    (run,) = runs
    choose(rc, "rus-prk-history")
    fast(rc)
    button(rc, "Play").fire_event("click", None)
    wait_for(lambda: run.model.steps >= 1)
    slider(rc, "RUS fear").v_model = 0.9
    wait_for(lambda: button_labels(rc)[0] == "Play")
    time.sleep(0.4)
    assert run.model.state("RUS").fear == 0.9
    assert run.model.steps == 0
    assert shown_step(rc) == 0


def test_a_checkbox_sets_a_flag(runs):
    box, _rc = render_live()
    (run,) = runs
    (check,) = [c for c in walk(box) if isinstance(c, v.Checkbox) and c.label == "stop_when_crises_end"]
    check.v_model = False
    assert run.values == {"params.stop_when_crises_end": False}
    assert run.model.params.stop_when_crises_end is False


def test_a_bad_seed_shows_an_error_and_keeps_the_run(runs):
    box, rc = render_live()
    (run,) = runs
    button(rc, "Step").fire_event("click", None)
    model = run.model
    enter(text_field(rc, "Seed"), "-1")
    assert len(errors(box)) == 1 and errors(box)[0].startswith("error: seed: -1")
    assert run.seed == 0 and run.model is model and shown_step(rc) == 1
    enter(text_field(rc, "Seed"), "7")
    assert errors(box) == []
    assert run.seed == 7 and run.model.seed == 7 and shown_step(rc) == 0


@pytest.fixture
def data_dir(monkeypatch, tmp_path) -> Path:
    """`tmp_path` as the dashboard's only data folder (what ``brink dashboard --data`` sets)."""
    monkeypatch.setenv(DATA_VARIABLE, json.dumps([str(tmp_path)]))
    return tmp_path


def test_a_bad_scenario_file_shows_an_error_and_keeps_the_run(runs, data_dir):
    box, rc = render_live()
    (run,) = runs
    button(rc, "Step").fire_event("click", None)
    model = run.model
    missing = data_dir / "missing.yaml"
    enter(text_field(rc, "or a scenario file"), str(missing))
    assert errors(box) == [f"error: {missing}: {NOT_A_SCENARIO}"]
    assert run.model is model and run.scenario_ref == "moscow-strike"
    assert shown_step(rc) == 1 and "A conventional strike on Moscow" in title(box)
    broken = data_dir / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    enter(text_field(rc, "or a scenario file"), "broken.yaml")  # relative: looked up in the data folder
    assert errors(box) == [f"error: broken.yaml: {INVALID_SCENARIO}"] and run.model is model


def test_files_outside_the_data_folders_give_the_same_line_as_a_missing_one(runs, data_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("api_key: hunter2-secret\n")
    (data_dir / "inside.yaml").write_text("api_key: hunter2-secret\n")
    box, rc = render_live()
    (run,) = runs
    for typed in (str(outside), "/etc/shadow", "/etc/passwd", "../outside0/secret.yaml", "~/x.yaml", "/etc"):
        enter(text_field(rc, "or a scenario file"), typed)
        assert errors(box) == [f"error: {typed}: {NOT_A_SCENARIO}"], typed
    enter(text_field(rc, "or a scenario file"), "inside.yaml")
    assert errors(box) == [f"error: inside.yaml: {INVALID_SCENARIO}"]  # inside, but its content is never quoted
    assert run.scenario_ref == "moscow-strike"


def test_a_scenario_file_replaces_the_run_and_its_controls(runs, data_dir):
    source = load_scenario("cuban-missile-1962").source
    path = data_dir / "mine.yaml"
    path.write_text(Path(source).read_text(encoding="utf-8").replace("title: The Cuban", "title: My copy of the Cuban"))
    box, rc = render_live()
    (run,) = runs
    enter(text_field(rc, "or a scenario file"), str(path))
    assert errors(box) == []
    assert run.scenario_ref == str(path)
    assert "My copy of the Cuban missile crisis" in title(box)
    labels = {s.label for s in rc.find(v.Slider).widgets}
    assert "USSR fear" in labels and "RUS fear" not in labels
    assert text_field(rc, "or a scenario file").v_model == str(path)


def test_choosing_a_shipped_scenario_regenerates_the_controls(runs):
    box, rc = render_live()
    (run,) = runs
    slider(rc, "USA fear").v_model = 0.1
    choose(rc, "korean-peninsula")
    assert run.scenario_ref == "korean-peninsula" and run.values == {}
    assert "A clash on the Korean peninsula" in title(box)
    labels = {s.label for s in rc.find(v.Slider).widgets}
    assert {"KOR fear", "PRK fear"} <= labels
    # the new scenario's own values, not the value chosen on the old one
    assert slider(rc, "USA fear").v_model == load_scenario("korean-peninsula").states["USA"].fear
    assert list(html(rc, "ladder-peninsula")) and html(rc, "ladder-moscow") == []


def test_two_pages_are_independent(runs):
    _first_box, first = render_live()
    _second_box, second = render_live()
    assert len(runs) == 2 and runs[0].model is not runs[1].model
    button(first, "Step").fire_event("click", None)
    button(first, "Step").fire_event("click", None)
    assert shown_step(first) == 2
    assert shown_step(second) == 0 and runs[1].model.steps == 0
    slider(second, "USA fear").v_model = 0.2
    assert runs[0].values == {} and runs[0].model.steps == 2


def test_starting_scenario_comes_from_the_environment(runs, monkeypatch):
    monkeypatch.setenv(SCENARIO_VARIABLE, "cuban-missile-1962")
    box, rc = render_live()
    (run,) = runs
    assert run.scenario_ref == "cuban-missile-1962"
    (select,) = [s for s in rc.find(v.Select).widgets if s.label == "Scenario"]
    assert select.v_model == "cuban-missile-1962"
    assert "Cuban missile crisis" in title(box)
    assert html(rc, "ladder-cuba")


def test_starting_scenario_file_from_the_environment(runs, monkeypatch, tmp_path):
    path = tmp_path / "start.yaml"
    path.write_text(Path(load_scenario("korean-peninsula").source).read_text(encoding="utf-8"))
    monkeypatch.setenv(SCENARIO_VARIABLE, str(path))
    _box, rc = render_live()
    (select,) = [s for s in rc.find(v.Select).widgets if s.label == "Scenario"]
    assert select.v_model is None
    assert text_field(rc, "or a scenario file").v_model == str(path)
    assert runs[0].scenario_ref == str(path)


def test_a_scenario_title_is_shown_as_text(runs, monkeypatch, tmp_path):
    path = tmp_path / "odd.yaml"
    text = Path(load_scenario("cuban-missile-1962").source).read_text(encoding="utf-8")
    path.write_text(text.replace("title: The Cuban", "title: Brink {{ 6 * 7 }} <b>bold</b> The Cuban"))
    monkeypatch.setenv(SCENARIO_VARIABLE, str(path))
    box, _rc = render_live()
    heading = title(box)
    # v-html inserts the text as HTML without compiling it as a Vue template, so {{ }} stays text;
    # tags are escaped.
    assert heading.startswith("Brink {{ 6 * 7 }} &lt;b&gt;bold&lt;/b&gt; The Cuban")
    assert "<b>" not in heading


def test_starting_scenario_defaults(monkeypatch):
    monkeypatch.delenv(SCENARIO_VARIABLE, raising=False)
    assert starting_scenario() == DEFAULT_SCENARIO
    monkeypatch.setenv(SCENARIO_VARIABLE, "")
    assert starting_scenario() == DEFAULT_SCENARIO
    monkeypatch.setenv(SCENARIO_VARIABLE, "theory/chicken")
    assert starting_scenario() == "theory/chicken"


def test_a_disconnected_tab_does_not_play(runs, kernel_context):
    _box, rc = render_live()
    (run,) = runs
    kernel_context.page_status["page-1"] = PageStatus.DISCONNECTED
    button(rc, "Play").fire_event("click", None)
    wait_for(lambda: button_labels(rc)[0] == "Play")
    time.sleep(0.3)
    assert run.model.steps == 0 and shown_step(rc) == 0


# --- FrameViews with a hand-made frame -----------------------------------------------------------------------------


def frame_of(**fields: Any) -> Frame:
    base = dict(step=3, year=2030.5, running=True, network="<svg>net</svg>", ladders={}, beliefs="", cohesion="")
    base |= dict(events=[], events_total=0, banner="", rungs={})
    return Frame(**(base | fields))


def render_frame(frame: Frame):
    holder = SimpleNamespace(current=lambda: frame)
    return solara.render(FrameViews(holder, solara.reactive(frame)), handle_error=False)


def test_frame_views_escape_the_log_and_the_banner():
    frame = frame_of(running=False, events=["<b>bold</b> & co"], events_total=1, banner="x: <i>catastrophe</i>")
    _box, rc = render_frame(frame)
    log = html(rc, "event-log")[0].unsafe_innerHTML
    assert "<li>&lt;b&gt;bold&lt;/b&gt; &amp; co</li>" in log
    (banner,) = html(rc, "outcome-banner")
    assert banner.unsafe_innerHTML == "x: &lt;i&gt;catastrophe&lt;/i&gt;"
    assert "#c62828" in banner.attributes["style"]  # a catastrophe is shown in red
    assert status(rc).unsafe_innerHTML == "step 3 · year 2030.50 · ended"


def test_frame_views_tone_and_numbering():
    lines = [f"event {i}" for i in range(14)]
    _box, rc = render_frame(frame_of(running=False, events=lines, events_total=30, banner="a: RUS yielded"))
    assert "#2e7d32" in html(rc, "outcome-banner")[0].attributes["style"]
    assert "<ol start='17'" in html(rc, "event-log")[0].unsafe_innerHTML  # entries 17..30 of 30
    assert html(rc, "beliefs") == [] and html(rc, "cohesion") == []


def test_frame_views_draw_one_ladder_per_crisis():
    frame = frame_of(ladders={"a": "<svg>a</svg>", "b": "<svg>b</svg>"}, rungs={"a": 2, "b": 5})
    _box, rc = render_frame(frame)
    assert [w.attributes["data-rung"] for w in html(rc, "ladder-a") + html(rc, "ladder-b")] == ["2", "5"]


# === the play loop ================================================================================================


class Shown:
    """A `show` callback that records frames (and can act after a number of them)."""

    def __init__(self, after: int | None = None, then: Callable[[], None] | None = None) -> None:
        self.frames: list[Frame] = []
        self.after, self.then = after, then

    def __call__(self, frame: Frame) -> None:
        self.frames.append(frame)
        if self.then is not None and len(self.frames) == self.after:
            self.then()


def status_of(value: str) -> dict[str, Any]:
    return {"p": SimpleNamespace(value=value)}


def test_play_stops_at_once_when_cancelled():
    run, shown, cancel = LiveRun("moscow-strike"), Shown(), threading.Event()
    cancel.set()
    play(run, shown, 30, cancel, None)
    assert shown.frames == [] and run.model.steps == 0


def test_play_wakes_up_when_cancelled_mid_wait():
    run, cancel = LiveRun("rus-prk-history"), threading.Event()
    shown = Shown()
    timer = threading.Timer(0.2, cancel.set)
    started = time.monotonic()
    timer.start()
    play(run, shown, 0.5, cancel, None)  # one frame every 2 s
    assert time.monotonic() - started < 1.5
    assert len(shown.frames) == 1 and run.model.steps == 1


def test_play_stops_when_the_run_ends():
    run, shown, cancel = LiveRun("cuban-missile-1962", seed=1), Shown(), threading.Event()
    end = steps_to_end("cuban-missile-1962", 1)
    play(run, shown, 1000, cancel, None)
    assert not cancel.is_set()
    assert [f.step for f in shown.frames] == list(range(1, end.steps + 1))
    assert not shown.frames[-1].running and shown.frames[-1].banner
    assert all(f.running for f in shown.frames[:-1])


def test_play_stops_when_the_tab_is_disconnected():
    run, shown, cancel = LiveRun("moscow-strike"), Shown(), threading.Event()
    play(run, shown, 1000, cancel, SimpleNamespace(page_status=status_of("disconnected")))
    assert shown.frames == [] and run.model.steps == 0


def test_play_stops_when_the_tab_goes_away_mid_run():
    context = SimpleNamespace(page_status=status_of("connected"))
    run, cancel = LiveRun("rus-prk-history"), threading.Event()

    def close() -> None:
        context.page_status = {"p": PageStatus.CLOSED}

    shown = Shown(after=3, then=close)
    play(run, shown, 1000, cancel, context)
    assert len(shown.frames) == 3 and run.model.steps == 3


def test_play_stops_when_the_run_is_rebuilt_under_it():
    run, cancel = LiveRun("rus-prk-history"), threading.Event()
    shown = Shown(after=2, then=lambda: run.set_value("states.RUS.fear", 0.1))
    play(run, shown, 1000, cancel, None)
    assert len(shown.frames) == 2
    assert run.model.steps == 0 and run.model.state("RUS").fear == 0.1


def count_frames(speed: float, seconds: float) -> int:
    run, shown, cancel = LiveRun("rus-prk-history"), Shown(), threading.Event()
    thread = threading.Thread(target=play, args=(run, shown, speed, cancel, None))
    thread.start()
    time.sleep(seconds)
    cancel.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    return len(shown.frames)


def test_play_paces_itself_to_the_speed():
    slow, quick = count_frames(4, 0.6), count_frames(40, 0.6)
    assert 1 <= slow <= 5  # about 2.4
    assert 8 <= quick <= 30  # about 24
    assert quick >= 3 * slow


def test_tab_connected():
    assert tab_connected(None) is True
    assert tab_connected(SimpleNamespace()) is True
    assert tab_connected(SimpleNamespace(page_status={})) is True
    assert tab_connected(SimpleNamespace(page_status=status_of("connected"))) is True
    assert tab_connected(SimpleNamespace(page_status=status_of("closed"))) is False
    both = {"a": PageStatus.CLOSED, "b": PageStatus.CONNECTED}
    assert tab_connected(SimpleNamespace(page_status=both)) is True
    assert tab_connected(SimpleNamespace(page_status={"a": PageStatus.DISCONNECTED})) is False


def test_play_skips_frames_while_the_tab_is_rendering():
    run, cancel = LiveRun("rus-prk-history"), threading.Event()
    shown = Shown(after=3, then=cancel.set)
    rendering = threading.Event()
    rendering.set()
    checks: list[int] = []

    def busy() -> bool:
        checks.append(run.model.steps)
        if len(checks) == 20:  # the render ends after 20 looks
            rendering.clear()
        return rendering.is_set()

    play(run, shown, 1000, cancel, None, busy)
    assert checks[:20] == [0] * 20  # no step and no frame while the last one was still being drawn
    assert [f.step for f in shown.frames] == [1, 2, 3]


def test_rendering_reads_the_render_lock():
    lock = threading.Lock()
    busy = live.rendering(SimpleNamespace(thread_lock=lock))
    assert busy() is False
    with lock:
        assert busy() is True
    assert live.rendering(None)() is False


# === failures are one line, never a traceback =====================================================================


SECRET = "/srv/secret/path/model.py"


def page_text(box) -> str:
    """Every piece of text the page's widgets hold."""
    parts: list[str] = []
    for widget in walk(box):
        for name in ("children", "unsafe_innerHTML", "value", "v_model", "label"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, list | tuple):
                parts += [c for c in value if isinstance(c, str)]
    return "\n".join(parts)


def test_a_failing_step_shows_one_line_without_its_message(runs, monkeypatch):
    def broken(self, *args: Any, **kwargs: Any):
        raise RuntimeError(f"boom in {SECRET}")

    box, rc = render_live()
    monkeypatch.setattr(LiveRun, "step", broken)
    button(rc, "Step").fire_event("click", None)
    (line,) = errors(box)
    assert line == "error: the dashboard failed (RuntimeError); the details are in the server's log"
    assert SECRET not in page_text(box) and "Traceback" not in page_text(box)


def test_a_failing_play_loop_shows_one_line_and_stops(runs, monkeypatch):
    box, rc = render_live()
    (run,) = runs
    original = LiveRun.step

    def breaks_later(self, *args: Any, **kwargs: Any):
        if self.model.steps >= 2:
            raise ValueError(SECRET)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LiveRun, "step", breaks_later)
    fast(rc)
    button(rc, "Play").fire_event("click", None)
    wait_for(lambda: errors(box) != [])
    assert errors(box) == ["error: the dashboard failed (ValueError); the details are in the server's log"]
    wait_for(lambda: button_labels(rc)[0] == "Play")
    assert run.model.steps == 2


def test_a_render_that_raises_shows_one_line_in_the_error_boundary():
    from dashboards.errors import ErrorBoundary

    fail = solara.reactive(False)

    @solara.component
    def Fragile() -> None:  # noqa: N802 - a component, named as one
        if fail.value:
            raise KeyError(SECRET)
        solara.Text("fine")

    box, _rc = solara.render(ErrorBoundary(children=[Fragile()]), handle_error=False)
    assert errors(box) == []
    fail.value = True
    assert errors(box) == ["error: the dashboard failed (KeyError); the details are in the server's log"]
    assert SECRET not in page_text(box) and "Traceback" not in page_text(box)
    fail.value = False
    (again,) = [b for b in walk(box) if isinstance(b, v.Btn) and "Try again" in b.children]
    again.fire_event("click", None)
    assert errors(box) == []
