from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from model_scenario_builder import base_scenario, write


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write the tiny base scenario, deep-merged with the given sections, and return its path."""
    counter = itertools.count()

    def build(**sections: Any) -> Path:
        document = base_scenario()
        _merge(document, sections)
        return write(tmp_path, document, name=f"scenario-{next(counter)}.yaml")

    return build
