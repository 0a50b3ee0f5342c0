"""alexlab.variants: published AlexNets rebuilt as their sources have them.

Parameter counts are checked against each layer's count written out by hand
(kernel height * width * input channels per group * kernels + biases; 4 per
channel for BatchNormalization's gamma, beta, mean and variance) and against
the total a source prints, where it prints one.
"""

import functools

import keras
import numpy as np
import pytest

from alexlab.variants import VARIANTS, AdaptiveAveragePooling2D, caffe_lrn, tf_lrn, variant

ORDER = [
    "torchvision",
    "d2l_tensorflow",
    "caffe_bvlc",
    "tflearn_oxford17",
    "thesis_flowers",
    "blog_keras",
    "tds_keras_cifar10",
]

# Every layer with parameters, counted by hand.
LAYER_PARAMS = {
    "torchvision": {
        "conv1": 11 * 11 * 3 * 64 + 64,
        "conv2": 5 * 5 * 64 * 192 + 192,
        "conv3": 3 * 3 * 192 * 384 + 384,
        "conv4": 3 * 3 * 384 * 256 + 256,
        "conv5": 3 * 3 * 256 * 256 + 256,
        "fc6": 6 * 6 * 256 * 4096 + 4096,
        "fc7": 4096 * 4096 + 4096,
        "fc8": 4096 * 1000 + 1000,
    },
    "d2l_tensorflow": {
        "conv1": 11 * 11 * 1 * 96 + 96,
        "conv2": 5 * 5 * 96 * 256 + 256,
        "conv3": 3 * 3 * 256 * 384 + 384,
        "conv4": 3 * 3 * 384 * 384 + 384,
        "conv5": 3 * 3 * 384 * 256 + 256,
        "fc6": 5 * 5 * 256 * 4096 + 4096,
        "fc7": 4096 * 4096 + 4096,
        "fc8": 4096 * 10 + 10,
    },
    "caffe_bvlc": {  # group: 2 halves the input channels each kernel sees
        "conv1": 11 * 11 * 3 * 96 + 96,
        "conv2": 5 * 5 * 48 * 256 + 256,
        "conv3": 3 * 3 * 256 * 384 + 384,
        "conv4": 3 * 3 * 192 * 384 + 384,
        "conv5": 3 * 3 * 192 * 256 + 256,
        "fc6": 6 * 6 * 256 * 4096 + 4096,
        "fc7": 4096 * 4096 + 4096,
        "fc8": 4096 * 1000 + 1000,
    },
    "tflearn_oxford17": {
        "conv1": 11 * 11 * 3 * 96 + 96,
        "conv2": 5 * 5 * 96 * 256 + 256,
        "conv3": 3 * 3 * 256 * 384 + 384,
        "conv4": 3 * 3 * 384 * 384 + 384,
        "conv5": 3 * 3 * 384 * 256 + 256,
        "fc6": 8 * 8 * 256 * 4096 + 4096,
        "fc7": 4096 * 4096 + 4096,
        "fc8": 4096 * 17 + 17,
    },
    "thesis_flowers": {
        "conv1": 11 * 11 * 3 * 48 + 48,
        "conv2": 5 * 5 * 48 * 128 + 128,
        "conv3": 3 * 3 * 128 * 192 + 192,
        "conv4": 3 * 3 * 192 * 192 + 192,
        "conv5": 3 * 3 * 192 * 128 + 128,
        "fc6": 6 * 6 * 128 * 2048 + 2048,
        "fc7": 2048 * 2048 + 2048,
        "fc8": 2048 * 5 + 5,
    },
    "blog_keras": {
        "conv1": 11 * 11 * 3 * 96 + 96,
        "bn1": 4 * 96,
        "conv2": 5 * 5 * 96 * 256 + 256,
        "bn2": 4 * 256,
        "conv3": 3 * 3 * 256 * 384 + 384,
        "bn3": 4 * 384,
        "conv4": 3 * 3 * 384 * 384 + 384,
        "bn4": 4 * 384,
        "conv5": 3 * 3 * 384 * 256 + 256,
        "fc6": 6 * 6 * 256 * 4096 + 4096,
        "bn6": 4 * 4096,
        "fc7": 4096 * 4096 + 4096,
        "bn7": 4 * 4096,
        "fc8": 4096 * 1000 + 1000,
    },
    # Seed 004 prints its summary: these are its per-layer figures as printed.
    "tds_keras_cifar10": {
        "conv1": 34_944,
        "bn1": 384,
        "conv2": 614_656,
        "bn2": 1_024,
        "conv3": 885_120,
        "bn3": 1_536,
        "conv4": 147_840,
        "bn4": 1_536,
        "conv5": 98_560,
        "bn5": 1_024,
        "fc6": 37_752_832,
        "fc7": 16_781_312,
        "fc8": 40_970,
    },
}

# Output shapes (without the batch axis) as each source states or implies them.
SHAPES = {
    "torchvision": {
        "conv1": (55, 55, 64),
        "pool1": (27, 27, 64),
        "conv2": (27, 27, 192),
        "pool2": (13, 13, 192),
        "conv4": (13, 13, 256),
        "pool5": (6, 6, 256),
        "avgpool": (6, 6, 256),
        "flatten": (9216,),
    },
    "d2l_tensorflow": {
        "conv1": (54, 54, 96),
        "pool1": (26, 26, 96),
        "conv2": (26, 26, 256),
        "pool2": (12, 12, 256),
        "conv5": (12, 12, 256),
        "pool5": (5, 5, 256),
        "flatten": (6400,),
    },
    "caffe_bvlc": {
        "conv1": (55, 55, 96),
        "lrn1": (55, 55, 96),
        "pool1": (27, 27, 96),
        "conv2": (27, 27, 256),
        "pool2": (13, 13, 256),
        "conv5": (13, 13, 256),
        "pool5": (6, 6, 256),
        "flatten": (9216,),
    },
    "tflearn_oxford17": {
        "conv1": (57, 57, 96),
        "pool1": (29, 29, 96),
        "conv2": (29, 29, 256),
        "pool2": (15, 15, 256),
        "conv5": (15, 15, 256),
        "pool5": (8, 8, 256),
        "lrn5": (8, 8, 256),
        "flatten": (16384,),
    },
    "thesis_flowers": {
        "pad1": (227, 227, 3),
        "conv1": (55, 55, 48),
        "pool1": (27, 27, 48),
        "conv2": (27, 27, 128),
        "pool2": (13, 13, 128),
        "conv5": (13, 13, 128),
        "pool5": (6, 6, 128),
        "flatten": (4608,),
    },
    "blog_keras": {
        "conv1": (57, 57, 96),
        "pool1": (28, 28, 96),
        "conv2": (28, 28, 256),
        "pool2": (13, 13, 256),
        "conv5": (13, 13, 256),
        "pool5": (6, 6, 256),
        "flatten": (9216,),
    },
    "tds_keras_cifar10": {  # its printed summary
        "conv1": (55, 55, 96),
        "pool1": (27, 27, 96),
        "conv2": (27, 27, 256),
        "pool2": (13, 13, 256),
        "conv3": (13, 13, 384),
        "conv4": (13, 13, 384),
        "conv5": (13, 13, 256),
        "pool5": (6, 6, 256),
        "flatten": (9216,),
    },
}

LAST = {"fc8", "softmax"}  # the layers num_classes may change


@functools.cache
def built(name):
    return VARIANTS[name]()


def shape_of(model, layer):
    return tuple(model.get_layer(layer).output.shape[1:])


def test_registry_order_and_fields():
    assert list(VARIANTS) == ORDER
    for name, v in VARIANTS.items():
        assert v.name == name
        assert v.source and isinstance(v.source, str)
        assert v.differences and all(isinstance(d, str) and d.strip() for d in v.differences)
        assert len(set(v.differences)) == len(v.differences)
        assert len(v.input_shape) == 3 and v.num_classes > 1


def test_variant_lookup_lists_known_names():
    assert variant("caffe_bvlc") is VARIANTS["caffe_bvlc"]
    with pytest.raises(KeyError, match="no variant 'alexnet'.*torchvision"):
        variant("alexnet")


@pytest.mark.parametrize("name", ORDER)
def test_builds_with_its_defaults(name):
    v, model = VARIANTS[name], built(name)
    assert tuple(model.input.shape[1:]) == v.input_shape
    assert tuple(model.output.shape[1:]) == (v.num_classes,)
    for layer in ("conv1", "conv2", "conv3", "conv4", "conv5", "pool5", "fc6", "fc7", "fc8"):
        model.get_layer(layer)  # paper names line up


@pytest.mark.parametrize("name", ORDER)
def test_parameter_counts(name):
    v, model = VARIANTS[name], built(name)
    expected = LAYER_PARAMS[name]
    assert {n: model.get_layer(n).count_params() for n in expected} == expected
    # the hand count covers every layer with parameters
    assert model.count_params() == sum(expected.values())
    if v.published_params is not None:
        assert model.count_params() == v.published_params


def test_published_and_known_totals():
    assert VARIANTS["torchvision"].published_params == 61_100_840
    assert VARIANTS["tds_keras_cifar10"].published_params == 56_361_738
    # Caffe prints no total; the prototxt's layers add up to this.
    assert sum(LAYER_PARAMS["caffe_bvlc"].values()) == 60_965_224


@pytest.mark.parametrize("name", ORDER)
def test_output_shapes(name):
    model = built(name)
    assert {layer: shape_of(model, layer) for layer in SHAPES[name]} == SHAPES[name]


@pytest.mark.parametrize("name", ORDER)
def test_num_classes_changes_only_the_last_layer(name):
    default, other = built(name), VARIANTS[name](num_classes=7)
    assert tuple(other.output.shape[1:]) == (7,)

    def rows(model):
        return [
            (layer.name, layer.count_params(), tuple(layer.output.shape))
            for layer in model.layers
            if layer.name not in LAST
        ]

    assert rows(other) == rows(default)
    fan_in = default.get_layer("fc8").input.shape[-1]
    assert other.get_layer("fc8").count_params() == fan_in * 7 + 7
    del other
    keras.backend.clear_session(free_memory=True)


def test_caffe_lrn_conversion():
    model = built("caffe_bvlc")
    for name in ("lrn1", "lrn2"):
        lrn = model.get_layer(name)
        # local_size 5, alpha 0.0001 / local_size, k 1, beta 0.75
        assert (lrn.size, lrn.k, lrn.beta) == (5, 1.0, 0.75)
        assert lrn.alpha == pytest.approx(0.0001 / 5)
    order = [layer.name for layer in model.layers]
    # bvlc_alexnet normalizes after the ReLU (inside conv1) and before pooling, as the paper does
    assert order.index("conv1") < order.index("lrn1") < order.index("pool1")
    assert order.index("conv2") < order.index("lrn2") < order.index("pool2")
    assert [model.get_layer(n).groups for n in ("conv1", "conv2", "conv3", "conv4", "conv5")] == [
        1,
        2,
        1,
        2,
        2,
    ]


def test_tflearn_lrn_conversion_and_placement():
    model = built("tflearn_oxford17")
    for name in ("lrn1", "lrn2", "lrn5"):
        lrn = model.get_layer(name)
        # depth_radius 5 -> 11 channels; bias 1.0; alpha 0.0001 unscaled; beta 0.75
        assert (lrn.size, lrn.k, lrn.alpha, lrn.beta) == (11, 1.0, 0.0001, 0.75)
    order = [layer.name for layer in model.layers]
    assert order.index("pool1") < order.index("lrn1") < order.index("conv2")
    assert order.index("pool5") < order.index("lrn5") < order.index("flatten")
    assert model.get_layer("fc6").activation.__name__ == "tanh"


def test_lrn_converters():
    caffe = caffe_lrn(local_size=3, alpha=0.3, beta=0.5)
    assert (caffe.size, caffe.k, caffe.alpha, caffe.beta) == (3, 1.0, pytest.approx(0.1), 0.5)
    tf1 = tf_lrn(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
    assert (tf1.size, tf1.k, tf1.alpha, tf1.beta) == (5, 2.0, 1e-4, 0.75)


def test_blog_keras_conv5_has_no_activation():
    model = built("blog_keras")
    assert model.get_layer("conv5").activation.__name__ == "linear"
    relus = [layer.name for layer in model.layers if layer.name.startswith("relu")]
    assert relus == ["relu1", "relu2", "relu3", "relu4", "relu6", "relu7"]
    assert model.get_layer("conv1").kernel_regularizer.l2 == pytest.approx(0.0002)


def test_tds_keras_cifar10_conv4_conv5_are_1x1():
    model = built("tds_keras_cifar10")
    assert model.get_layer("conv4").kernel_size == (1, 1)
    assert model.get_layer("conv5").kernel_size == (1, 1)


def test_softmax_only_where_the_source_has_one():
    for name in ("torchvision", "d2l_tensorflow"):
        assert built(name).get_layer("fc8").activation.__name__ == "linear"
    for name in ("tflearn_oxford17", "tds_keras_cifar10"):
        assert built(name).get_layer("fc8").activation.__name__ == "softmax"
    for name in ("caffe_bvlc", "thesis_flowers", "blog_keras"):
        assert built(name).layers[-1].name == "softmax"


def test_caffe_forward_pass_with_grouped_convolutions():
    x = np.random.default_rng(0).uniform(0, 255, (1, 227, 227, 3)).astype("float32")
    probs = keras.ops.convert_to_numpy(built("caffe_bvlc")(x, training=False))
    assert probs.shape == (1, 1000)
    assert probs.sum() == pytest.approx(1.0, abs=1e-4)


# PyTorch's adaptive bins, written out: start floor(i*H/6), end ceil((i+1)*H/6).
BINS_13_TO_6 = [(0, 3), (2, 5), (4, 7), (6, 9), (8, 11), (10, 13)]
BINS_7_TO_6 = [(0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7)]
BINS_1_TO_6 = [(0, 1)] * 6


@pytest.mark.parametrize(("size", "bins"), [(13, BINS_13_TO_6), (7, BINS_7_TO_6), (1, BINS_1_TO_6)])
def test_adaptive_average_pooling_bins(size, bins):
    assert AdaptiveAveragePooling2D.bins(size, 6) == bins
    x = np.random.default_rng(size).normal(size=(2, size, size, 4)).astype("float32")
    expected = np.stack(
        [np.stack([x[:, t:b, lo:hi, :].mean(axis=(1, 2)) for lo, hi in bins], 1) for t, b in bins],
        1,
    )
    got = keras.ops.convert_to_numpy(AdaptiveAveragePooling2D((6, 6))(x))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_adaptive_average_pooling_is_identity_at_6x6_and_serializes():
    x = np.random.default_rng(6).normal(size=(1, 6, 6, 3)).astype("float32")
    layer = AdaptiveAveragePooling2D(6)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    clone = AdaptiveAveragePooling2D.from_config(layer.get_config())
    assert clone.output_size == (6, 6)
    assert clone.compute_output_shape((None, 13, 13, 256)) == (None, 6, 6, 256)


def test_torchvision_at_its_minimum_input_size():
    # torchvision documents min_size 63: pool5 is then one cell, which all 36 bins repeat
    model = VARIANTS["torchvision"](input_shape=(63, 63, 3))
    assert shape_of(model, "pool5") == (1, 1, 256)
    assert shape_of(model, "avgpool") == (6, 6, 256)
    assert model.count_params() == 61_100_840
    del model
    keras.backend.clear_session(free_memory=True)
