"""One row per run: the run's identity, its parameter values and its summary fields.

The outcome fields are named and defined once, in `model.outcomes`; this module gives them their
Parquet types and flattens a summary into a row. It does not import the agent model (Mesa) until
`run_row` is called on one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from model.outcomes import CRISIS_ROW_FIELDS, ROW_FIELDS, crisis_row

if TYPE_CHECKING:
    from batch.design import Design
    from model import BrinkmanshipModel
    from scenarios import Scenario

FIELD_TYPES: dict[str, pa.DataType] = {
    "outcome": pa.string(),
    "yielder": pa.string(),
    "yield_cause": pa.string(),
    "yield_rung": pa.int32(),
    "max_rung": pa.int32(),
    "max_rung_name": pa.string(),
    "nuclear_used": pa.bool_(),
    "first_deliberate_nuclear_user": pa.string(),
    "catastrophe": pa.bool_(),
    "catastrophe_cause": pa.string(),
    "slip_holder": pa.string(),
    "duration": pa.int32(),
    "steps": pa.int32(),
    "final_year": pa.float64(),
}
"""The Parquet type of every outcome field."""

OUTCOME_FIELDS: dict[str, pa.DataType] = {name: FIELD_TYPES[name] for name in (*ROW_FIELDS, "steps", "final_year")}
"""Summary fields of the scenario's first crisis (see `model.outcomes`); duration is its moves.

Every crisis ``c`` also has ``crisis.<c>.<field>`` columns for `model.outcomes.CRISIS_ROW_FIELDS`."""


def summary_row(summary: dict[str, Any], step_years: float, start_year: float) -> dict[str, Any]:
    """A run summary (`model.summarize`, `ensemble.rows.replay_summary`) flat, as a batch row.

    The first crisis's fields, every crisis's ``crisis.<id>.<field>``, then alliances and damage.
    """
    crises = summary["crises"]
    first = next(iter(crises.values()), None)
    row = {name: summary.get(name) for name in OUTCOME_FIELDS}
    row["duration"] = first["moves"] if first else None
    for key, fields in crises.items():
        row.update(crisis_row(key, fields))
    for alliance, fate in summary["alliances"].items():
        row[f"alliance.{alliance}.survived"] = bool(fate["survived"])
        step = fate["dissolved_at"]
        row[f"alliance.{alliance}.dissolved_year"] = None if step is None else round(start_year + step * step_years, 6)
    for code, damage in summary["damage"].items():
        row[f"damage.{code}"] = float(damage)
    row["error"] = None
    return row


def run_row(model: BrinkmanshipModel) -> dict[str, Any]:
    """The summary fields of a finished agent-model run, flat (see `summary_row`)."""
    from model.summary import summarize

    return summary_row(summarize(model), model.params.step_years, model.params.start_year)


def table_schema(spec: Scenario, design: Design) -> pa.Schema:
    """The Parquet schema of a sweep's rows, the same for every part file."""
    fields = [pa.field("cell", pa.int64()), pa.field("rep", pa.int64()), pa.field("seed", pa.int64())]
    for path in design.paths:
        fields.append(pa.field(path, pa.Array.from_pandas(design.cells[path]).type))
    fields += [pa.field(name, kind) for name, kind in OUTCOME_FIELDS.items()]
    for crisis in spec.crises:
        fields += [pa.field(f"crisis.{crisis}.{name}", FIELD_TYPES[name]) for name in CRISIS_ROW_FIELDS]
    for alliance in spec.alliances:
        fields += [pa.field(f"alliance.{alliance}.survived", pa.bool_())]
        fields += [pa.field(f"alliance.{alliance}.dissolved_year", pa.float64())]
    fields += [pa.field(f"damage.{code}", pa.float64()) for code in spec.states]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)
