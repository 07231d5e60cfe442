"""Decision policies, one small class each, registered here once by name.

A scenario picks a policy per state by name (``policy: heuristic`` or ``policy: {name: scripted,
moves: [...]}``); without one a state plays ``equilibrium``, the crisis game's equilibrium move.
`make_policy` builds it and validates its parameters.
"""

from __future__ import annotations

from typing import Any

from agents.policies.attrition import AttritionPolicy
from agents.policies.backward_induction import BackwardInductionPolicy
from agents.policies.base import CrisisView, Move, Policy, SideView, Stage, Turn
from agents.policies.equilibrium import EquilibriumPolicy
from agents.policies.fixed import DovePolicy, HawkPolicy
from agents.policies.heuristic import HeuristicPolicy
from agents.policies.mixed import MixedPolicy
from agents.policies.scripted import ScriptedPolicy
from agents.policies.tit_for_tat import TitForTatPolicy

POLICIES: dict[str, type[Policy]] = {
    cls.name: cls
    for cls in (
        EquilibriumPolicy,
        HeuristicPolicy,
        BackwardInductionPolicy,
        ScriptedPolicy,
        TitForTatPolicy,
        HawkPolicy,
        DovePolicy,
        MixedPolicy,
        AttritionPolicy,
    )
}
"""Every policy a scenario may name, by name."""


def make_policy(name: str, params: dict[str, Any] | None = None) -> Policy:
    """Build the policy registered as `name` with `params`.

    Raises:
        KeyError: No policy has that name.
        pydantic.ValidationError: The parameters do not fit the policy.
    """
    return POLICIES[name](**(params or {}))


__all__ = [
    "POLICIES",
    "CrisisView",
    "Move",
    "Policy",
    "SideView",
    "Stage",
    "Turn",
    "make_policy",
]
