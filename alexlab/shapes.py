"""Output-size arithmetic, receptive fields and shape traces (paper §3.5, Figure 2).

A convolution or pooling window of size k, moved with stride s over an input of
n pixels padded with p on each side, fits floor((n + 2p - k) / s) + 1 times.
Keras, PyTorch, TensorFlow and Caffe all floor: the pixels that do not fill a last
window are silently dropped, so 224 with 11x11 stride 4 gives 54 (Caffe's 227 is how
a floor reaches 55). cuda-convnet, the paper's own code, rounds up instead,
1 + ceil((n + 2p - k) / s), letting the last window hang past the edge: there 224
gives the paper's 55 (``rounding="ceil"``). ``strict=True`` refuses any remainder.
"""

import math
import operator
from dataclasses import dataclass

__all__ = [
    "ALEXNET",
    "Layer",
    "TraceRow",
    "conv_output_size",
    "explain",
    "layers_of",
    "pool_output_size",
    "same_padding",
    "trace",
    "trace_model",
    "trace_table",
]


def conv_output_size(size, kernel, stride=1, padding=0, strict=False, dilation=1, rounding="floor"):
    """Output length of a convolution: floor((size + 2*padding - kernel) / stride) + 1.

    padding is an int (each side), a (before, after) pair, or "valid" / "same"
    as in Keras. rounding="ceil" is cuda-convnet's 1 + ceil(...), under which
    224 with 11x11 stride 4 gives 55. strict=True raises ValueError when the
    division leaves a remainder; a kernel larger than the padded input always raises.
    """
    return _output(size, kernel, stride, padding, strict, dilation, "kernel", rounding)[0]


def pool_output_size(size, pool, stride=None, padding="valid", strict=False, rounding="floor"):
    """Output length of a pooling window; stride defaults to the window, as in Keras."""
    stride = pool if stride is None else stride
    return _output(size, pool, stride, padding, strict, 1, "pool", rounding)[0]


def same_padding(size, kernel, stride=1):
    """The (before, after) pixels Keras' "same" adds: the odd one goes after (right, bottom)."""
    size, kernel, stride = (
        _positive(v, n) for v, n in ((size, "size"), (kernel, "kernel"), (stride, "stride"))
    )
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def explain(size, kernel, stride=1, padding=0, dilation=1, rounding="floor"):
    """The output-size arithmetic written out, e.g. '(224 + 2*0 - 11) / 4 + 1 = 54.25 -> 54'."""
    try:
        _, text, remainder = _output(
            size, kernel, stride, padding, False, dilation, "kernel", rounding
        )
        if rounding == "ceil" and remainder:
            text += f" (the last window hangs {stride - remainder} pixels past the edge)"
        return text
    except ValueError as error:
        return str(error)


def _output(size, kernel, stride, padding, strict, dilation, what, rounding="floor"):
    if rounding not in ("floor", "ceil"):
        raise ValueError(
            f"rounding={rounding!r}: use 'floor' (Keras, PyTorch, Caffe) or 'ceil' "
            "(cuda-convnet, the paper's code)"
        )
    size = _positive(size, "size")
    kernel = _positive(kernel, what)
    stride = _positive(stride, "stride")
    dilation = _positive(dilation, "dilation")
    span = dilation * (kernel - 1) + 1  # the pixels one dilated window covers
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "same":
            # Keras/TensorFlow pad just enough that ceil(size / stride) windows fit.
            out = -(-size // stride)
            return out, f"same: ceil({size} / {stride}) = {out}", 0
        if mode != "valid":
            raise ValueError(
                f'padding {padding!r} is not understood: use "valid", "same", '
                "a number of pixels per side, or a (before, after) pair"
            )
        before = after = 0
    else:
        before, after = _padding_pair(padding)
    padded = size + before + after
    pad_text = f"2*{before}" if before == after else f"{before} + {after}"
    if span > padded:
        raise ValueError(
            f"{what} {span} is larger than the padded input {size} + {pad_text} = {padded}: "
            f"no window fits; use a {what} of at most {padded}, or pad by "
            f"{math.ceil((span - size) / 2)} on each side"
        )
    room, remainder = divmod(padded - span, stride)
    out = room + 1
    exact = f"{size} + {pad_text} - {span}"
    if remainder == 0:
        return out, f"({exact}) / {stride} + 1 = {out}", 0
    if strict:
        need = stride - remainder
        raise ValueError(
            f"stride {stride} does not divide {exact} = {padded - span} exactly "
            f"(remainder {remainder}): use an input of {size - remainder} or {size + need}, "
            f"or padding that makes the remainder 0"
        )
    value = (padded - span) / stride + 1
    if rounding == "ceil":
        # the last window starts inside the input and hangs stride - remainder pixels past it
        text = f"1 + ceil(({exact}) / {stride}) = 1 + ceil({value - 1:g}) = {out + 1}"
        return out + 1, text, remainder
    return out, f"({exact}) / {stride} + 1 = {value:g} -> {out}", remainder


def _positive(value, name):
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} {value!r} must be a whole number of pixels") from None
    if isinstance(value, bool) or number < 1:
        raise ValueError(f"{name} {value!r} must be a positive whole number")
    return number


def _padding_pair(padding):
    pair = padding if isinstance(padding, (tuple, list)) else (padding, padding)
    if len(pair) != 2:
        raise ValueError(f"padding {padding!r}: give one number or a (before, after) pair")
    try:
        before, after = (operator.index(p) for p in pair)
    except TypeError:
        raise ValueError(f"padding {padding!r} must be whole numbers of pixels") from None
    if before < 0 or after < 0:
        raise ValueError(f"padding {padding!r} cannot be negative")
    return before, after


@dataclass(frozen=True)
class Layer:
    """One spatial layer: kind "conv", "pool" or "pad", its window, stride and padding."""

    name: str
    kind: str
    kernel: int = 1
    stride: int = 1
    padding: object = 0
    filters: int | None = None  # output channels of a conv; pools and pads keep theirs


# The paper's network as Figure 2 draws it, with 227 as the input that works.
ALEXNET = (
    Layer("conv1", "conv", 11, 4, 0, 96),
    Layer("pool1", "pool", 3, 2, 0),
    Layer("conv2", "conv", 5, 1, 2, 256),
    Layer("pool2", "pool", 3, 2, 0),
    Layer("conv3", "conv", 3, 1, 1, 384),
    Layer("conv4", "conv", 3, 1, 1, 384),
    Layer("conv5", "conv", 3, 1, 1, 256),
    Layer("pool5", "pool", 3, 2, 0),
)


@dataclass(frozen=True)
class TraceRow:
    """A layer's place in a trace: sizes in and out, the arithmetic, and what went wrong."""

    layer: Layer
    size_in: int | None
    size_out: int | None  # None when the layer cannot run
    channels: int | None
    arithmetic: str
    problem: str  # plain words; "" when the division is exact
    receptive_field: int | None  # input pixels one output unit sees
    jump: int | None  # input pixels between neighbouring output units

    @property
    def shape(self):
        """(height, width, channels) of the output, or None."""
        return None if self.size_out is None else (self.size_out, self.size_out, self.channels)

    @property
    def window(self):
        """The window as text, e.g. '11x11/4'; '-' for a padding layer."""
        layer = self.layer
        return "-" if layer.kind == "pad" else f"{layer.kernel}x{layer.kernel}/{layer.stride}"

    @property
    def shape_text(self):
        """The output shape as text, e.g. '55x55x96'; '-' when the layer cannot run."""
        return "x".join(map(str, self.shape)) if self.shape else "-"


def trace(layers, input_size, channels=3, rounding="floor"):
    """Follow a square input through spatial layers; report problems instead of raising.

    rounding: "floor" as the frameworks do, or "ceil" as cuda-convnet (the paper's code) did.
    """
    layers = list(layers)
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer) or layer.kind not in ("conv", "pool", "pad"):
            raise ValueError(
                f"layers[{i}] = {layer!r}: give Layer(name, kind, kernel, stride, padding, "
                "filters) with kind 'conv', 'pool' or 'pad'"
            )
    rows, size, field, jump = [], _positive(input_size, "input_size"), 1, 1
    for layer in layers:
        if size is None:
            rows.append(
                TraceRow(
                    layer, None, None, None, "", "no input: an earlier layer cannot run", None, None
                )
            )
            continue
        channels = layer.filters or channels
        if layer.kind == "pad":
            before, after = _padding_pair(layer.padding)
            out = size + before + after
            rows.append(
                TraceRow(
                    layer,
                    size,
                    out,
                    channels,
                    f"{size} + {before} + {after} = {out}",
                    "",
                    field,
                    jump,
                )
            )
            size = out
            continue
        try:
            out, arithmetic, remainder = _output(
                size,
                layer.kernel,
                layer.stride,
                layer.padding,
                False,
                1,
                "kernel" if layer.kind == "conv" else "pool",
                rounding,
            )
        except ValueError as error:
            rows.append(TraceRow(layer, size, None, channels, "", str(error), None, None))
            size = None
            continue
        problem = ""
        # Rows of the layer's own (padded) input: pixels for conv1, units of a map after it.
        if remainder and rounding == "floor":
            rows_ = "row and column" if remainder == 1 else "rows and columns"
            problem = f"fractional: floored, the last {remainder} {rows_} of its input never count"
        elif remainder:
            problem = (
                f"fractional: rounded up, the last window hangs {layer.stride - remainder} "
                "rows and columns past its input's edge"
            )
        # Each output unit sees (kernel - 1) more steps of the previous layer's jump.
        field, jump = field + (layer.kernel - 1) * jump, jump * layer.stride
        rows.append(TraceRow(layer, size, out, channels, arithmetic, problem, field, jump))
        size = out
    return rows


def trace_table(rows):
    """A trace as a text table: layer, window, arithmetic, output shape, receptive field."""
    from alexlab.tables import format_table

    body = []
    for row in rows:
        layer = row.layer
        note = row.arithmetic if not row.problem else f"{row.arithmetic}  ! {row.problem}"
        body.append(
            (
                layer.name,
                row.window,
                _padding_text(layer.padding),
                row.shape_text,
                row.receptive_field or "-",
                note.strip(),
            )
        )
    headers = ["layer", "window", "padding", "output", "sees px", "arithmetic"]
    return format_table(headers, body, align="<<<>><")


def _padding_text(padding):
    if isinstance(padding, (tuple, list)):
        return f"{padding[0]},{padding[1]}"
    return str(padding)


def layers_of(model):
    """The spatial layers of a Keras model (conv, pooling, zero padding) as Layer specs."""
    import keras

    specs = []
    for layer in _flat(model):
        if isinstance(layer, keras.layers.ZeroPadding2D):
            (top, bottom), _ = layer.padding
            specs.append(Layer(layer.name, "pad", padding=(top, bottom)))
        elif isinstance(layer, keras.layers.Conv2D):
            specs.append(
                Layer(
                    layer.name,
                    "conv",
                    layer.kernel_size[0],
                    layer.strides[0],
                    layer.padding,
                    layer.filters,
                )
            )
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            specs.append(
                Layer(layer.name, "pool", layer.pool_size[0], layer.strides[0], layer.padding)
            )
    return specs


def trace_model(model):
    """Trace a Keras model's spatial layers from its own (square) input size."""
    _, height, width, channels = model.inputs[0].shape
    if height != width:
        raise ValueError(f"input {height}x{width} is not square; trace() follows one side")
    return trace(layers_of(model), height, channels)


def _flat(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _flat(layer)
        else:
            yield layer
