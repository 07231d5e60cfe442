"""One addressing scheme for every parameter: dotted paths into a scenario.

``states.RUS.recklessness``, ``alliances.RUS-PRK.institutionalisation``, ``params.max_steps``,
``crises.moscow.sides.USA.prevail``, ``events.0.at``. The command line's ``--set``, sweeps,
tuning and dashboard sliders all use these paths.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from scenarios import limits
from scenarios.errors import ScenarioError, clip, shown
from scenarios.reading import parse_yaml

OVERRIDE_SOURCE = "--set"
NULL_WORDS = frozenset({"null", "Null", "NULL", "~"})
"""The spellings of YAML's null that an override may give as its value."""


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``PATH=VALUE``; the value is read as YAML (``0.9``, ``true``, ``[1, 2]``).

    The value is parsed like a scenario file (`scenarios.reading.parse_yaml`: no duplicate keys,
    the same size and nesting limits). An explicit ``null`` (or ``~``) is a value: it sets a field
    that may be null (``params.game.lambda=null``, ``states.RUS.image=null``) back to null; a field
    that may not be null refuses it when the scenario is validated.

    Raises:
        ScenarioError: No ``=``, an empty path, nothing after ``=``, or a value that is not YAML.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ScenarioError(OVERRIDE_SOURCE, path or text, "expected PATH=VALUE, e.g. states.RUS.fear=0.3")
    if len(path) > limits.REFERENCE_CHARS:
        raise ScenarioError(OVERRIDE_SOURCE, path, "is not a parameter path (too long)")
    value = parse_yaml(raw, OVERRIDE_SOURCE, path) if raw.strip() else None
    if value is None and raw.strip() not in NULL_WORDS:
        raise ScenarioError(OVERRIDE_SOURCE, path, "missing value after '='")
    return path, value


def leaf_paths(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every leaf of a nested mapping (lists indexed by position) as ``path -> value``."""
    out: dict[str, Any] = {}
    items: Iterable[tuple[Any, Any]]
    items = document.items() if isinstance(document, Mapping) else enumerate(document)
    for key, value in items:
        path = f"{prefix}{key}"
        if (isinstance(value, Mapping) and value) or (isinstance(value, list) and value):
            out.update(leaf_paths(value, prefix=f"{path}."))
        else:
            out[path] = value
    return out


def tunable_paths(document: Mapping[str, Any]) -> dict[str, float | int | bool]:
    """Numeric and boolean leaves outside ``events``: what sweeps and sliders may vary."""
    return {
        path: value
        for path, value in leaf_paths(document).items()
        if isinstance(value, bool | int | float) and not path.startswith(("events.", "ladder."))
    }


def check_path(full: Mapping[str, Any], path: str, source: str = OVERRIDE_SOURCE) -> None:
    """Check that `path` names a field of the fully defaulted scenario `full`.

    Raises:
        ScenarioError: The path names nothing, with the nearest match as a suggestion.
    """
    node: Any = full
    walked: list[str] = []
    for part in path.split("."):
        children = _children(node)
        if part not in children:
            here = ".".join(walked)
            close = difflib.get_close_matches(part[: limits.ID_CHARS], children, n=1, cutoff=0.5)
            hint = f"; did you mean {shown('.'.join([*walked, close[0]]))}?" if close else ""
            listed = ", ".join(clip(child, 40) for child in children[:12])
            known = f" ({here or 'top level'} has: {listed})" if children and not close else ""
            raise ScenarioError(source, path, f"unknown parameter path{hint}{known}")
        node = node[part] if isinstance(node, Mapping) else node[int(part)]
        walked.append(part)


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set `path` in a raw scenario document, creating missing mappings on the way."""
    parts = path.split(".")
    node: Any = raw
    for part in parts[:-1]:
        if isinstance(node, list):
            node = node[int(part)]
            continue
        if not isinstance(node.get(part), dict | list):
            node[part] = {}
        node = node[part]
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value


def _children(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        return [str(k) for k in node]
    if isinstance(node, list):
        return [str(i) for i in range(len(node))]
    return []
