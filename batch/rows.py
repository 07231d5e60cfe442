"""One row per run: the run's identity, its parameter values and its summary fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from model import summarize

if TYPE_CHECKING:
    from batch.design import Design
    from model import BrinkmanshipModel
    from scenarios import Scenario

OUTCOME_FIELDS: dict[str, pa.DataType] = {
    "outcome": pa.string(),
    "yielder": pa.string(),
    "yield_cause": pa.string(),
    "max_rung": pa.int32(),
    "max_rung_name": pa.string(),
    "nuclear_used": pa.bool_(),
    "first_nuclear_user": pa.string(),
    "catastrophe": pa.bool_(),
    "duration": pa.int32(),
    "steps": pa.int32(),
    "final_year": pa.float64(),
}
"""Summary fields of the scenario's first crisis (see `model.summary`); duration is its moves."""


def run_row(model: BrinkmanshipModel) -> dict[str, Any]:
    """The summary fields of a finished run, flat: first crisis, then alliances and damage."""
    summary = summarize(model)
    crises = summary["crises"]
    row = {name: summary.get(name) for name in OUTCOME_FIELDS if name not in ("duration",)}
    row["duration"] = next(iter(crises.values()))["moves"] if crises else None
    params = model.params
    for alliance, fate in summary["alliances"].items():
        row[f"alliance.{alliance}.survived"] = bool(fate["survived"])
        step = fate["dissolved_at"]
        row[f"alliance.{alliance}.dissolved_year"] = (
            None if step is None else round(params.start_year + step * params.step_years, 6)
        )
    for code, damage in summary["damage"].items():
        row[f"damage.{code}"] = float(damage)
    row["error"] = None
    return row


def table_schema(spec: Scenario, design: Design) -> pa.Schema:
    """The Parquet schema of a sweep's rows, the same for every part file."""
    fields = [pa.field("cell", pa.int64()), pa.field("rep", pa.int64()), pa.field("seed", pa.int64())]
    for path in design.paths:
        fields.append(pa.field(path, pa.Array.from_pandas(design.cells[path]).type))
    fields += [pa.field(name, kind) for name, kind in OUTCOME_FIELDS.items()]
    for alliance in spec.alliances:
        fields += [pa.field(f"alliance.{alliance}.survived", pa.bool_())]
        fields += [pa.field(f"alliance.{alliance}.dissolved_year", pa.float64())]
    fields += [pa.field(f"damage.{code}", pa.float64()) for code in spec.states]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)
