"""The ensemble's slow statistical checks run only when asked for with ``-m slow``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("markexpr") or ""):
        return  # -m slow runs them, -m "not slow" deselects them anyway
    skip = pytest.mark.skip(reason="slow (2,000 agent runs a case): run with -m slow")
    for item in items:
        if "slow" in item.keywords and HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)
