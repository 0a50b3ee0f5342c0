"""Chapter 06, dropout (notebooks/06_dropout.ipynb): §4.2's two claims, and the ensemble view.

The mechanics are the engine's (``alexlab.dropout``: masks, the two test-time rules, the
ensemble of sampled masks, per-epoch curves); the measurements are the benchmark's
(benchmarks/dropout_cpu.py, dropout_cpu.json, a comparison). This module holds the
notebook's figures, the tables and verdicts it prints from dropout_cpu.json, its
exercises, and the two claims it settles (dropout_overfitting, dropout_iterations).
"""

import math

from alexlab import dropout, exercises, results, tables
from alexlab.results import words

__all__ = [
    "results_page",
    "CLAIMS",
    "EXERCISES",
    "NOTEBOOK",
    "REACH",
    "benchmark_table",
    "ensemble_curves",
    "ensemble_lines",
    "epochs_to_reach",
    "plot_ensemble",
    "plot_overfitting",
    "verdicts",
]

NOTEBOOK = "06_dropout.ipynb"

# A validation accuracy every run of benchmarks/dropout_cpu.py reaches, chosen after seeing
# its curves (notebook 06 says so): the epochs to a level are a second reading of
# "iterations to converge", steadier than the epoch at which a noisy plateau begins.
REACH = 0.6


def epochs_to_reach(saved, level):
    """Epochs until validation accuracy first reaches `level`, per configuration and seed.

    saved: a ``records.Comparison`` with per-epoch curves (dropout_cpu.json). Returns
    {configuration: [epochs per seed, None where never reached], "ratio": the second
    configuration's epochs over the first's, ``words.spread`` per seed}.
    """
    out = {}
    for config in saved.configs:
        out[config.name] = [
            next((i + 1 for i, v in enumerate(h["val_accuracy"]) if v >= level), None)
            for h in config.history
        ]
    a, b = out.values()
    pairs = zip(a, b, strict=True)
    out["ratio"] = words.spread([None if x is None or y is None else y / x for x, y in pairs])
    return out


def _shown(values, fmt):
    return ", ".join("not converged" if v is None else fmt.format(v) for v in values)


def benchmark_table(saved):
    """dropout_cpu.json's per-seed readings as text: the gap at the end, the convergence
    epoch and the best epoch per configuration; then the epochs to fixed accuracy levels."""
    summary = saved.extra["summary"]
    rows = []
    for config in saved.configs:
        s = summary[config.name]
        rows.append(
            [
                config.name,
                _shown([100 * g for g in s["gap_at_end"]["per_seed"]], "{:.1f}"),
                _shown(s["convergence_epoch"]["per_seed"], "{:.0f}"),
                _shown(s["best_epoch"]["per_seed"], "{:.0f}"),
            ]
        )
    header = ["", "train - validation at the end, points", "converged at epoch", "best epoch"]
    lines = [tables.format_table(header, rows)]
    ratio = summary["convergence_ratio"]
    line = f"epochs to converge, dropout / none, per seed: {_shown(ratio['per_seed'], '{:.2f}')}"
    if ratio["median"] is not None:
        line += f"; median {ratio['median']:.2f} (min {ratio['min']:.2f}, max {ratio['max']:.2f})"
    lines += [line, "", "epochs until validation accuracy first reaches a level, per seed:"]
    rows = []
    names = [c.name for c in saved.configs]
    for level in (0.50, 0.55, 0.60, 0.63):
        reach = epochs_to_reach(saved, level)
        r = reach["ratio"]
        rows.append(
            [
                f"{level:.0%}",
                *(_shown(reach[n], "{:.0f}") for n in names),
                f"{r['median']:.2f} ({r['min']:.2f} - {r['max']:.2f})",
            ]
        )
    header = ["level", *names, "dropout / none: median (min - max)"]
    lines.append(tables.format_table(header, rows))
    return "\n".join(lines)


def ensemble_lines(saved):
    """The ensemble view over the benchmark's seeds as text: weight scaling's accuracy, the
    agreement of 64 masks with it, and each number of masks against it, paired."""
    ens = saved.extra["ensemble"]
    scaled = ", ".join(f"{a:.2%}" for a in ens["weight_scaling_accuracy"])
    agree = ", ".join(f"{a:.1%}" for a in ens["agreement_64_masks_with_weight_scaling"])
    lines = [
        f"weight scaling per seed: {scaled}",
        f"64 masks agree with weight scaling on {agree} of images",
    ]
    lines += [f"- {ens['differences'][str(k)]['verdict']}" for k in ens["masks"]]
    return "\n".join(lines)


def ensemble_curves(saved):
    """(masks, averaged, scaled) of the benchmark's ensemble view, for ``plot_ensemble``."""
    ens = saved.extra["ensemble"]
    averaged = [{int(k): v for k, v in row.items()} for row in ens["mask_average_accuracy"]]
    return ens["masks"], averaged, ens["weight_scaling_accuracy"]


def plot_overfitting(histories, title=None):
    """Training (solid) and validation (dashed) accuracy per epoch; returns the figure.

    histories: {configuration name: [history per seed]}, each history with
    "train_accuracy" and "val_accuracy" per epoch (``curves``). One colour per
    configuration, one line per seed.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for colour, (name, runs) in zip(("C3", "C0", "C2", "C1"), histories.items(), strict=False):
        for i, history in enumerate(runs):
            epochs = range(1, len(history["val_accuracy"]) + 1)
            first = i == 0  # one legend entry per configuration and measure
            ax.plot(
                epochs,
                history["train_accuracy"],
                "-",
                color=colour,
                alpha=0.8,
                label=f"{name}, training" if first else None,
            )
            ax.plot(
                epochs,
                history["val_accuracy"],
                "--",
                color=colour,
                alpha=0.8,
                label=f"{name}, validation" if first else None,
            )
    title = title or "Without dropout, training accuracy runs away from validation accuracy"
    ax.set(xlabel="epochs", ylabel="accuracy (dropout off)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_ensemble(masks, averaged, scaled, title=None):
    """Accuracy of averaging k sampled masks against k, with weight scaling as a line.

    masks: the k's; averaged: [{k: accuracy} per seed]; scaled: [accuracy per seed].
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (row, line) in enumerate(zip(averaged, scaled, strict=True)):
        ax.plot(
            masks,
            [row[k] for k in masks],
            "o-",
            color="C0",
            alpha=0.8,
            label="masks averaged" if i == 0 else None,
        )
        ax.axhline(
            line,
            color="C3",
            ls="--",
            alpha=0.8,
            label="weight scaling (one pass)" if i == 0 else None,
        )
    ax.set_xscale("log", base=2)
    title = title or "Averaged sampled masks (dots) against one weight-scaled pass (dashed)"
    ax.set(xlabel="sampled dropout masks averaged", ylabel="validation accuracy", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def verdicts(saved):
    """§4.2's two claims in words, from dropout_cpu.json (a ``records.Comparison``)."""
    s, seeds = saved.extra["summary"], saved.seeds
    none, drop = (c.name for c in saved.configs)

    def gap(name):
        g = s[name]["gap_at_end"]
        return f"{100 * g['median']:.1f} points ({100 * g['min']:.1f} to {100 * g['max']:.1f})"

    first = saved.configs[0]
    setting = f"{first.network}, {first.epochs} epochs, no augmentation, seeds {seeds}"
    (paired,) = [d.verdict for d in saved.differences]
    overfitting = (
        f"{setting}: training minus validation accuracy at the end {gap(none)} without "
        f"dropout, {gap(drop)} with (medians, seed range); {paired}"
    )
    ratio = s["convergence_ratio"]
    counted = sum(r is not None for r in ratio["per_seed"])
    if ratio["median"] is None:
        iterations = f"{setting}: not measured, no seed converged in both runs"
    else:
        iterations = (
            f"{setting}: epochs until validation accuracy is within 1 point of its best, "
            f"with / without dropout: {ratio['median']:.2f}x (median of {counted} of "
            f"{len(seeds)} seeds, {ratio['min']:.2f} to {ratio['max']:.2f})"
        )
    reach = epochs_to_reach(saved, REACH)["ratio"]
    if reach["median"] is not None:
        iterations += (
            f"; epochs to first reach {REACH:.0%} validation accuracy, with / without: "
            f"{reach['median']:.2f}x ({reach['min']:.2f} to {reach['max']:.2f})"
        )
    iterations += " (paper: about 2x)"
    return {"dropout_overfitting": overfitting, "dropout_iterations": iterations}


def _claim(key):
    def settle():
        saved = results.comparison("dropout_cpu")
        return None if saved is None else verdicts(saved)[key]

    return settle


def _test_output(answer):
    value = exercises.number(answer, "a number")
    right = float(dropout.paper(3.0, 0.5))
    if math.isclose(value, right, rel_tol=1e-6):
        return True, "at test time every unit is on, so its output is scaled by the keep share"
    if math.isclose(value, 3.0):
        return False, "that is inverted dropout's test time (Keras'); the paper scales"
    return False, f"{value:g} is not what the paper's rule passes on at test time"


def _thinned_networks(answer):
    n = exercises.whole(answer)
    right = 4096 * 2  # fc6 and fc7, each unit kept or dropped independently
    if n == right:
        return True, "every unit of fc6 and fc7 is kept or dropped on its own: 2 to that power"
    if n == 4096:
        return False, "that counts one layer: dropout is in fc6 and fc7"
    return False, f"2^{n} is not the number of thinned networks"


def _keep_scale(answer):
    value = exercises.number(answer, "a number")
    right = 1 / (1 - 0.2)
    if math.isclose(value, right, rel_tol=1e-3):
        return True, "kept outputs are divided by the keep share, 1 - rate"
    if math.isclose(value, 0.8, rel_tol=1e-3):
        return False, "that is the share kept; the outputs are divided by it, not multiplied"
    return False, f"{value:g} is not the factor on the kept outputs"


EXERCISES = {
    "test_output": exercises.Exercise(
        "Under the paper's rule (dropout 0.5), a unit outputs 3.0 for an image. What does "
        "the next layer receive from it at test time?",
        _test_output,
    ),
    "thinned_networks": exercises.Exercise(
        "Dropout in fc6 and fc7 (4096 units each) picks one of 2^n thinned networks at "
        "each step. What is n?",
        _thinned_networks,
    ),
    "keep_scale": exercises.Exercise(
        "Keras' Dropout(0.2) while training: by what factor are the kept outputs multiplied?",
        _keep_scale,
    ),
}

CLAIMS = {key: _claim(key) for key in ("dropout_overfitting", "dropout_iterations")}


def results_page():
    """Notebook 06's measurements for benchmarks/RESULTS.md, in markdown."""
    saved = results.comparison("dropout_cpu")
    if saved is None:
        return "Not measured yet: `python benchmarks/dropout_cpu.py`."
    lines = [f"§4.2, `dropout_cpu.json`: {saved.provenance.command}", ""]
    lines += [f"- {claim}: {verdict}." for claim, verdict in verdicts(saved).items()]
    return "\n".join(
        lines
        + ["", "```", saved.summary(), "", benchmark_table(saved), "", ensemble_lines(saved), "```"]
    )
