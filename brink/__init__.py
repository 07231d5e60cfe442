"""Brinkmanship's public face: the Python API (`brink.api`) and the ``brink`` command."""

from brink.api import RunResult, load, run, write_outputs

__all__ = ["RunResult", "load", "run", "write_outputs"]
