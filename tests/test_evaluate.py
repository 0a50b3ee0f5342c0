"""alexlab.evaluate's test-time views (§4.1): the ten patches and the averaged predictions,
against hand-made arrays and a small model."""

import numpy as np
import pytest

from alexlab import evaluate
from alexlab.evaluate import predict_flip, predict_ten_crop, ten_crop

keras = evaluate.keras


def _coordinates(n, rows, cols):
    """uint8 images whose pixel (r, c) of image i holds (r, c, i): any crop says where it began."""
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    images = np.zeros((n, rows, cols, 3), np.uint8)
    images[..., 0], images[..., 1] = r, c
    images[..., 2] = np.arange(n)[:, None, None]
    return images


# ten_crop


def test_ten_crop_corners_centre_then_mirrored_in_that_order():
    images = _coordinates(2, 7, 9)
    crops = ten_crop(images, 4)
    assert crops.shape == (2, 10, 4, 4, 3) and crops.dtype == np.uint8
    # (row, col) of each patch's top-left corner in the image: corners, centre (7-4)//2, (9-4)//2
    origins = [(0, 0), (0, 5), (3, 0), (3, 5), (1, 2)]
    for k, (r, c) in enumerate(origins):
        np.testing.assert_array_equal(crops[:, k, 0, 0, :2], [[r, c]] * 2)
        np.testing.assert_array_equal(crops[:, k], images[:, r : r + 4, c : c + 4])
        np.testing.assert_array_equal(crops[:, k + 5], np.flip(crops[:, k], axis=2))
        # a mirrored patch starts with its unmirrored twin's top-right pixel
        np.testing.assert_array_equal(crops[:, k + 5, 0, 0, :2], [[r, c + 3]] * 2)
    assert np.all(crops[..., 2] == np.arange(2)[:, None, None, None]), "patches of another image"


def test_ten_crop_of_a_full_size_window_is_the_image_and_its_mirror():
    images = _coordinates(1, 5, 5)
    crops = ten_crop(images, 5)
    for k in range(5):
        np.testing.assert_array_equal(crops[:, k], images)
        np.testing.assert_array_equal(crops[:, k + 5], images[:, :, ::-1])


def test_ten_crop_takes_height_and_width():
    crops = ten_crop(_coordinates(1, 6, 8), (3, 5))
    assert crops.shape == (1, 10, 3, 5, 3)
    np.testing.assert_array_equal(crops[0, 3, 0, 0, :2], [3, 3])  # bottom-right
    np.testing.assert_array_equal(crops[0, 4, 0, 0, :2], [1, 1])  # centre


def test_ten_crop_refuses_crops_larger_than_the_image():
    with pytest.raises(ValueError, match=r"5x5 do not fit in images of 4x6"):
        ten_crop(np.zeros((1, 4, 6, 3), np.uint8), 5)
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        ten_crop(np.zeros((4, 6, 3), np.uint8), 2)


# test-time averaging


@pytest.fixture(scope="module")
def tiny_model():
    keras.utils.set_random_seed(0)
    # position-dependent (Dense on the flattened patch), so every crop and flip matters
    return keras.Sequential(
        [
            keras.Input((4, 4, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Flatten(),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )


def test_predict_ten_crop_is_the_mean_over_the_ten_patches(tiny_model):
    images = np.random.default_rng(0).integers(0, 256, (7, 6, 6, 3), dtype=np.uint8)
    crops = ten_crop(images, 4)
    manual = np.mean([tiny_model.predict(crops[:, k], verbose=0) for k in range(10)], axis=0)
    ours = predict_ten_crop(tiny_model, images, 4, batch_size=3)
    np.testing.assert_allclose(ours, manual, rtol=1e-5, atol=1e-7)
    assert ours.shape == (7, 5)
    assert not np.allclose(ours, tiny_model.predict(crops[:, 4], verbose=0))


def test_predict_flip_is_the_mean_over_image_and_mirror(tiny_model):
    images = np.random.default_rng(1).integers(0, 256, (5, 4, 4, 3), dtype=np.uint8)
    plain = tiny_model.predict(images, verbose=0)
    mirrored = tiny_model.predict(images[:, :, ::-1], verbose=0)
    ours = predict_flip(tiny_model, images, batch_size=2)
    np.testing.assert_allclose(ours, (plain + mirrored) / 2, rtol=1e-5, atol=1e-7)
