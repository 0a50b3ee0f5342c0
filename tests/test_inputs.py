"""alexlab.inputs: the hold-out, the seeded epoch order and the feed, against hand-made arrays."""

import numpy as np
import pytest

import alexlab as al
from alexlab.inputs import epoch_order, feed, hold_out

keras = al.runtime.import_keras()


def test_hold_out_is_class_balanced_seeded_and_disjoint():
    data = al.data.synthetic(num_classes=4, train_per_class=50, test_per_class=5, seed=0)
    x, y, (xv, yv) = hold_out(data, 0.2, seed=3)
    assert np.bincount(yv).tolist() == [10] * 4 and len(y) == 160
    again = hold_out(data, 0.2, seed=3)[2][1]
    other = hold_out(data, 0.2, seed=4)[2][0]
    assert np.array_equal(yv, again) and not np.array_equal(xv, other)
    seen = {im.tobytes() for im in x}
    assert not any(im.tobytes() in seen for im in xv)  # no image in both
    assert hold_out(data, 0, seed=3)[2] is None


def test_validation_split_is_balanced_seeded_and_drops_the_test_set():
    data = al.data.synthetic(train_per_class=50, test_per_class=20, seed=3)
    split = al.inputs.validation_split(data, 0.2, seed=0)
    assert len(split.x_test) == 100 and len(split.x_train) == 400
    assert np.bincount(split.y_test).tolist() == [10] * 10
    again = al.inputs.validation_split(data, 0.2, seed=0)
    assert np.array_equal(split.x_test, again.x_test)
    # every validation image comes from the training images, none from the test set
    train_rows = {row.tobytes() for row in data.x_train.reshape(len(data.x_train), -1)}
    assert all(row.tobytes() in train_rows for row in split.x_test.reshape(100, -1))
    with pytest.raises(ValueError, match="fraction=0"):
        al.inputs.validation_split(data, 0)


def test_epoch_order_is_a_seeded_permutation_per_epoch():
    first = epoch_order(0, 0, 10, 8)
    assert len(first) == 8 and len(set(first.tolist())) == 8 and first.max() < 10
    assert np.array_equal(first, epoch_order(0, 0, 10, 8))
    assert not np.array_equal(first, epoch_order(0, 1, 10, 8))


def test_feed_gives_the_batches_in_order_without_autotuning():
    x = np.arange(10 * 2 * 2 * 3, dtype=np.uint8).reshape(10, 2, 2, 3)
    y = np.arange(10)
    order = np.array([3, 1, 4, 0, 9, 2, 6, 5, 8, 7])
    batches = feed(x, y, order, 4)  # 10 // 4: two whole batches
    got = [(np.asarray(a), np.asarray(b)) for a, b in batches]
    assert [b.tolist() for _, b in got] == [[3, 1, 4, 0], [9, 2, 6, 5]]
    assert np.array_equal(got[1][0], x[[9, 2, 6, 5]])
    if keras.backend.backend() == "tensorflow":
        # tf.data's autotuner took a core from training on 2 cores (benchmarks/feed_cpu.py)
        assert batches.options().autotune.enabled is False
        assert batches.options().threading.private_threadpool_size == 1
