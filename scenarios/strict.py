"""Strict building blocks of the file formats: numbers that are numbers, flags that are flags, ids.

pydantic's lax mode reads ``fear: true`` as 1.0, ``active: 1`` as true and ``fear: "0.5"`` as 0.5;
a scenario file that says so is more likely wrong than meant, so these types refuse them. The
same rule (`scalar_problem`) checks policy parameters and the values of ``set`` events.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from scenarios import limits
from scenarios.errors import shown

ID_PATTERN = re.compile(r"^\w[\w-]*$")
"""Alliance, crisis and context ids and ladder names: letters, digits, '_' and '-' (no '.')."""

_NUMBER_KINDS = {int: "integer", float: "number"}


def _kinds(annotation: Any) -> tuple[set[Any], set[Any]]:
    """The scalar types and literal values an annotation admits (``Any`` for anything)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds: set[Any] = set()
        literals: set[Any] = set()
        for option in typing.get_args(annotation):
            more, values = _kinds(option)
            kinds |= more
            literals |= values
        return kinds, literals
    if origin is typing.Literal:
        return set(), set(typing.get_args(annotation))
    if annotation in (bool, int, float, str) or annotation is Any:
        return {annotation}, set()
    return {object}, set()  # a model, container or other type: pydantic judges


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def scalar_problem(annotation: Any, value: Any) -> str | None:
    """Why `value` may not stand for a field of type `annotation`, or None if it may.

    Refused: a boolean where a number is expected, a number where a boolean is, and a string
    where a number or a boolean is (unless a literal allows that very string). Anything else is
    left to pydantic. Items of a list or tuple are checked against the item type.
    """
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return scalar_problem(typing.get_args(annotation)[0], value)
    if origin in (list, tuple) and isinstance(value, list | tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        for position, item in enumerate(value):
            item_type = args[0] if len(args) == 1 or origin is list else args[min(position, len(args) - 1)]
            problem = scalar_problem(item_type, item)
            if problem:
                return f"item {position}: {problem}"
        return None
    kinds, literals = _kinds(annotation)
    if Any in kinds or object in kinds:
        return None
    numbers = [name for kind, name in _NUMBER_KINDS.items() if kind in kinds]
    if _is_flag(value):
        if bool in kinds or any(_is_flag(v) and v == value for v in literals):
            return None
        return f"Input should be a valid {numbers[-1]}, not a boolean (got {shown(value)})" if numbers else None
    if isinstance(value, int | float | np.number):
        if numbers or any(not _is_flag(v) and v == value for v in literals if isinstance(v, int | float)):
            return None
        if bool in kinds:
            return f"Input should be a valid boolean (true or false), not a number (got {shown(value)})"
        return None
    if isinstance(value, str) and str not in kinds and value not in literals and (numbers or bool in kinds):
        wanted = numbers[-1] if numbers else "boolean (true or false)"
        return f"Input should be a valid {wanted}, not a string (got {shown(value)})"
    return None


def strict_check(annotation: Any) -> BeforeValidator:
    """A pydantic validator that refuses what `scalar_problem` refuses for `annotation`."""

    def check(value: Any) -> Any:
        problem = scalar_problem(annotation, value)
        if problem:
            raise ValueError(problem)
        return value

    return BeforeValidator(check)


def bounded(kind: type, **bounds: float) -> Any:
    """A strict `kind` (float or int) within pydantic bounds (``ge``, ``le``, ...), as an annotation.

    The bounds come before the strict check, so that the JSON Schema shows them as
    ``minimum``/``maximum``.
    """
    return Annotated[kind, Field(**bounds), strict_check(kind)]


Real = Annotated[float, strict_check(float)]
"""A number: an int or a float, never a boolean or a string; NaN and infinity are refused by `Strict`."""
Integer = Annotated[int, strict_check(int)]
"""A whole number, never a boolean or a string."""
Flag = Annotated[bool, strict_check(bool)]
"""``true`` or ``false``, never a number or a string."""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _plain(pattern: re.Pattern[str]) -> AfterValidator:
    def check(text: str) -> str:
        found = pattern.search(text)
        if found:
            raise ValueError(
                f"contains the control character U+{ord(found.group()):04X}; text is printed as it is, so it may "
                "hold no escape codes" + ("" if pattern is _CONTROL else " or line breaks")
            )
        return text

    return AfterValidator(check)


Line = Annotated[str, Field(max_length=limits.NAME_CHARS), _plain(_CONTROL_OR_BREAK)]
"""A name or title: one line of at most `limits.NAME_CHARS` characters, no control characters."""
Text = Annotated[str, Field(max_length=limits.TEXT_CHARS), _plain(_CONTROL)]
"""Free text (descriptions, notes): at most `limits.TEXT_CHARS` characters; tabs and line breaks allowed."""


class Strict(BaseModel):
    """Base of the format's models: unknown keys are errors; NaN and infinity are not numbers."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


def check_ids(kind: str, keys: Iterable[str]) -> None:
    """Refuse ids that a dotted path cannot address (``crises.bala.kot.start_rung``).

    Args:
        kind: What the ids are, for the message ("crisis id").
        keys: The ids.

    Raises:
        ValueError: An id with a '.', another character than letters, digits, '_' and '-', or too long.
    """
    for key in keys:
        if len(key) > limits.ID_CHARS:
            raise ValueError(f"{kind} {shown(key)} is longer than {limits.ID_CHARS} characters")
        if not ID_PATTERN.match(key):
            why = "contains '.', which separates the parts of a dotted path" if "." in key else "is not allowed"
            raise ValueError(f"{kind} {shown(key)} {why}; use letters, digits, '_' and '-'")
