"""ipywidgets front ends: the shape explorer of notebook 01 (paper §3.5).

Each front end first prints its starting state as text, so a notebook read
without a kernel (on GitHub, say) still shows what the sliders would.
"""

import html
from dataclasses import replace

import ipywidgets as widgets

from alexlab import trace

__all__ = ["ShapeExplorer", "shape_explorer"]

# Padding choices: pixels on each side, or Keras' "same".
_PADDINGS = [(str(p), p) for p in range(6)] + [("same", "same"), ("valid", "valid")]


def shape_explorer(layers=trace.ALEXNET, input_size=227, rounding="floor"):
    """Print the trace of `layers` at `input_size`, then return sliders that recompute it."""
    print(trace.trace_table(trace.trace(layers, input_size, rounding=rounding)))
    return ShapeExplorer(layers, input_size, rounding)


class ShapeExplorer(widgets.VBox):
    """Sliders for the input size and any layer's kernel, stride and padding; a live trace.

    A toggle switches the rounding: floor (Keras, PyTorch, Caffe) or ceil (cuda-convnet).
    """

    def __init__(self, layers=trace.ALEXNET, input_size=227, rounding="floor"):
        trace.trace(layers, input_size, rounding=rounding)  # refuses bad layers and sizes
        self._initial = (tuple(layers), input_size, rounding)
        self.layers = list(layers)
        # Ranges wide enough for every starting value: a slider would silently clamp one
        # that is not, and the explorer would show a network other than the one given.
        self.input_size = widgets.IntSlider(
            input_size,
            min=min(8, input_size),
            max=max(512, input_size),
            description="input size",
            continuous_update=True,
        )
        self.layer = widgets.Dropdown(
            options=[(lay.name, i) for i, lay in enumerate(self.layers)], description="layer"
        )
        kernels = max(lay.kernel for lay in self.layers)
        strides = max(lay.stride for lay in self.layers)
        self.kernel = widgets.IntSlider(min=1, max=max(15, kernels), description="kernel")
        self.stride = widgets.IntSlider(min=1, max=max(8, strides), description="stride")
        paddings = list(_PADDINGS)
        for lay in self.layers:  # e.g. seed 000's (before, after) pair keeps its value
            if lay.padding not in dict(paddings).values():
                paddings.append((str(lay.padding), lay.padding))
        self.padding = widgets.Dropdown(options=paddings, description="padding")
        self.rounding = widgets.ToggleButtons(
            options=[("floor (frameworks)", "floor"), ("ceil (cuda-convnet)", "ceil")],
            value=rounding,
            description="rounding",
        )
        self.reset = widgets.Button(description="reset", tooltip="back to the starting network")
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self._loading = False
        self._load_layer()
        self.input_size.observe(self._update, "value")
        self.rounding.observe(self._update, "value")
        self.layer.observe(self._load_layer, "value")
        for control in (self.kernel, self.stride, self.padding):
            control.observe(self._edit_layer, "value")
        self.reset.on_click(self._reset)
        controls = widgets.HBox([self.layer, self.kernel, self.stride, self.padding])
        super().__init__(
            [
                widgets.HBox([self.input_size, self.reset]),
                self.rounding,
                controls,
                self.summary,
                self.table,
            ]
        )
        self._update()

    def __repr__(self):
        # What a notebook shows where no kernel runs: the printed table above says the rest.
        return (
            "ShapeExplorer (sliders: run the notebook to move them; the table above is its start)"
        )

    @property
    def rows(self):
        """The current trace, one TraceRow per layer."""
        return trace.trace(self.layers, self.input_size.value, rounding=self.rounding.value)

    def _load_layer(self, change=None):
        # Show the chosen layer's settings without treating that as an edit.
        layer = self.layers[self.layer.value]
        self._loading = True
        self.kernel.value, self.stride.value = layer.kernel, layer.stride
        self.padding.value = layer.padding
        self._loading = False

    def _edit_layer(self, change=None):
        if self._loading:
            return
        i = self.layer.value
        self.layers[i] = replace(
            self.layers[i],
            kernel=self.kernel.value,
            stride=self.stride.value,
            padding=self.padding.value,
        )
        self._update()

    def _reset(self, button=None):
        layers, size, rounding = self._initial
        self.layers = list(layers)
        self._load_layer()
        self.input_size.value = size
        self.rounding.value = rounding
        self._update()

    def _update(self, change=None):
        rows = self.rows
        self.table.value = _html_table(rows, self.layer.value)
        summary = _summary(rows, self.input_size.value, self.rounding.value)
        self.summary.value = f"<p>{html.escape(summary)}</p>"


def _summary(rows, size, rounding="floor"):
    broken = next((r for r in rows if r.size_out is None), None)
    if broken is not None:
        return f"Input {size}: {broken.layer.name} cannot run. {broken.problem}"
    last = rows[-1]
    features = last.size_out**2 * last.channels
    fractional = [r.layer.name for r in rows if r.problem]
    text = (
        f"Input {size}: {last.layer.name} gives {last.size_out}x{last.size_out}x"
        f"{last.channels} = {features:,} numbers for fc6; each sees "
        f"{last.receptive_field} px of the input."
    )
    if fractional and rounding == "floor":
        text += f" Fractional at {', '.join(fractional)}: floored, their last rows are dropped."
    elif fractional:
        text += (
            f" Fractional at {', '.join(fractional)}: rounded up, their last windows hang past "
            "the edge (cuda-convnet)."
        )
    return text


def _html_table(rows, selected):
    head = "".join(
        f"<th>{h}</th>"
        for h in ("layer", "window", "padding", "output", "sees px", "arithmetic", "problem")
    )
    body = []
    for i, row in enumerate(rows):
        layer = row.layer
        colour = "#fdecea" if row.size_out is None else "#fff4e0" if row.problem else ""
        style = f"background:{colour};" + ("font-weight:bold;" if i == selected else "")
        cells = (
            layer.name,
            row.window,
            layer.padding,
            row.shape_text,
            row.receptive_field or "-",
            row.arithmetic,
            row.problem,
        )
        tds = "".join(f"<td style='text-align:left'>{html.escape(str(c))}</td>" for c in cells)
        body.append(f"<tr style='{style}'>{tds}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
