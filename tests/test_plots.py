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


def test_training_curves_has_train_and_test_lines():
    history = {"accuracy": [0.1, 0.2], "val_accuracy": [0.1, 0.15]}
    fig = plots.training_curves({"run": history})
    assert len(fig.axes[0].lines) == 2
    plt.close(fig)


def test_learning_curves_plot_against_cumulative_seconds():
    fast = {"loss": [2.0, 1.5], "accuracy": [0.3, 0.5], "seconds": [10.0, 12.0]}
    paper = {**fast, "val_accuracy": [0.25, 0.45]}
    fig = plots.learning_curves({"fast": fast, "paper": paper})
    loss, accuracy = fig.axes
    np.testing.assert_allclose(loss.lines[0].get_xdata(), [10.0, 22.0])
    assert len(accuracy.lines) == 3  # fast: training; paper: training and validation
    assert "seconds" in loss.get_xlabel()
    plt.close(fig)


def test_confusion_matrix_shows_row_shares():
    counts = np.array([[3, 1], [0, 4]])
    fig = plots.confusion_matrix(counts, ["cat", "dog"])
    shown = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(shown, [[0.75, 0.25], [0.0, 1.0]])
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["75", "25", "100"]  # zero cells stay blank
    plt.close(fig)
