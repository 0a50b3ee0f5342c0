"""Dropout (§4.2): masks, the paper's test-time halving against inverted dropout, and the
network as an ensemble of the thinned networks its masks pick.

§4.2 sets "to zero the output of each hidden neuron with probability 0.5" while
training, and at test time uses "all the neurons but multiply their outputs by 0.5".
Keras (like most frameworks today) does the inverse: it doubles the kept outputs while
training and leaves them alone at test time. The two agree in expectation; ``paper``
and ``inverted`` are both written out in NumPy to show it.
"""

import numpy as np

from alexlab import classifier, evaluate, runtime

__all__ = ["convergence_epoch", "curves", "ensemble", "inverted", "keep_mask", "paper"]


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
    keras = runtime.import_keras()
    prep, net = classifier.network_of(model)
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
    keras = runtime.import_keras()
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


def curves(model, split, sample=5000):
    """Accuracy on (a fixed sample of) the training images and on the validation images.

    For ``alexlab.compare.compare(curves=...)``: called after each epoch, with dropout off and
    no augmentation, so training and validation accuracy are measured alike and their
    difference is the overfitting. split: the comparison's Dataset (validation as test).
    """
    rows = np.linspace(0, len(split.x_train) - 1, min(sample, len(split.x_train))).astype(int)
    train = evaluate.predict(model, split.x_train[rows]).argmax(axis=1) == split.y_train[rows]
    probs = evaluate.predict(model, split.x_test)
    picked = probs[np.arange(len(split.y_test)), np.asarray(split.y_test).reshape(-1)]
    return {
        "train_accuracy": float(train.mean()),
        "val_accuracy": float(np.mean(probs.argmax(axis=1) == split.y_test)),
        "val_loss": float(-np.mean(np.log(np.maximum(picked, 1e-12)))),
    }
