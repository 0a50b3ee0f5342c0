"""Comparisons: McNemar against hand-computed values, the bootstrap on known effects, compare()."""

import json

import numpy as np
import pytest

import alexlab as al
from alexlab import compare as C


def _pairs(a_only, b_only, both=0, neither=0):
    """Correctness vectors with the given numbers of discordant and concordant images."""
    a = [1] * a_only + [0] * b_only + [1] * both + [0] * neither
    b = [0] * a_only + [1] * b_only + [1] * both + [0] * neither
    return np.array(a, bool), np.array(b, bool)


@pytest.mark.parametrize(
    ("a_only", "b_only", "p"),
    [
        (10, 2, 2 * (1 + 12 + 66) / 2**12),  # 2 P(X <= 2), X ~ Binomial(12, 1/2): 0.0386
        (0, 6, 2 / 2**6),  # all six discordant images one way: 2 / 64
        (5, 5, 1.0),  # balanced: no evidence at all
        (0, 0, 1.0),  # no discordant image
        (3, 1, 2 * (1 + 4) / 2**4),  # 0.625
    ],
)
def test_mcnemar_exact_against_hand_computed_values(a_only, b_only, p):
    a, b = _pairs(a_only, b_only, both=40, neither=7)  # concordant images do not count
    result = C.mcnemar(a, b)
    assert (result["a_only"], result["b_only"]) == (a_only, b_only)
    assert result["p_value"] == pytest.approx(p, rel=1e-12)


def test_mcnemar_is_symmetric_and_refuses_unpaired_inputs():
    a, b = _pairs(10, 2)
    assert C.mcnemar(a, b)["p_value"] == C.mcnemar(b, a)["p_value"]
    with pytest.raises(ValueError, match="same images"):
        C.mcnemar(a, b[:-1])
    with pytest.raises(ValueError, match="booleans"):
        C.mcnemar(np.array([0.3, 0.9]), np.array([1, 0]))


def test_bootstrap_finds_a_known_effect():
    rng = np.random.default_rng(0)
    a = rng.random((3, 2000)) < 0.80  # A right on 80% of images, B on 70%
    b = rng.random((3, 2000)) < 0.70
    interval = C.paired_bootstrap(a, b, resamples=2000)
    assert interval["low"] > 0.05 and interval["high"] < 0.15
    assert interval["low"] < interval["difference"] < interval["high"]
    assert C.verdict("A", "B", interval).startswith("A better than B")
    assert C.verdict("B", "A", C.paired_bootstrap(b, a, resamples=2000)).startswith(
        "A better than B"
    )


def test_bootstrap_reports_no_difference_when_there_is_none():
    rng = np.random.default_rng(1)
    truth = rng.random((3, 2000)) < 0.75
    flip = rng.random((3, 2000)) < 0.1  # B differs from A on a tenth, both ways alike
    b = truth ^ flip
    a = truth ^ (rng.random((3, 2000)) < 0.1)
    interval = C.paired_bootstrap(a, b, resamples=2000)
    assert interval["low"] < 0 < interval["high"]
    assert C.NO_DIFFERENCE in C.verdict("A", "B", interval)


def test_pairing_narrows_the_interval():
    # The same 1,000 images: B is A with 20 wrong answers made right. Paired, the
    # 2-point gain is certain; unpaired, two accuracies near 60% on 1,000 images each
    # would be within each other's noise.
    rng = np.random.default_rng(2)
    a = rng.random(1000) < 0.6
    b = a.copy()
    b[np.flatnonzero(~a)[:20]] = True
    interval = C.paired_bootstrap(b, a, resamples=2000)
    assert interval["low"] > 0 and interval["difference"] == pytest.approx(0.02)
    assert C.mcnemar(b, a)["p_value"] == pytest.approx(2 / 2**20)


def test_compare_separates_a_trained_network_from_an_untrained_one(tmp_path):
    data = al.data.synthetic(train_per_class=60, test_per_class=20, seed=1)
    fast = al.train.recipe("fast", batch_size=50, learning_rate=0.02)
    configs = [
        C.Config("trained", "alexnet_cifar_tiny", fast, epochs=12),  # 8 left JAX seed 0 at 46%
        C.Config("barely", "alexnet_cifar_tiny", fast.replace(learning_rate=1e-6), epochs=1),
    ]

    def train_accuracy(model, split):
        return float(np.mean(model.predict(split.x_train, verbose=0).argmax(1) == split.y_train))

    result = C.compare(
        configs,
        data,
        seeds=(0, 1, 2),
        validation=0.25,
        name="t",
        save=True,
        where=tmp_path,
        verbose=0,
        extras={"train accuracy": train_accuracy},
        keep_models=True,
    )
    assert len(result.models["trained"]) == 3
    train = result.extras["trained"]["train accuracy"]
    # Chance is 0.1. Where a seed ends on this tiny task moves with float rounding (a batch
    # fed with a static or a dynamic shape: seed 1 at 1.0 or 0.58), so the
    # line is at 0.4, for training and validation images alike.
    assert len(train) == 3 and min(train) > 0.4 > max(result.extras["barely"]["train accuracy"])
    assert result.correct["trained"].shape == (3, 150)
    assert result.accuracy("trained").min() > 0.4 and result.accuracy("barely").max() < 0.3
    (difference,) = result.differences(resamples=1000)
    assert difference["low"] > 0 and difference["verdict"].startswith("trained better than")
    assert all(t["p_value"] < 1e-6 for t in difference["mcnemar_per_seed"])
    saved = json.loads((tmp_path / "t.json").read_text())
    for key in ("device", "backend", "versions", "dataset", "seeds", "configs", "differences"):
        assert key in saved, key
    assert saved["dataset"]["validation_images"] == 150
    assert saved["configs"][0]["train accuracy"] == train
    assert "train accuracy (mean, min - max)" in result.table()
    assert "validation split" in saved["dataset"]["source"]
    assert "trained better than barely" in result.report()
    fig = al.plots.comparison(result, title="Trained against barely trained")
    assert len(fig.axes) == 2
    text = al.results.comparison("t", tmp_path).summary()
    mean = np.mean(saved["configs"][0]["validation_accuracy"])
    assert f"{mean:.2%}" in text and "trained better than barely" in text
    assert "seeds [0, 1, 2]" in text


def test_compare_refuses_a_single_or_duplicated_configuration():
    data = al.data.synthetic(train_per_class=10, test_per_class=2)
    with pytest.raises(ValueError, match="two or more"):
        C.compare([C.Config("a")], data)
    with pytest.raises(ValueError, match="different names"):
        C.compare([C.Config("a"), C.Config("a")], data)
