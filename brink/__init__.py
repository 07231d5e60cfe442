"""Brinkmanship's public face: the Python API (`brink.api`) and the ``brink`` command.

``from brink import run`` works as ever, but the API is imported on first use (PEP 562), so that
the ``brink`` command, which lives in this package, starts without loading the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brink.api import RunResult, load, run, write_outputs

__all__ = ["RunResult", "load", "run", "write_outputs"]


def __getattr__(name: str) -> Any:
    """Import `brink.api` when one of its names is first asked for."""
    if name in __all__:
        from brink import api

        return getattr(api, name)
    raise AttributeError(f"module 'brink' has no attribute {name!r}")
