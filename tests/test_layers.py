"""alexlab.layers.LocalResponseNormalization against the paper's formula and TensorFlow's op."""

import numpy as np
import pytest

from alexlab.layers import LocalResponseNormalization


def _paper_formula(a, n=5, k=2.0, alpha=1e-4, beta=0.75):
    """§3.3 written out with loops: sum over channels max(0, i-n/2) .. min(N-1, i+n/2)."""
    channels = a.shape[-1]
    b = np.empty_like(a, dtype=np.float64)
    for i in range(channels):
        lo, hi = max(0, i - n // 2), min(channels - 1, i + n // 2)
        total = (a[..., lo : hi + 1].astype(np.float64) ** 2).sum(axis=-1)
        b[..., i] = a[..., i] / (k + alpha * total) ** beta
    return b


@pytest.mark.parametrize(
    ("size", "k", "alpha", "beta"), [(5, 2.0, 1e-4, 0.75), (3, 1.0, 1e-3, 0.5), (7, 2.0, 1e-2, 0.9)]
)
def test_matches_the_paper_formula(size, k, alpha, beta):
    # activations of the size ReLU gives (0..~100), so the sum actually matters
    a = np.random.default_rng(size).uniform(0, 100, (2, 4, 4, 12)).astype("float32")
    ours = np.asarray(LocalResponseNormalization(size, k, alpha, beta)(a))
    np.testing.assert_allclose(ours, _paper_formula(a, size, k, alpha, beta), rtol=2e-5)


def test_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    a = np.random.default_rng(0).normal(0, 50, (3, 5, 5, 96)).astype("float32")
    theirs = tf.nn.local_response_normalization(a, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
    np.testing.assert_allclose(
        np.asarray(LocalResponseNormalization()(a)), theirs.numpy(), rtol=1e-5, atol=1e-6
    )


def test_paper_constants_are_the_defaults():
    layer = LocalResponseNormalization()
    assert (layer.size, layer.k, layer.alpha, layer.beta) == (5, 2.0, 1e-4, 0.75)


def test_it_normalizes_strong_neighbours_down():
    quiet = np.zeros((1, 1, 1, 5), "float32")
    quiet[..., 2] = 10.0
    loud = np.full((1, 1, 1, 5), 300.0, "float32")
    loud[..., 2] = 10.0
    out_quiet = np.asarray(LocalResponseNormalization()(quiet))[..., 2]
    out_loud = np.asarray(LocalResponseNormalization()(loud))[..., 2]
    assert out_loud < out_quiet  # lateral inhibition: loud neighbours suppress channel 2


@pytest.mark.parametrize("size", [4, 0, 2.5])
def test_even_or_bad_window_is_refused(size):
    with pytest.raises(ValueError, match="odd number of channels"):
        LocalResponseNormalization(size=size)


def test_saves_and_loads_in_a_model(tmp_path):
    import keras

    model = keras.Sequential(
        [keras.Input((4, 4, 8)), LocalResponseNormalization(3, 1.5, 1e-3, 0.5)]
    )
    path = tmp_path / "lrn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(1).uniform(0, 10, (1, 4, 4, 8)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].get_config()["alpha"] == 1e-3
