"""alexlab.models: the paper's network layer for layer, its initialisation and its switches."""

import numpy as np
import pytest

from alexlab import models

# §3.5 per layer, (kernel weights + biases); groups=2 halves the input depth of conv2/4/5.
PAPER_PARAMS = {
    "conv1": 11 * 11 * 3 * 96 + 96,
    "conv2": 5 * 5 * 48 * 256 + 256,
    "conv3": 3 * 3 * 256 * 384 + 384,
    "conv4": 3 * 3 * 192 * 384 + 384,
    "conv5": 3 * 3 * 192 * 256 + 256,
    "fc6": 6 * 6 * 256 * 4096 + 4096,
    "fc7": 4096 * 4096 + 4096,
    "fc8": 4096 * 1000 + 1000,
}
PAPER_SHAPES = {
    "conv1": (55, 55, 96),
    "lrn1": (55, 55, 96),
    "pool1": (27, 27, 96),
    "conv2": (27, 27, 256),
    "lrn2": (27, 27, 256),
    "pool2": (13, 13, 256),
    "conv3": (13, 13, 384),
    "conv4": (13, 13, 384),
    "conv5": (13, 13, 256),
    "pool5": (6, 6, 256),
    "fc6": (4096,),
    "fc7": (4096,),
    "fc8": (1000,),
}


@pytest.fixture(scope="module")
def paper():
    return models.alexnet()


def test_parameters_per_layer_and_total(paper):
    for name, count in PAPER_PARAMS.items():
        assert paper.get_layer(name).count_params() == count, name
    assert paper.count_params() == sum(PAPER_PARAMS.values()) == 60_965_224


def test_one_tower_has_more_parameters():
    one = models.alexnet(groups=1)
    assert one.count_params() == 60_965_224 + 5 * 5 * 48 * 256 + 3 * 3 * 192 * (384 + 256)


def test_output_shapes(paper):
    for name, shape in PAPER_SHAPES.items():
        assert tuple(paper.get_layer(name).output.shape[1:]) == shape, name


def test_layer_order_follows_the_paper(paper):
    names = [layer.name for layer in paper.layers]
    assert names == [
        "image",
        "conv1",
        "lrn1",
        "pool1",
        "conv2",
        "lrn2",
        "pool2",
        "conv3",
        "conv4",
        "conv5",
        "pool5",
        "flatten",
        "fc6",
        "drop6",
        "fc7",
        "drop7",
        "fc8",
        "softmax",
    ]


def test_paper_initialisation(paper):
    kernel = np.asarray(paper.get_layer("fc6").kernel)
    assert abs(kernel.mean()) < 1e-4 and kernel.std() == pytest.approx(0.01, rel=0.01)
    ones = {"conv2", "conv4", "conv5", "fc6", "fc7"}
    for name in PAPER_PARAMS:
        bias = np.asarray(paper.get_layer(name).bias)
        assert np.all(bias == (1.0 if name in ones else 0.0)), name


def test_groups_cut_the_connections_between_towers():
    import keras

    model = models.alexnet(num_classes=10)
    conv2 = model.get_layer("conv2")
    probe = keras.Sequential([keras.Input((27, 27, 96)), conv2])
    x = np.random.default_rng(0).uniform(size=(1, 27, 27, 96)).astype("float32")
    y = x.copy()
    y[..., 48:] += 1.0  # change only the second tower's input maps
    before, after = probe.predict(x, verbose=0), probe.predict(y, verbose=0)
    np.testing.assert_array_equal(before[..., :128], after[..., :128])
    assert not np.allclose(before[..., 128:], after[..., 128:])


def test_softmax_output_sums_to_one():
    model = models.alexnet(num_classes=7, input_shape=(67, 67, 3))
    x = np.random.default_rng(0).uniform(0, 255, (2, 67, 67, 3)).astype("float32")
    p = model.predict(x, verbose=0)
    assert p.shape == (2, 7)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)


def test_switches_remove_or_change_ingredients():
    plain = models.alexnet(lrn=False, dropout=0.0, activation="tanh", num_classes=10)
    names = [layer.name for layer in plain.layers]
    assert not any(n.startswith(("lrn", "drop")) for n in names)
    assert plain.get_layer("conv1").activation.__name__ == "tanh"
    # §3.4: 2x2/2 pooling gives the same output sizes as 3x3/2
    tiled = models.alexnet(pooling="non-overlapping", num_classes=10)
    assert tiled.get_layer("pool1").pool_size == (2, 2)
    for name in ("pool1", "pool2", "pool5"):
        assert tiled.get_layer(name).output.shape == models.alexnet().get_layer(name).output.shape


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"pooling": "big"}, "overlapping, non-overlapping"),
        ({"dropout": 1.0}, "[0, 1)"),
        ({"groups": 3}, "do not split evenly"),
        ({"init": "xavier"}, "'paper'"),
    ],
)
def test_bad_switches_say_what_is_valid(kwargs, words):
    with pytest.raises(ValueError) as error:
        models.alexnet(**kwargs)
    assert words in str(error.value)


def test_cifar_member_keeps_the_ingredients():
    model = models.alexnet_cifar()
    names = [layer.name for layer in model.layers]
    for name in ("conv1", "lrn1", "pool1", "conv5", "pool5", "fc6", "drop6", "fc7", "fc8"):
        assert name in names
    assert tuple(model.get_layer("pool5").output.shape[1:]) == (4, 4, 256)
    assert model.output.shape[1:] == (10,)
    with pytest.raises(ValueError, match="five numbers"):
        models.alexnet_cifar(filters=(8, 8))


def test_shapes_only_counts_without_drawing_weights():
    with models.shapes_only():
        light = models.alexnet()
    # No weight holds a value yet (Keras' lazily created variables), yet every count is there.
    assert all(w._value is None for w in light.weights)
    for name, count in PAPER_PARAMS.items():
        assert light.get_layer(name).count_params() == count, name
    for name, shape in PAPER_SHAPES.items():
        assert tuple(light.get_layer(name).output.shape[1:]) == shape, name


def test_shapes_only_model_draws_its_weights_when_first_run():
    with models.shapes_only():
        small = models.alexnet_cifar()
    out = small.predict(np.random.default_rng(0).random((2, 32, 32, 3), "float32"), verbose=0)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    kernel = np.asarray(small.get_layer("conv1").kernel.numpy())
    # He-normal for 5x5x3 inputs: std sqrt(2 / 75) = 0.163, drawn (truncated) at first use
    assert 0.1 < kernel.std() < 0.2
