"""Chapter 03, ReLU (notebooks/03_relu.ipynb): §3.1 and Figure 1, the race to 25% error.

The measurements are the engine's (``alexlab.activations``: slopes, gradient norms, time
to a training error, dead units) and the benchmark's (benchmarks/relu_cpu.py, which
writes relu_cpu.json). This module holds the notebook's figures, Figure 1's training
recipe, the verdict it prints from relu_cpu.json, its exercises, and the claim it settles
(relu_speed); its readings of relu_cpu.json's tables are in ``benchmark``.
"""

import math

import numpy as np

from alexlab import activations, exercises, models, recipes, results
from alexlab.chapters.relu import benchmark

__all__ = [
    "results_page",
    "CLAIMS",
    "EXERCISES",
    "NOTEBOOK",
    "benchmark",
    "figure1_recipe",
    "figure1_verdict",
    "plot_figure1",
    "plot_functions",
]

NOTEBOOK = "03_relu.ipynb"

_STYLE = {"relu": "-", "tanh": "--", "sigmoid": ":"}
_COLOUR = {"relu": "C0", "tanh": "C1", "sigmoid": "C2"}


def plot_functions(lo=-6.0, hi=6.0):
    """The three activations and their derivatives side by side; returns the figure."""
    import matplotlib.pyplot as plt

    x = np.linspace(lo, hi, 601)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name in activations.ACTIVATIONS:
        style = {"ls": _STYLE[name], "color": _COLOUR[name], "label": name}
        left.plot(x, activations.function(name, x), **style)
        right.plot(x, activations.derivative(name, x), **style)
    right.axhline(0.25, color="grey", lw=0.8)
    right.annotate("0.25: the sigmoid's largest slope", (lo + 0.2, 0.27), fontsize=8)
    left.set(xlabel="x", ylabel="f(x)", title="The activations: tanh and sigmoid flatten out")
    left.set_ylim(-1.2, 3)
    right.set(xlabel="x", ylabel="f'(x)", title="Their slopes: saturated units pass ~0 back")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def plot_figure1(runs, target=0.25, title=None):
    """Training error against epochs per activation, Figure 1's style; returns the figure.

    runs: a list of {"activation", "seed", "history"} (fit's history). Every seed is a
    line; the target is a horizontal line.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7, 4.2))
    labelled = set()
    for run in runs:
        name = run["activation"]
        error = 1.0 - np.asarray(run["history"]["accuracy"])
        epochs = np.arange(1, len(error) + 1)
        ax.plot(
            epochs,
            error,
            _STYLE.get(name, "-"),
            color=_COLOUR.get(name, "k"),
            label=None if name in labelled else name,
            alpha=0.8,
        )
        labelled.add(name)
    ax.axhline(target, color="grey", lw=0.8)
    ax.annotate(f"{target:.0%} training error", (1, target - 0.04), fontsize=8)
    title = title or "ReLU (solid) reaches the line in fewer epochs than tanh (dashed)"
    ax.set(xlabel="epochs", ylabel="training error rate", ylim=(0, 0.95), title=title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def figure1_recipe(learning_rate):
    """Figure 1's training: SGD with momentum 0.9 at one fixed rate, no regularisation.

    §3.1: "No regularization of any kind was employed" and the rates "were chosen
    independently for each network to make training as fast as possible": no weight
    decay, dropout, augmentation or label smoothing; batch 128 and the mean-subtracted
    raw pixels of layers-19pct's data provider; float32.
    """
    return recipes.recipe("fast").replace(
        name="figure1",
        optimizer="paper_sgd",
        learning_rate=learning_rate,
        batch_size=128,
        weight_decay=0.0,
        schedule="constant",
        warmup_fraction=0.0,
        label_smoothing=0.0,
        precision="float32",
        jit_compile="auto",
        steps_per_execution=1,
        padding=0,
        flip=False,
        dropout=None,
        init=None,
        inputs="mean_subtract",
        notes=(),
    )


def figure1_verdict(saved):
    """The Figure 1 claim's verdict in words, from benchmarks/results/relu_cpu.json's dict."""
    s = saved["summary"]

    def median(values):
        known = [v for v in values if v is not None]
        return None if len(known) < len(values) else float(np.median(known))

    relu = median(s["relu"]["epochs_to_target"])
    if relu is None:
        return "ReLU did not reach 25% training error within its epochs on every seed"
    parts = [
        f"layers-19pct on CIFAR-10, seeds {s['seeds']}: ReLU reached 25% training error "
        f"in {relu:.0f} epochs (median)"
    ]
    for other in ("tanh", "sigmoid"):
        epochs = s[f"speedup_vs_{other}_epochs"]
        seconds = s[f"speedup_vs_{other}_seconds"]
        if epochs["some_not_reached_within_cap"] or epochs["median"] is None:
            missed = [i for i, v in enumerate(s[other]["epochs_to_target"]) if v is None]
            errors = [s[other]["final_training_error"][i] for i in missed]
            errors = [e for e in errors if e is not None]  # None: the run was not made
            cap = s["cap_epochs"][other] if isinstance(s["cap_epochs"], dict) else s["cap_epochs"]
            bounds = [cap / s["relu"]["epochs_to_target"][i] for i in missed]
            then = (
                f" (training error then {min(errors):.1%} to {max(errors):.1%})" if errors else ""
            )
            parts.append(
                f"{other} did not reach it within {cap} epochs on {len(missed)} of "
                f"{len(s['seeds'])} seeds{then}, so ReLU took at least {min(bounds):.1f}x "
                "fewer epochs"
            )
            continue
        parts.append(
            f"{epochs['median']:.1f}x fewer epochs than {other} (seeds {epochs['min']:.1f} to "
            f"{epochs['max']:.1f}), {seconds['median']:.1f}x less time ({seconds['min']:.1f} "
            f"to {seconds['max']:.1f})"
        )
    return "; ".join(parts) + " (paper: 6x against tanh)"


def _sigmoid_depth(answer):
    n = exercises.whole(answer)
    slope = float(activations.derivative("sigmoid", 0.0))  # the sigmoid's largest slope, at 0
    if n < 1:
        return False, "count the sigmoid layers the gradient passes: 1 or more"
    if slope**n > 1e-3:
        return False, f"{n} layers: their slopes alone shrink it less than 1,000 times"
    if slope ** (n - 1) <= 1e-3:
        return False, f"{n} layers do it, but so do fewer: look for the smallest"
    return True, f"0.25^{n} = 1/{round(1 / slope**n):,}: at best, that many layers cost 1,000x"


def _params_19pct(answer):
    n = exercises.whole(answer)
    with models.shapes_only():
        model = models.cuda_convnet_19pct()
    right = model.count_params()
    biases = sum(int(layer.bias.shape[0]) for layer in model.layers if hasattr(layer, "bias"))
    if n == right:
        return True, "three 5x5 convolutions and fc10 on 4x4x64 maps, biases included"
    if n == right - biases:
        return False, "that leaves out the biases: one per kernel and per output"
    return False, f"{n:,} is not the count: conv k x k x in x out + out, fc in x out + out"


def _tanh_slope(answer):
    ratio = exercises.number(answer, "a number")
    right = float(activations.derivative("tanh", 0.0) / activations.derivative("sigmoid", 0.0))
    if math.isclose(ratio, right, rel_tol=0.02):
        return True, "tanh(x) = 2 sigmoid(2x) - 1: twice as tall and twice as fast"
    if math.isclose(ratio, 1 / right, rel_tol=0.02):
        return False, "that is the sigmoid's slope over tanh's: the other way round"
    return False, f"{ratio:g} is not the ratio of the slopes at x = 0"


def _relu_speed():
    saved = results.load("relu_cpu")
    return None if saved is None else figure1_verdict(saved)


EXERCISES = {
    "sigmoid_depth": exercises.Exercise(
        "A sigmoid's slope is at most 0.25. Through how many sigmoid layers can a gradient "
        "pass before the slopes alone have shrunk it at least 1,000 times?",
        _sigmoid_depth,
    ),
    "params_19pct": exercises.Exercise(
        "How many parameters (weights and biases) has layers-19pct, Figure 1's kind of network?",
        _params_19pct,
    ),
    "tanh_slope": exercises.Exercise(
        "How many times steeper than the sigmoid is tanh at x = 0?",
        _tanh_slope,
    ),
}

CLAIMS = {"relu_speed": _relu_speed}


def results_page():
    """Notebook 03's measurements for benchmarks/RESULTS.md, in markdown."""
    saved = results.load("relu_cpu")
    if saved is None:
        return "Not measured yet: `python benchmarks/relu_cpu.py`."
    rates = ", ".join(f"{a} {r:g}" for a, r in saved["chosen_rates"].items())
    return "\n".join(
        [
            f"Figure 1 (§3.1): `{saved['command']}` ({saved['device']}, {saved['backend']}, "
            f"{saved['date'][:10]}; `relu_cpu.json`), layers-19pct on all "
            f"{saved['dataset']['train_images']:,} training images, no regularisation, rates "
            f"chosen on the training error after {saved['sweep_epochs']} epochs at seed "
            f"{saved['sweep_seed']} ({rates}).",
            "",
            f"- {figure1_verdict(saved)}.",
            "",
            "```",
            benchmark.race_table(saved),
            "",
            benchmark.targets_table(saved),
            "```",
        ]
    )
