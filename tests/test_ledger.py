"""alexlab.ledger: per-layer params, MACs and activations, checked against Keras and by hand."""

import keras
import pytest
from keras import layers

from alexlab.ledger import ledger


def _paper_alexnet():
    # §3.5 / Figure 2 as one tower, built here so the test does not lean on alexlab.models.
    return keras.Sequential(
        [
            keras.Input((227, 227, 3)),
            layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1"),
            layers.MaxPooling2D(3, 2, name="pool1"),
            layers.Conv2D(256, 5, padding="same", groups=2, activation="relu", name="conv2"),
            layers.MaxPooling2D(3, 2, name="pool2"),
            layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3"),
            layers.Conv2D(384, 3, padding="same", groups=2, activation="relu", name="conv4"),
            layers.Conv2D(256, 3, padding="same", groups=2, activation="relu", name="conv5"),
            layers.MaxPooling2D(3, 2, name="pool5"),
            layers.Flatten(name="flatten"),
            layers.Dense(4096, activation="relu", name="fc6"),
            layers.Dropout(0.5, name="drop6"),
            layers.Dense(4096, activation="relu", name="fc7"),
            layers.Dropout(0.5, name="drop7"),
            layers.Dense(1000, activation="softmax", name="fc8"),
        ],
        name="alexnet",
    )


@pytest.fixture(scope="module")
def alexnet():
    return _paper_alexnet()


@pytest.fixture(scope="module")
def alex_ledger(alexnet):
    return ledger(alexnet)


def _by_name(book):
    return {r.name: r for r in book.rows}


class Scale(keras.layers.Layer):
    """A custom layer with one non-kernel parameter: it belongs in `other`, with 0 MACs."""

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.gamma


def _small_sequential():
    return keras.Sequential(
        [keras.Input((12,)), layers.Dense(8, activation="relu"), layers.Dense(3, use_bias=False)]
    )


def _functional():
    x = keras.Input((16, 16, 4))
    h = layers.Conv2D(8, 3, groups=2, name="grouped")(x)
    h = layers.BatchNormalization(name="bn")(h)
    h = layers.MaxPooling2D(2, name="pool")(h)
    h = Scale(name="scale")(h)
    h = layers.Dropout(0.5, name="drop")(h)
    h = layers.Flatten(name="flat")(h)
    return keras.Model(x, layers.Dense(5, name="out")(h))


def _nested():
    tower = keras.Sequential(
        [layers.Conv2D(6, 3, name="t_conv"), layers.ZeroPadding2D(1, name="t_pad")], name="tower"
    )
    head = keras.Sequential([layers.Flatten(name="h_flat"), layers.Dense(4, name="h_fc")])
    x = keras.Input((10, 10, 3))
    return keras.Model(x, head(tower(x)))


def _leaf_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        elif not isinstance(layer, keras.layers.InputLayer):
            yield layer


@pytest.mark.parametrize("build", [_small_sequential, _functional, _nested])
def test_params_match_keras_total_and_per_layer(build):
    model = build()
    book = ledger(model)
    assert book.total_params == model.count_params()
    rows = _by_name(book)
    leaves = list(_leaf_layers(model))
    assert [r.name for r in book.rows] == [layer.name for layer in leaves]
    for layer in leaves:
        row = rows[layer.name]
        assert row.params == layer.count_params() == row.weights + row.biases + row.other
        assert row.output_shape == tuple(layer.output.shape[1:])


def test_non_kernel_params_go_in_other():
    rows = _by_name(ledger(_functional()))
    assert (rows["bn"].weights, rows["bn"].biases, rows["bn"].other) == (0, 0, 4 * 8)
    assert rows["bn"].trainable == 2 * 8  # gamma, beta; moving mean and variance are not
    assert (rows["scale"].other, rows["scale"].macs, rows["scale"].kind) == (8, 0, "Scale")
    assert rows["grouped"].weights == 3 * 3 * (4 // 2) * 8 and rows["grouped"].biases == 8


def test_no_bias_and_dense_on_sequences():
    rows = ledger(_small_sequential()).rows
    assert (rows[1].weights, rows[1].biases) == (8 * 3, 0)
    x = keras.Input((7, 5))
    book = ledger(keras.Model(x, layers.Dense(3)(x)))
    assert book.total_macs == 7 * 5 * 3  # the kernel applies at each of the 7 positions


def test_alexnet_params_by_hand(alex_ledger):
    rows = _by_name(alex_ledger)
    expected = {
        "conv1": 34_944,
        "conv2": 307_456,
        "conv3": 885_120,
        "conv4": 663_936,
        "conv5": 442_624,
        "fc6": 37_752_832,
        "fc7": 16_781_312,
        "fc8": 4_097_000,
    }
    assert {name: rows[name].params for name in expected} == expected
    assert alex_ledger.total_params == 60_965_224
    assert (rows["conv1"].weights, rows["conv1"].biases) == (34_848, 96)
    assert alex_ledger.total_biases == 96 + 256 + 384 + 384 + 256 + 4096 + 4096 + 1000
    assert alex_ledger.total_other == 0


def test_alexnet_shapes(alex_ledger):
    shapes = {r.name: r.output_shape for r in alex_ledger.rows}
    assert shapes["conv1"] == (55, 55, 96)
    assert shapes["pool1"] == shapes["conv2"][:2] + (96,) == (27, 27, 96)
    assert shapes["conv5"] == (13, 13, 256)
    assert shapes["flatten"] == (6 * 6 * 256,)


def test_alexnet_macs_by_hand(alex_ledger):
    expected = {
        "conv1": 55 * 55 * 96 * (11 * 11 * 3),  # 105,415,200
        "conv2": 27 * 27 * 256 * (5 * 5 * 48),  # 223,948,800: each half sees 48 channels
        "conv3": 13 * 13 * 384 * (3 * 3 * 256),
        "conv4": 13 * 13 * 384 * (3 * 3 * 192),
        "conv5": 13 * 13 * 256 * (3 * 3 * 192),
        "fc6": 9216 * 4096,
        "fc7": 4096 * 4096,
        "fc8": 4096 * 1000,
    }
    assert expected["conv1"] == 105_415_200 and expected["conv2"] == 223_948_800
    rows = _by_name(alex_ledger)
    assert {name: rows[name].macs for name in expected} == expected
    others = [r.macs for r in alex_ledger.rows if r.name not in expected]
    assert others == [0] * 6  # 3 pools, flatten, 2 dropouts
    assert alex_ledger.total_macs == sum(expected.values()) == 724_406_816


def test_activation_bytes_follow_the_compute_dtype(alex_ledger):
    assert _by_name(alex_ledger)["conv1"].activation_bytes == 55 * 55 * 96 * 4
    x = keras.Input((8, 8, 3))
    h = layers.Conv2D(4, 3, dtype="mixed_bfloat16", name="half")(x)
    book = _by_name(ledger(keras.Model(x, layers.Conv2D(2, 1, name="full")(h))))
    assert book["half"].activation_bytes == 6 * 6 * 4 * 2
    assert book["full"].activation_bytes == 6 * 6 * 2 * 4


def test_memory(alex_ledger):
    mem = alex_ledger.memory(batch_size=128, optimizer="sgd_momentum")
    params = 60_965_224 * 4
    assert mem["weights"] == mem["gradients"] == mem["optimizer_state"] == params
    assert mem["activations"] == alex_ledger.total_activation_bytes * 128
    assert mem["total"] == 3 * params + mem["activations"]
    assert alex_ledger.memory(optimizer="adam")["optimizer_state"] == 2 * params
    assert alex_ledger.memory(optimizer="sgd")["optimizer_state"] == 0
    with pytest.raises(ValueError, match="known"):
        alex_ledger.memory(optimizer="lion")


def test_memory_counts_gradients_for_trainable_params_only():
    book = ledger(_functional())
    mem = book.memory(batch_size=1, optimizer="adam", dtype_bytes=2)
    assert mem["weights"] == book.total_params * 2
    assert mem["gradients"] == (book.total_params - 2 * 8) * 2  # BN moving stats
    assert mem["optimizer_state"] == 2 * mem["gradients"]


def test_table_and_html(alex_ledger):
    text = alex_ledger.table()
    assert str(alex_ledger) == text
    for row in alex_ledger.rows:
        assert row.name in text
    assert "60,965,224" in text.splitlines()[-1]
    assert "55x55x96" in text
    page = alex_ledger._repr_html_()
    assert page.startswith("<table") and "60,965,224" in page
    assert '<td style="text-align:right">34,944</td>' in page


def test_unknown_sizes_are_refused():
    x = keras.Input((None, None, 3))
    with pytest.raises(ValueError, match="fixed size"):
        ledger(keras.Model(x, layers.Conv2D(2, 3)(x)))


def test_param_formula_is_written_out_and_evaluates_to_the_count():
    import keras

    from alexlab.ledger import param_formula

    inputs = keras.Input((27, 27, 96))
    conv = keras.layers.Conv2D(256, 5, padding="same", groups=2)
    dense = keras.layers.Dense(10)
    dense(keras.layers.Flatten()(conv(inputs)))
    assert param_formula(conv) == "(5*5*48 + 1) * 256 = 307,456"
    assert param_formula(dense) == "(186624 + 1) * 10 = 1,866,250"
    assert (27 * 27 * 256 + 1) * 10 == dense.count_params() == 1_866_250
    with pytest.raises(ValueError, match="only Conv2D and Dense"):
        param_formula(keras.layers.Flatten())


def test_public_name_is_callable():
    import alexlab as al

    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    assert al.ledger(model).total_params == 15
    assert al.ledger.Ledger is not None
