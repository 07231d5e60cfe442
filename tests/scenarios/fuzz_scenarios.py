"""Fuzz the command line with hostile mutations of the shipped scenarios.

Each mutant is a shipped scenario changed as a hostile or careless user might: a key given twice,
a boolean for a number (``fear: true``), a number for a flag, NaN and infinity, a quoted number,
mappings nested thousands deep, strings of a million characters, names with rich markup or
terminal escape codes, dotted ids, counts beyond the size limits, events after the step limit,
``set`` events with values out of their field's range, YAML tags, alias bombs, files over the size
limit, and overrides (``--set``) doing the same; plus benign mutations (a deleted or misspelt key,
an out-of-range number, a truncated file) that may be valid or not.

Each mutant runs through ``brink validate FILE`` (or ``brink run FILE --steps 2 --set ...`` for an
override) in a worker process that imports the command once, with a timeout per mutant; a worker
that does not answer in time is killed and replaced. Outcomes:

- clean error: exit status 2 and one ``error: ...`` line on stderr, at most a readable length;
- accepted: exit status 0 (for a mutation that must be refused: *accepted nonsense*);
- traceback: an exception escaped, or a traceback was printed;
- hang: no answer within the timeout;
- messy error: exit 2 but several lines, an overlong line, or output on stdout;
- mangled: accepted, but a name with markup did not print as written.

Usage::

    python tests/scenarios/fuzz_scenarios.py --mutants 2000 [--seed 0] [--timeout 30] [--json]

Exits 1 if any mutant gave a traceback, a hang, accepted nonsense, a messy error or mangled output.
The same seed gives the same mutants. ``tests/scenarios/test_fuzz_scenarios.py`` runs a few hundred.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import multiprocessing
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
MERGE_TAG = "tag:yaml.org,2002:merge"
SCENARIO_DIR = ROOT / "scenarios"
LINE_LIMIT = 7 + 500  # "error: " + scenarios.errors.LINE_CHARS
MEMORY_LIMIT = 4 << 30  # a worker's address space: a memory bomb fails instead of swamping the machine
OUTCOMES = ("clean error", "accepted", "accepted nonsense", "traceback", "hang", "crash", "messy error", "mangled")
DEFECTS = ("accepted nonsense", "traceback", "hang", "crash", "messy error", "mangled")


@dataclass(frozen=True)
class Base:
    """A shipped scenario to mutate: its name, text and parsed document."""

    name: str
    text: str
    doc: dict[str, Any]


@dataclass(frozen=True)
class Mutant:
    """One mutated scenario and how to run it.

    Attributes:
        operator: The mutation's name.
        base: The shipped scenario it came from.
        text: The file's content.
        must_refuse: Whether a correct validator must refuse it.
        overrides: ``--set`` arguments (then it runs with ``brink run``).
        marker: Text that an accepted mutant's output must contain as written.
        run: Run it (``brink run --steps 2``) rather than only validate it.
    """

    operator: str
    base: str
    text: str
    must_refuse: bool
    overrides: tuple[str, ...] = ()
    marker: str = ""
    run: bool = False


@dataclass
class Report:
    """Counts of outcomes, overall and per operator, and examples of each defect."""

    mutants: int = 0
    seconds: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_operator: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, mutant: Mutant, outcome: str, detail: str) -> None:
        """Count one mutant's outcome."""
        self.mutants += 1
        self.outcomes[outcome] += 1
        self.by_operator.setdefault(mutant.operator, Counter())[outcome] += 1
        if outcome in DEFECTS and len(self.examples.setdefault(outcome, [])) < 5:
            self.examples[outcome].append(f"{mutant.operator} on {mutant.base}: {detail[:300]}")

    @property
    def defects(self) -> int:
        """Mutants with an outcome that is a defect."""
        return sum(self.outcomes[name] for name in DEFECTS)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for ``--json``)."""
        return {
            "mutants": self.mutants,
            "seconds": round(self.seconds, 1),
            "outcomes": {name: self.outcomes[name] for name in OUTCOMES},
            "by_operator": {op: dict(sorted(c.items())) for op, c in sorted(self.by_operator.items())},
            "examples": self.examples,
        }


# ---------------------------------------------------------------------------------------------
# Walking and writing documents


def shipped_bases() -> list[Base]:
    """Every shipped scenario (top level and theory), sorted by name."""
    paths = sorted(SCENARIO_DIR.glob("*.yaml")) + sorted((SCENARIO_DIR / "theory").glob("*.yaml"))
    bases = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        bases.append(Base(path.relative_to(SCENARIO_DIR).with_suffix("").as_posix(), text, yaml.safe_load(text)))
    return bases


def leaves(node: Any, path: str = "") -> list[tuple[Any, Any, Any, str]]:
    """Every (container, key, value, dotted path) of a scalar leaf, depth first."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    found: list[tuple[Any, Any, Any, str]] = []
    for key, value in list(items):
        where = f"{path}{key}"
        if isinstance(value, dict | list) and value:
            found.extend(leaves(value, f"{where}."))
        else:
            found.append((node, key, value, where))
    return found


def numbers(doc: dict[str, Any]) -> list[tuple[Any, Any, Any, str]]:
    """Leaves that are numbers (not booleans)."""
    return [leaf for leaf in leaves(doc) if isinstance(leaf[2], int | float) and not isinstance(leaf[2], bool)]


def flags(doc: dict[str, Any]) -> list[tuple[Any, Any, Any, str]]:
    """Leaves that are booleans."""
    return [leaf for leaf in leaves(doc) if isinstance(leaf[2], bool)]


def strings(doc: dict[str, Any]) -> list[tuple[Any, Any, Any, str]]:
    """Leaves that are strings."""
    return [leaf for leaf in leaves(doc) if isinstance(leaf[2], str)]


def dump(doc: Any, placeholders: dict[str, str] | None = None) -> str:
    """YAML text of `doc`, with placeholder strings replaced by raw YAML text afterwards."""
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    for mark, raw in (placeholders or {}).items():
        text = text.replace(mark, raw)
    return text


def nested(depth: int, mapping: bool) -> str:
    """Flow YAML nested `depth` levels deep."""
    return "{a: " * depth + "1" + "}" * depth if mapping else "[" * depth + "]" * depth


def has_duplicate_key(text: str) -> bool | None:
    """Whether the YAML has a key twice in one mapping (None: it does not parse at all).

    Judged with PyYAML's pure-Python composer, independently of the project's loader.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    stack = [root] if root is not None else []
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.tag != MERGE_TAG]
            if len(keys) != len(set(keys)):
                return True
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def rung_numbers_in(doc: dict[str, Any]) -> bool:
    """Whether a scenario names rungs (start rungs above 0, doctrine jumps, strikes, scripted rungs)."""
    if any((crisis or {}).get("start_rung", 0) for crisis in (doc.get("crises") or {}).values()):
        return True
    for state in (doc.get("states") or {}).values():
        if (state.get("doctrine") or {}).get("jumps"):
            return True
        moves = state["policy"].get("moves", []) if isinstance(state.get("policy"), dict) else []
        if any(isinstance(m, int) and not isinstance(m, bool) for m in moves):
            return True
    return any(event.get("kind") == "strike" for event in doc.get("events") or [])


# ---------------------------------------------------------------------------------------------
# Mutations a correct validator must refuse


Operator = Callable[[random.Random, Base], Mutant | None]


def duplicate_key(rng: random.Random, base: Base) -> Mutant | None:
    """Give a key a second time in the same mapping (by copying a line just below itself)."""
    lines = base.text.splitlines()
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[A-Za-z_][\w-]*:(\s|$)", line)]
    for _ in range(20):
        i = rng.choice(candidates)
        indent = re.match(r"^\s*", lines[i]).group() + ("  " if lines[i].lstrip().startswith("- ") else "")
        copy_line = indent + lines[i].lstrip().removeprefix("- ")
        text = "\n".join([*lines[: i + 1], copy_line, *lines[i + 1 :]]) + "\n"
        if has_duplicate_key(text) is not False:  # a duplicate, or no longer YAML at all
            return Mutant("duplicate key", base.name, text, True)
    return None


def bool_for_number(rng: random.Random, base: Base) -> Mutant | None:
    """Write ``true`` or ``false`` where a number stands (``fear: true``)."""
    doc = copy.deepcopy(base.doc)
    container, key, _, _ = rng.choice(numbers(doc))
    container[key] = rng.choice([True, False])
    return Mutant("boolean for a number", base.name, dump(doc), True)


def number_for_bool(rng: random.Random, base: Base) -> Mutant | None:
    """Write 0 or 1 where a boolean stands (``active: 1``)."""
    doc = copy.deepcopy(base.doc)
    found = flags(doc)
    if not found:
        return None
    container, key, _, _ = rng.choice(found)
    container[key] = rng.choice([0, 1])
    return Mutant("number for a boolean", base.name, dump(doc), True)


def quoted_number(rng: random.Random, base: Base) -> Mutant | None:
    """Quote a number (``fear: '0.35'``)."""
    doc = copy.deepcopy(base.doc)
    container, key, value, _ = rng.choice(numbers(doc))
    container[key] = str(value)
    return Mutant("quoted number", base.name, dump(doc), True)


def not_finite(rng: random.Random, base: Base) -> Mutant | None:
    """Write NaN or an infinity where a number stands."""
    doc = copy.deepcopy(base.doc)
    container, key, _, _ = rng.choice(numbers(doc))
    container[key] = "@@VALUE@@"
    return Mutant("NaN or infinity", base.name, dump(doc, {"'@@VALUE@@'": rng.choice([".nan", ".inf", "-.inf"])}), True)


def deep_nesting(rng: random.Random, base: Base) -> Mutant | None:
    """Replace a value with lists or mappings nested 33 to 100,000 levels deep."""
    doc = copy.deepcopy(base.doc)
    container, key, _, _ = rng.choice(leaves(doc))
    container[key] = "@@DEEP@@"
    depth = rng.choice([33, 60, 500, 999, 1001, 5000, 100_000])
    return Mutant("deep nesting", base.name, dump(doc, {"'@@DEEP@@'": nested(depth, rng.random() < 0.5)}), True)


def huge_string(rng: random.Random, base: Base) -> Mutant | None:
    """Replace a string with 10,001 to 1,000,000 characters."""
    doc = copy.deepcopy(base.doc)
    container, key, _, _ = rng.choice(strings(doc))
    container[key] = rng.choice("xy[/bold]") * rng.choice([10_001, 100_000, 1_000_000])
    return Mutant("huge string", base.name, dump(doc), True)


def huge_key(rng: random.Random, base: Base) -> Mutant | None:
    """Rename a key to 100,000 characters."""
    doc = copy.deepcopy(base.doc)
    mappings = [(c, k) for c, k, _, _ in leaves(doc) if isinstance(c, dict)]
    container, key = rng.choice(mappings)
    container["k" * 100_000] = container.pop(key)
    return Mutant("huge key", base.name, dump(doc), True)


def dotted_id(rng: random.Random, base: Base) -> Mutant | None:
    """Give an alliance, crisis or context flag an id with a dot (``bala.kot``), references and all."""
    sections = [s for s in ("alliances", "crises", "context") if base.doc.get(s)]
    if not sections:
        return None
    section = rng.choice(sections)
    old = rng.choice(sorted(base.doc[section]))
    new = f"{old[:3]}.{old[3:] or 'x'}"
    text = re.sub(rf"(?<![\w.-]){re.escape(old)}(?![\w-])", new, base.text)
    return Mutant("dotted id", base.name, text, True)


def _filler_states(doc: dict[str, Any], count: int) -> dict[str, Any]:
    codes = (f"{a}{b}{c}" for a in "QWXZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    fresh = [code for code in codes if code not in doc["states"]][:count]
    return {code: {"name": code, "fear": 0.5, "recklessness": 0.5, "commitment": 0.5} for code in fresh}


def too_many(rng: random.Random, base: Base) -> Mutant | None:
    """Go one or many past a size limit: states, events, alliances, crises, context flags or rungs."""
    doc = copy.deepcopy(base.doc)
    kind = rng.choice(["states", "events", "alliances", "crises", "context", "rungs"])
    if (kind == "alliances" and len(doc["states"]) < 2) or (kind == "crises" and not doc.get("crises")):
        kind = "rungs"
    over = rng.choice([1, 10, 1_000])
    first = next(iter(doc["states"]))
    if kind == "states":
        doc["states"].update(_filler_states(doc, 200 - len(doc["states"]) + over))
    elif kind == "events":
        shift = {"kind": "shift", "at": 1, "path": f"states.{first}.fear", "by": 0.0}
        doc["events"] = [*doc.get("events", []), *[dict(shift) for _ in range(1_000 + over)]]
    elif kind == "alliances":
        members = list(doc["states"])[:2]
        doc["alliances"] = {f"A{i}": {"members": members, "automaticity": 0.5, "institutionalisation": 0.5,
                                      "cohesion": 0.5} for i in range(200 + over)}
    elif kind == "crises":
        crisis = next(iter(doc["crises"].values()))
        doc["crises"] = {f"c{i}": copy.deepcopy(crisis) for i in range(50 + over)}
    elif kind == "context":
        doc["context"] = {**doc.get("context", {}), **{f"flag{i}": True for i in range(200 + over)}}
    else:
        ladder = yaml.safe_load((SCENARIO_DIR / "ladders" / "default.yaml").read_text(encoding="utf-8"))
        rung = {k: v for k, v in ladder["rungs"][1].items() if k != "catastrophe"}
        count = 100 + min(over, 100)
        rungs = [dict(rung, id=i, name=f"Rung {i}") for i in range(count)]
        rungs[-1].update(slip=1.0, catastrophe=True)
        doc["ladder"] = {"name": "long", "rungs": rungs}
        doc.get("crises", {}).clear()  # only the count is wrong
        doc.pop("events", None)
    return Mutant(f"too many {kind}", base.name, dump(doc), True)


def late_event(rng: random.Random, base: Base) -> Mutant | None:
    """Schedule an event after the step limit."""
    doc = copy.deepcopy(base.doc)
    limit = doc.get("params", {}).get("max_steps", 100)
    at = limit + rng.choice([1, 2, 100, 10_000])
    if doc.get("events"):
        rng.choice(doc["events"])["at"] = at
    else:
        first = next(iter(doc["states"]))
        doc["events"] = [{"kind": "shift", "at": at, "path": f"states.{first}.fear", "by": 0.1}]
    return Mutant("event after the step limit", base.name, dump(doc), True)


def bad_set_event(rng: random.Random, base: Base) -> Mutant | None:
    """Add a ``set`` event whose value does not fit the field it sets."""
    doc = copy.deepcopy(base.doc)
    first = next(iter(doc["states"]))
    choices: list[tuple[str, Any]] = [(f"states.{first}.fear", v) for v in ("@nan", "@inf", 1.5, -0.1, True, "0.5")]
    choices += [(f"states.{first}.warheads", v) for v in (2.5, -1, True, "@nan", 1e9)]
    if doc.get("alliances"):
        choices += [(f"alliances.{next(iter(doc['alliances']))}.active", v) for v in (0, 1, 0.5, "yes")]
    if doc.get("context"):
        choices += [(f"context.{next(iter(doc['context']))}", v) for v in (0, 1.0)]
    path, value = rng.choice(choices)
    marks = {"'@nan'": ".nan", "'@inf'": ".inf"}
    doc["events"] = [*doc.get("events", []), {"kind": "set", "at": 1, "path": path, "value": value}]
    return Mutant("set event out of its field's type or range", base.name, dump(doc, marks), True)


def control_characters(rng: random.Random, base: Base) -> Mutant | None:
    """Put a terminal escape code or another control character into a name, title or note."""
    doc = copy.deepcopy(base.doc)
    named = [leaf for leaf in strings(doc) if leaf[1] in ("name", "title", "description", "note", "clause")]
    container, key, value, _ = rng.choice(named)
    container[key] = value + rng.choice(["\x1b[31m", "\x1b]0;pwned\x07", "\x00", "\x7f", "\x9b2J", "\u2028"])
    return Mutant("control character in a name", base.name, dump(doc), True)


def python_tag(rng: random.Random, base: Base) -> Mutant | None:
    """Write a YAML tag that would run code in an unsafe loader."""
    doc = copy.deepcopy(base.doc)
    container, key, _, _ = rng.choice(leaves(doc))
    container[key] = "@@TAG@@"
    tag = rng.choice(['!!python/object/apply:os.system ["echo pwned"]', "!!python/name:os.system", "!!set {a, b}"])
    return Mutant("YAML tag", base.name, dump(doc, {"'@@TAG@@'": tag}), True)


def alias_bomb(rng: random.Random, base: Base) -> Mutant | None:
    """Replace a value with a billion-laughs alias bomb, or with an alias inside itself."""
    doc = copy.deepcopy(base.doc)
    container, key, _, _ = rng.choice(leaves(doc))
    container[key] = "@@BOMB@@"
    if rng.random() < 0.3:
        return Mutant("recursive alias", base.name, dump(doc, {"'@@BOMB@@'": "&loop [*loop]"}), True)
    levels = ["&l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"&l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, rng.choice([6, 9]))]
    bomb = "[" + ", ".join(levels) + "]"
    return Mutant("alias bomb", base.name, dump(doc, {"'@@BOMB@@'": bomb}), True)


def oversized_file(rng: random.Random, base: Base) -> Mutant | None:
    """Pad the file with a comment past the 2 MiB limit."""
    return Mutant("file over the size limit", base.name, base.text + "#" + "x" * (2 * 1024 * 1024), True)


def not_a_scenario(rng: random.Random, base: Base) -> Mutant | None:
    """An empty file, a list, a bare string, or several documents."""
    text = rng.choice(["", "\n", "- a\n- b\n", "just words\n", base.text + "---\n" + base.text, "null\n"])
    return Mutant("not a mapping", base.name, text, True)


def ladder_reference(rng: random.Random, base: Base) -> Mutant | None:
    """Name the ladder by a 100,000-character name, a NUL byte, a folder or a device."""
    doc = copy.deepcopy(base.doc)
    doc["ladder"] = rng.choice(["l" * 100_000, "a\x00b", "/", "/dev/zero", "/etc", "../" * 2000 + "x"])
    return Mutant("bad ladder reference", base.name, dump(doc), True)


def hostile_override(rng: random.Random, base: Base) -> Mutant | None:
    """A ``--set`` that must be refused: a boolean, NaN, deep or duplicate YAML, a huge string."""
    # (not params.max_steps, which the run's --steps 2 sets after the overrides)
    paths = [p for _, _, _, p in numbers(base.doc) if not p.startswith(("events.", "ladder.", "params.max_steps"))]
    path = rng.choice(paths)
    first = next(iter(base.doc["states"]))
    value = rng.choice(
        [
            f"{path}=true",
            f"{path}=.nan",
            f"{path}=-.inf",
            f"{path}={nested(rng.choice([40, 3000]), False)}",
            f"states.{first}.policy={{name: hawk, name: dove}}",
            f"states.{first}.name={'n' * 100_000}",
            f"{path}='0.5'",
        ]
    )
    return Mutant("hostile override", base.name, base.text, True, overrides=(value,))


def ladder_override(rng: random.Random, base: Base) -> Mutant | None:
    """``--set ladder=...`` with another ladder: refused when the scenario names rungs of its own."""
    current = base.doc.get("ladder", "default")
    other = "kahn-44" if current != "kahn-44" else "default"
    return Mutant("ladder override", base.name, base.text, rung_numbers_in(base.doc), overrides=(f"ladder={other}",))


def late_event_override(rng: random.Random, base: Base) -> Mutant | None:
    """``--set events.N.at=...`` past the step limit."""
    events = base.doc.get("events") or []
    if not events:
        return None
    limit = (base.doc.get("params") or {}).get("max_steps", 100)
    at = max(limit, 2) + rng.choice([1, 50])  # the run itself is cut to 2 steps; this event is moved past its limit
    override = f"events.{rng.randrange(len(events))}.at={at}"
    return Mutant("late event override", base.name, base.text, True, overrides=(override,))


# ---------------------------------------------------------------------------------------------
# Mutations that may or may not be valid: only tracebacks, hangs and messy errors count


def delete_key(rng: random.Random, base: Base) -> Mutant | None:
    """Delete a key."""
    doc = copy.deepcopy(base.doc)
    mappings = [(c, k) for c, k, _, _ in leaves(doc) if isinstance(c, dict)]
    container, key = rng.choice(mappings)
    del container[key]
    return Mutant("delete a key", base.name, dump(doc), False)


def misspell_key(rng: random.Random, base: Base) -> Mutant | None:
    """Misspell a key (drop, double or swap a letter)."""
    doc = copy.deepcopy(base.doc)
    mappings = [(c, k) for c, k, _, _ in leaves(doc) if isinstance(c, dict) and isinstance(k, str) and len(k) > 2]
    container, key = rng.choice(mappings)
    i = rng.randrange(1, len(key) - 1)
    dropped, doubled = key[:i] + key[i + 1 :], key[:i] + key[i] + key[i:]
    new = rng.choice([dropped, doubled, key[: i - 1] + key[i] + key[i - 1] + key[i + 1 :]])
    if new != key and new not in container:
        container[new] = container.pop(key)
    return Mutant("misspell a key", base.name, dump(doc), False)


def other_value(rng: random.Random, base: Base) -> Mutant | None:
    """Replace a value with one of another type or out of range."""
    doc = copy.deepcopy(base.doc)
    container, key, _, _ = rng.choice(leaves(doc))
    container[key] = rng.choice([None, -1, 2, 1.0001, -1e9, 1e30, 10**40, "", "x", [], {}, [1, 2], {"a": 1}, "RUS"])
    return Mutant("another value", base.name, dump(doc), False)


def truncate(rng: random.Random, base: Base) -> Mutant | None:
    """Cut the file short, or flip one character."""
    text = base.text
    at = rng.randrange(len(text))
    if rng.random() < 0.5:
        return Mutant("truncate", base.name, text[:at], False)
    flipped = text[:at] + rng.choice(":[]{}-#&*!|>'\"%@` \t") + text[at + 1 :]
    return Mutant("flip a character", base.name, flipped, False)


def markup_name(rng: random.Random, base: Base) -> Mutant | None:
    """Give the scenario a name with rich markup or an emoji code, which must print as written."""
    doc = copy.deepcopy(base.doc)
    marker = rng.choice(["[/bold]", "[bold red]x[/]", ":smile:", "[link=http://x]y[/link]", "\\[x]"])
    doc["name"] = f"{doc['name']}{marker}"
    return Mutant("markup in a name", base.name, dump(doc), False, marker=marker, run=rng.random() < 0.5)


MUST_REFUSE: tuple[Operator, ...] = (
    duplicate_key,
    bool_for_number,
    number_for_bool,
    quoted_number,
    not_finite,
    deep_nesting,
    huge_string,
    huge_key,
    dotted_id,
    too_many,
    late_event,
    bad_set_event,
    control_characters,
    python_tag,
    alias_bomb,
    oversized_file,
    not_a_scenario,
    ladder_reference,
    hostile_override,
    ladder_override,
    late_event_override,
)
MAY_ACCEPT: tuple[Operator, ...] = (delete_key, misspell_key, other_value, truncate, markup_name)


def mutants(count: int, seed: int) -> list[Mutant]:
    """`count` mutants, the same for the same seed: two in three from the must-refuse operators."""
    rng = random.Random(seed)
    bases = shipped_bases()
    made: list[Mutant] = []
    while len(made) < count:
        operators = MUST_REFUSE if rng.random() < 2 / 3 else MAY_ACCEPT
        mutant = rng.choice(operators)(rng, rng.choice(bases))
        if mutant is not None:
            made.append(mutant)
    return made


# ---------------------------------------------------------------------------------------------
# Running mutants in a worker process with a timeout


def run_cli(argv: list[str]) -> dict[str, Any]:
    """Run the ``brink`` command in this process; return its exit status, output and any traceback."""
    from brink.cli import main

    out, err = io.StringIO(), io.StringIO()
    result: dict[str, Any] = {"code": None, "traceback": None}
    saved = sys.argv
    sys.argv = ["brink", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as stop:
        result["code"] = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # any escape is what the fuzzer looks for
        result["traceback"] = traceback.format_exc(limit=-8)
    finally:
        sys.argv = saved
    result["stdout"], result["stderr"] = out.getvalue(), err.getvalue()
    return result


def _serve(connection: Connection) -> None:
    """A worker's loop: run each argv it receives until it receives None."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import brink.cli  # noqa: F401 - import once, before the first timed mutant

    connection.send("ready")
    while (argv := connection.recv()) is not None:
        connection.send(run_cli(argv))


class Worker:
    """A worker process that runs mutants one at a time; replaced when it hangs or dies."""

    def __init__(self) -> None:
        self.context = multiprocessing.get_context("spawn")
        self.process: Any = None
        self.connection: Connection | None = None

    def start(self) -> None:
        """Start a fresh worker and wait until it has imported the command."""
        parent, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.connection = parent
        if not parent.poll(300) or parent.recv() != "ready":
            raise RuntimeError("the fuzz worker did not start")

    def ask(self, argv: list[str], timeout: float) -> dict[str, Any] | None:
        """Run one argv; None if the worker does not answer within `timeout` seconds (it is replaced).

        A worker that dies on the way (a crash of the interpreter) answers ``{"crashed": exit code}``.
        """
        if self.process is None or not self.process.is_alive():
            self.start()
        assert self.connection is not None
        self.connection.send(argv)
        try:
            if self.connection.poll(timeout):
                return self.connection.recv()
        except (EOFError, OSError):
            self.process.join(10)
            crashed = {"crashed": self.process.exitcode}
            self.stop(kill=True)
            return crashed
        self.stop(kill=True)
        return None

    def stop(self, kill: bool = False) -> None:
        """Stop the worker (politely, or by killing it)."""
        if self.process is None:
            return
        if not kill and self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.send(None)
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(10)
        self.process = None


def classify(mutant: Mutant, result: dict[str, Any] | None) -> tuple[str, str]:
    """The outcome of one mutant and a detail for the report."""
    if result is None:
        return "hang", "no answer within the timeout"
    if "crashed" in result:
        return "crash", f"the worker died with exit code {result['crashed']}"
    stderr, stdout, code = result["stderr"], result["stdout"], result["code"]
    if result["traceback"] or "Traceback (most recent call last)" in stderr + stdout:
        return "traceback", (result["traceback"] or stderr)[-300:]
    if code == 0:
        if mutant.must_refuse:
            return "accepted nonsense", stdout[:200]
        if mutant.marker and mutant.marker not in stdout:
            return "mangled", stdout[:200]
        return "accepted", ""
    lines = stderr.splitlines()
    clean = (
        code == 2
        and len(lines) == 1
        and lines[0].startswith("error: ")
        and len(lines[0]) <= LINE_LIMIT
        and (stdout == "" or mutant.overrides or mutant.run)
    )
    if clean:
        return "clean error", lines[0][:200]
    return "messy error", f"exit {code}, {len(lines)} lines, longest {max(map(len, lines), default=0)}: {stderr[:200]}"


def argv_for(mutant: Mutant, path: Path) -> list[str]:
    """The command line a mutant runs with."""
    if mutant.overrides or mutant.run:
        sets = [part for value in mutant.overrides for part in ("--set", value)]
        return ["run", str(path), "--steps", "2", *(["--json"] if mutant.overrides else []), *sets]
    return ["validate", str(path)]


def run_fuzz(count: int, seed: int = 0, timeout: float = 30.0, progress: bool = False) -> Report:
    """Generate `count` mutants from `seed`, run each with a `timeout`, and count the outcomes."""
    report = Report()
    started = time.perf_counter()
    worker = Worker()
    try:
        worker.start()
        with tempfile.TemporaryDirectory(prefix="brink-fuzz-") as folder:
            path = Path(folder) / "mutant.yaml"
            for number, mutant in enumerate(mutants(count, seed), 1):
                path.write_text(mutant.text, encoding="utf-8", errors="surrogatepass")
                outcome, detail = classify(mutant, worker.ask(argv_for(mutant, path), timeout))
                report.add(mutant, outcome, detail)
                if progress and number % 100 == 0:
                    print(f"{number} mutants, {report.defects} defects", file=sys.stderr, flush=True)
    finally:
        worker.stop()
    report.seconds = time.perf_counter() - started
    return report


def print_report(report: Report, seed: int, timeout: float) -> None:
    """Print the counts in words, per operator, with examples of each defect."""
    print(f"{report.mutants} mutants (seed {seed}, timeout {timeout:g} s per mutant) in {report.seconds:.0f} s")
    for name in OUTCOMES:
        print(f"  {name:18s} {report.outcomes[name]:6d}")
    print("per operator:")
    for operator, counts in sorted(report.by_operator.items()):
        print(f"  {operator:42s} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for outcome, examples in report.examples.items():
        print(f"{outcome}:")
        for example in examples:
            print(f"  {example}")


def main(argv: list[str] | None = None) -> int:
    """Command line of the fuzz script; returns 1 if any mutant showed a defect."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=300, help="how many mutants (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mutations (default 0)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per mutant before it counts as a hang")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = run_fuzz(args.mutants, args.seed, args.timeout, progress=not args.json)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report, args.seed, args.timeout)
    return 1 if report.defects else 0


if __name__ == "__main__":
    sys.exit(main())
