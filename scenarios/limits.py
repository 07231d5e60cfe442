"""Size limits of scenario and ladder files, enforced when a file is read and validated.

They keep a hostile or mistaken file from taking minutes or gigabytes before it is refused; each
is documented in ``docs/scenarios.md`` (section "Size limits") and gives its own error line.
"""

from __future__ import annotations

FILE_BYTES = 2 * 1024 * 1024
"""A scenario or ladder file, or an override's value, is at most 2 MiB (checked before reading)."""

DEPTH = 32
"""Mappings and lists nest at most 32 levels deep (the deepest shipped scenario needs 5)."""

NODES = 500_000
"""At most this many values in a document once YAML aliases are expanded."""

STATES = 200
ALLIANCES = 200
CRISES = 50
EVENTS = 1_000
CONTEXT_FLAGS = 200
RELATIONS = STATES * (STATES - 1) // 2
"""Every pair of states at most once."""

RUNGS = 100
"""Rungs of a ladder (Kahn's ladder has 45, counting the status quo)."""

THRESHOLDS = RUNGS
STAGES = RUNGS
JUMPS = RUNGS
"""Doctrine jumps of one state."""

ID_CHARS = 64
"""State, alliance, crisis and context ids, ladder names."""

NAME_CHARS = 200
"""Names and titles: of a scenario, state, leader, rung, stage or threshold."""

TEXT_CHARS = 10_000
"""Free text: descriptions, sources, notes, clauses."""

REFERENCE_CHARS = 4_096
"""A ladder reference (shipped name or file path)."""
