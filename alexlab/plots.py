"""Figures shared by the notebooks: labelled axes, and titles that say what to see.

The frame for every chapter's figures: the series' two colours, and the figures more than
one chapter draws (image grids, learning curves, comparisons over seeds, confusion
matrices, photographs as JPEG). A figure only one notebook draws lives in that notebook's
chapter module (``alexlab.chapters``), e.g. ``al.chapters.relu.plot_figure1``.
"""

__all__ = [
    "OTHERS",
    "OURS",
    "as_jpeg",
    "comparison",
    "confusion_matrix",
    "gap",
    "image_grid",
    "learning_curves",
    "training_curves",
]

OURS, OTHERS = "#c0392b", "#34495e"


def image_grid(images, titles=None, columns=5, title=None, size=2.2):
    """Show images (each H, W, 3; uint8 or floats in 0..255) in a grid, clipped for display."""
    import matplotlib.pyplot as plt
    import numpy as np

    # one at a time: the images may differ in size (an original beside its crops)
    images = [np.clip(np.asarray(im, dtype="float32"), 0, 255).astype("uint8") for im in images]
    rows = -(-len(images) // columns)
    # 0.35 in per row for the titles, so a title never covers the image above it
    height = (size + 0.35) * rows + 0.5
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, height), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i])
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def training_curves(histories, metric="accuracy", title=None):
    """Train (dashed) and validation (solid) curves per epoch for several Keras histories."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    for i, (name, history) in enumerate(histories.items()):
        color = f"C{i}"
        epochs = range(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], "--", color=color, label=f"{name}: train (while training)")
        ax.plot(epochs, history[f"val_{metric}"], "-", color=color, label=f"{name}: test")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or f"{metric} per epoch")
    fig.tight_layout()
    return fig


def learning_curves(runs, title=None):
    """Training loss, and accuracy (training dashed, validation solid), against seconds of training.

    runs: name -> alexlab.train.Run (or any object with .history holding per-epoch
    "loss", "accuracy", "seconds" and optionally "val_accuracy"). Against seconds, not
    epochs, so recipes with different speeds compare fairly.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (name, run) in enumerate(runs.items()):
        history = run.history if hasattr(run, "history") else run
        seconds = np.cumsum(history["seconds"])
        color = f"C{i}"
        left.plot(seconds, history["loss"], "o-", color=color, ms=3, label=name)
        right.plot(
            seconds, history["accuracy"], "o--", color=color, ms=3, label=f"{name}: training"
        )
        if history.get("val_accuracy"):
            right.plot(
                seconds,
                history["val_accuracy"],
                "o-",
                color=color,
                ms=3,
                label=f"{name}: validation",
            )
    left.set_ylabel("training loss (augmented batches)")
    right.set_ylabel("accuracy")
    right.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    for ax in (left, right):
        ax.set_xlabel("seconds of training (compilation excluded)")
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=8)
    fig.suptitle(title or "Learning curves, one point per epoch")
    fig.tight_layout()
    return fig


def comparison(result, metric="loss", title=None):
    """A Comparison drawn: a training curve per configuration with its band across seeds
    (mean line, min-max shaded) and each seed's validation accuracy as a dot."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
    for i, config in enumerate(result.configs):
        curves = np.array([h[metric] for h in result.histories[config.name]])
        epochs = np.arange(1, curves.shape[1] + 1)
        color = f"C{i}"
        left.plot(epochs, curves.mean(axis=0), "o-", ms=3, color=color, label=config.name)
        left.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), color=color, alpha=0.2)
        acc = result.accuracy(config.name)
        right.scatter(np.full(len(acc), i), acc, color=color, s=25, zorder=3)
        right.hlines(acc.mean(), i - 0.25, i + 0.25, color=color, lw=2)
    left.set_xlabel("epoch")
    left.set_ylabel(f"training {metric}")
    left.set_title("mean over seeds (line), lowest to highest (band)", fontsize=9)
    left.legend(fontsize=8)
    right.set_xticks(range(len(result.configs)), [c.name for c in result.configs], fontsize=8)
    right.set_ylabel("validation accuracy")
    right.set_title("each seed (dot), their mean (bar)", fontsize=9)
    right.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.1%}"))
    right.set_xlim(-0.6, len(result.configs) - 0.4)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(title or f"{result.name}: {len(result.seeds)} seeds per configuration")
    fig.tight_layout()
    return fig


def gap(result, measure="train accuracy", title=None):
    """Per configuration and seed, a line from validation accuracy up to `measure` (an extra
    of the Comparison, e.g. the accuracy on the training images): its length is the gap."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(7, 4))
    for i, config in enumerate(result.configs):
        validation = result.accuracy(config.name)
        other = np.asarray(result.extras[config.name][measure])
        offsets = np.linspace(-0.12, 0.12, len(validation))
        for k, (v, o) in enumerate(zip(validation, other, strict=True)):
            x = i + offsets[k]
            ax.plot([x, x], [v, o], "-", color=f"C{i}", lw=2, alpha=0.7)
            ax.plot(x, o, "^", color=f"C{i}", ms=7, label=measure if i == k == 0 else None)
            ax.plot(x, v, "o", color=f"C{i}", ms=6, label="validation" if i == k == 0 else None)
    ax.set_xticks(range(len(result.configs)), [c.name for c in result.configs])
    ax.set_xlim(-0.5, len(result.configs) - 0.5)
    ax.set_ylabel("accuracy (a line per seed: the gap)")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8)
    ax.set_title(title or f"{measure} against validation accuracy", fontsize=10)
    fig.tight_layout()
    return fig


def confusion_matrix(counts, class_names, title=None):
    """Row-normalised confusion matrix: row = true class, column = predicted, diagonal = right."""
    import matplotlib.pyplot as plt
    import numpy as np

    counts = np.asarray(counts)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    n = len(class_names)
    fig, ax = plt.subplots(figsize=(0.55 * n + 3, 0.5 * n + 2))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for r in range(n):
        for c in range(n):
            if counts[r, c]:
                ax.text(
                    c,
                    r,
                    f"{shares[r, c]:.0%}".replace("%", ""),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if shares[r, c] > 0.5 else "black",
                )
    ax.set_xticks(range(n), class_names, rotation=45, ha="right")
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    # the bar in the same unit as the numbers in the cells: percent of the row
    bar = fig.colorbar(
        image, ax=ax, fraction=0.046, pad=0.04, label="percent of the true class's images"
    )
    bar.ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v * 100:.0f}"))
    ax.set_title(title or "Confusion matrix (percent of each row)")
    fig.tight_layout()
    return fig


def as_jpeg(fig, quality=85):
    """Return the figure as a JPEG for display and close it: photos shrink 5-10x against PNG."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="jpeg", pil_kwargs={"quality": quality})
    plt.close(fig)  # so the inline backend does not also show it as a PNG
    return Image(data=buffer.getvalue(), format="jpeg")
