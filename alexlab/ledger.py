"""Per-layer ledger of a built Keras model: output shape, parameters, multiply-adds, activations.

The paper's §3.5 lays the network out layer by layer (Figure 2) and the abstract
counts "60 million parameters"; ``ledger(model)`` recomputes both from a model.

Conventions:

- Rows are the model's leaf layers in order; nested models (a Sequential inside
  a Functional) are walked into, and InputLayers are skipped, so the input batch
  itself is not in the activation total. A layer reached twice is listed (and counted) once.
- ``weights`` is a layer's ``kernel``, ``biases`` its ``bias`` (None with
  ``use_bias=False``); every other parameter (BatchNormalization's gamma, beta
  and moving statistics, say) goes in ``other``, so params = weights + biases + other.
- MACs (multiply-accumulates) are for one example. A convolution's output element
  costs kernel_h * kernel_w * in_channels / groups MACs, so Conv2D has
  out_h * out_w * filters * (kernel_h * kernel_w * in_channels / groups); Dense has
  in_features * units, times any leading non-batch dims. Biases are adds and are
  not counted. Pooling, LRN, activations, dropout, flatten, padding and
  normalization are not multiply-adds and count 0, as does every layer other
  than Conv1D/2D/3D and Dense (Conv2DTranspose, DepthwiseConv2D are not counted).
- Activation bytes are one example's output at the layer's compute dtype
  (float32: 4 bytes, bfloat16/float16: 2).
"""

import html
import math
import re
import sys
import types
from dataclasses import dataclass

from alexlab import runtime, tables

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = ["Ledger", "Row", "ledger", "param_formula"]

# Optimizer state per trainable parameter, in copies of the parameter.
_SLOTS = {"sgd": 0, "sgd_momentum": 1, "rmsprop": 1, "adam": 2, "adamw": 2}
_HEADERS = ["layer", "kind", "output", "weights", "biases", "other", "params", "MACs", "act. bytes"]


@dataclass(frozen=True)
class Row:
    """One layer: its output shape (no batch dimension), parameters, MACs and activation bytes."""

    name: str
    kind: str
    output_shape: tuple
    weights: int
    biases: int
    other: int
    params: int
    trainable: int
    macs: int
    activation_bytes: int


@dataclass(frozen=True)
class Ledger:
    """Rows for every layer of a model, with totals; a text table and an HTML table."""

    rows: list

    def _sum(self, field):
        return sum(getattr(r, field) for r in self.rows)

    total_params = property(lambda self: self._sum("params"))
    total_weights = property(lambda self: self._sum("weights"))
    total_biases = property(lambda self: self._sum("biases"))
    total_other = property(lambda self: self._sum("other"))
    total_trainable = property(lambda self: self._sum("trainable"))
    total_macs = property(lambda self: self._sum("macs"))
    total_activation_bytes = property(lambda self: self._sum("activation_bytes"))

    def _cells(self):
        body = [
            [r.name, r.kind, _shape(r.output_shape), r.weights, r.biases, r.other, r.params]
            + [r.macs, r.activation_bytes]
            for r in self.rows
        ]
        fields = ("weights", "biases", "other", "params", "macs", "activation_bytes")
        return body, ["total", "", ""] + [self._sum(f) for f in fields]

    def table(self):
        """The ledger as a plain-text table, totals on the last line."""
        body, total = self._cells()
        lines = tables.format_table(_HEADERS, body + [total], align="<<<" + ">" * 6).split("\n")
        return "\n".join(lines[:-1] + [lines[1], lines[-1]])  # a rule above the totals

    def __str__(self):
        return self.table()

    __repr__ = __str__  # a notebook's plain-text view shows the table, not the dataclass

    def _repr_html_(self):
        body, total = self._cells()

        def tr(cells, tag="td"):
            out = []
            for v in cells:
                text = f"{v:,}" if isinstance(v, int) else html.escape(str(v))
                style = ' style="text-align:right"' if isinstance(v, int) else ""
                out.append(f"<{tag}{style}>{text}</{tag}>")
            return "<tr>" + "".join(out) + "</tr>"

        head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEADERS)
        rows = "".join(tr(r) for r in body)
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
            f"<tfoot>{tr(total, 'th')}</tfoot></table>"
        )

    def memory(self, batch_size=128, optimizer="sgd_momentum", dtype_bytes=4):
        """Training memory in bytes: weights, gradients, optimizer state, activations, total."""
        if optimizer not in _SLOTS:
            raise ValueError(f"optimizer={optimizer!r}; known: {', '.join(_SLOTS)}")
        # Gradients and optimizer slots exist only for trainable parameters.
        # Activations are every layer's forward output, kept for backprop: an
        # upper-bound-style estimate that ignores in-place ops and recomputation.
        out = {
            "weights": self.total_params * dtype_bytes,
            "gradients": self.total_trainable * dtype_bytes,
            "optimizer_state": self.total_trainable * dtype_bytes * _SLOTS[optimizer],
            "activations": self.total_activation_bytes * batch_size,
        }
        out["total"] = sum(out.values())
        return out


def ledger(model):
    """The per-layer ledger of a built Keras model (Functional or Sequential)."""
    return Ledger([_row(layer) for layer in _leaves(model, set())])


def _leaves(model, seen):
    for layer in model.layers:
        if id(layer) in seen or isinstance(layer, keras.layers.InputLayer):
            continue
        seen.add(id(layer))
        if isinstance(layer, keras.Model):
            yield from _leaves(layer, seen)
        else:
            yield layer


def _size(tensor):
    return math.prod(tensor.shape) if tensor is not None else 0


def _row(layer):
    try:
        shape = tuple(layer.output.shape[1:])
    except (AttributeError, ValueError) as e:
        raise ValueError(
            f"layer {layer.name!r} has no single output: build the model on keras.Input "
            "and call each layer once"
        ) from e
    if None in shape:
        raise ValueError(f"layer {layer.name!r} outputs {shape}: give keras.Input a fixed size")
    kernel, bias = getattr(layer, "kernel", None), getattr(layer, "bias", None)
    weights, biases, params = _size(kernel), _size(bias), layer.count_params()
    macs = 0
    if isinstance(layer, (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)):
        # kernel (kh, kw, in/groups, filters): one output element costs kh*kw*in/groups.
        macs = math.prod(shape) * math.prod(kernel.shape[:-1])
    elif isinstance(layer, keras.layers.Dense):
        # kernel (in, units): one output element costs in; leading dims come with shape.
        macs = math.prod(shape) * kernel.shape[0]
    return Row(
        name=layer.name,
        kind=type(layer).__name__,
        output_shape=shape,
        weights=weights,
        biases=biases,
        other=params - weights - biases,
        params=params,
        trainable=sum(_size(w) for w in layer.trainable_weights),
        macs=macs,
        activation_bytes=math.prod(shape) * _dtype_bytes(layer.compute_dtype),
    )


def _dtype_bytes(dtype):
    # "float32" -> 4, "bfloat16" -> 2, "int8" -> 1; bool is stored in a byte.
    bits = re.search(r"\d+$", str(dtype))
    return int(bits.group()) // 8 if bits else 1


def _shape(shape):
    return "x".join(str(d) for d in shape)


def param_formula(layer):
    """A Conv2D's or Dense's parameter count written out, e.g. '(5*5*48 + 1) * 256 = 307,456'."""
    bias = " + 1" if getattr(layer, "use_bias", False) else ""
    if isinstance(layer, keras.layers.Conv2D):
        kh, kw, depth, filters = layer.kernel.shape  # depth is in_channels / groups
        text = f"({kh}*{kw}*{depth}{bias}) * {filters}"
    elif isinstance(layer, keras.layers.Dense):
        inputs, units = layer.kernel.shape
        text = f"({inputs}{bias}) * {units}"
    else:
        raise ValueError(f"layer {layer.name!r} is a {type(layer).__name__}: only Conv2D and Dense")
    return f"{text} = {layer.count_params():,}"


class _CallableModule(types.ModuleType):
    # DESIGN's public name is `al.ledger(model)`, and `alexlab.ledger` is also this
    # module; making the module callable keeps both `al.ledger(model)` and
    # `from alexlab.ledger import Ledger` working, whichever is imported first.
    def __call__(self, model):
        return ledger(model)


sys.modules[__name__].__class__ = _CallableModule
