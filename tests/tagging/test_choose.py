"""Per-code thresholds: a code with many positives gets its own, a rare one stays near the global."""

from __future__ import annotations

import numpy as np
import pytest

from bot.tagging.choose import SHRINK, THRESHOLDS, pick_blend


def columns(positives: int, n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Model scores for one code whose positives sit high (0.62-0.68) and negatives low (0.1-0.4)."""
    rng = np.random.default_rng(seed)
    gold = np.zeros(n)
    gold[:positives] = 1
    model = np.where(gold > 0, rng.uniform(0.62, 0.68, n), rng.uniform(0.1, 0.4, n))
    return model, gold


def test_a_code_with_many_positives_gets_its_own_threshold() -> None:
    common, gold_common = columns(200)
    usual, gold_usual = columns(200, seed=1)
    usual = usual - 0.25  # this code's positives sit lower: 0.37-0.43
    model = np.column_stack([common, usual])
    gold = np.column_stack([gold_common, gold_usual])
    blend = pick_blend(model, model, gold, ["common", "low"])
    assert blend.threshold_for("low") < blend.threshold_for("common")
    assert blend.threshold_for("common") >= 0.35


def test_a_rare_code_is_pulled_toward_the_global_threshold() -> None:
    common, gold_common = columns(200)
    rare, gold_rare = columns(3, seed=2)
    rare = np.where(gold_rare > 0, 0.2, 0.05)  # its own best threshold would be the lowest
    model = np.column_stack([common, rare])
    gold = np.column_stack([gold_common, gold_rare])
    blend = pick_blend(model, model, gold, ["common", "rare"])
    share = 3 / (3 + SHRINK)
    expected = share * THRESHOLDS[0] + (1 - share) * blend.threshold
    assert blend.threshold_for("rare") == pytest.approx(expected, abs=1e-3)
    assert blend.threshold_for("rare") > THRESHOLDS[0] + 0.15


def test_weight_follows_the_better_source() -> None:
    model, gold = columns(100)
    noise = np.random.default_rng(3).uniform(0, 1, model.shape)
    blend = pick_blend(model[:, None], noise[:, None], gold[:, None], ["a"])
    assert blend.weight >= 0.8
