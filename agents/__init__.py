"""States and the decision policies they bargain with.

Modules:
    doctrine: the `Leader` and `Doctrine` records (no Mesa inside).
    state: the `StateAgent` (traits, capabilities, leader, doctrine, policy), a Mesa agent.
    policies: small named classes that choose a move in a crisis.

`StateAgent` is loaded on first use, so that importing `agents` (as the scenario loader and the
ensemble engine do) does not import Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agents.doctrine import Doctrine, Leader

if TYPE_CHECKING:
    from agents.state import StateAgent

__all__ = ["Doctrine", "Leader", "StateAgent"]


def __getattr__(name: str) -> Any:
    """Load `StateAgent` (and Mesa with it) only when it is asked for."""
    if name == "StateAgent":
        from agents.state import StateAgent

        return StateAgent
    raise AttributeError(f"module 'agents' has no attribute {name!r}")
