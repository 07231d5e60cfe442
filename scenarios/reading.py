"""Read YAML files and values safely: size, nesting and alias limits, and no duplicate keys.

Every scenario file, ladder file and ``--set`` value is parsed here, with libyaml's safe loader
where PyYAML was built with it (several times faster than the pure-Python one) and the same
checks either way (limits in `scenarios.limits`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from scenarios import limits
from scenarios.errors import ScenarioError, shown

MERGE_TAG = "tag:yaml.org,2002:merge"


class _Strict:
    """What `StrictLoader` adds to a PyYAML safe loader.

    A key given twice in one mapping is an error naming the key and both lines (PyYAML's own
    loaders keep the last silently). Keys merged in with ``<<`` may be overridden, as YAML says.
    Before anything is constructed, the document's nesting depth and its size with aliases
    expanded are checked against `limits.DEPTH` and `limits.NODES`.
    """

    construct_object: Any
    get_single_node: Any
    construct_document: Any

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct a mapping; raise `ConstructorError` on a key that appears twice."""
        if isinstance(node, MappingNode):
            seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=False)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # unhashable: the base class reports it
                if first is not key_node:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {shown(key)} (first given on line {first.start_mark.line + 1})",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]

    def get_single_data(self) -> Any:
        """Compose the one document, check its shape, then construct it."""
        node = self.get_single_node()
        if node is None:
            return None
        check_node_tree(node)
        return self.construct_document(node)


class StrictLoader(_Strict, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader every file is read with: libyaml's where PyYAML has it, with `_Strict`'s checks."""


class PureStrictLoader(_Strict, yaml.SafeLoader):
    """The same in pure Python (what `StrictLoader` is when PyYAML was built without libyaml)."""


def check_node_tree(root: Node) -> None:
    """Check a composed YAML document's nesting depth and expanded size, without recursion.

    Sizes and heights are memoised per node, so an alias bomb (a few lines whose aliases expand
    to billions of values) is measured in time linear in its text.

    Raises:
        ConstructorError: Too deep, too large once aliases are expanded, or an alias inside itself.
    """
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values with aliases expanded, height)
    on_path: set[int] = {id(root)}
    stack: list[tuple[Node, list[Node]]] = [(root, _children(root))]
    while stack:
        node, pending = stack[-1]
        while pending and (id(pending[-1]) in sizes or isinstance(pending[-1], ScalarNode)):
            child = pending.pop()
            sizes.setdefault(id(child), (1, 0))
        if pending:
            child = pending.pop()
            if id(child) in on_path:
                raise ConstructorError(None, None, "an alias refers to a value that contains it", child.start_mark)
            if len(stack) >= limits.DEPTH:
                raise ConstructorError(None, None, _too_deep(), child.start_mark)
            pending.append(child)  # measured once its own children are
            on_path.add(id(child))
            stack.append((child, _children(child)))
            continue
        stack.pop()
        on_path.discard(id(node))
        measured = [sizes[id(c)] for c in _children(node)]
        size = 1 + sum(s for s, _ in measured)
        height = 1 + max((h for _, h in measured), default=0)
        if height > limits.DEPTH:
            raise ConstructorError(None, None, _too_deep(), node.start_mark)
        if size > limits.NODES:
            raise ConstructorError(
                None, None, f"more than {limits.NODES:,} values once aliases are expanded", node.start_mark
            )
        sizes[id(node)] = (size, height)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, ScalarNode):
        return []
    return list(node.value)


def _too_deep() -> str:
    return f"mappings and lists nest more than {limits.DEPTH} levels deep"


def parse_yaml(text: str, source: str, path: str = "") -> Any:
    """Parse YAML text with `StrictLoader`.

    Args:
        text: The YAML.
        source: The file or option it came from, for the error.
        path: The dotted path it is the value of ("" for a whole file).

    Raises:
        ScenarioError: Not valid YAML, a duplicate key, or beyond the limits.
    """
    if len(text) > limits.FILE_BYTES:
        raise ScenarioError(source, path, f"is longer than the limit of {limits.FILE_BYTES:,} characters")
    try:
        return yaml.load(text, Loader=StrictLoader)  # a safe loader: no tags beyond plain YAML
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(source, path, f"not valid YAML: {where}{problem}") from None
    except RecursionError:  # the pure-Python composer recurses per level
        raise ScenarioError(source, path, f"not valid YAML: {_too_deep()}") from None


def read_text(path: Path) -> str:
    """Read a UTF-8 text file of at most `limits.FILE_BYTES`, refusing a larger one unread.

    Raises:
        ScenarioError: Unreadable, too large, or not UTF-8.
    """
    source = str(path)
    too_large = f"file is larger than the limit of {limits.FILE_BYTES:,} bytes"
    try:
        if path.stat().st_size > limits.FILE_BYTES:
            raise ScenarioError(source, "", too_large)
        with path.open("rb") as handle:  # a file that grows, or a device, stops at the limit
            data = handle.read(limits.FILE_BYTES + 1)
    except (OSError, ValueError) as error:
        raise ScenarioError(source, "", f"cannot read file: {getattr(error, 'strerror', None) or error}") from None
    if len(data) > limits.FILE_BYTES:
        raise ScenarioError(source, "", too_large)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(source, "", f"cannot read file: not UTF-8 text (byte {error.start})") from None


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML file whose top level is a mapping (`read_text`, then `parse_yaml`).

    Raises:
        ScenarioError: Unreadable, too large, not YAML, or not a mapping at the top.
    """
    data = parse_yaml(read_text(path), str(path))
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "", f"expected a mapping of fields at the top, found {type(data).__name__}")
    return data
