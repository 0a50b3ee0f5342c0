"""Chapter 01, output sizes (notebooks/01_output_size.ipynb): §3.5's 224 -> 55, and its figure.

The arithmetic is the engine's (``alexlab.shapes``); this module holds the notebook's
picture of sliding windows, its exercises, and the claim it settles (conv1_55).
"""

from alexlab import exercises, shapes

__all__ = ["CLAIMS", "EXERCISES", "NOTEBOOK", "sliding_windows"]

NOTEBOOK = "01_output_size.ipynb"


def sliding_windows(size, kernel, stride, padding=0, tail=None, ax=None):
    """Draw a 1-D input, its padding, and every window position; unused pixels in red.

    tail=N shows only the last N cells, where a window that does not fit would be.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    out = shapes.conv_output_size(size, kernel, stride, padding)
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
    why = shapes.explain(size, kernel, stride, padding)
    ax.set_title(
        f"n={size}, k={kernel}, s={stride}, p={padding}: {why}"
        + (f"; {unused} input px unused (red)" if unused else ""),
        fontsize=9,
    )
    return ax


def _conv1_padding(answer):
    p = exercises.whole(answer)
    if p < 0:
        return False, "padding is a number of pixels added on each side: 0 or more"
    out = shapes.conv_output_size(224, 11, 4, p)
    if out == 55:
        return True, f"224 + 2*{p} padded, 11x11 windows every 4 pixels: 55 positions"
    return False, f"with padding {p} conv1 gives {out}x{out}, not 55x55"


def _smallest_input(answer):
    n = exercises.whole(answer)
    if n < 11:
        return False, f"an 11x11 window does not fit in {n} pixels"
    out = shapes.conv_output_size(n, 11, 4)
    if out != 55:
        return False, f"{n} gives {out} under floor, not 55"
    if shapes.conv_output_size(n - 1, 11, 4) == 55:
        return False, f"{n} gives 55, but so does a smaller input: look for the smallest"
    return True, "the smallest input that gives 55 when the frameworks floor"


def _same_output(answer):
    n = exercises.whole(answer)
    right = shapes.conv_output_size(224, 11, 4, "same")
    if n == right:
        return True, '"same" keeps ceil(size / stride) positions, whatever the kernel'
    if n == shapes.conv_output_size(224, 11, 4):
        return False, "that is the valid (unpadded) size: same pads first"
    return False, f"{n} is not what same padding gives for 224 at stride 4"


def _conv1_55():
    ceil = shapes.conv_output_size(224, 11, 4, rounding="ceil")
    floor = shapes.conv_output_size(224, 11, 4)
    return f"224 gives {ceil} under cuda-convnet's rounding up, {floor} under a floor"


EXERCISES = {
    "padding": exercises.Exercise(
        "Choose conv1's padding (pixels on each side) so that a 224x224 input gives "
        "55x55 under the frameworks' floor.",
        _conv1_padding,
    ),
    "smallest_input": exercises.Exercise(
        "What is the smallest input side that gives conv1 (11x11, stride 4, no padding) "
        "a 55x55 output under floor?",
        _smallest_input,
    ),
    "same": exercises.Exercise(
        'What side does conv1 (11x11, stride 4) give on 224 with padding="same"?',
        _same_output,
    ),
}

CLAIMS = {"conv1_55": _conv1_55}
