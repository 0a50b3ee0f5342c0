"""Dropout (§4.2): masks, the paper's test-time halving against inverted dropout, and the
network as an ensemble of the thinned networks its masks pick.

§4.2 sets "to zero the output of each hidden neuron with probability 0.5" while
training, and at test time uses "all the neurons but multiply their outputs by 0.5".
Keras (like most frameworks today) does the inverse: it doubles the kept outputs while
training and leaves them alone at test time. The two agree in expectation; ``paper``
and ``inverted`` are both written out in NumPy to show it.
"""

import numpy as np

__all__ = [
    "convergence_epoch",
    "curves",
    "ensemble",
    "epochs_to_reach",
    "inverted",
    "keep_mask",
    "paper",
    "plot_ensemble",
    "plot_overfitting",
    "verdicts",
]


# A validation accuracy every run of benchmarks/dropout_cpu.py reaches, chosen after seeing
# its curves (notebook 06 says so): the epochs to a level are a second reading of
# "iterations to converge", steadier than the epoch at which a noisy plateau begins.
REACH = 0.6


def _rate(rate):
    if not 0 <= rate < 1:
        raise ValueError(f"rate={rate!r}: the share of units dropped, in [0, 1), e.g. 0.5")
    return float(rate)


def keep_mask(shape, rate=0.5, seed=0):
    """A 0/1 mask of `shape`: each unit kept (1) with probability 1 - rate, independently."""
    rate = _rate(rate)
    return (np.random.default_rng(seed).random(shape) >= rate).astype(np.float64)


def paper(x, rate=0.5, mask=None):
    """§4.2's dropout: x * mask while training (mask given), x * (1 - rate) at test (None)."""
    rate = _rate(rate)
    x = np.asarray(x, dtype=np.float64)
    return x * (1.0 - rate) if mask is None else x * mask


def inverted(x, rate=0.5, mask=None):
    """Keras' dropout: x * mask / (1 - rate) while training (mask given), x at test (None)."""
    rate = _rate(rate)
    x = np.asarray(x, dtype=np.float64)
    return x if mask is None else x * mask / (1.0 - rate)


def _split(model):
    """(float features up to the first dropout layer's input, the layers from there on)."""
    from alexlab.runtime import import_keras
    from alexlab.train import network_of

    keras = import_keras()
    prep, net = network_of(model)
    layers = net.layers
    drops = [i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Dropout)]
    if not drops:
        raise ValueError(f"{model.name} has no Dropout layer: build it with dropout=0.5")
    # The layer feeding the first dropout's layer (fc6) ends the shared, mask-free part
    first = drops[0] - 1
    features = keras.Model(net.inputs, layers[first - 1].output)
    return prep, features, layers[first:]


def ensemble(model, images, samples=64, seed=0, batch_size=500):
    """Predictions of the weight-scaled network and of `samples` sampled dropout masks.

    The layers before the first dropout (the convolutions) run once; the layers from fc6
    on run once with dropout off (weight scaling, what Keras does at test time) and
    `samples` times with fresh masks (each a "thinned" network of §4.2's ensemble).
    Returns (scaled, sampled): softmax outputs (N, classes) and (samples, N, classes).
    """
    from alexlab.runtime import import_keras

    keras = import_keras()
    if int(samples) != samples or samples < 1:
        raise ValueError(f"samples={samples!r}: give a whole number of masks, e.g. 64")
    prep, features, head = _split(model)
    rng = np.random.default_rng(seed)
    scaled, sampled = [], []
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size]
        if prep is not None:
            x = prep.predict(x, batch_size=batch_size, verbose=0)
        f = features.predict(x, batch_size=batch_size, verbose=0)
        outs = []
        for training in [False] + [True] * samples:
            h = f
            for layer in head:
                if not isinstance(layer, keras.layers.Dropout):
                    h = keras.ops.convert_to_numpy(layer(h))
                elif training:  # Keras' own rule, with masks drawn here so a seed repeats them
                    mask = rng.random(h.shape) >= layer.rate
                    h = inverted(h, layer.rate, mask).astype(h.dtype)
            outs.append(h)
        scaled.append(outs[0])
        sampled.append(np.stack(outs[1:]))
    return np.concatenate(scaled), np.concatenate(sampled, axis=1)


def convergence_epoch(values, within=0.01, settle=5):
    """The first epoch (1-based) whose value is within `within` of the run's best (highest).

    For validation accuracy per epoch: where the run stopped improving by more than
    `within`. None unless at least `settle` epochs followed it, since a run still
    climbing at its end has not shown that it converged.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError("no epochs: give the per-epoch values of a run")
    epoch = int(np.flatnonzero(values >= values.max() - within)[0]) + 1
    return None if epoch > len(values) - settle else epoch


def epochs_to_reach(saved, level):
    """Epochs until validation accuracy first reaches `level`, per configuration and seed.

    saved: a comparison's dict with per-epoch curves (benchmarks/results/dropout_cpu.json).
    Returns {configuration: [epochs per seed, None where never reached], "ratio": the
    second configuration's epochs over the first's, ``al.results.spread`` per seed}.
    """
    from .results import spread

    out = {}
    for config in saved["configs"]:
        out[config["name"]] = [
            next((i + 1 for i, v in enumerate(h["val_accuracy"]) if v >= level), None)
            for h in config["history"]
        ]
    a, b = out.values()
    pairs = zip(a, b, strict=True)
    out["ratio"] = spread([None if x is None or y is None else y / x for x, y in pairs])
    return out


def curves(model, split, sample=5000):
    """Accuracy on (a fixed sample of) the training images and on the validation images.

    For ``al.compare.compare(curves=...)``: called after each epoch, with dropout off and
    no augmentation, so training and validation accuracy are measured alike and their
    difference is the overfitting. split: the comparison's Dataset (validation as test).
    """
    from alexlab.evaluate import predict

    rows = np.linspace(0, len(split.x_train) - 1, min(sample, len(split.x_train))).astype(int)
    train = predict(model, split.x_train[rows]).argmax(axis=1) == split.y_train[rows]
    probs = predict(model, split.x_test)
    picked = probs[np.arange(len(split.y_test)), np.asarray(split.y_test).reshape(-1)]
    return {
        "train_accuracy": float(train.mean()),
        "val_accuracy": float(np.mean(probs.argmax(axis=1) == split.y_test)),
        "val_loss": float(-np.mean(np.log(np.maximum(picked, 1e-12)))),
    }


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
            ax.plot(epochs, history["train_accuracy"], "-", color=colour, alpha=0.8,
                    label=f"{name}, training" if first else None)  # fmt: skip
            ax.plot(epochs, history["val_accuracy"], "--", color=colour, alpha=0.8,
                    label=f"{name}, validation" if first else None)  # fmt: skip
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
        ax.plot(masks, [row[k] for k in masks], "o-", color="C0", alpha=0.8,
                label="masks averaged" if i == 0 else None)  # fmt: skip
        ax.axhline(line, color="C3", ls="--", alpha=0.8,
                   label="weight scaling (one pass)" if i == 0 else None)  # fmt: skip
    ax.set_xscale("log", base=2)
    title = title or "Averaged sampled masks (dots) against one weight-scaled pass (dashed)"
    ax.set(xlabel="sampled dropout masks averaged", ylabel="validation accuracy", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def verdicts(saved):
    """§4.2's two claims in words, from benchmarks/results/dropout_cpu.json's dict."""
    s, seeds = saved["summary"], saved["seeds"]
    none, drop = (c["name"] for c in saved["configs"])

    def gap(name):
        g = s[name]["gap_at_end"]
        return f"{100 * g['median']:.1f} points ({100 * g['min']:.1f} to {100 * g['max']:.1f})"

    setting = (f"{saved['configs'][0]['network']}, {saved['configs'][0]['epochs']} epochs, no "
               f"augmentation, seeds {seeds}")  # fmt: skip
    (paired,) = [d["verdict"] for d in saved["differences"]]
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
