"""What the live page draws: SVG line charts as strings, and each frame's network, ladder, charts, log and banner."""

from __future__ import annotations

import copy
import itertools
import math
import re
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dashboards.svg import PALETTE, LineChart, Marker, _nice_ticks, _runs, colour
from dashboards.views import (
    EVENT_LINES,
    POSTURE_KEY,
    build_frame,
    crisis_words,
    event_line,
    event_lines,
    layout,
    outcome_banner,
    threshold_rules,
)
from model import BrinkmanshipModel
from model.summary import summarize
from scenarios.ladder import Ladder

FILLS = {words: fill for fill, words in POSTURE_KEY}

# --- SVG parsing helpers ----------------------------------------------------------------------------------------

NODE = re.compile(
    r"<circle cx='([-\d.]+)' cy='([-\d.]+)' r='([\d.]+)' fill='(#[0-9a-f]{6})' stroke='#[0-9a-f]{6}' "
    r"stroke-width='3'><title>([^<]*)</title></circle>"
)
MARKER = re.compile(
    r"<circle cx='([-\d.]+)' cy='([-\d.]+)' r='4.5' fill='([^']+)' stroke='white'><title>([^<]*)</title></circle>"
)
POLYLINE = re.compile(
    r"<polyline points='([^']*)' fill='none' stroke='([^']+)' stroke-width='2'><title>([^<]*)</title>"
)
RULE = re.compile(r"stroke-dasharray='4 3'><title>([^<]*)</title></line>")
LEGEND = re.compile(r"<rect x='[\d.]+' y='22' width='10' height='10' fill='([^']+)'/><text [^>]*>([^<]*)</text>")


def nodes(svg: str) -> dict[str, tuple[float, float, float, str, str]]:
    """Network circles by state code (the code is in brackets in the title): (cx, cy, r, fill, title)."""
    found = {}
    for cx, cy, r, fill, title in NODE.findall(svg):
        code = re.search(r"\(([^)]+)\):", title).group(1)
        found[code] = (float(cx), float(cy), float(r), fill, title)
    return found


def polylines(svg: str) -> list[tuple[list[tuple[float, float]], str, str]]:
    out = []
    for points, stroke, title in POLYLINE.findall(svg):
        pairs = [tuple(float(v) for v in p.split(",")) for p in points.split()]
        out.append((pairs, stroke, title))
    return out


def finished(scenario: str | Path, seed: int) -> BrinkmanshipModel:
    model = BrinkmanshipModel(scenario=scenario, rng=seed)
    model.run()
    return model


# --- a tiny scenario with scripted moves -------------------------------------------------------------------------


def _rung(rid: int, name: str, **flags: Any) -> dict[str, Any]:
    rung = dict(id=rid, name=name, stage="Only", kahn=rid, nuclear=False, civilian=False, armed_attack=False)
    rung |= dict(damage_target=0.0, damage_self=0.0, slip=0.0, decisive=0.0)
    return rung | flags


TINY = {
    "name": "tiny-views",
    "title": "Tiny scenario for the dashboard's views",
    "ladder": {
        "name": "tiny",
        "thresholds": [{"at": 2, "name": "Firebreak <A>"}, {"at": 2, "name": "Firebreak B"}, {"at": 3, "name": "Nuke"}],
        "rungs": [
            _rung(0, "Quiet"),
            _rung(1, "Pressure"),
            _rung(2, "Clash", armed_attack=True),
            _rung(3, "Nuclear shot", nuclear=True, armed_attack=True),
            _rung(4, "All-out war", nuclear=True, civilian=True, armed_attack=True, slip=1.0, catastrophe=True),
        ],
    },
    "params": {"max_steps": 10, "step_years": 1.0, "start_year": 2030.0, "leaders": {"mortality_log_base": -30.0}},
    "states": {
        code: {
            "name": f"Land {code}",
            "fear": 0.5,
            "recklessness": 0.5,
            "commitment": 0.5,
            "warheads": 100,
            "leader": {"name": f"Leader {code}", "age": 50.0, "political_hazard": 0.0},
            "policy": {"name": "scripted", "moves": ["hold"]},
        }
        for code in ("AAA", "BBB", "CCC", "DDD")
    },
    "crises": {
        "road": {
            "first_mover": "AAA",
            "sides": {
                "AAA": {"prevail": 1.0, "concede": -1.0},
                "BBB": {"with": ["CCC"], "prevail": 1.0, "concede": -1.0},
            },
        }
    },
}


@pytest.fixture
def tiny(tmp_path):
    """Write the tiny scenario with AAA's and BBB's scripted moves and extra sections; return its path."""
    counter = iter(range(1000))

    def build(aaa: list[Any], bbb: list[Any], then: str = "hold", **sections: Any) -> Path:
        document = copy.deepcopy(TINY)
        document["states"]["AAA"]["policy"] = {"name": "scripted", "moves": aaa, "then": then}
        document["states"]["BBB"]["policy"] = {"name": "scripted", "moves": bbb, "then": then}
        for key, value in sections.items():
            if isinstance(value, dict) and isinstance(document.get(key), dict):
                document[key] = {**document[key], **value}
            else:
                document[key] = value
        path = tmp_path / f"tiny-{next(counter)}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path

    return build


# === svg.py ======================================================================================================


@pytest.mark.parametrize(
    ("low", "high", "count", "expected"),
    [
        (0, 1, 5, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0, 60, 6, [0, 10, 20, 30, 40, 50, 60]),
        (0, 7, 6, [0, 2, 4, 6]),
        (-1, 1, 5, [-1, -0.5, 0, 0.5, 1]),
        (0, 11, 5, [0, 2.5, 5, 7.5, 10]),
        (3, 3, 5, [3]),
        (5, 2, 5, [5]),
    ],
)
def test_nice_ticks_known_cases(low, high, count, expected):
    assert _nice_ticks(low, high, count) == pytest.approx(expected)


@given(
    low=st.floats(-1e4, 1e4, allow_nan=False),
    span=st.floats(1e-3, 1e6, allow_nan=False),
    count=st.integers(4, 12),
)
def test_nice_ticks_are_round_evenly_spaced_and_inside_the_range(low, span, count):
    high = low + span
    ticks = _nice_ticks(low, high, count)
    assert 2 <= len(ticks) <= count + 1
    steps = [b - a for a, b in itertools.pairwise(ticks)]
    step = steps[0]
    assert all(s == pytest.approx(step, rel=1e-6, abs=1e-9 * span) for s in steps)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-6
    tolerance = 1e-9 * max(abs(low), abs(high), span)
    assert low - tolerance <= ticks[0] < low + step + tolerance
    assert high - step - tolerance < ticks[-1] <= high + tolerance


def test_runs_split_at_none_and_nan():
    x = [0, 1, 2, 3, 4, 5]
    assert _runs(x, [1, 2, None, 4, float("nan"), 6], stepped=False) == [[(0, 1), (1, 2)], [(3, 4)], [(5, 6)]]
    assert _runs(x, [None] * 6, stepped=False) == []


def test_stepped_runs_hold_each_value_until_the_next_x():
    assert _runs([0, 1, 2], [1, 3, 2], stepped=True) == [[(0, 1), (1, 1), (1, 3), (2, 3), (2, 2)]]
    # after a gap the new run starts on its own value, not a hold of the old one
    assert _runs([0, 1, 2, 3], [1, None, 4, 5], stepped=True) == [[(0, 1)], [(2, 4), (3, 4), (3, 5)]]


def test_runs_need_values_as_long_as_x():
    with pytest.raises(ValueError):
        _runs([0, 1, 2], [1, 2], stepped=False)


def chart(**fields: Any) -> LineChart:
    defaults: dict[str, Any] = dict(
        title="t", x=[0, 1, 2, 3], series={"a": [0.1, 0.2, 0.3, 0.4]}, colours={"a": "#111"}
    )
    return LineChart(**(defaults | fields))


def test_gap_splits_a_series_into_two_lines():
    svg = chart(
        series={"a": [0.1, None, 0.3, 0.4], "b": [0.5, 0.5, 0.5, 0.5]}, colours={"a": "#111", "b": "#222"}
    ).svg()
    lines = polylines(svg)
    assert [(title, stroke, len(points)) for points, stroke, title in lines] == [
        ("a", "#111", 1),
        ("a", "#111", 2),
        ("b", "#222", 4),
    ]


def test_points_map_x_to_the_plot_width_and_y_upwards():
    svg = chart(x=[0, 10], series={"a": [0.0, 1.0]}, width=400, height=240, left=100).svg()
    ((points, _, _),) = polylines(svg)
    # plot: left 100, right margin 20, top 40, bottom margin 34
    assert points == [(100.0, 206.0), (380.0, 40.0)]


def test_stepped_chart_draws_horizontal_then_vertical_segments():
    svg = chart(x=[0, 1, 2], series={"a": [0.0, 1.0, 1.0]}, stepped=True).svg()
    ((points, _, _),) = polylines(svg)
    assert [y for _, y in points[:3]] == [points[0][1], points[0][1], points[2][1]]
    assert points[1][0] == points[2][0]  # the rise happens at x = 1


def test_text_is_html_escaped():
    svg = chart(
        title="<b>title</b>",
        series={"<b>": [0.1, 0.2, 0.3, 0.4]},
        colours={"<b>": "#111"},
        rules=[(0.5, "Don't & <cross>")],
        markers=[Marker(1, 0.2, "#111", "<script>x</script>")],
        y_ticks=[(0.0, "<zero>")],
        x_label="<steps>",
    ).svg()
    for raw in ("<b>", "<script>", "<cross>", "<zero>", "<steps>", "Don't"):
        assert raw not in svg
    for escaped in ("&lt;b&gt;title&lt;/b&gt;", "<title>&lt;b&gt;</title>", "&lt;script&gt;", "Don&#x27;t &amp;"):
        assert escaped in svg
    assert "aria-label='&lt;b&gt;title&lt;/b&gt;'" in svg


def test_legend_names_the_series_in_order_with_their_colours():
    svg = chart(series={"one": [0.1] * 4, "two": [0.2] * 4}, colours={"one": "#111", "two": "#222"}).svg()
    assert LEGEND.findall(svg) == [("#111", "one"), ("#222", "two")]


def test_legend_with_markers_names_the_movers_and_other():
    svg = chart(
        series={"rung": [0, 1, 1, 2]},
        colours={"rung": "#555", "AAA moves": "#aaa", "BBB moves": "#bbb"},
        markers=[
            Marker(1, 1, "#bbb", "b"),
            Marker(2, 1, "#aaa", "a"),
            Marker(3, 2, "#bbb", "b"),
            Marker(3, 2, "#999", "?"),
        ],
    ).svg()
    assert LEGEND.findall(svg) == [("#bbb", "BBB moves"), ("#aaa", "AAA moves"), ("#999", "other")]
    assert len(MARKER.findall(svg)) == 4


def test_default_y_ticks_and_custom_labels():
    default = chart(y_low=0, y_high=1).svg()
    for label in ("0", "0.2", "0.4", "0.6", "0.8", "1"):
        assert f"text-anchor='end' font-family='sans-serif' font-size='11'>{label}</text>" in default
    custom = chart(y_ticks=[(0, "0 Status quo"), (1, "1 War")]).svg()
    assert ">0 Status quo</text>" in custom and ">1 War</text>" in custom
    assert ">0.2</text>" not in custom


def test_rules_are_dashed_lines_with_a_title_and_a_short_label():
    svg = chart(rules=[(0.5, "A very long threshold name indeed")]).svg()
    assert RULE.findall(svg) == ["A very long threshold name indeed"]
    assert ">A very long threshol</text>" in svg  # first 20 characters beside the plot


def test_palette_is_handed_out_by_position():
    assert [colour(i) for i in range(len(PALETTE) + 2)] == [*PALETTE, PALETTE[0], PALETTE[1]]


# === views.py ====================================================================================================


def test_frame_of_a_new_model_is_step_zero_and_running():
    model = BrinkmanshipModel(scenario="moscow-strike", rng=0)
    frame = build_frame(model)
    assert (frame.step, frame.running, frame.banner) == (0, True, "")
    assert frame.year == pytest.approx(2025.9)
    assert list(frame.ladders) == ["moscow"] and frame.rungs == {"moscow": 0}
    assert frame.events == [] and frame.events_total == 0
    assert frame.beliefs.startswith("<svg") and frame.cohesion.startswith("<svg")


@pytest.mark.parametrize(
    ("scenario", "seed"),
    [
        ("moscow-strike", 0),
        ("moscow-strike", 1),
        ("korean-peninsula", 0),
        ("korean-peninsula", 2),
        ("cuban-missile-1962", 1),
        ("alliance-after-war", 0),
    ],
)
def test_banner_of_a_finished_run_agrees_with_the_summary(scenario, seed):
    model = finished(scenario, seed)
    frame = build_frame(model)
    summary = summarize(model)
    assert not frame.running
    assert frame.banner == outcome_banner(model)
    for key, crisis in summary["crises"].items():
        assert f"{key}: " in frame.banner
        if crisis["outcome"] == "yield":
            winner = next(code for code in crisis["sides"] if code != crisis["yielder"])
            how = "was defeated" if crisis["yield_cause"] == "defeat" else "yielded"
            assert f"{key}: {crisis['yielder']} {how} after {crisis['moves']} moves; {winner} prevails." in frame.banner
            assert f"Peak rung {crisis['max_rung']} ({crisis['max_rung_name']})." in frame.banner
    alliances = summary["alliances"]
    dissolved = [k for k, a in alliances.items() if a["initially_active"] and not a["survived"]]
    held = [k for k, a in alliances.items() if a["initially_active"] and a["survived"]]
    assert (f"Dissolved: {', '.join(dissolved)}." in frame.banner) == bool(dissolved)
    assert (f"Held: {', '.join(held)}." in frame.banner) == bool(held)
    assert frame.banner.endswith(f"Ended at step {summary['steps']} ({summary['final_year']:.2f}).")


def test_banners_cover_each_named_case():
    assert "PRK was defeated after" in build_frame(finished("korean-peninsula", 0)).banner
    assert "USA yielded after 2 moves; RUS prevails." in build_frame(finished("moscow-strike", 1)).banner
    assert build_frame(finished("alliance-after-war", 0)).banner.startswith("Dissolved: RUS-PRK. Held:")


def test_banner_of_a_yield(tiny):
    frame = build_frame(finished(tiny(["escalate"], ["yield"]), 1))
    assert frame.banner == (
        "road: BBB yielded after 2 moves; AAA prevails. Peak rung 1 (Pressure). Ended at step 2 (2032.00)."
    )


def test_banner_of_a_deliberate_catastrophe_names_who_chose_it_and_the_first_deliberate_nuclear_user(tiny):
    model = finished(tiny(["escalate"], ["escalate"], then="escalate"), 1)
    crisis = summarize(model)["crises"]["road"]
    assert (crisis["outcome"], crisis["catastrophe_cause"], crisis["first_deliberate_nuclear_user"]) == (
        "catastrophe",
        "deliberate",
        "AAA",
    )
    frame = build_frame(model)
    assert frame.banner.startswith(
        "road: catastrophe, all-out war: BBB chose it. First deliberate nuclear use by AAA. Ended at step 4"
    )


def test_banner_of_a_slip_names_the_holder_and_no_nuclear_user(tiny):
    path = tiny(["escalate"], ["escalate"], then="escalate")
    document = yaml.safe_load(path.read_text())
    document["ladder"]["rungs"][2]["slip"] = 1.0  # the crisis slips as soon as BBB moves onto rung 2
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    model = finished(path, 1)
    crisis = summarize(model)["crises"]["road"]
    assert (crisis["catastrophe_cause"], crisis["slip_holder"], crisis["first_deliberate_nuclear_user"]) == (
        "slip",
        "BBB",
        None,
    )
    banner = build_frame(model).banner
    assert banner.startswith(
        "road: catastrophe, all-out war: the crisis slipped out of control while BBB held rung 2 (Clash). "
        "No side chose to use nuclear weapons. Ended at step 2"
    )
    assert "nuclear use by" not in banner and "first nuclear" not in banner.lower()


def crisis_fields(**fields: Any) -> dict[str, Any]:
    """A crisis summary as `model.summary.crisis_summary` gives it (the fields the banner reads)."""
    base = dict(outcome="catastrophe", yielder=None, yield_cause=None, sides=["AAA", "BBB"], moves=5, max_rung=4)
    base |= dict(max_rung_name="All-out war", nuclear_used=True, first_deliberate_nuclear_user=None)
    base |= dict(catastrophe=True, catastrophe_cause="slip", slip_holder="AAA", slip_rung=3)
    return base | fields


NAMES = ["Quiet", "Pressure", "Clash", "Nuclear shot", "All-out war"]


@pytest.mark.parametrize(
    ("fields", "chooser", "expected"),
    [
        ({}, None, "k: catastrophe, all-out war: the crisis slipped out of control while AAA held rung 3 "
         "(Nuclear shot). No side chose to use nuclear weapons."),
        ({"first_deliberate_nuclear_user": "BBB"}, None, "k: catastrophe, all-out war: the crisis slipped out of "
         "control while AAA held rung 3 (Nuclear shot). First deliberate nuclear use by BBB."),
        ({"catastrophe_cause": "deliberate", "slip_holder": None, "slip_rung": None,
          "first_deliberate_nuclear_user": "AAA"}, "AAA",
         "k: catastrophe, all-out war: AAA chose it. First deliberate nuclear use by AAA."),
        ({"catastrophe_cause": "deliberate", "slip_holder": None, "slip_rung": None, "nuclear_used": False}, "BBB",
         "k: catastrophe, all-out war: BBB chose it."),
        ({"outcome": "yield", "yielder": "BBB", "yield_cause": "choice", "catastrophe": False,
          "catastrophe_cause": None, "first_deliberate_nuclear_user": "AAA"}, None,
         "k: BBB yielded after 5 moves; AAA prevails. Peak rung 4 (All-out war). First deliberate nuclear use by AAA."),
    ],
)  # fmt: skip
def test_crisis_words_say_the_cause_of_a_catastrophe(fields, chooser, expected):
    assert crisis_words("k", crisis_fields(**fields), NAMES, chooser) == expected


def test_banner_of_a_stalemate(tiny):
    frame = build_frame(finished(tiny(["hold"], ["hold"], params={**TINY["params"], "max_steps": 3}), 1))
    assert frame.banner == "road: stalemate at the step limit. Peak rung 0 (Quiet). Ended at step 3 (2033.00)."


def test_banner_of_a_crisis_that_never_opened(tiny):
    path = tiny(["hold"], ["hold"], params={**TINY["params"], "max_steps": 2})
    document = yaml.safe_load(path.read_text())
    document["crises"]["road"]["start_step"] = 5
    path.write_text(yaml.safe_dump(document))
    frame = build_frame(finished(path, 1))
    assert frame.banner == "road: never opened. Ended at step 2 (2032.00)."
    assert frame.ladders["road"].count("<polyline") == 0  # a pending crisis draws no rung line


# --- ladder -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "seed"), [("moscow-strike", 0), ("moscow-strike", 2), ("korean-peninsula", 2)])
def test_ladder_marks_each_logged_move_with_a_rung(scenario, seed):
    model = finished(scenario, seed)
    for crisis in model.crises:
        svg = build_frame(model).ladders[crisis.id]
        moves = [e for e in model.event_log if e["crisis"] == crisis.id and e["rung"] != ""]
        assert len(moves) >= len(crisis.history)  # every move of the crisis, plus its opening
        marks = MARKER.findall(svg)
        assert [title for *_, title in marks] == [escape(event_line(e)) for e in moves]
        # a marker's height follows its rung: higher rung, smaller y
        heights = {e["rung"]: float(cy) for e, (_, cy, _, _) in zip(moves, marks, strict=True)}
        ordered = [heights[r] for r in sorted(heights)]
        assert ordered == sorted(ordered, reverse=True)


def test_ladder_colours_markers_by_mover_and_names_the_sides(tiny):
    model = finished(tiny(["escalate"], ["escalate", "yield"]), 1)
    svg = build_frame(model).ladders["road"]
    colours = {s.code: colour(s.index) for s in model.states}
    marks = MARKER.findall(svg)
    movers = [e["actor"] for e in model.event_log if e["crisis"] == "road" and e["rung"] != ""]
    assert [fill for _, _, fill, _ in marks] == [colours[m] for m in movers]
    assert "Escalation ladder: road (AAA vs BBB)" in svg
    assert ("#e15759", "BBB moves") in LEGEND.findall(svg) and ("#4e79a7", "AAA moves") in LEGEND.findall(svg)


def test_ladder_line_starts_when_the_crisis_opens(tiny):
    path = tiny(["escalate"], ["hold"], params={**TINY["params"], "max_steps": 6})
    document = yaml.safe_load(path.read_text())
    document["crises"]["road"]["start_step"] = 3
    path.write_text(yaml.safe_dump(document))
    model = finished(path, 1)
    svg = build_frame(model).ladders["road"]
    ((points, _, title),) = polylines(svg)
    opening = MARKER.findall(svg)[0]
    assert title == "rung"
    assert points[0][0] == pytest.approx(float(opening[0]))  # first point at the opening's step
    assert points[-1][0] > points[0][0]


def test_ladder_line_ends_when_the_crisis_ends(tiny):
    path = tiny(["escalate"], ["yield"], params={**TINY["params"], "max_steps": 6, "stop_when_crises_end": False})
    model = finished(path, 1)
    assert model.steps == 6 and model.crisis("road").ended_at == 2
    svg = build_frame(model).ladders["road"]
    ((points, _, _),) = polylines(svg)
    last_move = MARKER.findall(svg)[-1]
    assert points[-1][0] == pytest.approx(float(last_move[0]))  # no line after the yield at step 2


def test_thresholds_at_the_same_rung_are_merged_into_one_rule():
    model = BrinkmanshipModel(scenario="moscow-strike", rng=0)
    rules = threshold_rules(model.ladder)
    assert rules == [
        (1.5, "Don't rock the boat"),
        (4.5, "Nuclear war is unthinkable"),
        (7.5, "No nuclear use"),
        (8.5, "Central sanctuary"),
        (9.5, "Central war / City targeting"),
    ]
    svg = build_frame(model).ladders["moscow"]
    assert RULE.findall(svg) == [escape(label) for _, label in rules]


def test_threshold_rules_sort_by_rung_and_keep_file_order_within_one():
    ladder = Ladder.model_validate(
        {**TINY["ladder"], "thresholds": [{"at": 3, "name": "C"}, {"at": 2, "name": "A"}, {"at": 2, "name": "B"}]}
    )
    assert threshold_rules(ladder) == [(1.5, "A / B"), (2.5, "C")]
    assert threshold_rules(ladder.model_copy(update={"thresholds": []})) == []


def test_tiny_ladder_escapes_threshold_names(tiny):
    svg = build_frame(finished(tiny(["escalate"], ["yield"]), 1)).ladders["road"]
    assert RULE.findall(svg) == ["Firebreak &lt;A&gt; / Firebreak B", "Nuke"]


# --- network -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["moscow-strike", "korean-peninsula", "alliance-after-war", "cuban-missile-1962"])
def test_network_has_one_circle_per_state_at_the_same_place_whatever_the_seed(scenario):
    first, second = finished(scenario, 0), finished(scenario, 7)
    assert layout(first) == layout(second)
    a, b = nodes(build_frame(first).network), nodes(build_frame(second).network)
    assert list(a) == [s.code for s in first.states]
    assert build_frame(first).network.count("<circle") == len(first.states)
    assert {k: v[:2] for k, v in a.items()} == {k: v[:2] for k, v in b.items()}
    # and at every step of a run
    fresh = BrinkmanshipModel(scenario=scenario, rng=0)
    assert {k: v[:2] for k, v in nodes(build_frame(fresh).network).items()} == {k: v[:2] for k, v in a.items()}


def test_layout_puts_states_on_a_circle_in_scenario_order():
    model = BrinkmanshipModel(scenario="moscow-strike", rng=0)
    where = layout(model)
    assert list(where) == [s.code for s in model.states]
    assert where[model.states[0].code] == pytest.approx((0.5, 0.14))  # first at the top
    for x, y in where.values():
        assert math.hypot(x - 0.5, y - 0.5) == pytest.approx(0.36)


def test_node_size_grows_with_capability():
    model = BrinkmanshipModel(scenario="moscow-strike", rng=0)
    radius = {code: r for code, (_, _, r, _, _) in nodes(build_frame(model).network).items()}
    assert radius["USA"] == pytest.approx(32.0, abs=0.1)  # the most capable state gets the full size
    assert radius["UKR"] < radius["RUS"] < radius["USA"]


def test_posture_fills_after_a_yield_cover_co_belligerents():
    model = finished("moscow-strike", 1)  # USA (with UKR) yields to RUS; PRK stays out
    crisis = model.crisis("moscow")
    assert crisis.yielder == "USA" and [m.code for m in crisis.sides[1].members] == ["USA", "UKR"]
    fill = {code: n[3] for code, n in nodes(build_frame(model).network).items()}
    assert fill == {
        "RUS": FILLS["prevailed"],
        "USA": FILLS["yielded"],
        "UKR": FILLS["yielded"],
        "NATO_EU": FILLS["no crisis"],
        "PRK": FILLS["no crisis"],
    }
    titles = {code: n[4] for code, n in nodes(build_frame(model).network).items()}
    assert titles["UKR"].startswith("Ukraine (UKR): yielded in moscow; fear 0.40")


def test_an_ally_that_joined_shares_its_sides_posture():
    model = finished("moscow-strike", 322)  # PRK joins RUS, NATO_EU joins USA, and USA yields
    crisis = model.crisis("moscow")
    assert [m.code for m in crisis.sides[0].members] == ["RUS", "PRK"] and crisis.yielder == "USA"
    assert [m.code for m in crisis.sides[1].members] == ["USA", "UKR", "NATO_EU"]
    fill = {code: n[3] for code, n in nodes(build_frame(model).network).items()}
    assert fill["PRK"] == fill["RUS"] == FILLS["prevailed"]
    assert fill["USA"] == fill["UKR"] == fill["NATO_EU"] == FILLS["yielded"]
    catastrophe = finished("moscow-strike", 101)  # PRK joins, and the crisis ends in all-out war
    fill = {code: n[3] for code, n in nodes(build_frame(catastrophe).network).items()}
    assert fill["PRK"] == fill["RUS"] == fill["USA"] == fill["UKR"] == FILLS["catastrophe"]


def test_open_crisis_fill_heats_with_the_rung():
    model = BrinkmanshipModel(scenario="moscow-strike", rng=0)
    model.step()
    network = nodes(build_frame(model).network)
    rung = model.crisis("moscow").rung
    assert network["RUS"][4].startswith(f"Russia (RUS): in crisis moscow at rung {rung};")
    fixed = {fill for fill, _ in POSTURE_KEY}
    heated = network["RUS"][3]
    assert heated not in fixed
    low, high = (255, 237, 160), (189, 0, 38)  # ffeda0 .. bd0026
    channels = tuple(int(heated[i : i + 2], 16) for i in (1, 3, 5))
    share = rung / model.ladder.top
    assert channels == tuple(round(a + (z - a) * share) for a, z in zip(low, high, strict=True))
    assert network["NATO_EU"][3] == FILLS["no crisis"]


def test_catastrophe_and_stalemate_fills(tiny):
    boom = finished(tiny(["escalate"], ["escalate"], then="escalate"), 1)
    fill = {code: n[3] for code, n in nodes(build_frame(boom).network).items()}
    assert fill == {
        "AAA": FILLS["catastrophe"],
        "BBB": FILLS["catastrophe"],
        "CCC": FILLS["catastrophe"],
        "DDD": FILLS["no crisis"],
    }
    stuck = finished(tiny(["hold"], ["hold"], params={**TINY["params"], "max_steps": 3}), 1)
    fill = {code: n[3] for code, n in nodes(build_frame(stuck).network).items()}
    assert fill["AAA"] == fill["CCC"] == FILLS["stalemate"]


def test_network_draws_crises_and_alliances():
    model = BrinkmanshipModel(scenario="moscow-strike", rng=0)
    assert "moscow: rung" not in build_frame(model).network  # pending: no crisis edge yet
    model.step()
    svg = build_frame(model).network
    assert f"<title>moscow: rung {model.crisis('moscow').rung}</title>" in svg
    assert svg.count("stroke='#3182bd'") == 2  # RUS-PRK and NATO, two members each
    assert "<title>NATO: cohesion 0.85</title>" in svg


# --- other charts --------------------------------------------------------------------------------------------------


def test_beliefs_chart_draws_image_and_resolve_of_each_side():
    model = finished("moscow-strike", 0)
    svg = build_frame(model).beliefs
    titles = {title for _, _, title in polylines(svg)}
    assert titles == {"RUS reckless", "RUS resolve", "USA reckless", "USA resolve"}


def test_beliefs_chart_keeps_a_line_per_crisis_side(tiny):
    path = tiny(["escalate"], ["hold"], params={**TINY["params"], "max_steps": 3})
    document = yaml.safe_load(path.read_text())
    document["crises"]["two"] = {"first_mover": "AAA", "sides": {"AAA": {}, "DDD": {}}}
    path.write_text(yaml.safe_dump(document))
    model = finished(path, 1)
    recorded = [k for k in model.datacollector.model_vars if k.startswith(("image.", "resolve."))]
    assert len(recorded) == 8
    drawn = {title for _, _, title in polylines(build_frame(model).beliefs)}
    assert len(drawn) == len(recorded)


def test_cohesion_chart_has_a_line_per_alliance_and_the_dissolution_rule():
    model = finished("alliance-after-war", 0)
    svg = build_frame(model).cohesion
    assert {title for _, _, title in polylines(svg)} == {a.id for a in model.alliances}
    assert RULE.findall(svg) == ["dissolves below"]


def test_charts_are_empty_strings_without_crises_or_alliances():
    assert build_frame(BrinkmanshipModel(scenario="alliance-after-war", rng=0)).beliefs == ""
    assert build_frame(BrinkmanshipModel(scenario="alliance-after-war", rng=0)).ladders == {}
    assert build_frame(BrinkmanshipModel(scenario="cuban-missile-1962", rng=0)).cohesion == ""


# --- event log in words ----------------------------------------------------------------------------------------------


def test_event_line_wording_of_a_full_entry():
    entry = {
        "step": 1,
        "year": 2025.9027,
        "crisis": "moscow",
        "actor": "USA",
        "action": "opens",
        "rung": 6,
        "rung_name": "Conventional strikes on the homeland",
        "next_mover": "RUS",
        "detail": "USA side has reached this rung",
    }
    assert event_line(entry) == (
        "2025.90 (step 1) moscow: USA opens at rung 6, Conventional strikes on the homeland "
        "(USA side has reached this rung); RUS to move"
    )


def test_event_line_wording_without_crisis_actor_or_rung():
    entry = {"step": 12, "year": 1999.5, "crisis": "", "actor": "", "action": "war ends", "rung": "", "rung_name": ""}
    entry |= {"detail": "", "next_mover": ""}
    assert event_line(entry) == "1999.50 (step 12) the clock war ends"
    assert event_line(entry | {"actor": "PRK", "detail": "x"}) == "1999.50 (step 12) PRK war ends (x)"
    assert event_line(entry | {"rung": 0, "rung_name": "Status quo"}).endswith("war ends at rung 0, Status quo")


def test_event_lines_keep_the_newest_oldest_first():
    model = finished("rus-prk-history", 0)
    assert len(model.event_log) > EVENT_LINES
    frame = build_frame(model)
    assert frame.events == [event_line(e) for e in model.event_log[-EVENT_LINES:]]
    assert frame.events_total == len(model.event_log)
    assert event_lines(model, last=3) == frame.events[-3:]


# --- determinism -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["moscow-strike", "korean-peninsula"])
def test_same_scenario_and_seed_give_identical_frames(scenario):
    a, b = BrinkmanshipModel(scenario=scenario, rng=5), BrinkmanshipModel(scenario=scenario, rng=5)
    while a.running:
        a.step()
        b.step()
        fa, fb = build_frame(a), build_frame(b)
        assert fa == fb
        assert (fa.network, fa.ladders, fa.beliefs, fa.cohesion) == (fb.network, fb.ladders, fb.beliefs, fb.cohesion)
    assert not b.running


def test_drawing_frames_draws_no_random_numbers():
    drawn, plain = (
        BrinkmanshipModel(scenario="korean-peninsula", rng=2),
        BrinkmanshipModel(scenario="korean-peninsula", rng=2),
    )
    while drawn.running:
        build_frame(drawn)
        build_frame(drawn)
        drawn.step()
    plain.run()
    assert drawn.event_log == plain.event_log
    assert summarize(drawn) == summarize(plain)
    assert build_frame(drawn) == build_frame(plain)
