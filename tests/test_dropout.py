"""§4.2: the two dropout rules against each other and against Keras' Dropout layer, the
ensemble against a hand-run of the same masks, convergence by hand."""

import numpy as np
import pytest

import alexlab as al
from alexlab import dropout as D
from alexlab.runtime import import_keras

keras = import_keras()


def test_masks_keep_the_asked_share_and_repeat_with_a_seed():
    mask = D.keep_mask((200, 500), 0.5, seed=3)
    assert set(np.unique(mask)) == {0.0, 1.0}
    assert mask.mean() == pytest.approx(0.5, abs=0.01)
    assert np.array_equal(mask, D.keep_mask((200, 500), 0.5, seed=3))
    assert D.keep_mask((1000,), 0.2).mean() == pytest.approx(0.8, abs=0.04)
    with pytest.raises(ValueError, match="rate=1"):
        D.keep_mask((3,), 1)


def test_paper_and_inverted_agree_in_expectation_and_differ_by_the_keep_share():
    x = np.linspace(-1, 3, 7)
    masks = D.keep_mask((20_000, 7), 0.5, seed=0)
    paper_train = D.paper(x, 0.5, masks).mean(axis=0)
    inverted_train = D.inverted(x, 0.5, masks).mean(axis=0)
    # each rule's training average matches its own test-time rule
    np.testing.assert_allclose(paper_train, D.paper(x, 0.5), atol=0.03)
    np.testing.assert_allclose(inverted_train, D.inverted(x, 0.5), atol=0.06)
    # and the two networks differ only by a constant 1 / (1 - rate): the next layer's weights
    np.testing.assert_allclose(D.inverted(x, 0.5, masks[0]), 2 * D.paper(x, 0.5, masks[0]))


def test_inverted_is_what_keras_dropout_does():
    x = np.ones((4, 1000), "float32")
    out = keras.ops.convert_to_numpy(keras.layers.Dropout(0.5, seed=1)(x, training=True))
    assert set(np.unique(out)) == {0.0, 2.0}
    test = keras.ops.convert_to_numpy(keras.layers.Dropout(0.5)(x, training=False))
    np.testing.assert_array_equal(test, D.inverted(x, 0.5))


def _small_net():
    data = al.data.synthetic(train_per_class=10, test_per_class=3)
    recipe = al.train.recipe("fast", dropout=0.5, batch_size=20)
    model = al.train.build("alexnet_cifar_tiny", data, recipe, 0)
    return data, model


def test_ensemble_without_masks_is_the_model_and_masks_are_dropout_by_hand():
    data, model = _small_net()
    scaled, sampled = D.ensemble(model, data.x_test, samples=3, seed=5, batch_size=7)
    expected = al.evaluate.predict(model, data.x_test)
    np.testing.assert_allclose(scaled, expected, atol=1e-5)
    assert sampled.shape == (3, len(data.x_test), 10)
    np.testing.assert_allclose(sampled.sum(axis=2), 1, atol=1e-5)
    assert not np.allclose(sampled[0], sampled[1])  # fresh masks per sample
    again = D.ensemble(model, data.x_test, samples=3, seed=5, batch_size=7)[1]
    np.testing.assert_array_equal(sampled, again)


def test_ensemble_refuses_a_network_without_dropout():
    data = al.data.synthetic(train_per_class=2, test_per_class=1)
    model = al.train.build("alexnet_cifar_tiny", data, "fast", 0)  # the toy has no dropout
    with pytest.raises(ValueError, match="no Dropout"):
        D.ensemble(model, data.x_test)


def test_convergence_is_the_first_epoch_near_the_best():
    assert D.convergence_epoch([0.3, 0.5, 0.595, 0.6, 0.58], 0.01, settle=2) == 3
    assert D.convergence_epoch([0.3, 0.5, 0.595, 0.6, 0.58], 0.01, settle=3) is None
    assert D.convergence_epoch([0.3, 0.5, 0.6], 0.01, settle=0) == 3
    # still climbing at the end: within 1 point of the best only in the last epochs
    assert D.convergence_epoch([0.3, 0.5, 0.6, 0.605, 0.61], 0.01) is None
    with pytest.raises(ValueError, match="no epochs"):
        D.convergence_epoch([])


def test_compare_records_curves_after_every_epoch_of_a_learning_run():
    data = al.data.synthetic(train_per_class=30, test_per_class=1)
    recipe = al.train.recipe("fast", batch_size=30, padding=0, flip=False)
    configs = [
        al.compare.Config("none", "alexnet_cifar_tiny", recipe, 4),
        al.compare.Config("dropout", "alexnet_cifar_tiny", recipe.replace(dropout=0.5), 4),
    ]
    result = al.compare.compare(
        configs, data, seeds=(0, 1), validation=0.2, verbose=0, curves=D.curves
    )
    for name in ("none", "dropout"):
        for history in result.histories[name]:
            assert len(history["train_accuracy"]) == len(history["val_accuracy"]) == 4
    final = {
        n: np.mean([h["train_accuracy"][-1] for h in result.histories[n]])
        for n in ("none", "dropout")
    }
    assert final["none"] > 0.5  # the synthetic task is learnable in four epochs
    with pytest.raises(al.checks.InvalidArgument, match="curves="):
        al.compare.compare(configs, data, curves="yes")
