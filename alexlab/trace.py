"""Shapes traced through a network (paper §3.5, Figure 2): each layer's output size, its
receptive field and its jump, from a list of layers or from a Keras model.

The arithmetic per layer is ``alexlab.shapes``'; ``ALEXNET`` is the paper's five
convolutions and three pools as notebook 01 and the shape explorer trace them.
"""

from dataclasses import dataclass

from alexlab import shapes

__all__ = ["ALEXNET", "Layer", "TraceRow", "layers_of", "trace", "trace_model", "trace_table"]


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
    rows, size, field, jump = [], shapes.pixels(input_size, "input_size"), 1, 1
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
            before, after = shapes.padding_pair(layer.padding)
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
            out, arithmetic, remainder = shapes.worked(
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
    from alexlab import tables

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
    return tables.format_table(headers, body, align="<<<>><")


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
