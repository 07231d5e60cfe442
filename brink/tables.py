"""Tables on the command line: one printer, four formats, for every command that prints rows.

``--format table`` draws a box table for reading. It is never narrower than its key columns and
headers need, so in a pipe (rich assumes 80 columns there) or a narrow terminal a key is never cut
or folded (``attriti…``); the other columns wrap at word boundaries. ``markdown`` gives a pipe table
for notes and docs, ``csv`` and ``json`` give the same rows for tools (CSV headed by the column
names, JSON a list of objects, or one object for a key/value listing). Every cell is printed as
text, never as rich markup, so a name such as ``[/bold]`` prints as it is.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from brink.console import out_console

LONGEST_WORD = 24
"""Words up to this long are never broken in a table's wrapped columns (longer ones fold)."""

Cell = str | int | float | bool | None
"""A cell's value: JSON keeps its type, the other formats print `text` of it."""


class TableFormat(StrEnum):
    """What a table command prints (``--format``)."""

    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


FormatOption = Annotated[
    TableFormat,
    typer.Option(
        "--format",
        help="table (for reading; keys are never cut), markdown, csv (headed by column names) or json.",
        case_sensitive=False,
    ),
]


@dataclass(frozen=True)
class Column:
    """One column.

    Attributes:
        name: Its name in CSV headers and JSON keys (an identifier).
        header: Its heading in the table and markdown formats (default: `name`).
        key: The column identifies a row: in a table it is never wrapped, folded or cut.
    """

    name: str
    header: str = ""
    key: bool = False

    @property
    def title(self) -> str:
        """The heading shown to a reader."""
        return self.header or self.name


@dataclass
class Rows:
    """A table to print.

    Attributes:
        columns: The columns, keys first by convention.
        rows: One sequence of cells per row, in column order.
        title: A line above the table and markdown formats (not part of CSV or JSON).
        mapping: JSON as one object keyed by the first column (its value the second column, or an
            object of the other columns) instead of a list of objects.
        lines: Draw a line between rows in the table format (for rows of long text).
    """

    columns: Sequence[Column]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    title: str | None = None
    mapping: bool = False
    lines: bool = False


def text(value: Cell) -> str:
    """A cell as a reader sees it: nothing for None and False, "yes" for True, floats in short form."""
    if value is None or value is False:
        return ""
    if value is True:
        return "yes"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _csv_text(value: Cell) -> str:
    """A cell as CSV holds it: booleans as true/false, floats in full."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(rows: Rows, fmt: TableFormat | str, width: int | None = None) -> str:
    """`rows` as text in the format `fmt`.

    Args:
        rows: The table.
        fmt: One of `TableFormat`.
        width: Width of the terminal for the table format (default: the command line's console,
            80 in a pipe unless ``COLUMNS`` says otherwise); the table grows past it when its keys
            and headers need more.

    Returns:
        The text, ending with a newline.
    """
    fmt = TableFormat(fmt)
    if fmt is TableFormat.json:
        return _json(rows)
    if fmt is TableFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([c.name for c in rows.columns])
        writer.writerows([_csv_text(v) for v in row] for row in rows.rows)
        return buffer.getvalue()
    if fmt is TableFormat.markdown:
        return _markdown(rows)
    return _box(rows, out_console.width if width is None else width)


def print_rows(rows: Rows, fmt: TableFormat | str) -> None:
    """Print `rows` in the format `fmt` on standard output."""
    sys.stdout.write(render(rows, fmt))
    sys.stdout.flush()


def _json(rows: Rows) -> str:
    """A list of objects, or with `Rows.mapping` one object keyed by the first column."""
    names = [c.name for c in rows.columns]
    records = [dict(zip(names, row, strict=True)) for row in rows.rows]
    if rows.mapping and len(names) == 2:
        document: object = {str(row[0]): row[1] for row in rows.rows}
    elif rows.mapping:
        document = {str(r.pop(names[0])): r for r in records}
    else:
        document = records
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _markdown(rows: Rows) -> str:
    """A pipe table: ``|`` escaped, line breaks inside a cell turned into spaces."""

    def cell(value: str) -> str:
        return " ".join(value.split()).replace("|", "\\|")

    lines = [f"**{cell(rows.title)}**", ""] if rows.title else []
    lines.append("| " + " | ".join(cell(c.title) for c in rows.columns) + " |")
    lines.append("|" + "|".join("---" for _ in rows.columns) + "|")
    lines.extend("| " + " | ".join(cell(text(v)) for v in row) + " |" for row in rows.rows)
    return "\n".join(lines) + "\n"


def _box(rows: Rows, width: int) -> str:
    """A rich table at least as wide as its keys and headers need (styled only on a terminal).

    Column widths are chosen here, not by rich (whose shrinking cuts any column, keys and words
    included): every column gets its minimum (a key its longest line, another column its longest
    word up to `LONGEST_WORD`, and never less than its header), and what is left of `width` goes to
    the wrapped columns in proportion to what they lack.
    """
    cells = [[text(row[index]) for row in rows.rows] for index in range(len(rows.columns))]
    lows, highs = [], []
    for column, values in zip(rows.columns, cells, strict=True):
        lines = [cell_len(line) for value in values for line in value.splitlines()] or [0]
        words = [min(cell_len(word), LONGEST_WORD) for value in values for word in value.split()] or [0]
        lows.append(max(cell_len(column.title), max(lines) if column.key else max(words)))
        highs.append(max(lows[-1], max(lines)))
    spare = width - (3 * len(lows) + 1) - sum(lows)  # borders and padding: 3 a column, and 1
    lack = sum(highs) - sum(lows)
    share = [low + (high - low) * max(spare, 0) // max(lack, 1) for low, high in zip(lows, highs, strict=True)]
    widths = highs if spare >= lack else share
    if spare < 0:
        return _blocks(rows, cells, width)
    table = Table(show_lines=rows.lines)
    for column, size in zip(rows.columns, widths, strict=True):
        table.add_column(Text(column.title), no_wrap=column.key, overflow="fold", width=size)
    for row in rows.rows:
        table.add_row(*(Text(text(value)) for value in row))
    console = Console(
        file=io.StringIO(),
        width=max(width, sum(widths) + 3 * len(widths) + 1),
        highlight=False,
        force_terminal=out_console.is_terminal,
        color_system=out_console.color_system,
    )
    if rows.title:
        console.print(Text(rows.title))
    console.print(table)
    return console.file.getvalue()


def _blocks(rows: Rows, cells: list[list[str]], width: int) -> str:
    """One block per row (like psql's expanded display), for a table too wide for `width`.

    Each block opens with the row's keys, whole (a number after its column's heading: "rung 3");
    the other columns follow one per line, their values wrapped beside the column's heading.
    """
    keys = [i for i, column in enumerate(rows.columns) if column.key] or [0]
    label = max(cell_len(c.title) for c in rows.columns)
    lines = [rows.title] if rows.title else []
    for r in range(len(rows.rows)):
        lines.append("" if lines else None)
        heading = [f"{rows.columns[i].title} {cells[i][r]}" if _number(rows.rows[r][i]) else cells[i][r] for i in keys]
        lines.append(" ".join(heading))
        for i, column in enumerate(rows.columns):
            if i in keys:
                continue
            wrapped = textwrap.wrap(cells[i][r], max(width - label - 4, 20), break_on_hyphens=False) or [""]
            lines.append(f"  {column.title.ljust(label)}  {wrapped[0]}".rstrip())
            lines.extend(" " * (label + 4) + more for more in wrapped[1:])
    return "\n".join(line for line in lines if line is not None) + "\n"


def _number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
