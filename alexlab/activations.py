"""ReLU against saturating neurons (§3.1, Figure 1): the functions, gradients through depth,
the time to a training error, and the units a ReLU network never fires.

§3.1: "Deep convolutional neural networks with ReLUs train several times faster than
their equivalents with tanh units." The functions here are plain NumPy so that what
they compute can be read line by line; the networks they probe are Keras models.
"""

import numpy as np

from .results import spread

__all__ = [
    "ACTIVATIONS",
    "dead_units",
    "derivative",
    "figure1_recipe",
    "figure1_verdict",
    "function",
    "gradient_norms",
    "plot_figure1",
    "plot_functions",
    "speedups",
    "time_to_error",
]

ACTIVATIONS = ("relu", "tanh", "sigmoid")


def _check(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation {name!r}: use one of {', '.join(ACTIVATIONS)}")


def function(name, x):
    """The activation f(x): relu max(0, x), tanh, or the logistic sigmoid 1 / (1 + e^-x)."""
    _check(name)
    x = np.asarray(x, dtype=np.float64)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "tanh":
        return np.tanh(x)
    return 0.5 * (1.0 + np.tanh(x / 2))  # the sigmoid, without overflow for large -x


def derivative(name, x):
    """f'(x): 1 or 0 for relu (0 at x = 0, as the frameworks take it), 1 - tanh^2, s(1 - s)."""
    _check(name)
    x = np.asarray(x, dtype=np.float64)
    if name == "relu":
        return (x > 0).astype(np.float64)
    if name == "tanh":
        return 1.0 - np.tanh(x) ** 2
    s = function("sigmoid", x)
    return s * (1.0 - s)


def gradient_norms(activation, images, labels, depth=8, width=256, init="lecun", seed=0):
    """Norm of the loss gradient for each layer's weights at initialisation, layer 1 first.

    A stack of `depth` fully connected layers of `width` units with the activation,
    then a linear softmax layer over the labels' classes, on flattened images scaled
    to mean 0 and spread 1. Weights are drawn from N(0, gain / fan_in) with gain 1
    ("lecun", the same for every activation) or 2 ("he", made for ReLU); biases 0.
    Forward and backward passes are written out in NumPy (mean cross-entropy over the
    batch). Returns an array of depth + 1 norms, the output layer's last.
    """
    _check(activation)
    if init not in ("lecun", "he"):
        raise ValueError(f"init={init!r}: use 'lecun' (variance 1/fan_in) or 'he' (2/fan_in)")
    if int(depth) != depth or depth < 1:
        raise ValueError(f"depth={depth!r}: give a whole number of hidden layers, e.g. 8")
    x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    x = (x - x.mean()) / (x.std() + 1e-12)
    labels = np.asarray(labels).reshape(-1)
    rng = np.random.default_rng(seed)
    gain = 1.0 if init == "lecun" else 2.0
    sizes = [x.shape[1]] + [width] * depth + [int(labels.max()) + 1]
    shapes = zip(sizes[:-1], sizes[1:], strict=True)  # (fan-in, fan-out) per layer
    weights = [rng.normal(0.0, np.sqrt(gain / m), (m, n)) for m, n in shapes]
    _, gradients = _backprop(activation, x, labels, weights)
    return np.array([np.linalg.norm(g) for g in gradients])


def _backprop(activation, x, labels, weights):
    """Mean cross-entropy of a bias-free stack (the last layer linear + softmax), and the
    gradient for each weight matrix, by the chain rule."""
    inputs, pre = [], []  # each layer's input and pre-activation, for the backward pass
    h = x
    for w in weights[:-1]:
        inputs.append(h)
        pre.append(h @ w)
        h = function(activation, pre[-1])
    inputs.append(h)
    logits = h @ weights[-1]
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = float(-np.mean(np.log(p[rows, labels])))
    delta = p
    delta[rows, labels] -= 1.0
    delta /= len(labels)  # d(mean loss) / d(logits)
    gradients = [inputs[-1].T @ delta]
    for layer in range(len(weights) - 2, -1, -1):
        # back through the weights above, then the activation's slope at this layer
        delta = (delta @ weights[layer + 1].T) * derivative(activation, pre[layer])
        gradients.append(inputs[layer].T @ delta)
    return loss, gradients[::-1]


def time_to_error(history, target=0.25):
    """Epochs and training seconds until the epoch's training error first fell to `target`.

    history: fit's history (per epoch "accuracy", the running accuracy over the epoch's
    batches as cuda-convnet reported it, and "seconds"). Returns (epochs, seconds), or
    (None, None) when the run never got there.
    """
    errors = 1.0 - np.asarray(history["accuracy"], dtype=np.float64)
    reached = np.flatnonzero(errors <= target)
    if not len(reached):
        return None, None
    epoch = int(reached[0]) + 1
    return epoch, float(np.sum(history["seconds"][:epoch]))


def dead_units(model, images, batch_size=500):
    """Per ReLU layer, the share of units that never fire on the images, and of whole maps.

    model: from alexlab.train.build (uint8 images in), or a network taking float images.
    A unit is one neuron: a feature map at one position, or one fully connected unit; a
    map is dead when none of its positions fires on any image. Returns {layer name:
    {"units": share, "maps": share}} for each layer whose activation is ReLU.
    """
    from alexlab.runtime import import_keras
    from alexlab.train import network_of

    keras = import_keras()
    prep, net = network_of(model)
    relus = [
        layer
        for layer in net.layers
        if getattr(getattr(layer, "activation", None), "__name__", "") == "relu"
    ]
    if not relus:
        raise ValueError(f"{model.name} has no layer with a ReLU activation to inspect")
    probe = keras.Model(net.inputs, [layer.output for layer in relus])
    fired = [None] * len(relus)
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size]
        if prep is not None:
            x = prep.predict(x, batch_size=batch_size, verbose=0)
        outputs = probe.predict(x, batch_size=batch_size, verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for i, out in enumerate(outputs):
            now = np.any(np.asarray(out) > 0, axis=0)  # (positions..., maps)
            fired[i] = now if fired[i] is None else fired[i] | now
    shares = {}
    for layer, f in zip(relus, fired, strict=True):
        maps = f.reshape(-1, f.shape[-1]).any(axis=0)
        shares[layer.name] = {"units": float(1 - f.mean()), "maps": float(1 - maps.mean())}
    return shares


_STYLE = {"relu": "-", "tanh": "--", "sigmoid": ":"}
_COLOUR = {"relu": "C0", "tanh": "C1", "sigmoid": "C2"}


def plot_functions(lo=-6.0, hi=6.0):
    """The three activations and their derivatives side by side; returns the figure."""
    import matplotlib.pyplot as plt

    x = np.linspace(lo, hi, 601)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name in ACTIVATIONS:
        style = {"ls": _STYLE[name], "color": _COLOUR[name], "label": name}
        left.plot(x, function(name, x), **style)
        right.plot(x, derivative(name, x), **style)
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
        ax.plot(epochs, error, _STYLE.get(name, "-"), color=_COLOUR.get(name, "k"),
                label=None if name in labelled else name, alpha=0.8)  # fmt: skip
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
    from alexlab.recipes import recipe

    return recipe("fast").replace(
        name="figure1", optimizer="paper_sgd", learning_rate=learning_rate, batch_size=128,
        weight_decay=0.0, schedule="constant", warmup_fraction=0.0, label_smoothing=0.0,
        precision="float32", jit_compile="auto", steps_per_execution=1, padding=0,
        flip=False, dropout=None, init=None, inputs="mean_subtract", notes=(),
    )  # fmt: skip


def figure1_verdict(saved):
    """The Figure 1 claim's verdict in words, from benchmarks/results/relu_cpu.json's dict."""
    s = saved["summary"]

    def median(values):
        known = [v for v in values if v is not None]
        return None if len(known) < len(values) else float(np.median(known))

    relu = median(s["relu"]["epochs_to_target"])
    if relu is None:
        return "ReLU did not reach 25% training error within its epochs on every seed"
    parts = [f"layers-19pct on CIFAR-10, seeds {s['seeds']}: ReLU reached 25% training error "
             f"in {relu:.0f} epochs (median)"]  # fmt: skip
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


def speedups(runs, targets=(0.25, 0.3, 0.35, 0.4), cap=None):
    """Epochs to each training error target per activation and seed, and ReLU's speed-up.

    runs: [{"activation", "seed", "history"}]. Returns {target: {"epochs": {activation:
    [epochs per seed, None where not reached]}, "speedup": {other: {"per_seed",
    "median", "min", "max", "at_least"}}}}: the speed-up is other's epochs over
    ReLU's, per seed; where the other never reached the target in `cap` epochs, the
    seed's "at least" is cap over ReLU's epochs (a lower bound, not a measurement); cap
    may be one number or {activation: epochs}.
    """
    seeds = sorted({r["seed"] for r in runs})
    out = {}
    for target in targets:
        epochs = {}
        for act in ACTIVATIONS:
            by_seed = {r["seed"]: r for r in runs if r["activation"] == act and r["history"]}
            epochs[act] = [
                time_to_error(by_seed[s]["history"], target)[0] if s in by_seed else None
                for s in seeds
            ]
        speed = {}
        for other in ACTIVATIONS[1:]:
            ratios, bounds = [], []
            for a, b in zip(epochs["relu"], epochs[other], strict=True):
                ratios.append(None if a is None or b is None else b / a)
                limit = cap.get(other) if isinstance(cap, dict) else cap
                bounds.append(limit / a if a is not None and b is None and limit else None)
            speed[other] = {**spread(ratios), "at_least": bounds}
        out[target] = {"epochs": epochs, "speedup": speed}
    return out
