"""The training images epoch by epoch: the validation hold-out, the seeded order, the feed.

``fit`` and ``compare`` both carve their validation images here, class-balanced and
seeded, so a comparison's split and a recipe's hold-out are made the same way. Each
epoch's order is a permutation seeded by (seed, epoch), so a resumed run repeats it.
"""

import numpy as np

from alexlab import checks, data, runtime

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = ["Batches", "epoch_order", "feed", "hold_out", "validation_split"]


def hold_out(dataset, fraction, seed):
    """(x, y, validation): `fraction` of the training images, class-balanced, held out.

    validation is (x, y) of the held-out images, or None when fraction is 0.
    """
    if not fraction:
        return dataset.x_train, dataset.y_train, None
    rng = np.random.default_rng([seed, 1])
    held = []
    for label in np.unique(dataset.y_train):
        rows = np.flatnonzero(dataset.y_train == label)
        held.append(rng.choice(rows, size=max(1, round(fraction * len(rows))), replace=False))
    held = np.sort(np.concatenate(held))
    keep = np.setdiff1d(np.arange(len(dataset.y_train)), held)
    x, y = dataset.x_train, dataset.y_train
    return x[keep], y[keep], (x[held], y[held])


def validation_split(dataset, fraction=0.1, seed=0):
    """The dataset with a class-balanced, seeded share of its training images as the test set.

    What a comparison scores on: the original test set is dropped, so nothing chosen
    with it has seen the test images.
    """
    checks.number("fraction", fraction, 0, 1, True, True, example=0.1)
    x, y, (xv, yv) = hold_out(dataset, fraction, seed)
    source = f"{dataset.source}; validation split {fraction:g} (seed {seed})"
    return data.Dataset(x, y, xv, yv, dataset.class_names, source)


def epoch_order(seed, epoch, count, take):
    """The first `take` of a permutation of `count` training images, seeded by (seed, epoch)."""
    return np.random.default_rng([seed, epoch]).permutation(count)[:take]


class Batches(keras.utils.PyDataset):
    """One epoch's batches, gathered from the training images in `order` one at a time.

    model.fit(x[order], ...) would copy the whole training set, then TensorFlow would copy
    it again into a tensor: two extra copies at once, which a kernel on Binder's 2 GB cannot
    spare. A batch at a time costs one batch.
    """

    def __init__(self, x, y, order, batch_size):
        super().__init__()
        self.x, self.y, self.order, self.batch_size = x, y, order, batch_size

    def __len__(self):
        return len(self.order) // self.batch_size

    def __getitem__(self, i):
        rows = self.order[i * self.batch_size : (i + 1) * self.batch_size]
        return self.x[rows], self.y[rows]


def feed(x, y, order, batch_size):
    """One epoch's batches in `order` for model.fit: a PyDataset, on TensorFlow a tf.data
    pipeline without autotuning."""
    batches = Batches(x, y, order, batch_size)
    if keras.backend.backend() != "tensorflow":
        return batches
    import tensorflow as tf

    # Keras wraps a PyDataset (or arrays) in tf.data with prefetch(AUTOTUNE). On a 2-core
    # CPU many epochs then stalled at about half speed, and training took 1.25x as long as
    # with autotuning off and one private thread (benchmarks/results/feed_cpu.json).
    def generate():
        for i in range(len(batches)):
            yield batches[i]

    spec = (
        tf.TensorSpec((batch_size, *x.shape[1:]), x.dtype),
        tf.TensorSpec((batch_size, *y.shape[1:]), y.dtype),
    )
    options = tf.data.Options()
    options.autotune.enabled = False
    options.threading.private_threadpool_size = 1
    dataset = tf.data.Dataset.from_generator(generate, output_signature=spec)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(len(batches)))
    return dataset.with_options(options)
