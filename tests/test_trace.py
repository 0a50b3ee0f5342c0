"""alexlab.trace: the paper network traced layer by layer, receptive fields against an
impulse experiment, and a Keras model read back."""

import numpy as np

from alexlab import trace


def test_trace_of_the_paper_network():
    rows = trace.trace(trace.ALEXNET, 227)
    assert [r.shape for r in rows] == [
        (55, 55, 96),
        (27, 27, 96),
        (27, 27, 256),
        (13, 13, 256),
        (13, 13, 384),
        (13, 13, 384),
        (13, 13, 256),
        (6, 6, 256),
    ]
    assert [r.receptive_field for r in rows] == [11, 19, 51, 67, 99, 131, 163, 195]
    assert [r.jump for r in rows] == [4, 8, 8, 16, 16, 16, 16, 32]
    assert not any(r.problem for r in rows)


def test_trace_flags_fractional_and_impossible_layers_in_words():
    rows = trace.trace(trace.ALEXNET, 224)
    assert rows[0].size_out == 54 and "fractional" in rows[0].problem
    rows = trace.trace(trace.ALEXNET, 20)
    assert rows[3].size_out is None and "larger than the padded input" in rows[3].problem
    assert all(r.size_out is None and "earlier layer" in r.problem for r in rows[4:])
    table = trace.trace_table(rows)
    assert "no input" in table


def _impulse_receptive_field(layers, size):
    """How many input pixels reach the middle output unit: one impulse per input position."""
    import keras

    model = keras.Sequential([keras.Input((size, 1))])
    for layer in layers:
        if layer.kind == "conv":
            model.add(keras.layers.ZeroPadding1D(layer.padding))
            model.add(
                keras.layers.Conv1D(
                    1, layer.kernel, layer.stride, kernel_initializer="ones", use_bias=False
                )
            )
        else:
            model.add(keras.layers.MaxPooling1D(layer.kernel, layer.stride))
    impulses = np.eye(size, dtype="float32")[..., None]  # (size, size, 1): one per position
    out = model.predict(impulses, verbose=0)
    out = out[:, out.shape[1] // 2, 0]  # the middle unit: its field lies inside the input
    seen = np.flatnonzero(out)
    return seen.max() - seen.min() + 1


def test_receptive_field_matches_an_impulse_experiment():
    rows = trace.trace(trace.ALEXNET, 227)
    for depth in range(1, len(trace.ALEXNET) + 1):
        measured = _impulse_receptive_field(trace.ALEXNET[:depth], 227)
        assert measured == rows[depth - 1].receptive_field


def test_trace_model_reads_a_keras_model():
    import keras

    model = keras.Sequential(
        [
            keras.Input((224, 224, 3)),
            keras.layers.ZeroPadding2D(((1, 2), (1, 2))),
            keras.layers.Conv2D(8, 11, 4),
            keras.layers.MaxPooling2D(3, 2),
            keras.layers.Conv2D(4, 5, padding="same"),
        ]
    )
    rows = trace.trace_model(model)
    assert [r.layer.kind for r in rows] == ["pad", "conv", "pool", "conv"]
    for row, layer in zip(rows, model.layers, strict=True):
        assert row.shape == tuple(layer.output.shape[1:])
