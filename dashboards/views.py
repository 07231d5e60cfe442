"""What the live page shows, computed from a model into plain strings (one `Frame` a step).

The charts read the model's data series (`model.reporters`, the same name-to-function dict
that ``brink run`` writes to ``timeseries.parquet``) and its event log. Nothing here draws
random numbers, so the same run always looks the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from dashboards.svg import FONT, LineChart, Marker, colour
from model.outcomes import DEFEAT, DELIBERATE, SLIP
from model.summary import summarize

if TYPE_CHECKING:
    from agents import StateAgent
    from model import BrinkmanshipModel
    from scenarios.ladder import Ladder

EVENT_LINES = 14
"""Event-log lines shown, newest last."""


@dataclass(frozen=True)
class Frame:
    """One drawn state of a live run: every view as a string, ready to send to the browser.

    Attributes:
        step: Steps taken.
        year: Calendar year.
        running: Whether the run can go on.
        network: SVG of the states, alliances and crises.
        ladders: Crisis id to the SVG of its escalation ladder over time.
        beliefs: SVG of images and resolve beliefs over time ("" without crises).
        cohesion: SVG of alliance cohesion over time ("" without alliances).
        events: The newest entries of the event log in words, oldest first.
        events_total: Entries in the whole log.
        banner: The outcome in words once the run has ended, else "".
        rungs: Crisis id to its current rung (for tests and the status line).
    """

    step: int
    year: float
    running: bool
    network: str
    ladders: dict[str, str]
    beliefs: str
    cohesion: str
    events: list[str]
    events_total: int
    banner: str
    rungs: dict[str, int] = field(default_factory=dict)


def build_frame(model: BrinkmanshipModel) -> Frame:
    """Draw every view of `model` as it stands now."""
    return Frame(
        step=model.steps,
        year=round(model.year, 4),
        running=model.running,
        network=network_svg(model),
        ladders={c.id: ladder_svg(model, c.id) for c in model.crises},
        beliefs=beliefs_svg(model),
        cohesion=cohesion_svg(model),
        events=event_lines(model),
        events_total=len(model.event_log),
        banner="" if model.running else outcome_banner(model),
        rungs={c.id: c.rung for c in model.crises},
    )


def state_colours(model: BrinkmanshipModel) -> dict[str, str]:
    """A fixed colour per state, by its position in the scenario."""
    return {s.code: colour(s.index) for s in model.states}


def _series(model: BrinkmanshipModel, name: str) -> list[Any]:
    return model.datacollector.model_vars[name]


def _steps(model: BrinkmanshipModel) -> list[int]:
    return list(range(len(_series(model, "year"))))


# network ---------------------------------------------------------------------------------


def capability(state: StateAgent) -> float:
    """Size of a state's node: conventional strength plus a log measure of its arsenal."""
    return state.conventional + math.log10(1 + state.warheads)


def layout(model: BrinkmanshipModel) -> dict[str, tuple[float, float]]:
    """Node positions on a circle in scenario order: stable from run to run and step to step."""
    n = len(model.states)
    return {
        s.code: (0.5 + 0.36 * math.sin(2 * math.pi * i / n), 0.5 - 0.36 * math.cos(2 * math.pi * i / n))
        for i, s in enumerate(model.states)
    }


def posture(model: BrinkmanshipModel, state: StateAgent) -> tuple[str, str]:
    """A state's posture as (colour, words): the rung of its open crisis, or how its crisis ended."""
    top = model.ladder.top
    for crisis in model.crises:
        side = crisis.side_of(state)
        if side is None:
            continue
        if crisis.is_open:
            share = crisis.rung / top
            return _heat(share), f"in crisis {crisis.id} at rung {crisis.rung}"
        if crisis.yielder == crisis.sides[side].code:
            return "#9ecae1", f"yielded in {crisis.id}"
        if crisis.status == "catastrophe":
            return "#67000d", f"catastrophe in {crisis.id}"
        if crisis.yielder is not None:
            return "#74c476", f"prevailed in {crisis.id}"
        if crisis.status == "stalemate":
            return "#bdbdbd", f"stalemate in {crisis.id}"
    return "#e0e0e0", "not in a crisis"


POSTURE_KEY = (
    ("#ffeda0", "low rung"),
    ("#bd0026", "high rung"),
    ("#9ecae1", "yielded"),
    ("#74c476", "prevailed"),
    ("#bdbdbd", "stalemate"),
    ("#67000d", "catastrophe"),
    ("#e0e0e0", "no crisis"),
)
"""Node fills of the network and what they mean."""


def _heat(share: float) -> str:
    """Yellow at the bottom of the ladder to dark red at the top."""
    low, high = (255, 237, 160), (189, 0, 38)
    r, g, b = (round(a + (z - a) * share) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def posture_legend(size: int) -> list[str]:
    """SVG elements of the key to the node fills (`POSTURE_KEY`), in rows of four under a plot `size` high."""
    parts = []
    for position, (fill, words) in enumerate(POSTURE_KEY):
        x, y = 4 + (position % 4) * 104, size + 6 + (position // 4) * 16
        parts.append(f"<rect x='{x}' y='{y}' width='10' height='10' fill='{fill}' stroke='#999'/>")
        parts.append(f"<text x='{x + 14}' y='{y + 9}' {FONT}>{words}</text>")
    return parts


def network_svg(model: BrinkmanshipModel, size: int = 420) -> str:
    """States sized by capability and coloured by posture; alliance edges by cohesion; crises in red."""
    where = {code: (x * size, y * size + 16) for code, (x, y) in layout(model).items()}
    biggest = max((capability(s) for s in model.states), default=1.0) or 1.0
    height = size + 40
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{height}' viewBox='0 0 {size} {height}' "
        "role='img' aria-label='network of states'>",
        f"<text x='4' y='14' {FONT} font-weight='bold'>States: size by capability, fill by posture; "
        "alliances by cohesion</text>",
    ]
    parts += posture_legend(size)
    for alliance in model.alliances:
        members = alliance.codes
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                (x1, y1), (x2, y2) = where[a], where[b]
                title = f"{alliance.id}: cohesion {alliance.cohesion:.2f}" + ("" if alliance.active else " (dissolved)")
                style = (
                    f"stroke='#3182bd' stroke-width='{1 + 7 * alliance.cohesion:.1f}' stroke-opacity='0.6'"
                    if alliance.active
                    else "stroke='#999' stroke-width='1.5' stroke-dasharray='5 4'"
                )
                parts.append(
                    f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' {style}>"
                    f"<title>{escape(title)}</title></line>"
                )
    for crisis in model.crises:
        if crisis.status == "pending":
            continue
        (x1, y1), (x2, y2) = where[crisis.sides[0].code], where[crisis.sides[1].code]
        width = 5 if crisis.is_open else 2
        dash = "" if crisis.is_open else " stroke-dasharray='2 3'"
        label = f"{crisis.id}: rung {crisis.rung}"
        parts.append(
            f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='#d62728' "
            f"stroke-width='{width}'{dash}><title>{escape(label)}</title></line>"
        )
        parts.append(
            f"<text x='{(x1 + x2) / 2:.1f}' y='{(y1 + y2) / 2 - 6:.1f}' text-anchor='middle' {FONT} "
            f"fill='#d62728' font-weight='bold'>{escape(label)}</text>"
        )
    for state in model.states:
        x, y = where[state.code]
        radius = 10 + 22 * math.sqrt(capability(state) / biggest)
        fill, words = posture(model, state)
        title = (
            f"{state.name} ({state.code}): {words}; fear {state.fear:.2f}, recklessness {state.recklessness:.2f}, "
            f"commitment {state.commitment:.2f}; conventional {state.conventional:g}, warheads {state.warheads}"
        )
        parts.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius:.1f}' fill='{fill}' stroke='{colour(state.index)}' "
            f"stroke-width='3'><title>{escape(title)}</title></circle>"
        )
        parts.append(
            f"<text x='{x:.1f}' y='{y + 4:.1f}' text-anchor='middle' {FONT} font-weight='bold'>"
            f"{escape(state.code)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


# charts over time ---------------------------------------------------------------------------


def ladder_svg(model: BrinkmanshipModel, crisis_id: str) -> str:
    """The crisis's rung over time, rung names on the axis, thresholds as lines, each move marked."""
    ladder = model.ladder
    rungs = [r if _status_open(model, crisis_id, i) else None for i, r in enumerate(_rung_series(model, crisis_id))]
    colours = state_colours(model)
    crisis = model.crisis(crisis_id)
    sides = {side.code: colours[side.code] for side in crisis.sides}
    markers = [
        Marker(
            x=entry["step"],
            y=entry["rung"],
            colour=colours.get(entry["actor"], "#333"),
            title=event_line(entry),
        )
        for entry in model.event_log
        if entry["crisis"] == crisis_id and entry["rung"] != ""
    ]
    every = max(1, math.ceil(len(ladder.rungs) / 12))
    ticks = [(r.id, f"{r.id} {r.name[:28]}") for r in ladder.rungs if r.id % every == 0 or r.id == ladder.top]
    return LineChart(
        title=f"Escalation ladder: {crisis_id} ({' vs '.join(sides)})",
        x=_steps(model),
        series={"rung": rungs},
        colours={"rung": "#555", **{f"{code} moves": c for code, c in sides.items()}},
        y_low=0,
        y_high=ladder.top,
        y_ticks=ticks,
        rules=threshold_rules(ladder),
        markers=markers,
        stepped=True,
        left=190,
        width=620,
        height=max(240, 14 * len(ticks) + 80),
    ).svg()


def threshold_rules(ladder: Ladder) -> list[tuple[float, str]]:
    """One line under each rung where thresholds are crossed, their names joined."""
    names: dict[int, list[str]] = {}
    for threshold in ladder.thresholds:
        names.setdefault(threshold.at, []).append(threshold.name)
    return [(at - 0.5, " / ".join(found)) for at, found in sorted(names.items())]


def _rung_series(model: BrinkmanshipModel, crisis_id: str) -> list[int]:
    return _series(model, f"crisis.{crisis_id}.rung")


def _status_open(model: BrinkmanshipModel, crisis_id: str, position: int) -> bool:
    """Whether the crisis was under way at record `position`, or ended at it."""
    status = _series(model, f"crisis.{crisis_id}.status")
    return status[position] == "active" or (position > 0 and status[position - 1] == "active")


def beliefs_svg(model: BrinkmanshipModel) -> str:
    """How reckless and how resolved each crisis side looks to its opponent, over time."""
    if not model.crises:
        return ""
    colours = state_colours(model)
    series: dict[str, list[Any]] = {}
    palette: dict[str, str] = {}
    several = len(model.crises) > 1
    for crisis in model.crises:
        for side in crisis.sides:
            image, resolve = f"image.{crisis.id}.{side.code}", f"resolve.{crisis.id}.{side.code}"
            name = f"{crisis.id}: {side.code}" if several else side.code
            series[f"{name} reckless"] = _series(model, image)
            series[f"{name} resolve"] = _series(model, resolve)
            palette[f"{name} reckless"] = colours[side.code]
            palette[f"{name} resolve"] = _lighter(colours[side.code])
    return LineChart(
        title="Images: how reckless and how resolved each side looks to the other",
        x=_steps(model),
        series=series,
        colours=palette,
        left=40,
    ).svg()


def cohesion_svg(model: BrinkmanshipModel) -> str:
    """Alliance cohesion over time, with the dissolution threshold."""
    if not model.alliances:
        return ""
    return LineChart(
        title="Alliance cohesion",
        x=_steps(model),
        series={a.id: _series(model, f"alliance.{a.id}.cohesion") for a in model.alliances},
        colours={a.id: colour(i + 4) for i, a in enumerate(model.alliances)},
        rules=[(model.params.cohesion.dissolve_below, "dissolves below")],
        left=40,
    ).svg()


def _lighter(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * 0.5):02x}" for c in (r, g, b))


# words ------------------------------------------------------------------------------------


def event_line(entry: dict[str, Any]) -> str:
    """One event-log entry in words: ``2025.90 (step 1) moscow: RUS escalate to rung 7, Nuclear ultimatum``."""
    where = f" {entry['crisis']}:" if entry["crisis"] else ""
    text = f"{entry['year']:.2f} (step {entry['step']}){where} {entry['actor'] or 'the clock'} {entry['action']}"
    if entry["rung"] != "":
        text += f" at rung {entry['rung']}, {entry['rung_name']}"
    if entry["detail"]:
        text += f" ({entry['detail']})"
    if entry.get("next_mover"):
        text += f"; {entry['next_mover']} to move"
    return text


def event_lines(model: BrinkmanshipModel, last: int = EVENT_LINES) -> list[str]:
    """The newest `last` event-log entries in words, oldest first."""
    return [event_line(e) for e in model.event_log[-last:]]


def outcome_banner(model: BrinkmanshipModel) -> str:
    """The run's outcome in one or two sentences, from the run summary's outcome fields (`model.outcomes`)."""
    summary = summarize(model)
    names = [rung.name for rung in model.ladder.rungs]
    choosers = {e["crisis"]: e["actor"] for e in model.event_log if e.get("cause") == DELIBERATE}
    parts = [crisis_words(key, crisis, names, choosers.get(key)) for key, crisis in summary["crises"].items()]
    dissolved = [k for k, a in summary["alliances"].items() if a["initially_active"] and not a["survived"]]
    held = [k for k, a in summary["alliances"].items() if a["initially_active"] and a["survived"]]
    if dissolved:
        parts.append(f"Dissolved: {', '.join(dissolved)}.")
    if held:
        parts.append(f"Held: {', '.join(held)}.")
    parts.append(f"Ended at step {summary['steps']} ({summary['final_year']:.2f}).")
    return " ".join(parts)


def crisis_words(key: str, crisis: dict[str, Any], rung_names: list[str], chooser: str | None = None) -> str:
    """One crisis's outcome in words, as the summary records it.

    A catastrophe says its cause: a slip out of control names the side that held the rung it
    slipped from, and is nobody's nuclear use; a deliberate move to all-out war names the side
    that chose it (`chooser`, from the event that ended the crisis). A deliberate nuclear use is
    named only when a side chose a nuclear rung (``first_deliberate_nuclear_user``).
    """
    peak = f"Peak rung {crisis['max_rung']} ({crisis['max_rung_name']})."
    user = crisis.get("first_deliberate_nuclear_user")
    nuclear = f" First deliberate nuclear use by {user}." if user else ""
    if crisis["outcome"] == "yield":
        winner = next(c for c in crisis["sides"] if c != crisis["yielder"])
        how = "was defeated" if crisis["yield_cause"] == DEFEAT else "yielded"
        return f"{key}: {crisis['yielder']} {how} after {crisis['moves']} moves; {winner} prevails. {peak}{nuclear}"
    if crisis["outcome"] == "catastrophe":
        cause = crisis.get("catastrophe_cause")
        if cause == SLIP:
            rung = crisis.get("slip_rung")
            held = f"rung {rung} ({rung_names[rung]})" if rung is not None else "its rung"
            how = f": the crisis slipped out of control while {crisis['slip_holder']} held {held}"
        elif cause == DELIBERATE:
            how = f": {chooser} chose it" if chooser else ": a side chose it"
        else:
            how = ""
        unchosen = " No side chose to use nuclear weapons." if crisis.get("nuclear_used") else ""
        return f"{key}: catastrophe, all-out war{how}." + (nuclear or unchosen)
    if crisis["outcome"] == "stalemate":
        return f"{key}: stalemate at the step limit. {peak}{nuclear}"
    return f"{key}: never opened."
