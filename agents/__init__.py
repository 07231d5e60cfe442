"""States and the decision policies they bargain with.

Modules:
    state: the `StateAgent` (traits, capabilities, leader, doctrine, policy).
    policies: small named classes that choose a move in a crisis.
"""

from agents.state import Doctrine, Leader, StateAgent

__all__ = ["Doctrine", "Leader", "StateAgent"]
