"""alexlab.plots: the figures build, say what they show, and photo grids can travel as JPEG."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from alexlab import plots  # noqa: E402


def test_image_grid_takes_mixed_sizes_and_titles():
    images = [np.zeros((8, 8, 3), "uint8"), np.full((4, 4, 3), 300.0)]  # 300 is clipped
    fig = plots.image_grid(images, titles=["a", "b"], columns=2, title="t")
    assert [ax.get_title() for ax in fig.axes[:2]] == ["a", "b"]
    assert fig.axes[1].images[0].get_array().max() == 255
    plt.close(fig)


def test_as_jpeg_returns_a_jpeg_and_closes_the_figure():
    fig = plots.image_grid([np.zeros((8, 8, 3), "uint8")], columns=1)
    number = fig.number
    image = plots.as_jpeg(fig)
    assert image.data[:2] == b"\xff\xd8"  # JPEG start-of-image marker
    assert number not in plt.get_fignums()


def test_sliding_windows_marks_unused_pixels_in_the_title():
    ax = plots.sliding_windows(224, 11, 4, tail=30)
    assert "54.25 -> 54" in ax.get_title() and "1 input px unused" in ax.get_title()
    plt.close("all")


def test_training_curves_has_train_and_test_lines():
    history = {"accuracy": [0.1, 0.2], "val_accuracy": [0.1, 0.15]}
    fig = plots.training_curves({"run": history})
    assert len(fig.axes[0].lines) == 2
    plt.close(fig)
