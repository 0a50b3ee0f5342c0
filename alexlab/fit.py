"""Training (§5): fit with a progress bar, checkpoints and resume, and a stop on divergence.

``fit`` trains a model from ``alexlab.train.build`` with a recipe, times
compilation apart from training, stops with ``TrainingDiverged`` when the loss
goes non-finite, and writes a checkpoint each epoch from which an interrupted
run resumes.
"""

import dataclasses
import json
import math
import sys
import time

import numpy as np

from alexlab import checks
from alexlab.checkpoint import identity as _identity
from alexlab.checkpoint import load as _load
from alexlab.checkpoint import mismatch as _mismatch
from alexlab.checkpoint import restore as _restore
from alexlab.checkpoint import save as _save
from alexlab.checkpoint import snapshot as _snapshot
from alexlab.recipes import Recipe, SmoothedCrossentropy, optimizer, recipe
from alexlab.runtime import import_keras

keras = import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = ["Run", "TrainingDiverged", "feed", "fit", "split"]


class TrainingDiverged(RuntimeError):
    """The loss became NaN, infinite or exploded: training stopped."""


# ---------------------------------------------------------------------------------------
# fit


@dataclasses.dataclass
class Run:
    """What fit did: the model, per-epoch history, seconds, and where it resumed from."""

    model: object
    recipe: Recipe
    history: dict  # per epoch: loss, accuracy, learning_rate, seconds (+ val_loss/val_accuracy)
    epochs: int
    compile_seconds: float  # tracing and XLA compilation, measured apart
    train_seconds: float  # the epochs themselves, compilation excluded
    validation_seconds: float
    checkpoint_seconds: float
    report_seconds: float  # spent in `report` after each epoch, outside the training time
    resumed_from: int  # epochs already done when this call started (0: a fresh run)
    seed: int

    def summary(self):
        """One line: epochs, final training accuracy, seconds."""
        acc = self.history["accuracy"][-1] if self.history["accuracy"] else float("nan")
        return (
            f"{self.epochs} epochs of recipe {self.recipe.name!r}: training accuracy "
            f"{acc:.1%}, {self.train_seconds:.1f} s training + {self.compile_seconds:.1f} s "
            f"compiling"
        )


class _Watch(keras.callbacks.Callback):
    """Progress bar over an epoch's batches, and a guard against a non-finite loss."""

    async_safe = True  # reads logs only; Keras may call it from a worker thread

    def __init__(self, label, steps, limit, show):
        super().__init__()
        self.label, self.steps, self.limit, self.show = label, steps, limit, show
        self.last, self.bad = 0.0, None

    def on_train_batch_end(self, batch, logs=None):
        now = time.monotonic()
        if now - self.last < 0.5 and batch + 1 < self.steps:
            return
        self.last = now
        loss = float(logs["loss"]) if logs and "loss" in logs else float("nan")
        if not math.isfinite(loss) or loss > self.limit:
            self.bad = (batch + 1, loss)
            self.model.stop_training = True
        if self.show:
            done = min(batch + 1, self.steps)
            filled = int(24 * done / self.steps)
            bar = "=" * filled + " " * (24 - filled)
            sys.stdout.write(f"\r{self.label} [{bar}] {done}/{self.steps}  loss {loss:.3f}")
            sys.stdout.flush()


def split(data, fraction, seed):
    """Hold out `fraction` of the training images, class-balanced, for validation."""
    if not fraction:
        return data.x_train, data.y_train, None
    rng = np.random.default_rng([seed, 1])
    held = []
    for label in np.unique(data.y_train):
        rows = np.flatnonzero(data.y_train == label)
        held.append(rng.choice(rows, size=max(1, round(fraction * len(rows))), replace=False))
    held = np.sort(np.concatenate(held))
    keep = np.setdiff1d(np.arange(len(data.y_train)), held)
    return data.x_train[keep], data.y_train[keep], (data.x_train[held], data.y_train[held])


class _Batches(keras.utils.PyDataset):
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
    batches = _Batches(x, y, order, batch_size)
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
    return dataset.apply(tf.data.experimental.assert_cardinality(len(batches))).with_options(
        options
    )


def fit(
    model,
    data,
    recipe_,
    epochs,
    checkpoint=None,
    seed=0,
    verbose=1,
    restart=False,
    report=None,
    until=None,
):
    """Train `model` (from build) on data.x_train with the recipe for `epochs` epochs.

    Compilation is timed apart (a warm-up step whose effect is undone), each epoch
    sees a fresh permutation of the training images (the last incomplete batch is
    left out, so no second compilation), and a non-finite or exploding loss raises
    TrainingDiverged. With `checkpoint` (a file path ending .npz), the weights,
    optimizer and history are saved after every epoch and a later call with the
    same arguments resumes there: Ctrl-C or kill -9 loses at most the epoch under way.
    A checkpoint from a different run (network, recipe, data, seed or epochs) is
    refused, naming what differs; restart=True discards it and starts afresh.
    verbose: 0 silent, 1 a bar and a line per epoch, 2 a line per epoch.
    report: for reporting only, never for choosing: a function model -> {name: number}
    called after each epoch (e.g. test accuracy for a curve); its numbers join the
    history and its time is kept out of the training time.
    until: a function history -> bool called after each epoch; True ends training
    there (e.g. once the training error is below a target). Run.epochs says how many ran.
    """
    recipe_ = recipe(recipe_)
    epochs = checks.whole("epochs", epochs, 1, example=10)
    seed = checks.whole("seed", seed, 0, example=0)
    checks.choice("verbose", verbose, (0, 1, 2))
    checks.dataset(data, test=False)
    _same_recipe(model, recipe_)
    path = None
    if checkpoint is not None:  # found unwritable now, not after the first epoch
        path = checks.writable_file(checkpoint, "checkpoint", suffix=".npz")
    x, y, validation = split(data, recipe_.validation, seed)
    per_call = recipe_.batch_size * recipe_.steps_per_execution
    if len(x) < per_call:
        raise checks.InvalidArgument(
            f"{len(x)} training images are fewer than one call's batch_size x "
            f"steps_per_execution = {per_call}: use a smaller batch_size"
        )
    steps = (len(x) // per_call) * recipe_.steps_per_execution
    num_classes = len(data.class_names)
    model.compile(
        optimizer=optimizer(recipe_, steps, epochs),
        loss=SmoothedCrossentropy(num_classes, recipe_.label_smoothing),
        metrics=["accuracy"],
        jit_compile=recipe_.jit_compile,
        steps_per_execution=recipe_.steps_per_execution,
    )
    model.optimizer.build(model.trainable_variables)
    # What must match for a checkpoint to be resumed: checked before any work.
    identity = _identity(model, recipe_, epochs, seed, x, y, data.class_names, data.source)
    saved = None
    if path is not None and path.exists() and not restart:
        saved, arrays = _load(path)
        if saved["identity"] != identity:
            raise _mismatch(path, saved["identity"], identity)

    start = time.perf_counter()
    initial = _snapshot(model)
    # The same feed as the epochs, so they reuse this trace rather than making their own
    warm = feed(x, y, np.arange(per_call), recipe_.batch_size)
    model.fit(warm, epochs=1, shuffle=False, verbose=0)
    eval_batch = max(recipe_.batch_size, 256)
    if validation is not None:
        model.evaluate(*(v[:eval_batch] for v in validation), batch_size=eval_batch, verbose=0)
    _restore(model, initial)  # the warm-up step only compiled; its update is undone
    compile_seconds = time.perf_counter() - start

    names = ("loss", "accuracy", "learning_rate", "seconds")
    if validation is not None:
        names += ("val_loss", "val_accuracy")
    if report is not None and not callable(report):
        raise checks.InvalidArgument(
            f"report={report!r}: give a function model -> {{name: number}}, or None"
        )
    if until is not None and not callable(until):
        raise checks.InvalidArgument(f"until={until!r}: give a function history -> bool, or None")
    state = {
        "identity": identity,
        "epoch": 0,
        "history": {n: [] for n in names},
        "train_seconds": 0.0,
        "validation_seconds": 0.0,
        "checkpoint_seconds": 0.0,
        "report_seconds": 0.0,
        "plateau": {"best": None, "wait": 0},
    }
    if saved is not None:
        _restore(model, arrays)
        state = {"report_seconds": 0.0, **saved}  # checkpoints from before `report` lack it
        if verbose and state["epoch"]:
            print(f"resuming from {path.name}: {state['epoch']} of {epochs} epochs already done")
    resumed_from = state["epoch"]

    limit = 10 * math.log(num_classes) + 10  # far above any loss a learning net has
    # A bar redrawn with '\r' suits a terminal or a notebook, not a log file.
    live = sys.stdout.isatty() or "ipykernel" in sys.modules
    try:
        for epoch in range(state["epoch"], epochs):
            # Checked before each epoch, so a resumed run that had already stopped stays put
            if until is not None and state["history"]["loss"] and until(state["history"]):
                break
            order = np.random.default_rng([seed, epoch]).permutation(len(x))[
                : steps * recipe_.batch_size
            ]
            watch = _Watch(f"epoch {epoch + 1}/{epochs}", steps, limit, verbose == 1 and live)
            t0 = time.perf_counter()
            batches = feed(x, y, order, recipe_.batch_size)
            # shuffle=False: the order is ours (seeded by epoch), so a resumed run repeats it
            logs = model.fit(batches, epochs=1, shuffle=False, verbose=0, callbacks=[watch]).history
            seconds = time.perf_counter() - t0
            loss = logs["loss"][-1]
            if watch.bad is not None or not math.isfinite(loss) or loss > limit:
                batch, bad = watch.bad or (steps, loss)
                raise TrainingDiverged(
                    f"the training loss reached {bad} at epoch {epoch + 1}, batch {batch} "
                    f"(learning rate {_rate(model):.3g}); training stopped. Lower the "
                    "learning rate (e.g. recipe.replace(learning_rate=...)) or lengthen the "
                    "warm-up; check the inputs for NaN"
                )
            history = state["history"]
            history["loss"].append(float(loss))
            history["accuracy"].append(float(logs["accuracy"][-1]))
            history["learning_rate"].append(_rate(model))
            history["seconds"].append(seconds)
            state["train_seconds"] += seconds
            accuracy = history["accuracy"][-1]
            line = f"epoch {epoch + 1}/{epochs}  loss {loss:.3f}  accuracy {accuracy:.1%}"
            if validation is not None:
                t0 = time.perf_counter()
                val_loss, val_accuracy = model.evaluate(
                    *validation, batch_size=eval_batch, verbose=0
                )
                state["validation_seconds"] += time.perf_counter() - t0
                history["val_loss"].append(float(val_loss))
                history["val_accuracy"].append(float(val_accuracy))
                line += f"  validation {val_accuracy:.1%}"
                if recipe_.schedule == "plateau":
                    _plateau(model, state["plateau"], 1 - val_accuracy, recipe_.patience)
            line += f"  lr {history['learning_rate'][-1]:.3g}  {seconds:.1f} s"
            if report is not None:
                t0 = time.perf_counter()
                for name, value in report(model).items():
                    history.setdefault(name, []).append(float(value))
                state["report_seconds"] += time.perf_counter() - t0
            state["epoch"] = epoch + 1
            if path is not None:
                t0 = time.perf_counter()
                _save(path, model, state)
                state["checkpoint_seconds"] += time.perf_counter() - t0
            if verbose:
                sys.stdout.write(("\r" if verbose == 1 and live else "") + line + " " * 8 + "\n")
                sys.stdout.flush()
    except KeyboardInterrupt:
        done = state["epoch"]
        where = f"; run the same call again to resume from {path}" if path else ""
        print(f"\ninterrupted during epoch {done + 1}: {done} epochs complete{where}")
        raise
    return Run(
        model=model,
        recipe=recipe_,
        history=state["history"],
        epochs=state["epoch"],
        compile_seconds=compile_seconds,
        train_seconds=state["train_seconds"],
        validation_seconds=state["validation_seconds"],
        checkpoint_seconds=state["checkpoint_seconds"],
        report_seconds=state["report_seconds"],
        resumed_from=resumed_from,
        seed=seed,
    )


def _same_recipe(model, recipe_):
    """Refuse a recipe whose augmentation or network settings differ from the model's build."""
    built = getattr(model, "alexlab_built_with", None)
    if built is None:  # a model not from build: nothing to compare
        return
    built = json.loads(built)
    now = {f: getattr(recipe_, f) for f in built}
    now = json.loads(json.dumps(now))  # the same JSON types as what build stored
    differ = [f"{f} {built[f]!r} at build, {now[f]!r} here" for f in built if built[f] != now[f]]
    if differ:
        raise checks.InvalidArgument(
            f"the model was built with another recipe ({'; '.join(differ)}): build puts these "
            "into the model, so fit would train with the build's values and report these. "
            "Build and fit with the same recipe"
        )


def _rate(model):
    opt = model.optimizer
    rate = opt.learning_rate
    if callable(rate):
        rate = rate(opt.iterations)
    return float(keras.ops.convert_to_numpy(rate))


def _plateau(model, plateau, error, patience):
    """§5: divide the learning rate by 10 once the validation error stops improving."""
    if plateau["best"] is None or error < plateau["best"] - 1e-4:
        plateau["best"], plateau["wait"] = float(error), 0
        return
    plateau["wait"] += 1
    if plateau["wait"] >= patience:
        model.optimizer.learning_rate.assign(_rate(model) / 10)
        plateau["wait"] = 0
