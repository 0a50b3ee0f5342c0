"""Training: recipes against the paper's update rule, learning on a learnable task, resuming."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import alexlab as al
from alexlab import train as T
from alexlab.runtime import import_keras

keras = import_keras()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def stripes():
    """Ten classes of coloured stripes: a tiny network separates them in a few epochs."""
    return al.data.synthetic(train_per_class=60, test_per_class=20, seed=1)


def _fast(**changes):
    return T.recipe("fast", **{"batch_size": 50, "learning_rate": 0.02, **changes})


def _weights(model):
    return [np.array(v.numpy()) for v in model.weights]


# ---------------------------------------------------------------------------------------
# Recipes and their parts


def test_paper_recipe_is_section_5():
    r = T.recipe("paper")
    assert (r.optimizer, r.learning_rate, r.momentum, r.weight_decay, r.batch_size) == (
        "paper_sgd",
        0.01,
        0.9,
        0.0005,
        128,
    )
    assert r.schedule == "plateau" and r.validation > 0  # steered by held-out images
    assert r.init == "paper"
    assert r.inputs == "mean_subtract"  # §2: centred raw RGB values


def test_recipe_errors_name_the_bad_value():
    with pytest.raises(ValueError, match="recipe 'adam'.*paper, fast"):
        T.recipe("adam")
    with pytest.raises(TypeError, match="no field lr.*learning_rate"):
        T.recipe("paper", lr=0.1)
    assert T.recipe("paper", batch_size=256).batch_size == 256


def test_paper_sgd_puts_weight_decay_inside_the_momentum():
    # §5: v <- 0.9 v - 0.0005 lr w - lr g ; w <- w + v, with g held fixed for 3 steps.
    w0, g, lr = np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.1, -0.2]), 0.1
    variable = keras.Variable(w0.astype("float32"))
    optimizer = T.PaperSGD(lr, momentum=0.9, decay=0.0005)
    w, v = w0.copy(), np.zeros(3)
    for _ in range(3):
        optimizer.apply([keras.ops.convert_to_tensor(g.astype("float32"))], [variable])
        v = 0.9 * v - 0.0005 * lr * w - lr * g
        w = w + v
    np.testing.assert_allclose(variable.numpy(), w, rtol=1e-5)
    # Keras' own decoupled weight_decay gives a different trajectory.
    plain = keras.Variable(w0.astype("float32"))
    keras_sgd = keras.optimizers.SGD(lr, momentum=0.9, weight_decay=0.0005)
    for _ in range(3):
        keras_sgd.apply([keras.ops.convert_to_tensor(g.astype("float32"))], [plain])
    assert not np.allclose(plain.numpy(), w, rtol=1e-7, atol=0)


def test_one_cycle_rises_then_falls_to_zero():
    schedule = T.OneCycle(peak=0.4, warmup=4, total=20)
    rates = [float(keras.ops.convert_to_numpy(schedule(s))) for s in range(21)]
    np.testing.assert_allclose(rates[:4], [0.1, 0.2, 0.3, 0.4], rtol=1e-6)
    assert max(rates) == pytest.approx(0.4)
    assert rates[12] == pytest.approx(0.4 * 8 / 16)
    assert rates[20] == 0.0
    assert all(a >= b for a, b in zip(rates[3:], rates[4:], strict=False))


def test_smoothed_crossentropy_against_numpy():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], dtype="float32")
    labels = np.array([0, 1])
    for smoothing in (0.0, 0.1):
        target = np.eye(3)[labels] * (1 - smoothing) + smoothing / 3
        expected = np.mean(-(target * np.log(probs)).sum(axis=1))
        loss = T.SmoothedCrossentropy(3, smoothing)(labels, probs)
        assert float(keras.ops.convert_to_numpy(loss)) == pytest.approx(expected, rel=1e-5)


# ---------------------------------------------------------------------------------------
# build


def test_build_takes_uint8_and_standardises(stripes):
    model = T.build("alexnet_cifar_tiny", stripes, _fast())
    assert model.inputs[0].dtype == "uint8"
    standardise = model.get_layer("standardise")
    probe = keras.Model(model.input, standardise.output)
    x = np.asarray(probe(stripes.x_train, training=False))
    np.testing.assert_allclose(x.reshape(-1, 3).mean(axis=0), 0, atol=0.05)
    np.testing.assert_allclose(x.reshape(-1, 3).std(axis=0), 1, atol=0.05)


def test_build_keeps_the_papers_raw_scale_when_asked(stripes):
    model = T.build("alexnet_cifar_tiny", stripes, _fast(inputs="mean_subtract"))
    probe = keras.Model(model.input, model.get_layer("standardise").output)
    x = np.asarray(probe(stripes.x_train, training=False)).reshape(-1, 3)
    raw = stripes.x_train.reshape(-1, 3).astype("float64")
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=0.5)
    np.testing.assert_allclose(x.std(axis=0), raw.std(axis=0), rtol=0.01)  # 0-255 spread kept
    with pytest.raises(ValueError, match="inputs='raw'.*mean_subtract"):
        T.build("alexnet_cifar_tiny", stripes, _fast(inputs="raw"))


def test_build_upsamples_for_the_paper_network(stripes):
    model = T.build("alexnet", stripes, _fast())
    assert tuple(model.get_layer("upsample").output.shape) == (None, 227, 227, 3)
    assert model.count_params() == al.models.alexnet(10).count_params()  # nothing added
    assert model.output.shape == (None, 10)


def test_build_names_unknown_models(stripes):
    with pytest.raises(ValueError, match="model 'vgg'.*alexnet_cifar"):
        T.build("vgg", stripes, _fast())


def test_build_in_bfloat16_keeps_float32_variables_and_softmax(stripes):
    model = T.build("alexnet_cifar_tiny", stripes, _fast(precision="mixed_bfloat16"))
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    net = model.layers[-1]
    assert net.get_layer("conv1").compute_dtype == "bfloat16"
    assert all(v.dtype == "float32" for v in model.weights)
    assert model.output.dtype == "float32"


# ---------------------------------------------------------------------------------------
# fit: it learns, it resumes, it stops on divergence


def test_fast_recipe_learns_the_stripes(stripes):
    model = T.build("alexnet_cifar_tiny", stripes, _fast())
    run = T.fit(model, stripes, epochs=8, verbose=0)
    assert len(run.history["loss"]) == 8 == run.epochs
    assert run.history["loss"][-1] < run.history["loss"][0]
    evaluation = T.evaluate(model, stripes, methods=("none",))
    assert evaluation.top1() >= 0.8  # chance is 0.1
    # The warm-up step was undone: the optimizer made exactly the epochs' steps.
    steps = len(stripes.x_train) // 50
    assert int(model.optimizer.iterations.numpy()) == 8 * steps


def test_report_records_numbers_per_epoch_outside_the_training_time(stripes):
    seen = []

    def report(model):
        seen.append(int(model.optimizer.iterations.numpy()))
        time.sleep(0.2)  # a slow report must not count as training
        return {"test_accuracy": T.evaluate(model, stripes, methods=("none",)).top1()}

    run = T.fit(
        T.build("alexnet_cifar_tiny", stripes, _fast()), stripes, epochs=3, verbose=0, report=report
    )
    steps = len(stripes.x_train) // 50
    assert seen == [steps, 2 * steps, 3 * steps]  # after each epoch, once
    assert len(run.history["test_accuracy"]) == 3
    assert run.history["test_accuracy"][-1] > 0.3  # it learned (chance is 0.1)
    assert run.report_seconds >= 0.6
    assert run.train_seconds == pytest.approx(sum(run.history["seconds"]))
    with pytest.raises(al.checks.InvalidArgument, match="report="):
        T.fit(
            T.build("alexnet_cifar_tiny", stripes, _fast()),
            stripes,
            epochs=1,
            verbose=0,
            report="test",
        )


def test_paper_recipe_learns(stripes):
    # A network without normalisation at a constant rate is fragile (a constant 0.01 with
    # batches of 20 can spike and kill the ReLUs of this toy); half the paper's rate is not.
    # With He's initialisation on standardised inputs: on this toy's 8-16 channels, N(0, 0.01^2)
    # on raw pixels stays at chance for more than 12 epochs. The optimizer and schedule are §5's.
    r = T.recipe(
        "paper",
        batch_size=50,
        padding=0,
        patience=3,
        learning_rate=0.005,
        init="he",
        inputs="standardise",
    )
    model = T.build("alexnet_cifar_tiny", stripes, r)
    run = T.fit(model, stripes, epochs=12, verbose=0)
    assert len(run.history["val_accuracy"]) == 12
    assert max(run.history["val_accuracy"]) >= 0.5  # chance is 0.1


class _Optimizer:
    def __init__(self, rate):
        self.learning_rate = keras.Variable(rate)


def test_plateau_divides_by_ten_after_patience_epochs_without_improvement():
    # §5: divide by 10 "when the validation error rate stopped improving".
    optimizer, plateau = _Optimizer(0.01), T.Plateau(patience=2)
    errors = [0.5, 0.4, 0.45, 0.42, 0.41, 0.39, 0.40, 0.40, 0.40]
    expected = [0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.0001, 0.0001]
    rates = []
    for error in errors:
        plateau.after_epoch(optimizer, error)
        rates.append(al.recipes.current_rate(optimizer))
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    assert plateau.state["best"] == pytest.approx(0.39)
    # what a checkpoint keeps carries on: the same count of epochs without improvement
    again = T.Plateau(patience=2, state=plateau.state)
    assert again.state == plateau.state and again.state is not plateau.state


def test_interrupted_run_resumes_where_it_stopped(stripes, tmp_path, monkeypatch):
    r = _fast()
    uninterrupted = T.build("alexnet_cifar_tiny", stripes, r, seed=3)
    T.fit(uninterrupted, stripes, epochs=4, verbose=0)

    checkpoint = tmp_path / "run.npz"
    save = al.checkpoint.Checkpoint.save

    def save_then_interrupt(store, model, state):
        save(store, model, state)
        if state["epoch"] == 2:
            raise KeyboardInterrupt  # as Ctrl-C right after epoch 2's checkpoint

    monkeypatch.setattr(al.checkpoint.Checkpoint, "save", save_then_interrupt)
    first = T.build("alexnet_cifar_tiny", stripes, r, seed=3)
    with pytest.raises(KeyboardInterrupt):
        T.fit(first, stripes, epochs=4, checkpoint=checkpoint, verbose=0)
    monkeypatch.setattr(al.checkpoint.Checkpoint, "save", save)

    resumed = T.build("alexnet_cifar_tiny", stripes, r, seed=3)
    run = T.fit(resumed, stripes, epochs=4, checkpoint=checkpoint, verbose=0)
    assert run.resumed_from == 2 and run.epochs == 4
    for a, b in zip(_weights(uninterrupted), _weights(resumed), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_checkpoint_from_another_run_is_refused(stripes, tmp_path):
    checkpoint = tmp_path / "run.npz"
    model = T.build("alexnet_cifar_tiny", stripes, _fast())
    T.fit(model, stripes, epochs=1, checkpoint=checkpoint, verbose=0)
    other = T.build("alexnet_cifar_tiny", stripes, _fast(label_smoothing=0.2))
    with pytest.raises(ValueError, match="different run \\(recipe.label_smoothing: .*; epochs: "):
        T.fit(other, stripes, epochs=2, checkpoint=checkpoint)
    with pytest.raises(ValueError, match="ending in .npz"):
        T.fit(other, stripes, epochs=1, checkpoint=tmp_path / "run.ckpt")


def test_divergence_stops_with_a_clear_message(stripes):
    r = _fast(learning_rate=1e4, warmup_fraction=0.0)
    model = T.build("alexnet_cifar_tiny", stripes, r)
    with pytest.raises(T.TrainingDiverged, match="Lower the learning rate"):
        T.fit(model, stripes, epochs=3, verbose=0)


def test_fit_rejects_impossible_settings(stripes):
    model = T.build("alexnet_cifar_tiny", stripes, _fast())
    with pytest.raises(ValueError, match="epochs=0"):
        T.fit(model, stripes, epochs=0)
    big = T.build("alexnet_cifar_tiny", stripes, _fast(batch_size=1000))
    with pytest.raises(ValueError, match="fewer than one call's batch_size"):
        T.fit(big, stripes, epochs=1)


# ---------------------------------------------------------------------------------------
# evaluate


def test_top1_top5_confusion_and_mistakes_by_hand():
    probs = np.array(
        [
            [0.1, 0.6, 0.1, 0.1, 0.05, 0.05],  # true 1: right
            [0.5, 0.1, 0.1, 0.1, 0.1, 0.1],  # true 2: wrong (0, 0.5), true in top 5
            [0.05, 0.0, 0.9, 0.01, 0.02, 0.02],  # true 1: wrong (2, 0.9), true not in top 5
            [0.0, 0.0, 0.0, 1.0, 0.0, 0.0],  # true 3: right
        ]
    )
    e = T.Evaluation({"none": probs}, np.array([1, 2, 1, 3]), tuple("abcdef"), {"none": 0.0})
    assert e.top1() == 0.5
    assert e.top5() == 0.75
    confusion = e.confusion()
    assert confusion.sum() == 4 and confusion[1, 1] == 1 and confusion[1, 2] == 1
    assert confusion[2, 0] == 1 and confusion[3, 3] == 1
    assert list(e.mistakes()) == [2, 1]  # most confident wrong answer first
    assert "no augmentation" in e.table() and "50.00%" in e.table()


def test_ten_crop_averages_the_padded_patches(stripes):
    model = T.build("alexnet_cifar_tiny", stripes, _fast(padding=4))
    small = stripes.subset(train=20, test=7)
    e = T.evaluate(model, small, methods=("none", "flip", "ten_crop"))
    x = small.x_test
    padded = np.pad(x, ((0, 0), (4, 4), (4, 4), (0, 0)))
    patches = al.evaluate.ten_crop(padded, 32).reshape(-1, 32, 32, 3)
    expected = model.predict(patches, verbose=0).reshape(len(x), 10, -1).mean(axis=1)
    np.testing.assert_allclose(e.probabilities["ten_crop"], expected, atol=1e-5)
    mirrored = model.predict(x[:, :, ::-1], verbose=0)
    plain = model.predict(x, verbose=0)
    np.testing.assert_allclose(e.probabilities["flip"], (plain + mirrored) / 2, atol=1e-5)
    with pytest.raises(ValueError, match="methods \\['mirror'\\]"):
        T.evaluate(model, small, methods=("mirror",))
    unpadded = T.build("alexnet_cifar_tiny", stripes, _fast(padding=0))
    with pytest.raises(ValueError, match="pass padding=4"):
        T.evaluate(unpadded, small, methods=("ten_crop",))
    e = T.evaluate(unpadded, small, methods=("ten_crop",), padding=4)
    assert e.probabilities["ten_crop"].shape == (7, 10)
    unpadded = T.build("alexnet_cifar_tiny", stripes, _fast(padding=0))
    with pytest.raises(ValueError, match="pass padding=4"):
        T.evaluate(unpadded, small, methods=("ten_crop",))
    e = T.evaluate(unpadded, small, methods=("ten_crop",), padding=4)
    assert e.probabilities["ten_crop"].shape == (7, 10)


# ---------------------------------------------------------------------------------------
# The command line


def test_cli_train_writes_the_result(tmp_path, capsys):
    from alexlab.cli import main

    path = tmp_path / "result.json"
    status = main(
        [
            "train",
            "--dataset",
            "synthetic",
            "--model",
            "alexnet_cifar_tiny",
            "--epochs",
            "8",
            "--batch-size",
            "50",
            "--learning-rate",
            "0.02",
            "--tta",
            "none,flip",
            "--no-checkpoint",
            "--json",
            str(path),
        ]
    )
    assert status == 0
    result = json.loads(path.read_text())
    keys = ("test_accuracy", "top5_accuracy", "train_seconds", "compile_seconds", "epochs")
    keys += ("device", "backend", "versions", "dataset", "seed", "recipe", "history")
    for key in keys:
        assert key in result, key
    assert result["test_accuracy"] >= 0.6
    assert result["epochs"] == 8 and result["dataset"]["official"] is False
    assert set(result["tta"]) == {"none", "flip"}
    assert "resuming" not in capsys.readouterr().out


def test_cli_chooses_on_validation_without_looking_at_the_test_set(tmp_path, monkeypatch):
    from alexlab.cli import main

    looked = []
    evaluate = al.evaluate.evaluate

    def watched(model, data, methods=("none", "flip", "ten_crop"), **kw):
        looked.extend(methods)
        return evaluate(model, data, methods=methods, **kw)

    monkeypatch.setattr(al.evaluate, "evaluate", watched)
    path = tmp_path / "result.json"
    status = main(
        [
            "train",
            "--dataset",
            "synthetic",
            "--model",
            "alexnet_cifar_tiny",
            "--epochs",
            "8",
            "--batch-size",
            "50",
            "--learning-rate",
            "0.02",
            "--dropout",
            "0",
            "--padding",
            "0",
            "--validation",
            "0.25",
            "--no-test",
            "--no-checkpoint",
            "--json",
            str(path),
        ]
    )
    assert status == 0 and looked == []
    result = json.loads(path.read_text())
    assert result["test_accuracy"] is None and result["tta"] == {}
    assert result["recipe"]["dropout"] == 0.0 and result["recipe"]["padding"] == 0
    assert result["recipe"]["validation"] == 0.25
    assert len(result["history"]["val_accuracy"]) == 8
    assert result["validation_accuracy"] == result["history"]["val_accuracy"][-1] >= 0.6
    # --no-test alone measures nothing: refused before any work
    monkeypatch.setattr(al.commands, "load", lambda *a: pytest.fail("data loaded"))
    assert main(["train", "--dataset", "synthetic", "--no-test", "--no-checkpoint"]) == 2


def test_cli_bench_reports_images_per_second(tmp_path):
    from alexlab.cli import main

    path = tmp_path / "bench.json"
    status = main(
        [
            "bench",
            "--model",
            "alexnet_cifar_tiny",
            "--batch-size",
            "32",
            "--steps",
            "4",
            "--repeats",
            "2",
            "--precision",
            "float32",
            "--json",
            str(path),
        ]
    )
    assert status == 0
    result = json.loads(path.read_text())
    assert result["images_per_repeat"] == 128 and len(result["images_per_second_each"]) == 2
    assert result["images_per_second"] > 0 and result["network_input"] == 32


def test_kill_9_of_the_cli_loses_at_most_the_epoch_under_way(tmp_path):
    checkpoint = tmp_path / "run.npz"
    command = [
        sys.executable,
        "-m",
        "alexlab",
        "train",
        "--dataset",
        "synthetic",
        "--model",
        "alexnet_cifar_tiny",
        "--epochs",
        "40",
        "--batch-size",
        "50",
        "--learning-rate",
        "0.02",
        "--tta",
        "none",
        "--checkpoint",
        str(checkpoint),
        "--quiet",
    ]
    env = {**os.environ, "ALEXLAB_PROFILE": "smoke", "TF_CPP_MIN_LOG_LEVEL": "2"}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert checkpoint.exists(), "no checkpoint appeared"
    process.send_signal(signal.SIGKILL)
    output, _ = process.communicate()
    done = output.count("\nepoch ") + output.startswith("epoch ")
    assert process.returncode == -signal.SIGKILL
    assert done < 40, "the run finished before it could be killed"

    path = tmp_path / "result.json"
    again = subprocess.run(
        command + ["--json", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    result = json.loads(path.read_text())
    # Every epoch whose line was printed had been saved: at most the one under way is lost.
    assert result["resumed_from"] >= max(1, done - 1)
    assert "epochs already done" in again.stdout
    assert result["epochs"] == 40 and math.isfinite(result["test_accuracy"])


def test_predict_matches_keras_predict_batch_by_batch(stripes):
    from alexlab.evaluate import predict

    model = T.build("alexnet_cifar_tiny", stripes, _fast())
    x = stripes.x_test[:23]  # 23 = 2 batches of 10 and one of 3
    got = predict(model, x, batch_size=10)
    assert got.shape == (23, 10) and got.dtype == np.float32
    np.testing.assert_allclose(got, model.predict(x, batch_size=23, verbose=0), atol=1e-5)
    with pytest.raises(ValueError, match="no images"):
        predict(model, x[:0])
