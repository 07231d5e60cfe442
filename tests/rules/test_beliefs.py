from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.beliefs import ESCALATE, HOLD, YIELD, image_update_weight, update_image, update_resolve

unit = st.floats(0.0, 1.0)
flag = st.booleans()
skipped = st.integers(0, 5)
bonus = st.floats(0.0, 3.0)


@given(image=unit, rate=unit, civilian=flag, nuclear=flag, skip=skipped, extra=bonus)
def test_escalation_moves_the_image_toward_one(
    image: float, rate: float, civilian: bool, nuclear: bool, skip: int, extra: float
) -> None:
    weight = image_update_weight(ESCALATE, civilian, nuclear, skip, rate, extra)
    new = float(update_image(image, ESCALATE, weight))
    assert image <= new <= 1.0
    if rate >= 1e-6 and image <= 1 - 1e-6:  # strictly, away from rounding
        assert new > image


@given(image=unit, rate=unit, civilian=flag, nuclear=flag, skip=skipped, extra=bonus)
def test_yielding_moves_the_image_toward_zero(
    image: float, rate: float, civilian: bool, nuclear: bool, skip: int, extra: float
) -> None:
    weight = image_update_weight(YIELD, civilian, nuclear, skip, rate, extra)
    new = float(update_image(image, YIELD, weight))
    assert 0.0 <= new <= image
    if rate >= 1e-6 and image >= 1e-6:  # strictly, away from rounding
        assert new < image


@given(image=unit, rate=unit, civilian=flag, nuclear=flag, skip=skipped, extra=bonus)
def test_holding_leaves_the_image_unchanged(
    image: float, rate: float, civilian: bool, nuclear: bool, skip: int, extra: float
) -> None:
    weight = image_update_weight(HOLD, civilian, nuclear, skip, rate, extra)
    assert weight == 0.0
    assert update_image(image, HOLD, weight) == image


def test_update_image_examples() -> None:
    assert update_image(0.2, ESCALATE, 0.5) == pytest.approx(0.6)
    assert update_image(0.8, YIELD, 0.25) == pytest.approx(0.6)
    np.testing.assert_allclose(
        update_image([0.5, 0.5, 0.5], [YIELD, HOLD, ESCALATE], [0.5, 0.0, 0.5]), [0.25, 0.5, 0.75]
    )


@given(rate=unit, extra=bonus, a=st.integers(0, 3), b=st.integers(0, 3))
def test_shocking_escalations_weigh_more(rate: float, extra: float, a: int, b: int) -> None:
    # Shocks: civilian + nuclear + (skipped any rung), each adds `extra` to the base weight.
    def weight(shocks: int) -> float:
        civilian, nuclear, skip = shocks >= 1, shocks >= 2, 4 if shocks >= 3 else 0
        return float(image_update_weight(ESCALATE, civilian, nuclear, skip, rate, extra))

    low, high = sorted((a, b))
    assert rate <= weight(low) <= weight(high) <= 1.0


def test_image_update_weight_examples() -> None:
    assert image_update_weight(ESCALATE, False, False, 0, 0.2, 0.5) == pytest.approx(0.2)
    assert image_update_weight(ESCALATE, True, True, 0, 0.2, 0.5) == pytest.approx(0.4)
    # Skipping several rungs counts as one shock.
    assert image_update_weight(ESCALATE, False, False, 3, 0.2, 0.5) == pytest.approx(0.3)
    assert image_update_weight(ESCALATE, True, True, 1, 0.5, 1.0) == 1.0  # capped
    assert image_update_weight(YIELD, True, True, 2, 0.2, 0.5) == pytest.approx(0.2)
    assert image_update_weight(HOLD, True, True, 2, 0.2, 0.5) == 0.0


@given(estimate=unit, kind=st.sampled_from([YIELD, HOLD, ESCALATE]), risk=unit)
def test_resolve_estimate_never_decreases(estimate: float, kind: int, risk: float) -> None:
    new = float(update_resolve(estimate, kind, risk))
    assert new >= estimate
    if kind == YIELD:
        assert new == estimate
    else:
        assert new == max(estimate, risk)


def test_update_resolve_vectorised() -> None:
    np.testing.assert_allclose(
        update_resolve([0.1, 0.1, 0.1], [YIELD, HOLD, ESCALATE], [0.5, 0.05, 0.3]), [0.1, 0.1, 0.3]
    )
