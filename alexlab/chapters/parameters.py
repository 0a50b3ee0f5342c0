"""Chapter 02, parameters (notebooks/02_parameters.ipynb): where "60 million" comes from.

The counting is the engine's (``alexlab.ledger``); this module holds the notebook's figure
of parameter and multiply-add shares, its exercises, and the two claims it settles
(parameters, neurons) on the paper's network built without weights.
"""

import functools
import math

from alexlab import exercises, ledger, models

__all__ = ["CLAIMS", "EXERCISES", "NOTEBOOK", "params_and_macs"]

NOTEBOOK = "02_parameters.ipynb"


def params_and_macs(counted):
    """Side-by-side shares of parameters and multiply-adds for each conv and dense layer."""
    import matplotlib.pyplot as plt

    rows = [r for r in counted.rows if r.params or r.macs]
    names = [r.name for r in rows]
    colors = ["#2e86c1" if r.kind.startswith("Conv") else "#e67e22" for r in rows]
    conv_params = sum(r.params for r in rows if r.kind.startswith("Conv")) / counted.total_params
    conv_macs = sum(r.macs for r in rows if r.kind.startswith("Conv")) / counted.total_macs
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, field, total, label in (
        (axes[0], "params", counted.total_params, "share of parameters (%)"),
        (axes[1], "macs", counted.total_macs, "share of multiply-adds (%)"),
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


def _count(expected, explain_wrong):
    def judge(answer):
        n = exercises.whole(answer)
        if n == expected():
            return True, "matches the ledger's count"
        return False, explain_wrong(n)

    return judge


def _conv2_two_towers():
    return 256 * (5 * 5 * 48) + 256


def _conv2_wrong(n):
    if n == 256 * 5 * 5 * 96 + 256:
        return "that is one tower: in the paper each conv2 kernel sees only its own GPU's maps"
    if n == 256 * 5 * 5 * 48:
        return "close: the biases are missing"
    return f"{n:,} is not conv2's count: kernels x (height x width x input maps) + biases"


def _fc6():
    return 6 * 6 * 256 * 4096 + 4096


def _fc6_wrong(n):
    if n == 6 * 6 * 256 * 4096:
        return "close: the biases are missing"
    if n == 13 * 13 * 256 * 4096 + 4096:
        return "fc6 sees the maps after pool5, not conv5's"
    return f"{n:,} is not fc6's count: inputs (pool5's maps flattened) x neurons + biases"


@functools.cache
def _paper_ledger():
    with models.shapes_only():  # counts need shapes, not 0.6 GB of drawn weights
        return ledger.ledger(models.alexnet(1000))


def _parameters():
    count = _paper_ledger().total_params
    return f"{count:,} counted: {count / 1e6:.1f} million, the abstract's 60 million rounded"


def _neurons():
    rows = _paper_ledger().rows
    total = sum(math.prod(r.output_shape) for r in rows if r.kind in ("Conv2D", "Dense"))
    return f"{total:,} counted: about 650,000 (to two figures {round(total, -4):,})"


EXERCISES = {
    "conv2": exercises.Exercise(
        "How many parameters does conv2 have in the paper's two-tower network "
        "(256 kernels of 5x5, biases included)?",
        _count(_conv2_two_towers, _conv2_wrong),
    ),
    "fc6": exercises.Exercise(
        "How many parameters does fc6 have (4096 neurons, biases included)?",
        _count(_fc6, _fc6_wrong),
    ),
}

CLAIMS = {"parameters": _parameters, "neurons": _neurons}
