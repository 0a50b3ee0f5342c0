"""alexlab.shapes against Keras' own shape inference, an impulse experiment and the paper."""

import math

import numpy as np
import pytest

import alexlab as al
from alexlab import shapes
from alexlab.shapes import conv_output_size, pool_output_size


def test_paper_conv1_needs_227():
    assert conv_output_size(227, 11, 4) == 55
    assert conv_output_size(224, 11, 4) == 54  # floored, as every framework does
    with pytest.raises(ValueError) as error:
        conv_output_size(224, 11, 4, strict=True)
    message = str(error.value)
    for words in ("stride 4", "224 + 2*0 - 11 = 213", "remainder 1", "227"):
        assert words in message


def test_torchvision_pads_224_by_2_and_still_floors():
    assert conv_output_size(224, 11, 4, padding=2) == 55
    assert shapes.explain(224, 11, 4, padding=2) == "(224 + 2*2 - 11) / 4 + 1 = 55.25 -> 55"


def test_explain_writes_out_the_floor():
    assert shapes.explain(224, 11, 4) == "(224 + 2*0 - 11) / 4 + 1 = 54.25 -> 54"
    assert shapes.explain(224, 11, 4, "same") == "same: ceil(224 / 4) = 56"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((7, 11), "kernel 11 is larger than the padded input 7 + 2*0 = 7"),
        ((227, 11, 0), "stride 0 must be a positive whole number"),
        ((227, 11.5), "kernel 11.5 must be a whole number"),
        ((227, 11, 4, "full"), "padding 'full' is not understood"),
        ((227, 11, 4, -1), "padding -1 cannot be negative"),
        ((227, 11, 4, (1, 2, 3)), "(before, after) pair"),
        ((True, 3), "size True must be a positive whole number"),
    ],
)
def test_impossible_configurations_raise_with_the_numbers(args, words):
    with pytest.raises(ValueError, match=None) as error:
        conv_output_size(*args)
    assert words in str(error.value)


def test_strict_accepts_exact_and_same():
    assert conv_output_size(227, 11, 4, strict=True) == 55
    assert conv_output_size(224, 11, 4, "same", strict=True) == 56


def test_asymmetric_padding_of_seed_000():
    # ZeroPadding2D(((1, 2), (1, 2))) turns 224 into 227
    assert conv_output_size(224, 11, 4, padding=(1, 2)) == 55


def _keras_conv(size, kernel, stride, padding, dilation=1):
    import keras

    if isinstance(padding, int):
        size += 2 * padding
        padding = "valid"
    layer = keras.layers.Conv2D(1, kernel, stride, padding, dilation_rate=dilation)
    return _or_none(layer, size)


def _or_none(layer, size):
    """Keras' inferred output size, or None where Keras finds no window fits."""
    try:
        out = layer.compute_output_shape((1, size, size, 1))[1]
    except ValueError:
        return None
    return out if out > 0 else None


def _keras_pool(size, pool, stride, padding):
    import keras

    return _or_none(keras.layers.MaxPooling2D(pool, stride, padding), size)


def _configurations(n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        padding = rng.choice(["valid", "same", "int"])
        yield (
            int(rng.integers(1, 80)),
            int(rng.integers(1, 12)),
            int(rng.integers(1, 6)),
            int(rng.integers(0, 4)) if padding == "int" else str(padding),
        )


@pytest.mark.parametrize(("size", "kernel", "stride", "padding"), list(_configurations(300, 0)))
def test_conv_matches_keras_shape_inference(size, kernel, stride, padding):
    try:
        ours = conv_output_size(size, kernel, stride, padding)
    except ValueError:
        assert _keras_conv(size, kernel, stride, padding) is None
    else:
        assert ours == _keras_conv(size, kernel, stride, padding)


@pytest.mark.parametrize(("size", "pool", "stride", "padding"), list(_configurations(100, 1)))
def test_pool_matches_keras_shape_inference(size, pool, stride, padding):
    if isinstance(padding, int):
        padding = "valid"
    pool = min(pool, 5)
    try:
        ours = pool_output_size(size, pool, stride, padding)
    except ValueError:
        assert _keras_pool(size, pool, stride, padding) is None
    else:
        assert ours == _keras_pool(size, pool, stride, padding)


@pytest.mark.parametrize(("size", "kernel", "dilation"), [(32, 3, 2), (33, 5, 3), (20, 3, 4)])
def test_dilation_matches_keras(size, kernel, dilation):
    ours = conv_output_size(size, kernel, 1, "valid", dilation=dilation)
    assert ours == _keras_conv(size, kernel, 1, "valid", dilation)


def test_pool_stride_defaults_to_window():
    assert pool_output_size(55, 3, 2) == 27
    assert pool_output_size(55, 2) == 27


@pytest.mark.parametrize(
    ("size", "kernel", "stride"),
    [(224, 11, 4), (227, 11, 4), (27, 5, 1), (13, 3, 2), (10, 4, 3), (7, 2, 2)],
)
def test_same_padding_reproduces_keras_same(size, kernel, stride):
    import keras

    before, after = shapes.same_padding(size, kernel, stride)
    x = np.random.default_rng(size).normal(size=(1, size, size, 2)).astype("float32")
    same = keras.layers.Conv2D(3, kernel, stride, "same")
    same.build(x.shape)
    explicit = keras.Sequential(
        [
            keras.Input(x.shape[1:]),
            keras.layers.ZeroPadding2D(((before, after), (before, after))),
            keras.layers.Conv2D(3, kernel, stride, "valid"),
        ]
    )
    explicit.layers[-1].set_weights(same.get_weights())
    np.testing.assert_allclose(
        explicit.predict(x, verbose=0), np.asarray(same(x)), rtol=1e-5, atol=1e-5
    )


def test_ceil_rounding_is_cuda_convnets_formula():
    # cuda-convnet (the paper's code): modules = 1 + ceil((2 * padding + size - filter) / stride)
    for size in range(11, 240, 7):
        for kernel, stride, padding in ((11, 4, 0), (3, 2, 0), (5, 1, 2), (3, 2, 1), (7, 3, 0)):
            if kernel > size + 2 * padding:
                continue
            expected = 1 + math.ceil((2 * padding + size - kernel) / stride)
            assert al.conv_output_size(size, kernel, stride, padding, rounding="ceil") == expected
            floor = al.conv_output_size(size, kernel, stride, padding)
            assert expected - floor == (0 if (size + 2 * padding - kernel) % stride == 0 else 1)


def test_the_papers_224_gives_55_under_the_papers_own_rounding():
    assert al.conv_output_size(224, 11, 4, rounding="ceil") == 55
    assert al.conv_output_size(224, 11, 4) == 54
    assert "hangs 3 pixels past the edge" in al.shapes.explain(224, 11, 4, rounding="ceil")
    assert al.pool_output_size(55, 3, 2, rounding="ceil") == 27
    with pytest.raises(ValueError, match="remainder 1"):
        al.conv_output_size(224, 11, 4, strict=True, rounding="ceil")
    with pytest.raises(ValueError, match="rounding='round'.*'floor'.*'ceil'"):
        al.conv_output_size(224, 11, 4, rounding="round")
