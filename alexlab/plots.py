"""Figures for the notebooks: labelled axes, and titles that say what to see."""

__all__ = [
    "as_jpeg",
    "comparison",
    "confusion_matrix",
    "gap",
    "image_grid",
    "learning_curves",
    "paper_results",
    "params_and_macs",
    "race",
    "sliding_windows",
    "training_curves",
]

OURS, OTHERS = "#c0392b", "#34495e"


def paper_results():
    """Bar charts of the paper's Tables 1 and 2: AlexNet's error against the best before it."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from alexlab.paper import RESULTS_2010, RESULTS_2012

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    before = min(RESULTS_2010[:-1], key=lambda r: r.top5)
    cnn = RESULTS_2010[-1]
    width = 0.38
    for i, result in enumerate(RESULTS_2010):
        color = OURS if result is cnn else OTHERS
        for offset, value, alpha in (
            (-width / 2, result.top1, 0.45),  # top-1, light
            (width / 2, result.top5, 1.0),  # top-5, dark
        ):
            bars = left.bar(i + offset, 100 * value, width, color=color, alpha=alpha)
            left.bar_label(bars, fmt="%.1f%%", fontsize=9)
    left.set_xticks(range(len(RESULTS_2010)), [_label(r.method) for r in RESULTS_2010])
    left.set_title(
        f"ILSVRC-2010 test set (Table 1): top-5 error "
        f"{100 * before.top5:.1f}% -> {100 * cnn.top5:.1f}%",
        fontsize=10,
    )
    # one neutral key for both colours: the light bar is top-1, the dark one top-5
    keys = [Patch(color="grey", alpha=0.45), Patch(color="grey")]
    left.legend(keys, ["top-1 (light)", "top-5 (dark)"], fontsize=9)

    runner_up, winner = RESULTS_2012
    for i, result in enumerate(RESULTS_2012):
        bars = right.bar(i, 100 * result.top5, 0.55, color=OURS if result is winner else OTHERS)
        right.bar_label(bars, fmt="%.1f%%", fontsize=9)
    right.set_xticks(range(len(RESULTS_2012)), [_label(r.method) for r in RESULTS_2012])
    right.set_title(
        f"ILSVRC-2012 contest: top-5 error {100 * winner.top5:.1f}% vs {100 * runner_up.top5:.1f}%",
        fontsize=10,
    )

    for ax in (left, right):
        ax.set_ylabel("test error (%)")
        ax.set_ylim(0, 55)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("AlexNet against the best other methods (lower is better)")
    fig.tight_layout()
    return fig


def _label(method):
    # "SIFT + Fisher Vectors (second-best entry)" -> two short lines under the bar
    name, _, note = method.partition(" (")
    name = name.replace("7 CNNs, two pre-trained on ImageNet Fall 2011", "7 CNNs")
    return f"{name}\n({note}" if note else name


def sliding_windows(size, kernel, stride, padding=0, tail=None, ax=None):
    """Draw a 1-D input, its padding, and every window position; unused pixels in red.

    tail=N shows only the last N cells, where a window that does not fit would be.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from alexlab.shapes import conv_output_size, explain

    out = conv_output_size(size, kernel, stride, padding)
    total = size + 2 * padding
    covered = (out - 1) * stride + kernel  # cells the last window reaches
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 2.4))
    first = 0 if tail is None else max(0, total - tail)
    for cell in range(first, total):
        if cell < padding or cell >= padding + size:
            face, edge = "#dddddd", "#999999"  # padding
        elif cell >= covered:
            face, edge = "#e74c3c", "#922b21"  # input no window reaches
        else:
            face, edge = "#d6eaf8", "#5d6d7e"
        ax.add_patch(Rectangle((cell, 0), 1, 1, facecolor=face, edgecolor=edge, lw=0.6))
    levels = max(1, -(-kernel // stride))  # enough rows that overlapping windows stay apart
    for i in range(out):
        start = i * stride
        if start + kernel <= first:
            continue
        y = -0.45 - 0.4 * (i % levels)
        ax.add_patch(
            Rectangle(
                (max(start, first) + 0.08, y),
                min(kernel, start + kernel - first) - 0.16,
                0.28,
                facecolor="#2e86c1",
                alpha=0.8,
            )
        )
        if tail is None or start >= first:
            ax.text(
                start + kernel / 2,
                y + 0.14,
                str(i + 1),
                ha="center",
                va="center",
                fontsize=7,
                color="white",
            )
    ax.set_xlim(first - 0.5, total + 0.5)
    ax.set_ylim(-0.45 - 0.4 * levels, 1.4)
    ax.set_yticks([])
    ax.set_xlabel("input position (pixels, padding included)")
    ax.spines[["left", "top", "right"]].set_visible(False)
    unused = max(0, padding + size - covered)  # real pixels, not padding, left out
    ax.set_title(
        f"n={size}, k={kernel}, s={stride}, p={padding}: {explain(size, kernel, stride, padding)}"
        + (f"; {unused} input px unused (red)" if unused else ""),
        fontsize=9,
    )
    return ax


def params_and_macs(ledger):
    """Side-by-side shares of parameters and multiply-adds for each conv and dense layer."""
    import matplotlib.pyplot as plt

    rows = [r for r in ledger.rows if r.params or r.macs]
    names = [r.name for r in rows]
    colors = ["#2e86c1" if r.kind.startswith("Conv") else "#e67e22" for r in rows]
    conv_params = sum(r.params for r in rows if r.kind.startswith("Conv")) / ledger.total_params
    conv_macs = sum(r.macs for r in rows if r.kind.startswith("Conv")) / ledger.total_macs
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, field, total, label in (
        (axes[0], "params", ledger.total_params, "share of parameters (%)"),
        (axes[1], "macs", ledger.total_macs, "share of multiply-adds (%)"),
    ):
        shares = [100 * getattr(r, field) / total for r in rows]
        bars = ax.barh(names, shares, color=colors)
        ax.bar_label(bars, fmt="%.1f%%", fontsize=8, padding=2)
        ax.set_xlabel(label)
        ax.set_xlim(0, 100)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].invert_yaxis()
    fig.suptitle(
        f"Convolutions (blue): {conv_macs:.0%} of the multiply-adds, {conv_params:.0%} of the "
        f"parameters. Fully connected (orange): {1 - conv_macs:.0%} and {1 - conv_params:.0%}"
    )
    fig.tight_layout()
    return fig


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
            right.plot(seconds, history["val_accuracy"], "o-", color=color, ms=3,
                       label=f"{name}: validation")  # fmt: skip
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


def race(result, title=None):
    """Test accuracy against wall clock from process start, one line per run and seed, for
    benchmarks/race_cpu.py's result: the tutorial's CNN and alexlab's cpu profile."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    styles = {"tutorial": (OTHERS, "s", "TensorFlow tutorial CNN"),
              "alexlab": (OURS, "o", "alexlab, cpu profile")}  # fmt: skip
    labelled = set()
    for run in result["runs"]:
        color, marker, name = styles[run["which"]]
        curve = run["curve"]
        label = None if run["which"] in labelled else name
        labelled.add(run["which"])
        ax.plot(curve["seconds"], curve["test_accuracy"], marker=marker, color=color, ms=4,
                lw=1.2, alpha=0.8, label=label)  # fmt: skip
    summary = result["summary"]
    best = summary["tutorial_best"]["median"]
    ax.axhline(best, color=OTHERS, ls=":", lw=1, label=f"tutorial's best (median) {best:.1%}")
    end = summary["tutorial_seconds"]["median"]
    ax.axvline(end, color=OTHERS, ls="--", lw=1, label=f"tutorial's last epoch ({end:.0f} s)")
    ax.set_xlabel("seconds from process start (Python, Keras, data and compiling included)")
    ax.set_ylabel("test accuracy, after each epoch")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="lower right")
    seeds = len(result["per_seed"])
    ax.set_title(title or f"Test accuracy against wall clock, {seeds} seeds each")
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
                ax.text(c, r, f"{shares[r, c]:.0%}".replace("%", ""), ha="center", va="center",
                        fontsize=7, color="white" if shares[r, c] > 0.5 else "black")  # fmt: skip
    ax.set_xticks(range(n), class_names, rotation=45, ha="right")
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    # the bar in the same unit as the numbers in the cells: percent of the row
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                       label="percent of the true class's images")  # fmt: skip
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
