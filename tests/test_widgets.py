"""alexlab.widgets: the shape explorer recomputes every layer downstream and explains problems."""

import pytest

from alexlab import trace, widgets
from alexlab.widgets import ShapeExplorer


def test_prints_the_static_trace_first(capsys):
    explorer = widgets.shape_explorer()
    assert capsys.readouterr().out.strip() == trace.trace_table(trace.trace(trace.ALEXNET, 227))
    assert "run the notebook" in repr(explorer)


def test_input_size_updates_every_layer():
    explorer = widgets.ShapeExplorer()
    assert explorer.rows[-1].shape == (6, 6, 256)
    assert "9,216 numbers for fc6" in explorer.summary.value
    explorer.input_size.value = 224
    assert [r.size_out for r in explorer.rows] == [54, 26, 26, 12, 12, 12, 12, 5]
    assert "Fractional at conv1, pool1, pool2, pool5: floored" in explorer.summary.value
    assert "fractional" in explorer.table.value


def test_editing_a_layer_changes_it_and_everything_after_it():
    explorer = widgets.ShapeExplorer()
    explorer.input_size.value = 224
    explorer.layer.value = 0  # conv1
    explorer.padding.value = 2  # what torchvision does
    rows = explorer.rows
    assert rows[0].size_out == 55 and rows[-1].shape == (6, 6, 256)
    assert explorer.layers[0].padding == 2 and explorer.layers[1] == trace.ALEXNET[1]


def test_choosing_a_layer_loads_its_settings_without_editing():
    explorer = widgets.ShapeExplorer()
    explorer.layer.value = 2  # conv2: 5x5, stride 1, padding 2
    assert (explorer.kernel.value, explorer.stride.value, explorer.padding.value) == (5, 1, 2)
    assert explorer.layers == list(trace.ALEXNET)


def test_impossible_settings_are_explained_not_raised():
    explorer = widgets.ShapeExplorer()
    explorer.input_size.value = 20
    assert "pool2 cannot run" in explorer.summary.value
    assert "larger than the padded input" in explorer.summary.value
    assert "no input" in explorer.table.value


def test_reset_restores_the_paper_network():
    explorer = widgets.ShapeExplorer()
    explorer.layer.value = 0
    explorer.stride.value = 3
    explorer.input_size.value = 100
    explorer.reset.click()
    assert explorer.layers == list(trace.ALEXNET) and explorer.input_size.value == 227
    assert explorer.rows[-1].shape == (6, 6, 256)


def test_rounding_switch_gives_the_papers_55_from_224():
    explorer = widgets.ShapeExplorer()
    explorer.input_size.value = 224
    assert explorer.rows[0].size_out == 54
    explorer.rounding.value = "ceil"  # cuda-convnet, the paper's own code
    assert [r.size_out for r in explorer.rows] == [55, 27, 27, 13, 13, 13, 13, 6]
    assert "hangs 3 rows and columns past" in explorer.table.value
    assert "Fractional at conv1: rounded up" in explorer.summary.value
    explorer.reset.click()
    assert explorer.rounding.value == "floor" and explorer.input_size.value == 227


def test_starting_values_outside_the_default_ranges_are_kept_not_clamped():
    # Seed 000's asymmetric padding, a kernel and an input beyond the default slider ranges.
    layers = (
        trace.Layer("conv1", "conv", 17, 9, (2, 1), 96),
        trace.Layer("pool1", "pool", 3, 2, 0),
    )
    explorer = ShapeExplorer(layers, 1000)
    assert explorer.input_size.value == 1000
    assert (explorer.kernel.value, explorer.stride.value, explorer.padding.value) == (17, 9, (2, 1))
    explorer.stride.value = 8  # an edit keeps the pair padding, not a silent 0
    assert explorer.layers[0].padding == (2, 1) and explorer.layers[0].stride == 8
    assert [r.size_in for r in explorer.rows] == [1000, 1 + (1000 + 3 - 17) // 8]


def test_layers_that_are_not_layers_are_refused():
    with pytest.raises(ValueError, match=r"layers\[0\].*Layer\(name, kind"):
        ShapeExplorer([("conv", 11, 4, 0)], 224)
