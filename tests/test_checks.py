"""Nothing silently wrong: bad values refused up front, checkpoints resume only their own run.

Each class of failure found by probing the project as a clumsy user would: a zero read
as "not given", options that fail only after training, a checkpoint from another run
resumed, a damaged checkpoint, float images, labels out of range, a cache that cannot
be written, an environment variable pointing at the wrong layout.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import alexlab as al
from alexlab import checkpoint, checks, data, doctor
from alexlab import train as T
from alexlab.cli import main

keras = al.runtime.import_keras()

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def stripes():
    return al.data.synthetic(train_per_class=30, test_per_class=10, seed=2)


def _fast(**changes):
    return T.recipe("fast", **{"batch_size": 50, "learning_rate": 0.02, **changes})


# ---------------------------------------------------------------------------------------
# The checks themselves


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "3", float("nan"), None])
def test_whole_refuses_what_is_not_a_whole_number_in_range(value):
    with pytest.raises(checks.InvalidArgument, match="epochs="):
        checks.whole("epochs", value, 1, example=10)


def test_whole_and_number_accept_good_values():
    assert checks.whole("epochs", 3.0, 1) == 3 and checks.whole("padding", 0, 0) == 0
    assert checks.whole("n", np.int64(7), 1) == 7
    assert checks.number("rate", 0.5, 0, 1, high_open=True) == 0.5


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -0.1, 1.0, "0.5", False])
def test_number_refuses_non_finite_and_out_of_range(value):
    with pytest.raises(checks.InvalidArgument, match="dropout="):
        checks.number("dropout", value, 0, 1, high_open=True)


def test_writable_file_probes_without_leaving_anything(tmp_path):
    target = tmp_path / "new" / "deeper" / "result.json"
    assert checks.writable_file(target, "--json") == target
    assert list(tmp_path.iterdir()) == []  # no folder made, no probe left
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(checks.InvalidArgument, match="is a file, not a folder"):
        checks.writable_file(tmp_path / "a_file" / "result.json", "--json")
    with pytest.raises(checks.InvalidArgument, match="is a folder"):
        checks.writable_file(tmp_path, "--json")
    with pytest.raises(checks.InvalidArgument, match="ending in .npz"):
        checks.writable_file(tmp_path / "run.ckpt", "checkpoint", suffix=".npz")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a read-only /proc")
def test_writable_file_refuses_a_folder_that_cannot_be_written():
    with pytest.raises(checks.InvalidArgument, match="cannot be written"):
        checks.writable_file("/proc/self/alexlab-result.json", "--json")


# ---------------------------------------------------------------------------------------
# Data reaching build and fit


def test_float_images_in_0_1_are_refused_with_the_conversion(stripes):
    scaled = stripes.x_train.astype("float32") / 255
    with pytest.raises(checks.InvalidArgument, match=r"scaled to \[0, 1\].*\* 255"):
        data.Dataset(
            scaled, stripes.y_train, stripes.x_test, stripes.y_test, stripes.class_names, "floats"
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"y_train": lambda d: d.y_train + 1}, "labels from 1 to 10, but there are 10 classes"),
        ({"y_train": lambda d: np.eye(10, dtype="int64")[d.y_train]}, "one-hot"),
        ({"y_train": lambda d: d.y_train.astype("float32")}, "whole class numbers"),
        ({"y_test": lambda d: d.y_test[:-1]}, "one class number per image"),
        ({"x_train": lambda d: d.x_train[:0], "y_train": lambda d: d.y_train[:0]}, "no images"),
        ({"x_train": lambda d: d.x_train.astype("int64")}, r"astype\('uint8'\)"),
        ({"x_train": lambda d: d.x_train[..., 0]}, r"\(N, height, width, 3\)"),
    ],
    ids=["out-of-range", "one-hot", "float-labels", "length", "empty", "int64", "grey"],
)
def test_bad_arrays_are_refused_before_any_work(stripes, change, message):
    fields = {k: getattr(stripes, k) for k in ("x_train", "y_train", "x_test", "y_test")}
    fields.update({k: f(stripes) for k, f in change.items()})
    with pytest.raises(checks.InvalidArgument, match=message):
        data.Dataset(**fields, class_names=stripes.class_names, source="probe")


def test_build_fit_and_evaluate_check_data_that_is_not_a_dataset(stripes):
    class Loose:  # duck-typed: skips the Dataset constructor's check
        x_train = stripes.x_train.astype("float64") / 255
        y_train, x_test, y_test = stripes.y_train, stripes.x_test, stripes.y_test
        class_names, source = stripes.class_names, "loose"

    with pytest.raises(checks.InvalidArgument, match="x_train is float64"):
        T.build("alexnet_cifar_tiny", Loose, _fast())
    model = T.build("alexnet_cifar_tiny", stripes, _fast())
    with pytest.raises(checks.InvalidArgument, match="x_train is float64"):
        T.fit(model, Loose, epochs=1, verbose=0)
    Loose.x_train, Loose.y_test = stripes.x_train, stripes.y_test + 5
    with pytest.raises(checks.InvalidArgument, match="y_test holds labels from 5 to 14"):
        T.evaluate(model, Loose, methods=("none",))
    with pytest.raises(checks.InvalidArgument, match="test images=0"):
        stripes.subset(train=10, test=0)


# ---------------------------------------------------------------------------------------
# Recipes and public functions


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("batch_size", 0),
        ("batch_size", -1),
        ("batch_size", 2.5),
        ("learning_rate", 0),
        ("learning_rate", -0.1),
        ("learning_rate", float("nan")),
        ("momentum", 1.0),
        ("weight_decay", -1e-4),
        ("warmup_fraction", 1.0),
        ("patience", 0),
        ("validation", 1.0),
        ("label_smoothing", -0.1),
        ("steps_per_execution", 0),
        ("padding", -1),
        ("dropout", 1.0),
        ("init", "glorot"),
        ("inputs", "scaled"),
        ("schedule", "cosine"),
        ("precision", "fp16"),
        ("optimizer", "adam"),
        ("flip", "yes"),
    ],
)
def test_every_recipe_field_refuses_bad_values(field, value):
    with pytest.raises(checks.InvalidArgument, match=f"{field}="):
        T.recipe("fast", **{field: value})


def test_a_plateau_schedule_without_validation_images_is_refused():
    with pytest.raises(checks.InvalidArgument, match="never would"):
        T.recipe("paper", validation=0)


def test_public_functions_refuse_zero_and_fractions(stripes, tmp_path):
    model = T.build("alexnet_cifar_tiny", stripes, _fast())
    for epochs in (0, -1, 1.5):
        with pytest.raises(checks.InvalidArgument, match="epochs="):
            T.fit(model, stripes, epochs=epochs)
    with pytest.raises(checks.InvalidArgument, match="seed=-1"):
        T.build("alexnet_cifar_tiny", stripes, _fast(), seed=-1)
    with pytest.raises(checks.InvalidArgument, match="batch_size=0"):
        T.evaluate(model, stripes, methods=("none",), batch_size=0)
    with pytest.raises(checks.InvalidArgument, match="ten_crop with padding 0"):
        T.evaluate(model, stripes, methods=("ten_crop",))
    with pytest.raises(checks.InvalidArgument, match="steps=0"):
        T.throughput("alexnet_cifar_tiny", steps=0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(checks.InvalidArgument, match="is a file, not a folder"):
        T.fit(model, stripes, epochs=1, checkpoint=tmp_path / "file" / "run.npz")


def test_fit_trains_with_the_recipe_and_seed_the_model_was_built_with(stripes):
    # The recipe is given once, to build, which puts the augmentation and network settings
    # into the model: fit takes it from there, so the two cannot disagree.
    recipe = _fast(padding=0, label_smoothing=0.0)
    model = T.build("alexnet_cifar_tiny", stripes, recipe, seed=2)
    run = T.fit(model, stripes, 1, verbose=0)
    assert run.recipe is recipe and run.seed == 2 and run.epochs == 1
    other = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    with pytest.raises(checks.InvalidArgument, match="not made by alexlab.train.build"):
        T.fit(other, stripes, 1, verbose=0)


def test_compare_checks_every_configuration_and_the_results_folder_before_training(
    stripes, tmp_path, monkeypatch
):
    monkeypatch.setattr(al.fit, "fit", lambda *a, **k: pytest.fail("trained before checking"))
    good = al.compare.Config("a", "alexnet_cifar_tiny", _fast(), 1)
    bad_epochs = al.compare.Config("b", "alexnet_cifar_tiny", _fast(), 0)
    with pytest.raises(checks.InvalidArgument, match="b: epochs=0"):
        al.compare.compare([good, bad_epochs], stripes)
    typo = al.compare.Config("b", "alexnet_cifar_tinny", _fast(), 1)
    with pytest.raises(checks.InvalidArgument, match="alexnet_cifar_tinny"):
        al.compare.compare([good, typo], stripes)
    other = al.compare.Config("b", "alexnet_cifar_tiny", _fast(), 1)
    with pytest.raises(checks.InvalidArgument, match="different seeds"):
        al.compare.compare([good, other], stripes, seeds=(0, 0, 1))
    (tmp_path / "file").write_text("x")
    with pytest.raises(checks.InvalidArgument, match="is a file, not a folder"):
        al.compare.compare([good, other], stripes, save=True, where=tmp_path / "file" / "results")


# ---------------------------------------------------------------------------------------
# Checkpoints: only their own run, damage named


@pytest.fixture()
def saved(stripes, tmp_path):
    """A one-epoch run of the tiny network with a checkpoint: (path, recipe)."""
    path = tmp_path / "run.npz"
    model = T.build("alexnet_cifar_tiny", stripes, _fast(), seed=1)
    T.fit(model, stripes, epochs=1, checkpoint=path, verbose=0)
    return path


def _resume(data_, path, network_options=None, restart=False, **changes):
    model = T.build("alexnet_cifar_tiny", data_, _fast(**changes), 1, network_options)
    return T.fit(model, data_, epochs=1, checkpoint=path, verbose=0, restart=restart)


def test_the_same_run_resumes_and_restart_starts_afresh(stripes, saved):
    assert _resume(stripes, saved).resumed_from == 1  # same network built again: same run
    assert _resume(stripes, saved, restart=True).resumed_from == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lrn": False}, r"network: \d+ layers in the checkpoint, \d+ here"),
        (
            {"activation": "tanh"},
            r"network layer \d+ \(Conv2D\): activation 'relu' in the "
            "checkpoint, 'tanh' here",
        ),
        ({"pooling": "non-overlapping"}, r"network layer \d+ \(MaxPooling2D\): pool_size"),
    ],
    ids=["no-lrn", "tanh", "pooling"],
)
def test_a_different_network_with_the_same_parameter_count_is_refused(
    stripes, saved, options, message
):
    with pytest.raises(checkpoint.CheckpointMismatch, match=message):
        _resume(stripes, saved, options)


def test_different_images_under_the_same_source_name_are_refused(stripes, saved):
    # Two class folders swapped (cats labelled dogs): same folder name, same sizes.
    y = stripes.y_train.copy()
    y[stripes.y_train == 3], y[stripes.y_train == 5] = 5, 3
    swapped = data.Dataset(
        stripes.x_train, y, stripes.x_test, stripes.y_test, stripes.class_names, stripes.source
    )
    with pytest.raises(checkpoint.CheckpointMismatch, match="data: the training images or"):
        _resume(swapped, saved)


def test_recipe_differences_are_named_with_both_values(stripes, saved):
    expected = "recipe.label_smoothing: 0.1 in the checkpoint, 0.2 here"
    with pytest.raises(checkpoint.CheckpointMismatch, match=expected):
        _resume(stripes, saved, label_smoothing=0.2)


def _damage_truncated(path):
    path.write_bytes(path.read_bytes()[:500])


def _damage_garbage(path):
    path.write_bytes(os.urandom(4000))


def _damage_nan(path):
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    name = next(k for k in sorted(arrays) if k.startswith("v") and arrays[k].dtype == "float32")
    arrays[name] = np.full_like(arrays[name], np.nan)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_damage_truncated, "cannot be read"),
        (_damage_garbage, "cannot be read"),
        (_damage_nan, "NaN or infinite"),
    ],
    ids=["truncated", "garbage", "nan-weights"],
)
def test_a_damaged_checkpoint_is_named_and_can_be_restarted(stripes, saved, damage, message):
    damage(saved)
    with pytest.raises(checkpoint.CheckpointDamaged, match=f"{message}.*--restart"):
        _resume(stripes, saved)
    run = _resume(stripes, saved, restart=True)
    assert run.resumed_from == 0 and np.isfinite(run.history["loss"]).all()
    assert _resume(stripes, saved).resumed_from == 1  # the fresh checkpoint is sound


# ---------------------------------------------------------------------------------------
# The command line: one line naming the option and a fix, exit status 2, nothing loaded

_TRAIN = ["train", "--dataset", "synthetic", "--model", "alexnet_cifar_tiny"]


@pytest.mark.parametrize(
    ("option", "bad"),
    [
        ("--epochs", ["0", "-1", "two", "1.5"]),
        ("--batch-size", ["0", "-8", "x"]),
        ("--learning-rate", ["0", "-0.1", "nan", "inf", "fast"]),
        ("--dropout", ["1", "-0.5", "x"]),
        ("--padding", ["-1", "x"]),
        ("--validation", ["0", "1", "-0.1", "x"]),
        ("--train-images", ["0", "-5", "x"]),
        ("--test-images", ["0", "-5", "x"]),
        ("--seed", ["-1", "x"]),
    ],
)
def test_every_train_option_refuses_zero_negative_and_text(option, bad, capsys, monkeypatch):

    monkeypatch.setattr(al.commands, "load", lambda *a: pytest.fail("data loaded"))
    for value in bad:
        with pytest.raises(SystemExit) as caught:
            main([*_TRAIN, option, value])
        assert caught.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and option in err and "e.g." in err, err


@pytest.mark.parametrize(
    ("option", "bad"),
    [
        ("--batch-size", ["0", "x"]),
        ("--steps", ["0", "-1"]),
        ("--repeats", ["0"]),
        ("--steps-per-execution", ["0"]),
        ("--image-size", ["0", "x"]),
    ],
)
def test_every_bench_option_refuses_zero_negative_and_text(option, bad, capsys):
    for value in bad:
        with pytest.raises(SystemExit) as caught:
            main(["bench", option, value])
        assert caught.value.code == 2 and option in capsys.readouterr().err


def test_zero_is_a_value_where_it_means_something():
    import argparse

    from alexlab.cli import _real, _whole

    assert _whole(0, 4)("0") == 0 and _real(0, 1, 0.5)("0") == 0.0
    with pytest.raises(argparse.ArgumentTypeError):
        _whole(1, 10)("0")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--tta", "none,tencrop"], "--tta none,tencrop"),
        (["--tta", "ten_crop", "--padding", "0"], "never seen in training"),
        (["--validation", "0.2", "--no-test", "--tta", "none"], "--tta with --no-test"),
        (["--model", "alexnet_tiny"], "--model alexnet_tiny"),
        (["--source", "/no/such/folder"], "no such file or folder"),
        (["--no-checkpoint", "--restart"], "drop one"),
        (
            [
                "--recipe",
                "paper",
                "--validation",
                "0.1",
                "--no-checkpoint",
                "--learning-rate",
                "1e999",
            ],
            "learning-rate",
        ),
    ],
    ids=["tta", "ten-crop-untrained", "tta-no-test", "model", "source", "restart", "rate"],
)
def test_impossible_combinations_stop_before_loading(extra, message, capsys, monkeypatch):

    monkeypatch.setattr(al.commands, "load", lambda *a: pytest.fail("data loaded"))
    try:
        status = main([*_TRAIN, *extra])
    except SystemExit as stop:  # argparse's own range errors
        status = stop.code
    assert status == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_unwritable_outputs_and_damaged_checkpoints_stop_before_loading(
    tmp_path, capsys, monkeypatch
):

    monkeypatch.setattr(al.commands, "load", lambda *a: pytest.fail("data loaded"))
    (tmp_path / "file").write_text("x")
    blocked = str(tmp_path / "file" / "out")
    for extra in (
        ["--json", blocked + ".json", "--no-checkpoint"],
        ["--checkpoint", blocked + ".npz"],
    ):
        assert main([*_TRAIN, *extra]) == 2
        assert "is a file, not a folder" in capsys.readouterr().err
    damaged = tmp_path / "run.npz"
    damaged.write_bytes(b"not a zip file")
    assert main([*_TRAIN, "--checkpoint", str(damaged)]) == 2
    assert "cannot be read" in capsys.readouterr().err
    with pytest.raises(checkpoint.CheckpointDamaged):  # --debug: the traceback, for a report
        main(["--debug", *_TRAIN, "--checkpoint", str(damaged)])


def test_a_bad_value_in_a_fresh_process_is_one_line_without_traceback(tmp_path):
    env = {**os.environ, "ALEXLAB_PROFILE": "smoke", "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [sys.executable, "-m", "alexlab", *_TRAIN, "--epochs", "0"]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "argument --epochs: 0: give 1 or more" in run.stderr
    assert not (tmp_path / "runs").exists()


# ---------------------------------------------------------------------------------------
# The cache and doctor


def _png(path, value, size=8):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size, size, 3), value, dtype=np.uint8)).save(path)


def _cifar(root, classes=data.CIFAR10_CLASSES):
    for split in ("train", "test"):
        for i, name in enumerate(classes):
            _png(root / split / name / "000.png", 20 * i, 32)
    return root


def _by_topic(findings):
    return {f.topic: f for f in findings}


def test_keras_home_naming_a_file_costs_speed_not_the_data(tmp_path, monkeypatch, capsys):
    (tmp_path / "keras_home").write_text("not a folder")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    dataset = data.load_cifar10(_cifar(tmp_path / "c"))
    assert dataset.x_train.shape == (10, 32, 32, 3)
    assert "could not cache" in capsys.readouterr().out
    found = _by_topic(doctor.checks())["dataset cache"]
    assert found.status == "problem" and "KERAS_HOME" in found.detail + found.fix
    with pytest.raises(data.DatasetUnavailable, match="KERAS_HOME"):
        data.download("http://127.0.0.1:9/x", "x.bin", "0" * 64)


def test_doctor_checks_each_data_folder_with_the_loaders_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    wrong = list(data.CIFAR10_CLASSES)
    wrong[3] = "kitten"
    monkeypatch.setenv(data.CIFAR10_ENV, str(_cifar(tmp_path / "wrong", wrong)))
    flowers = tmp_path / "flowers"
    for i, name in enumerate(data.FLOWERS_CLASSES):
        _png(flowers / "flower_photos" / name / "a.png", 40 * i)
    monkeypatch.setenv(data.FLOWERS_ENV, str(flowers))
    found = _by_topic(doctor.checks())
    cifar = found[data.CIFAR10_ENV]
    assert cifar.status == "problem" and "kitten" in cifar.detail and "cat" in cifar.detail
    assert found[data.FLOWERS_ENV].status == "ok" and "5 images in 5 classes" in (
        found[data.FLOWERS_ENV].detail
    )
    assert found["dataset cache"].status == "note"  # not there yet, but creatable
    monkeypatch.setenv(data.FLOWERS_ENV, str(tmp_path / "nowhere"))
    monkeypatch.setenv(data.CIFAR10_ENV, str(_cifar(tmp_path / "right")))
    found = _by_topic(doctor.checks())
    assert found[data.FLOWERS_ENV].status == "problem"
    assert "does not exist" in found[data.FLOWERS_ENV].detail
    assert found[data.CIFAR10_ENV].status == "ok"
    assert "train/ 10 and test/ 10 images" in found[data.CIFAR10_ENV].detail
