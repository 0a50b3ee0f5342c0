"""ReLU against saturating neurons (§3.1): the functions, gradients through depth, the time
to a training error and the speed-ups it gives, and the units a ReLU network never fires.

§3.1: "Deep convolutional neural networks with ReLUs train several times faster than
their equivalents with tanh units." The functions here are plain NumPy so that what
they compute can be read line by line; the networks they probe are Keras models.
"""

import numpy as np

from alexlab import classifier, runtime
from alexlab.results import words

__all__ = [
    "ACTIVATIONS",
    "dead_units",
    "derivative",
    "function",
    "gradient_norms",
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
    keras = runtime.import_keras()
    prep, net = classifier.network_of(model)
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
            speed[other] = {**words.spread(ratios), "at_least": bounds}
        out[target] = {"epochs": epochs, "speedup": speed}
    return out
