from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios.loading import SCENARIO_DIR

MOSCOW_PATH = SCENARIO_DIR / "moscow-strike.yaml"
_MOSCOW = yaml.safe_load(MOSCOW_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def moscow() -> dict[str, Any]:
    """A fresh copy of the moscow-strike scenario as a plain document."""
    return copy.deepcopy(_MOSCOW)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a document (or raw text) to a file in tmp_path and return the path."""

    def write(document: Any, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
