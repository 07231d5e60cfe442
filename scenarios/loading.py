"""Read, override and validate scenario and ladder files, with one clear error on bad input."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from scenarios import limits
from scenarios.errors import ScenarioError, shown
from scenarios.ladder import Ladder
from scenarios.paths import OVERRIDE_SOURCE, check_path, set_path
from scenarios.reading import read_yaml as read_yaml  # callers read YAML files through here
from scenarios.schema import NEVER, Scenario, _suggest

SCENARIO_DIR = Path(__file__).resolve().parent
LADDER_DIR = SCENARIO_DIR / "ladders"
DEFAULT_SCENARIO = "moscow-strike"


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenarios by name: ``moscow-strike``, ``theory/haynes``, ..., sorted."""
    found = {p.stem: p for p in SCENARIO_DIR.glob("*.yaml")}
    found.update({f"theory/{p.stem}": p for p in (SCENARIO_DIR / "theory").glob("*.yaml")})
    return dict(sorted(found.items()))


def shipped_ladders() -> dict[str, Path]:
    """Shipped ladders by name."""
    return {p.stem: p for p in sorted(LADDER_DIR.glob("*.yaml"))}


def resolve_scenario(reference: str | Path) -> Path:
    """Find a scenario by shipped name or by path.

    Raises:
        ScenarioError: Neither a shipped name nor an existing file.
    """
    shipped = shipped_scenarios()
    if str(reference) in shipped:
        return shipped[str(reference)]
    path = Path(reference)
    kind = file_kind(path)
    if kind == "file":
        return path
    if kind == "other":
        raise ScenarioError(str(reference), "", "is not a file")
    hint = _suggest(str(reference), shipped) if path.suffix == "" else ""
    raise ScenarioError(str(reference), "", f"no such file or shipped scenario{hint}")


def file_kind(path: Path) -> str:
    """"file", "other" (a folder, a device) or "missing"; a name too long to be a path is missing."""
    if len(str(path)) > limits.REFERENCE_CHARS:
        return "missing"
    try:
        if path.is_file():
            return "file"
        return "other" if path.exists() else "missing"
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return "missing"


def load_ladder(reference: str, relative_to: Path | None = None) -> Ladder:
    """Load a shipped ladder by name, or a ladder file by path (relative to the scenario).

    Raises:
        ScenarioError: Missing or malformed ladder file.
    """
    shipped = shipped_ladders()
    if reference in shipped:
        path = shipped[reference]
    else:
        path = Path(reference)
        if not path.is_absolute() and relative_to is not None:
            path = relative_to.parent / path
        if file_kind(path) != "file":
            raise ScenarioError(
                str(relative_to or reference),
                "ladder",
                f"no shipped ladder or file {shown(reference)}{_suggest(reference, shipped)}",
            )
    return validate_model(Ladder, read_yaml(path), str(path))


def load_scenario(
    reference: str | Path | Scenario,
    overrides: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),
) -> Scenario:
    """Load a scenario by name, path or object, apply dotted-path overrides and validate it.

    Args:
        reference: Shipped name (``moscow-strike``), file path, or a validated `Scenario`.
        overrides: ``path -> value`` pairs applied before validation.

    Returns:
        The validated scenario, with its ladder loaded.

    Raises:
        ScenarioError: Any problem with the file, the ladder or an override (see docs/scenarios.md).
    """
    pairs = list(overrides.items() if isinstance(overrides, Mapping) else overrides)
    if isinstance(reference, Scenario):
        base_dir = Path(reference.source) if reference.source != "<scenario>" else None
        source = reference.source
        raw = reference.model_dump(by_alias=True, exclude_unset=True, mode="python")
        cached_ladder = reference._ladder if isinstance(reference.ladder, str) else None
    else:
        path = resolve_scenario(reference)
        base_dir, source, raw, cached_ladder = path, str(path), read_yaml(path), None
    written = validate_model(Scenario, raw, source)
    if not isinstance(reference, Scenario):
        check_event_steps(written, source, None)
    scenario = apply_overrides(written, raw, pairs, source) if pairs else written
    scenario._source = source
    ladder = _ladder_of(scenario, cached_ladder, base_dir)
    scenario._ladder = ladder
    touched = {key for key, _ in pairs}
    if "ladder" in touched:
        check_ladder_override(_ladder_of(written, cached_ladder, base_dir), scenario, touched)
    check_against_ladder(scenario, ladder)
    if touched:
        check_event_steps(scenario, source, touched)
    return scenario


def apply_overrides(written: Scenario, raw: dict[str, Any], pairs: list[tuple[str, Any]], source: str) -> Scenario:
    """Apply ``path -> value`` overrides to the document `raw` of `written` and validate it again.

    Raises:
        ScenarioError: A path that names nothing, or an invalid result (blamed on ``--set`` when an
            override is involved).
    """
    full = written.model_dump(by_alias=True, mode="python")
    for key, value in pairs:
        check_path(full, key)
        set_path(raw, key, value)
    override_paths = {key for key, _ in pairs}
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        path_text, problem = describe_error(error, raw, Scenario)
        blamed = OVERRIDE_SOURCE if _touches(path_text, override_paths) else source
        raise ScenarioError(blamed, path_text, problem) from None


def _ladder_of(scenario: Scenario, cached: Ladder | None, base_dir: Path | None) -> Ladder:
    if isinstance(scenario.ladder, Ladder):
        return scenario.ladder
    if cached is not None and cached.name == scenario.ladder:
        return cached
    return load_ladder(scenario.ladder, base_dir)


def check_event_steps(scenario: Scenario, source: str, touched: set[str] | None) -> None:
    """Refuse an event scheduled after the step limit, which would silently never fire.

    An event written ``at: never`` is switched off on purpose and passes.

    Args:
        scenario: The validated scenario.
        source: Its file, blamed when `touched` is None (the file as written).
        touched: The override paths; then only events whose step an override set are checked
            (an override that shortens the run, ``--steps`` say, leaves later events unfired).

    Raises:
        ScenarioError: An event's ``at`` beyond ``params.max_steps``.
    """
    limit = scenario.params.max_steps
    for position, event in enumerate(scenario.events):
        path = f"events.{position}.at"
        if limit < event.at != NEVER and (touched is None or _touches(path, touched)):
            raise ScenarioError(
                source if touched is None else OVERRIDE_SOURCE,
                path,
                f"step {event.at} is after the step limit (params.max_steps = {limit}), so the event would never "
                "fire; write 'at: never' to list an event switched off",
            )


def rung_numbers(scenario: Scenario) -> dict[str, Any]:
    """Every value of the scenario that names a rung of its ladder, by dotted path.

    Start rungs above 0 (rung 0 is the status quo on every ladder), doctrine jumps, strike
    events' rungs, and rung numbers in a scripted policy's moves.
    """
    found: dict[str, Any] = {}
    for key, crisis in scenario.crises.items():
        if crisis.start_rung:
            found[f"crises.{key}.start_rung"] = crisis.start_rung
    for code, state in scenario.states.items():
        for position, jump in enumerate(state.doctrine.jumps):
            found[f"states.{code}.doctrine.jumps.{position}"] = f"{{from: {jump.from_}, to: {jump.to}}}"
        moves = state.policy.params.get("moves")
        if isinstance(moves, list | tuple) and any(isinstance(m, int) and not isinstance(m, bool) for m in moves):
            found[f"states.{code}.policy.moves"] = list(moves)
    for position, event in enumerate(scenario.events):
        rung = getattr(event, "rung", None)
        if rung is not None:
            found[f"events.{position}.rung"] = rung
    return found


def check_ladder_override(old: Ladder, scenario: Scenario, touched: set[str]) -> None:
    """Refuse ``--set ladder=...`` when the scenario's rung numbers were written for its own ladder.

    A rung number means a different rung on another ladder (rung 6 is conventional strikes on
    the homeland on ``default`` and a significant mobilization on ``kahn-44``). The override is allowed
    when the ladder is the same, when nothing in the scenario names a rung, or when every value
    that does is overridden too.

    Raises:
        ScenarioError: Rung numbers written for `old` that the overrides leave as they were.
    """
    new = scenario.resolved_ladder
    if new == old:
        return
    stale = [(path, value) for path, value in rung_numbers(scenario).items() if not _touches(path, touched)]
    if stale:
        listed = "; ".join(f"{path} = {shown(value, 40)}" for path, value in stale[:3])
        more = f" and {len(stale) - 3} more" if len(stale) > 3 else ""
        raise ScenarioError(
            OVERRIDE_SOURCE,
            "ladder",
            f"the scenario's rung numbers were written for ladder {shown(old.name)} and would name other rungs "
            f"on {shown(new.name)} ({listed}{more}); override them too or write the scenario for that ladder",
        )


def check_against_ladder(scenario: Scenario, ladder: Ladder) -> None:
    """Check rung numbers in crises, doctrines and events against the ladder.

    Raises:
        ScenarioError: A rung beyond the ladder.
    """
    top = ladder.top

    def fail(path: str, rung: int, limit: int) -> None:
        raise ScenarioError(
            scenario.source,
            path,
            f"rung {rung} is not on ladder {ladder.name!r} (rungs 0..{top}; here at most {limit})",
        )

    for key, crisis in scenario.crises.items():
        if crisis.start_rung >= top:
            fail(f"crises.{key}.start_rung", crisis.start_rung, top - 1)
    for code, state in scenario.states.items():
        for i, jump in enumerate(state.doctrine.jumps):
            if jump.to > top:
                fail(f"states.{code}.doctrine.jumps.{i}.to", jump.to, top)
    for i, event in enumerate(scenario.events):
        rung = getattr(event, "rung", None)
        if rung is not None and rung > top:
            fail(f"events.{i}.rung", rung, top)


def validate_model[M: BaseModel](model: type[M], data: Any, source: str) -> M:
    """Validate `data` as `model`, turning the first problem into a `ScenarioError`."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        path, problem = describe_error(error, data, model)
        raise ScenarioError(source, path, problem) from None


def describe_error(error: ValidationError, raw: Any, model: type[BaseModel]) -> tuple[str, str]:
    """The dotted path and a plain message for the first problem in a validation error."""
    errors = error.errors(include_url=False)
    # In a union (`ladder: str | Ladder`) prefer the branch that fits the input's shape.
    specific = [e for e in errors if not (e["loc"] and e["loc"][-1] in _TAGS and e["type"].endswith("_type"))]
    candidates = specific or errors
    # A misspelt key shows up as both "missing" and "extra": the extra one can say "did you mean".
    detail = next((e for e in candidates if e["type"] == "extra_forbidden"), candidates[0])
    loc = _document_path(detail["loc"], raw)
    message = str(detail["msg"]).removeprefix("Value error, ")
    if detail["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1], raw)
        key = str(loc[-1])
        hint = _suggest(key, allowed) if allowed else ""
        return ".".join(map(str, loc)), f"unknown field {shown(key)}{hint}"
    if detail["type"] == "missing":
        return ".".join(map(str, loc)), "required field is missing"
    if detail["type"] == "too_long":
        actual = (detail.get("ctx") or {}).get("actual_length")
        count = f"has {actual:,} entries, " if isinstance(actual, int) else ""
        limit = (detail.get("ctx") or {}).get("max_length")
        return ".".join(map(str, loc)), f"{count}more than the limit of {limit:,} (see docs/scenarios.md, Size limits)"
    path = ".".join(map(str, loc))
    if (
        not loc
        and ": " in message
        and message.split(": ", 1)[0].replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        path, message = message.split(": ", 1)
    elif "input" in detail and not isinstance(detail["input"], dict | list) and detail["type"] != "value_error":
        message = f"{message} (got {shown(detail['input'])})"
    return path, message


def _document_path(loc: tuple[Any, ...], raw: Any) -> list[Any]:
    """Drop pydantic's union tags from a location, keeping the keys that exist in the document."""
    out: list[Any] = []
    node = raw
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            out.append(part)
            node = node[part]
        elif isinstance(part, str) and ("[" in part or part in _TAGS):
            continue
        elif last or isinstance(node, Mapping):
            out.append(part)
            node = None
    return out


_TAGS = {
    "str",
    "constrained-str",
    "int",
    "float",
    "bool",
    "Ladder",
    "set",
    "shift",
    "succession",
    "war_start",
    "war_end",
    "align",
    "strike",
}


def _allowed_keys(model: type[BaseModel], loc: list[Any], raw: Any) -> list[str]:
    """Field names (by alias) allowed at `loc` in a document validated by `model`."""
    current: Any = model
    node = raw
    for part in loc:
        node = node.get(part) if isinstance(node, Mapping) else (node[part] if isinstance(node, list) else None)
        current = _step_type(current, part, node)
        if current is None:
            return []
    current = _unwrap(current, node)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _step_type(current: Any, part: Any, node: Any) -> Any:
    current = _unwrap(current, node)
    if isinstance(current, type) and issubclass(current, BaseModel):
        for name, field in current.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        return None
    origin = typing.get_origin(current)
    if origin is dict:
        return typing.get_args(current)[1]
    if origin in (list, tuple):
        return typing.get_args(current)[0]
    return None


def _unwrap(annotation: Any, node: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            if isinstance(node, Mapping) and models:
                # A mapping fits a model branch: the one its `kind` tag names, else the first.
                return next((m for m in models if node.get("kind") in _literal_values(m)), models[0])
            return options[0]
        else:
            return annotation


def _literal_values(model: type[BaseModel]) -> tuple[Any, ...]:
    field = model.model_fields.get("kind")
    return typing.get_args(field.annotation) if field is not None else ()


def _touches(path: str, overrides: set[str]) -> bool:
    return any(path == o or path.startswith(o + ".") or o.startswith(path + ".") for o in overrides)


def field_for_path(document: Mapping[str, Any], path: str) -> FieldInfo | None:
    """The schema field a dotted path names (for its bounds and description), or None.

    Args:
        document: The scenario as a full dump (``Scenario.model_dump(by_alias=True)``).
        path: A dotted path such as ``states.RUS.fear`` or ``params.cohesion.rate``.
    """
    *head, last = path.split(".")
    current: Any = Scenario
    node: Any = document
    for part in head:
        node = node.get(part) if isinstance(node, Mapping) else None
        current = _step_type(current, part, node)
        if current is None:
            return None
    current = _unwrap(current, node)
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return None
    return next((f for name, f in current.model_fields.items() if last in (name, f.alias)), None)
