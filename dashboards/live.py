"""The live run page: pick a scenario and seed, move traits, and watch the crisis unfold.

Each browser tab renders its own `LivePage`, which builds its own `LiveRun`: two tabs never
share a model. The play loop runs in a thread, steps through `LiveRun`'s lock and paces
itself to the chosen speed; it stops when the tab disconnects or the run ends. It skips a frame
while the tab is still rendering the last one, so that it never keeps a render going (reacton
gives up after 100 passes with "Too many renders"). Files open through `DataFolders`, and every
failure shows as one line (`dashboards.errors`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import reacton.core
import solara

from dashboards import SCENARIO_VARIABLE
from dashboards.controls import Control
from dashboards.errors import guarded, report
from dashboards.files import DataFolders
from dashboards.session import LiveRun
from dashboards.views import Frame
from scenarios import DEFAULT_SCENARIO, shipped_scenarios

DEFAULT_SPEED = 10
MAX_SPEED = 30
"""Frames per second the speed control offers."""
BUSY_WAIT = 0.005
"""Seconds the play loop waits before it looks again whether the last frame has been drawn."""


def starting_scenario() -> str:
    """The scenario new tabs open: ``$BRINK_DASHBOARD_SCENARIO``, else the default."""
    return os.environ.get(SCENARIO_VARIABLE) or DEFAULT_SCENARIO


def tab_connected(context: Any) -> bool:
    """Whether the browser tab of a Solara kernel context is still connected (True if unknown)."""
    statuses = getattr(context, "page_status", None)
    if not statuses:
        return True
    return any(getattr(status, "value", status) == "connected" for status in statuses.values())


def _current_context() -> Any:
    try:
        from solara.server.kernel_context import get_current_context, has_current_context

        return get_current_context() if has_current_context() else None
    except ImportError:  # pragma: no cover - solara without a server
        return None


def rendering(render_context: Any) -> Callable[[], bool]:
    """Whether the tab is rendering now: reacton's render context holds its ``thread_lock`` while it renders.

    A state change made while another thread renders is rendered by that thread, in another pass
    of its loop, which gives up after 100 passes (``reacton/core.py``, ``_render_once``).
    """
    lock = getattr(render_context, "thread_lock", None)
    return lock.locked if lock is not None else (lambda: False)


def play(
    run: LiveRun,
    show: Callable[[Frame], None],
    speed: float,
    cancel: threading.Event,
    context: Any,
    busy: Callable[[], bool] = lambda: False,
) -> None:
    """Step `run` at `speed` frames a second until cancelled, ended, or the tab goes away.

    Args:
        run: The tab's run.
        show: Called with each new frame (sets the page's reactive frame).
        speed: Frames per second.
        cancel: Set by the page when play stops or the component goes away.
        context: The tab's kernel context, to notice that the tab has closed.
        busy: Whether the tab is still rendering: then the loop neither steps nor shows (it skips the frame).
    """
    interval = 1.0 / speed
    due = time.perf_counter()
    generation = run.generation
    while not cancel.is_set():
        if context is not None and not tab_connected(context):
            return
        if busy():
            cancel.wait(min(interval, BUSY_WAIT))
            continue
        frame = run.step(generation)
        if frame is None:  # rebuilt meanwhile (a slider, Reset): leave the new run at its start
            return
        show(frame)
        if not frame.running:
            return
        # Keep to a fixed timetable, so the average rate is the speed asked for; after falling
        # behind (a slow frame), start a new timetable instead of rushing to catch up.
        due = max(due + interval, time.perf_counter() - interval)
        cancel.wait(max(0.0, due - time.perf_counter()))


@solara.component
def FrameViews(run: LiveRun, shown: solara.Reactive[Frame]) -> None:
    """Every view of the run's newest frame."""
    _ = shown.value  # subscribe: the play loop and the controls set it
    frame = run.current()
    with solara.Column(gap="8px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"step {frame.step} · year {frame.year:.2f}" + ("" if frame.running else " · ended"),
            attributes={"data-testid": "frame-status", "data-step": str(frame.step)},
            style="font-weight: bold",
        )
        if frame.banner:
            tone = (
                "#fde0dc; border-left: 6px solid #c62828"
                if "catastrophe" in frame.banner
                else "#e3f2e1; border-left: 6px solid #2e7d32"
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=_escape(frame.banner),
                attributes={"data-testid": "outcome-banner"},
                style=f"padding: 8px 12px; background: {tone}; font-size: 15px",
            )
        with solara.Row(style="flex-wrap: wrap; gap: 12px"):
            solara.HTML(tag="div", unsafe_innerHTML=frame.network, attributes={"data-testid": "network"})
            with solara.Column(gap="4px"):
                for key, svg in frame.ladders.items():
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=svg,
                        attributes={"data-testid": f"ladder-{key}", "data-rung": str(frame.rungs[key])},
                    )
        with solara.Row(style="flex-wrap: wrap; gap: 12px"):
            if frame.beliefs:
                solara.HTML(tag="div", unsafe_innerHTML=frame.beliefs, attributes={"data-testid": "beliefs"})
            if frame.cohesion:
                solara.HTML(tag="div", unsafe_innerHTML=frame.cohesion, attributes={"data-testid": "cohesion"})
        log = "".join(f"<li>{_escape(line)}</li>" for line in frame.events) or "<li>nothing has happened yet</li>"
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>Event log</b><ol start='{max(1, frame.events_total - len(frame.events) + 1)}' "
            f"style='font-size: 12px; margin: 0'>{log}</ol>",
            attributes={"data-testid": "event-log"},
        )


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


@solara.component
def ControlSlider(control: Control, value: Any, on_value: Callable[[str, Any], None]) -> None:
    """One generated control: a slider for a number, a checkbox for a flag."""

    def changed(new: Any) -> None:
        on_value(control.path, new)

    if control.kind == "bool":
        solara.Checkbox(label=control.label, value=bool(value), on_value=changed)
    elif control.kind == "int":
        solara.SliderInt(control.label, value=int(value), min=int(control.low), max=int(control.high), on_value=changed)
    else:
        solara.SliderFloat(
            control.label,
            value=float(value),
            min=control.low,
            max=control.high,
            step=control.step,
            on_value=changed,
        )


@solara.component
def ControlPanel(run: LiveRun, scenario: str, on_value: Callable[[str, Any], None]) -> None:
    """The generated controls, grouped, each keyed by scenario and path."""
    groups: dict[str, list[Control]] = {}
    for control in run.controls:
        groups.setdefault(control.group, []).append(control)
    for index, (group, controls) in enumerate(groups.items()):
        with solara.Details(summary=f"{group} ({len(controls)})", expand=index == 0):
            for control in controls:
                ControlSlider(control, run.value(control), on_value).key(f"{scenario}:{control.path}")


def use_play_loop(
    run: LiveRun,
    show: Callable[[Frame], None],
    playing: tuple[bool, Callable[[bool], None]],
    speed: int,
    set_error: Callable[[str], None],
) -> None:
    """A hook: while `playing` holds, `play` the run in a thread of its own; a failure shows as one line."""
    context = solara.use_memo(_current_context, [])
    busy = solara.use_memo(lambda: rendering(reacton.core.get_render_context(required=False)), [])
    is_playing, set_playing = playing

    def loop(cancel: threading.Event) -> None:
        if is_playing:
            guarded(play, set_error)(run, show, speed, cancel, context, busy)
            if not cancel.is_set():
                guarded(set_playing, set_error)(False)

    solara.use_thread(loop, dependencies=[is_playing, speed], intrusive_cancel=False)


@solara.component
def ScenarioPicker(scenario: str, on_pick: Callable[[str | None], None]) -> None:
    """A select of the shipped scenarios, and a field for the path of a scenario file."""
    names = list(shipped_scenarios())
    with solara.Column(gap="0px"):
        solara.Select("Scenario", values=names, value=scenario if scenario in names else None, on_value=on_pick)
        solara.InputText(
            "or a scenario file (path, then Enter)", value="" if scenario in names else scenario, on_value=on_pick
        )


@solara.component
def PlayButtons(
    playing: bool, on_play: Callable[[], None], on_step: Callable[[], None], on_reset: Callable[[], None]
) -> None:
    """Play (Pause while playing), Step and Reset."""
    with solara.Row():
        solara.Button(
            "Pause" if playing else "Play",
            icon_name="mdi-pause" if playing else "mdi-play",
            on_click=on_play,
            color="primary",
        )
        solara.Button("Step", icon_name="mdi-step-forward", on_click=on_step)
        solara.Button("Reset", icon_name="mdi-restore", on_click=on_reset)


@solara.component
def LivePage() -> None:
    """The live run page."""
    folders: DataFolders = solara.use_memo(DataFolders.from_environment, [])
    run: LiveRun = solara.use_memo(lambda: LiveRun(starting_scenario(), seed=0, opener=folders.load), [])
    shown: solara.Reactive[Frame] = solara.use_memo(lambda: solara.reactive(run.frame), [])
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(DEFAULT_SPEED)
    error, set_error = solara.use_state("")
    scenario, set_scenario = solara.use_state(run.scenario_ref)

    def show(frame: Frame) -> None:
        shown.value = frame

    def act(action: Callable[[], Frame | None]) -> None:
        set_playing(False)
        try:
            show(action() or run.current())
            set_error("")
        except Exception as problem:  # one line on the page, never a traceback
            set_error(report(problem))

    use_play_loop(run, show, (playing, set_playing), speed, set_error)

    def pick(name: str | None) -> None:
        if not name or name == run.scenario_ref:
            return
        act(lambda: run.choose_scenario(name))
        set_scenario(run.scenario_ref)

    def set_seed(value: int | None) -> None:
        if value is not None and value != run.seed:
            act(lambda: run.set_seed(int(value)))

    def set_value(path: str, value: Any) -> None:
        act(lambda: run.set_value(path, value))

    with solara.Columns([1, 3]):
        with solara.Column(style="max-width: 380px"):
            ScenarioPicker(scenario, guarded(pick, set_error))
            solara.InputInt("Seed", value=run.seed, on_value=guarded(set_seed, set_error))
            PlayButtons(
                playing,
                on_play=guarded(lambda: set_playing(not playing), set_error),
                on_step=guarded(lambda: act(run.step), set_error),
                on_reset=guarded(lambda: act(run.reset), set_error),
            )
            solara.SliderInt(
                "Speed (frames/s)", value=speed, min=1, max=MAX_SPEED, on_value=guarded(set_speed, set_error)
            )
            if error:
                solara.Error(error)
            ControlPanel(run, scenario, guarded(set_value, set_error)).key(f"panel:{scenario}")
        with solara.Column():
            solara.HTML(tag="h3", unsafe_innerHTML=_escape(run.base.title or run.base.name), style="margin: 8px 0")
            FrameViews(run, shown)
