"""§3.1: the activations against Keras', backprop against finite differences, Figure 1's
network against its source's layer file, dead units on networks built to have them."""

import numpy as np
import pytest

import alexlab as al
from alexlab import activations as A
from alexlab.runtime import import_keras

keras = import_keras()


@pytest.mark.parametrize("name", A.ACTIVATIONS)
def test_functions_match_keras_and_derivatives_match_finite_differences(name):
    x = np.linspace(-8, 8, 161) + 0.013  # off 0, where relu has no derivative
    ours = A.function(name, x)
    theirs = keras.ops.convert_to_numpy(getattr(keras.activations, name)(x.astype("float32")))
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    h = 1e-5
    numeric = (A.function(name, x + h) - A.function(name, x - h)) / (2 * h)
    np.testing.assert_allclose(A.derivative(name, x), numeric, atol=1e-6)


def test_largest_slopes_are_the_textbook_ones():
    x = np.linspace(-5, 5, 10_001)
    assert A.derivative("sigmoid", x).max() == pytest.approx(0.25)
    assert A.derivative("tanh", x).max() == pytest.approx(1.0)
    assert A.derivative("relu", -1.0) == 0 and A.derivative("relu", 2.0) == 1
    with pytest.raises(ValueError, match="relu, tanh, sigmoid"):
        A.function("softsign", 1.0)


@pytest.mark.parametrize("name", A.ACTIVATIONS)
def test_backprop_matches_finite_differences_of_the_loss(name):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 5))
    labels = np.array([0, 1, 2, 0, 1, 2])
    weights = [rng.normal(0, 0.7, s) for s in ((5, 4), (4, 4), (4, 3))]
    _, grads = A._backprop(name, x, labels, weights)
    h = 1e-6
    for layer, w in enumerate(weights):
        for i, j in ((0, 0), (w.shape[0] - 1, w.shape[1] - 1), (1, 2)):
            up = [v.copy() for v in weights]
            down = [v.copy() for v in weights]
            up[layer][i, j] += h
            down[layer][i, j] -= h
            numeric = A._backprop(name, x, labels, up)[0] - A._backprop(name, x, labels, down)[0]
            assert grads[layer][i, j] == pytest.approx(numeric / (2 * h), abs=1e-6)


def test_sigmoid_gradients_vanish_with_depth_and_he_keeps_relu_level():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (256, 8, 8, 3))
    labels = rng.integers(0, 10, 256)
    sigmoid = A.gradient_norms("sigmoid", images, labels, depth=8, width=128)
    relu = A.gradient_norms("relu", images, labels, depth=8, width=128, init="he")
    assert sigmoid.shape == (9,)
    # each sigmoid layer passes back at most a quarter: 7 layers apart, below 0.25^7 * 4
    assert sigmoid[0] / sigmoid[7] < 0.25**7 * 4
    assert 0.2 < relu[0] / relu[7] < 5  # He's gain 2 offsets ReLU's halving
    with pytest.raises(ValueError, match="'lecun'"):
        A.gradient_norms("relu", images, labels, init="glorot")


def test_time_to_error_is_the_first_epoch_at_or_under_the_target():
    history = {"accuracy": [0.4, 0.7, 0.75, 0.8], "seconds": [10.0, 11.0, 12.0, 13.0]}
    assert A.time_to_error(history, 0.25) == (3, 33.0)
    assert A.time_to_error(history, 0.1) == (None, None)


def test_cuda_convnet_19pct_is_the_layer_file():
    model = al.models.cuda_convnet_19pct(activation="tanh")
    names = [layer.name for layer in model.layers]
    assert names == [
        "image",
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "conv3",
        "pool3",
        "flatten",
        "fc10",
        "softmax",
    ]
    assert model.get_layer("pool3").output.shape[1:] == (4, 4, 64)  # 32 -> 16 -> 8 -> 4
    assert isinstance(model.get_layer("pool1"), keras.layers.MaxPooling2D)
    assert isinstance(model.get_layer("pool2"), keras.layers.AveragePooling2D)
    assert model.get_layer("conv2").activation.__name__ == "tanh"
    # initW: N(0, 0.0001^2) in conv1, N(0, 0.01^2) after
    conv1 = keras.ops.convert_to_numpy(model.get_layer("conv1").kernel)
    conv3 = keras.ops.convert_to_numpy(model.get_layer("conv3").kernel)
    assert conv1.std() == pytest.approx(1e-4, rel=0.1)
    assert conv3.std() == pytest.approx(1e-2, rel=0.05)
    with pytest.raises(ValueError, match="'source'"):
        al.models.cuda_convnet_19pct(init="paper")


def test_dead_units_counts_what_was_built_dead():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="relu", name="fc")
    x = hidden(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(x))
    kernel = np.ones((4, 8), "float32")
    bias = np.zeros(8, "float32")
    bias[:2] = -1e3  # two units can never fire on inputs in [0, 1)
    hidden.set_weights([kernel, bias])
    images = np.random.default_rng(0).random((50, 4)).astype("float32")
    shares = A.dead_units(model, images, batch_size=16)
    assert shares == {"fc": {"units": 0.25, "maps": 0.25}}
    linear = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(ValueError, match="no layer with a ReLU"):
        A.dead_units(linear, images)


def test_dead_units_reaches_through_build_and_fit_until_stops_early():
    data = al.data.synthetic(train_per_class=20, test_per_class=2)
    recipe = al.chapters.relu.figure1_recipe(0.01).replace(batch_size=20)
    assert recipe.weight_decay == 0 and recipe.label_smoothing == 0 and recipe.padding == 0
    model = al.train.build("cuda_convnet_19pct", data, recipe, 0)
    shares = A.dead_units(model, data.x_train[:40])
    assert set(shares) == {"conv1", "conv2", "conv3"}
    assert all(
        0 <= s["units"] <= 1 and 0 <= s["maps"] <= s["units"] + 1e-9 for s in shares.values()
    )
    run = al.train.fit(model, data, 5, verbose=0, until=lambda h: len(h["loss"]) >= 2)
    assert run.epochs == 2 and len(run.history["loss"]) == 2
    assert run.history["learning_rate"] == [pytest.approx(0.01)] * 2  # "constant"
    with pytest.raises(al.checks.InvalidArgument, match="until="):
        al.train.fit(model, data, 1, verbose=0, until=3)


def test_speedups_per_target_with_lower_bounds_where_not_reached():
    def run(act, seed, accuracy):
        return {
            "activation": act,
            "seed": seed,
            "history": {"accuracy": accuracy, "seconds": [1.0] * len(accuracy)},
        }

    runs = [
        run("relu", 0, [0.5, 0.7, 0.8]),
        run("relu", 1, [0.6, 0.76]),
        run("tanh", 0, [0.4, 0.5, 0.6, 0.72, 0.76]),
        run("tanh", 1, [0.4, 0.6, 0.65]),
        run("sigmoid", 0, [0.1]),
        run("sigmoid", 1, [0.1]),
    ]
    out = A.speedups(runs, targets=(0.25, 0.33), cap=10)
    assert out[0.25]["epochs"] == {"relu": [3, 2], "tanh": [5, None], "sigmoid": [None, None]}
    tanh = out[0.25]["speedup"]["tanh"]
    assert tanh["per_seed"] == [5 / 3, None] and tanh["at_least"] == [None, 5.0]
    assert out[0.33]["epochs"]["tanh"] == [4, None] and out[0.33]["epochs"]["relu"] == [2, 2]
    assert out[0.33]["speedup"]["tanh"]["median"] == 2.0
