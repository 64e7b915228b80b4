"""The logistic layer learns a separable code, keeps rare codes finite, and round-trips to disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.tagging.probe import load_probe, save_probe, train_probe


def synthetic(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Code `a` follows feature 0, code `b` follows feature 1, code `never` has no positives."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 5))
    y = np.column_stack([x[:, 0] > 0.2, x[:, 1] < -0.3, np.zeros(200, bool)])
    return x, y


def test_learns_which_feature_signals_each_code() -> None:
    x, y = synthetic()
    probe = train_probe(x, y, ["a", "b", "never"], l2=1.0)
    test_x, test_y = synthetic(seed=1)
    p = probe.predict(test_x)
    assert p.shape == (200, 3)
    accuracy = ((p[:, :2] >= 0.5) == test_y[:, :2]).mean(axis=0)
    assert (accuracy > 0.9).all()
    assert np.argmax(np.abs(probe.weights[0])) == 0 and probe.weights[0, 0] > 0
    assert np.argmax(np.abs(probe.weights[1])) == 1 and probe.weights[1, 1] < 0


def test_a_code_nobody_used_stays_finite_and_unlikely() -> None:
    x, y = synthetic()
    p = train_probe(x, y, ["a", "b", "never"]).predict(x)
    assert np.isfinite(p).all()
    assert p[:, 2].max() < 0.05


def test_stronger_l2_gives_smaller_weights() -> None:
    x, y = synthetic()
    loose = train_probe(x, y, ["a", "b", "never"], l2=0.1)
    tight = train_probe(x, y, ["a", "b", "never"], l2=100.0)
    assert np.abs(tight.weights).sum() < np.abs(loose.weights).sum()


def test_saves_and_loads_with_its_metadata(tmp_path: Path) -> None:
    x, y = synthetic()
    probe = train_probe(x, y, ["a", "b", "never"], metadata={"trained_on": {"x": 200}})
    save_probe(probe, tmp_path / "layer.npz")
    again = load_probe(tmp_path / "layer.npz")
    assert again.codes == ("a", "b", "never")
    assert again.metadata == {"trained_on": {"x": 200}}
    assert again.predict(x) == pytest.approx(probe.predict(x), abs=1e-4)
