"""alexlab.augment (§4.1) against hand-made arrays, NumPy and sampling statistics."""

import inspect
import json

import numpy as np
import pytest

from alexlab import augment
from alexlab.augment import (
    PCALighting,
    RandomCrop,
    RandomFlip,
    augmentation,
    rgb_pca,
    translations,
)
from alexlab.evaluate import ten_crop

keras = augment.keras


def _coordinates(n, rows, cols):
    """uint8 images whose pixel (r, c) of image i holds (r, c, i): any crop says where it began."""
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    images = np.zeros((n, rows, cols, 3), np.uint8)
    images[..., 0], images[..., 1] = r, c
    images[..., 2] = np.arange(n)[:, None, None]
    return images


def _unique(n, rows, cols, channels=1):
    """float images with all values distinct and non-zero, so zero padding is recognisable."""
    return (np.arange(n * rows * cols * channels) + 1.0).reshape(n, rows, cols, channels)


def _offsets(padded, crops):
    """The (top, left) where each crop lies in its padded image; fails if none or several."""
    h, w = crops.shape[1:3]
    found = []
    for image, crop in zip(padded, crops, strict=True):
        hits = [
            (r, c)
            for r in range(image.shape[0] - h + 1)
            for c in range(image.shape[1] - w + 1)
            if np.array_equal(image[r : r + h, c : c + w], crop)
        ]
        assert len(hits) == 1, f"crop found at {hits}, expected exactly one window"
        found.append(hits[0])
    return found


def _rotation(seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    return q * np.sign(np.diag(r))


# PCALighting


def test_lighting_with_std_zero_or_at_inference_is_the_identity():
    x = np.random.default_rng(0).uniform(0, 255, (4, 5, 5, 3)).astype("float32")
    values, vectors = [900.0, 100.0, 10.0], _rotation(0)
    np.testing.assert_array_equal(PCALighting(values, vectors, std=0.0)(x, training=True), x)
    layer = PCALighting(values, vectors, std=0.1)
    np.testing.assert_array_equal(layer(x, training=False), x)
    np.testing.assert_array_equal(layer(x), x)


def test_lighting_adds_one_offset_per_image_along_the_eigenvectors():
    vectors = _rotation(1)
    # a zero third eigenvalue: every offset must be orthogonal to the third eigenvector
    layer = PCALighting([5000.0, 800.0, 0.0], vectors, std=0.1, scale=255.0, seed=3)
    x = np.random.default_rng(1).uniform(0, 255, (6, 4, 5, 3)).astype("float32")
    first = np.asarray(layer(x, training=True)) - x
    offsets = first[:, 0, 0, :]  # (N, 3)
    np.testing.assert_allclose(first, np.broadcast_to(offsets[:, None, None], x.shape), atol=1e-4)
    np.testing.assert_allclose(offsets @ vectors[:, 2], 0.0, atol=1e-4)
    assert len({tuple(np.round(o, 4)) for o in offsets}) == 6, "images share an offset"
    second = np.asarray(layer(x, training=True)) - x
    assert not np.allclose(second[:, 0, 0], offsets), "the same offsets on the next call"


def test_lighting_offsets_have_the_papers_covariance():
    vectors, values, std, scale = _rotation(2), np.array([14000.0, 1200.0, 300.0]), 0.1, 255.0
    layer = PCALighting(values, vectors, std=std, scale=scale, seed=0)
    offsets = np.asarray(layer(np.zeros((20000, 1, 1, 3), "float32"), training=True))[:, 0, 0]
    expected = vectors @ np.diag((std * values / scale) ** 2) @ vectors.T
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=0.1)
    np.testing.assert_allclose(
        np.cov(offsets, rowvar=False), expected, atol=0.05 * (std * values[0] / scale) ** 2
    )
    # scale=255 on [0, 255] statistics means a few intensity levels, not thousands
    assert 4 < offsets.std(axis=0).max() < 7


def test_lighting_takes_uint8_and_serializes():
    layer = PCALighting([3.0, 2.0, 1.0], np.eye(3), std=0.2, scale=1.0, seed=5, name="light")
    out = layer(np.full((2, 3, 3, 3), 7, np.uint8), training=True)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    config = json.loads(json.dumps(layer.get_config()))
    clone = PCALighting.from_config(config)
    assert clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(clone.eigenvectors, np.eye(3))


def test_lighting_rejects_statistics_of_the_wrong_shape():
    with pytest.raises(ValueError, match="3 eigenvalues"):
        PCALighting([1.0, 2.0], np.eye(3))


# rgb_pca


def test_rgb_pca_recovers_a_known_covariance():
    vectors, values = _rotation(3), np.array([900.0, 225.0, 49.0])
    cov = vectors @ np.diag(values) @ vectors.T
    pixels = np.random.default_rng(0).multivariate_normal([128.0] * 3, cov, 400_000)
    images = np.clip(np.round(pixels), 0, 255).astype(np.uint8).reshape(100, 40, 100, 3)
    found_values, found_vectors = rgb_pca(images, max_pixels=200_000)
    np.testing.assert_allclose(found_values, values, rtol=0.03)
    # up to sign: |cos| of each pair close to 1
    np.testing.assert_allclose(np.abs(np.sum(found_vectors * vectors, axis=0)), 1.0, atol=2e-3)
    np.testing.assert_allclose(found_vectors.T @ found_vectors, np.eye(3), atol=1e-12)
    assert np.all(np.diff(found_values) < 0)
    assert np.all(found_vectors.sum(axis=0) >= 0)


def test_rgb_pca_of_all_pixels_diagonalises_their_covariance():
    images = np.random.default_rng(1).integers(0, 256, (3, 8, 8, 3), dtype=np.uint8)
    images[..., 1] = images[..., 0] // 2 + images[..., 1] // 2  # correlated channels
    values, vectors = rgb_pca(images)
    cov = np.cov(images.reshape(-1, 3).astype(float), rowvar=False)
    np.testing.assert_allclose(vectors @ np.diag(values) @ vectors.T, cov, rtol=1e-10)


def test_rgb_pca_subsample_is_repeatable():
    images = np.random.default_rng(2).integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    a, b = rgb_pca(images, max_pixels=500, seed=1), rgb_pca(images, max_pixels=500, seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], rgb_pca(images, max_pixels=500, seed=2)[0])


# RandomCrop


@pytest.mark.parametrize(("padding", "mode"), [(0, "constant"), (2, "constant"), (2, "reflect")])
def test_random_crop_takes_a_window_of_the_padded_image(padding, mode):
    x = _unique(16, 6, 7)
    out = np.asarray(RandomCrop(5, 5, padding, mode, seed=1)(x, training=True))
    assert out.shape == (16, 5, 5, 1)
    pad = [(0, 0), (padding, padding), (padding, padding), (0, 0)]
    offsets = _offsets(np.pad(x, pad, mode=mode), out)
    assert len(set(offsets)) > 1, "every image cropped at the same place"


def test_random_crop_offsets_are_per_image_per_call_and_cover_the_corners():
    x = np.repeat(_unique(1, 6, 6), 900, axis=0)
    layer = RandomCrop(4, 4, seed=0)
    first = np.asarray(layer(x, training=True))
    second = np.asarray(layer(x, training=True))
    counts = {}
    for r, c in _offsets(x[:300], first[:300]) + _offsets(x[:300], second[:300]):
        counts[r, c] = counts.get((r, c), 0) + 1
    assert set(counts) == {(r, c) for r in range(3) for c in range(3)}  # corners included
    # 600 draws over 9 offsets: each ~67; a loose bound against a skewed distribution
    assert min(counts.values()) > 30 and max(counts.values()) < 110
    assert not np.array_equal(first, second)


def test_random_crop_at_inference_is_the_centre_crop():
    x = _unique(3, 7, 8)
    layer = RandomCrop(4, 4, padding=4)
    expected = x[:, 1:5, 2:6]  # (7-4)//2, (8-4)//2, as ten_crop's centre
    np.testing.assert_array_equal(layer(x), expected)
    np.testing.assert_array_equal(layer(x, training=False), expected)
    np.testing.assert_array_equal(ten_crop(x, 4)[:, 4], expected)
    # the CIFAR recipe: pad 4 and crop back to the input size -> identity at inference
    np.testing.assert_array_equal(RandomCrop(7, 8, padding=4)(x), x)
    # larger than the image: the centre of the zero-padded image
    padded = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)])
    np.testing.assert_array_equal(RandomCrop(9, 9, padding=1)(x), padded[:, :, :9])


def test_random_crop_shapes_are_static_and_checked():
    layer = RandomCrop(224, 224)
    assert layer.compute_output_shape((None, 256, 256, 3)) == (None, 224, 224, 3)
    symbolic = layer(keras.Input((256, 256, 3)))
    assert tuple(symbolic.shape) == (None, 224, 224, 3)
    # a model taking any size: the same 4x4 output from 6x6 (training) and 4x4 (test patches)
    model = keras.Sequential([keras.Input((None, None, 3)), RandomCrop(4, 4)])
    assert tuple(model.output_shape) == (None, 4, 4, 3)
    x = _unique(2, 6, 6, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x[:, 1:5, 1:5])
    _offsets(x, np.asarray(model(x, training=True)))
    with pytest.raises(ValueError, match=r"height of 9 does not fit in images of height 6"):
        RandomCrop(9, 4, padding=1)(x)
    with pytest.raises(ValueError, match="padding_mode"):
        RandomCrop(4, 4, padding_mode="wrap")


def test_random_crop_takes_uint8_and_serializes():
    x = _coordinates(3, 6, 6)
    layer = RandomCrop(4, 5, padding=1, padding_mode="reflect", seed=7)
    assert keras.backend.standardize_dtype(layer(x, training=True).dtype) == "float32"
    clone = RandomCrop.from_config(json.loads(json.dumps(layer.get_config())))
    assert clone.get_config() == layer.get_config()
    # same seed, same crops
    np.testing.assert_array_equal(
        clone(x, training=True), RandomCrop(4, 5, 1, "reflect", 7)(x, training=True)
    )


# RandomFlip


def test_random_flip_mirrors_about_half_the_images_in_training_only():
    x = np.repeat(_unique(1, 2, 5), 2000, axis=0)
    out = np.asarray(RandomFlip(seed=0)(x, training=True))
    same = np.all(out == x, axis=(1, 2, 3))
    mirrored = np.all(out == x[:, :, ::-1], axis=(1, 2, 3))
    assert np.all(same ^ mirrored), "an output that is neither the image nor its mirror"
    assert 0.45 < mirrored.mean() < 0.55
    np.testing.assert_array_equal(RandomFlip()(x[:5]), x[:5])
    np.testing.assert_array_equal(RandomFlip()(x[:5], training=False), x[:5])


# counting translations


def test_translations_counts_33_offsets_per_side_not_the_papers_32():
    assert translations(256, 224) == 33 * 33 * 2 == 2178
    assert translations(256, 224, flips=False) == 33 * 33
    assert translations(32, 32) == 2
    doc = inspect.getdoc(translations)
    assert "2048" in doc and "32 * 32 * 2" in doc
    with pytest.raises(ValueError, match="crop_size"):
        translations(224, 256)


# in a model


# Keras' TensorFlow backend trips NumPy 2's copy-keyword warning on any model.save.
@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept:DeprecationWarning")
def test_augmentation_stack_trains_inside_a_model_and_reloads(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (16, 10, 10, 3), dtype=np.uint8)
    y = rng.integers(0, 3, 16)
    stack = augmentation(8, padding=1, pca=rgb_pca(x), seed=0)
    assert [type(layer) for layer in stack.layers] == [RandomCrop, RandomFlip, PCALighting]
    model = keras.Sequential(
        [
            keras.Input((10, 10, 3), dtype="uint8"),
            stack,
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("sgd", "sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # 2 batches
    assert np.isfinite(history.history["loss"][0])
    # random in training, the centre crop (deterministic) at inference
    assert not np.allclose(model(x, training=True), model(x, training=True))
    np.testing.assert_allclose(model(x), model(x))
    path = tmp_path / "augmented.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert (
        reloaded.layers[0].layers[2].get_config()["eigenvalues"]
        == stack.layers[2].get_config()["eigenvalues"]
    )


def test_augmentation_without_flip_or_lighting():
    stack = augmentation((3, 4), flip=False)
    assert [type(layer) for layer in stack.layers] == [RandomCrop]
    assert stack.compute_output_shape((None, 5, 6, 3)) == (None, 3, 4, 3)
