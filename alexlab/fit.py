"""Training (§5): fit, a loop of named steps, with a progress bar, checkpoints and resume.

``fit`` trains a model from ``alexlab.classifier.build`` with the recipe and seed it was
built with. Read it as the loop it is: compile and warm up (compilation timed apart),
resume from a checkpoint if there is one, then per epoch train, validate, report, save.
A non-finite or exploding loss stops it with ``TrainingDiverged``; Ctrl-C or kill -9
loses at most the epoch under way.
"""

import dataclasses
import math
import sys
import time

import numpy as np

from alexlab import checkpoint, checks, classifier, inputs, recipes, runtime

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = ["Run", "TrainingDiverged", "fit"]


class TrainingDiverged(RuntimeError):
    """The loss became NaN, infinite or exploded: training stopped."""


@dataclasses.dataclass
class Run:
    """What fit did: the model, per-epoch history, seconds, and where it resumed from."""

    model: object
    recipe: recipes.Recipe
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


def fit(model, data, epochs, checkpoint=None, restart=False, verbose=1, report=None, until=None):
    """Train `model` (from build) on data.x_train for `epochs` epochs; return a Run.

    The recipe and seed are the model's own (build's). Each epoch sees a fresh permutation
    of the training images (the last incomplete batch left out, so no second compilation).
    checkpoint: a file path ending .npz (or a ``Checkpoint``); weights, optimizer and
    history are saved after
    every epoch, and a later call with the same arguments resumes there. A checkpoint of a
    different run (network, recipe, data, seed or epochs) is refused, naming what differs;
    restart=True discards it. verbose: 0 silent, 1 a bar and a line per epoch, 2 a line
    per epoch. report: for reporting only, never for choosing: a function model ->
    {name: number} called after each epoch (e.g. test accuracy for a curve); its numbers
    join the history and its time is kept out of the training time. until: a function
    history -> bool called after each epoch; True ends training there.
    """
    training = _Training(model, data, epochs, verbose, report, until)
    store = checkpoint
    if checkpoint is not None and not isinstance(checkpoint, _checkpoint.Checkpoint):
        store = _checkpoint.Checkpoint(checkpoint, restart)
    saved = training.check(store)  # a checkpoint of another run is refused before any work
    training.warm_up()
    training.resume(saved, store)
    try:
        for epoch in range(training.state["epoch"], epochs):
            if training.done():
                break
            training.train_epoch(epoch)
            training.validate()
            training.report()
            training.save(store)
            training.log()
    except KeyboardInterrupt:
        training.interrupted(store)
        raise
    return training.run()


_checkpoint = checkpoint  # fit's `checkpoint` parameter shadows the module inside it


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


class _Training:
    """One fit call: the images, the compiled model, the run's state, and its steps."""

    def __init__(self, model, data, epochs, verbose, report, until):
        built = classifier.build_of(model)
        if built is None:
            raise checks.InvalidArgument(
                f"{getattr(model, 'name', model)!r} was not made by alexlab.train.build, which "
                "gives a model the recipe and seed fit trains it with: build it there (any "
                "network: build(function, data, recipe))"
            )
        self.recipe, self.seed = built.recipe, built.seed
        self.epochs = checks.whole("epochs", epochs, 1, example=10)
        checks.choice("verbose", verbose, (0, 1, 2))
        checks.dataset(data, test=False)
        for name, function, takes in (
            ("report", report, "model -> {name: number}"),
            ("until", until, "history -> bool"),
        ):
            if function is not None and not callable(function):
                raise checks.InvalidArgument(
                    f"{name}={function!r}: give a function {takes}, or None"
                )
        self.model, self.verbose, self.reporter, self.until = model, verbose, report, until
        r = self.recipe
        self.x, self.y, self.validation = inputs.hold_out(data, r.validation, self.seed)
        per_call = r.batch_size * r.steps_per_execution
        if len(self.x) < per_call:
            raise checks.InvalidArgument(
                f"{len(self.x)} training images are fewer than one call's batch_size x "
                f"steps_per_execution = {per_call}: use a smaller batch_size"
            )
        self.steps = (len(self.x) // per_call) * r.steps_per_execution
        self.eval_batch = max(r.batch_size, 256)
        num_classes = len(data.class_names)
        model.compile(
            optimizer=recipes.optimizer(r, self.steps, self.epochs),
            loss=recipes.SmoothedCrossentropy(num_classes, r.label_smoothing),
            metrics=["accuracy"],
            jit_compile=r.jit_compile,
            steps_per_execution=r.steps_per_execution,
        )
        model.optimizer.build(model.trainable_variables)
        self.identity = checkpoint.identity(
            model, r, self.epochs, self.seed, self.x, self.y, data.class_names, data.source
        )
        self.limit = 10 * math.log(num_classes) + 10  # far above any loss a learning net has
        # A bar redrawn with '\r' suits a terminal or a notebook, not a log file.
        self.live = sys.stdout.isatty() or "ipykernel" in sys.modules
        names = ("loss", "accuracy", "learning_rate", "seconds")
        names += ("val_loss", "val_accuracy") if self.validation is not None else ()
        self.state = {
            "identity": self.identity,
            "epoch": 0,
            "history": {n: [] for n in names},
            "train_seconds": 0.0,
            "validation_seconds": 0.0,
            "checkpoint_seconds": 0.0,
            "report_seconds": 0.0,
            "plateau": {"best": None, "wait": 0},
        }
        self.resumed_from, self.line = 0, ""

    def check(self, store):
        """The checkpoint's state if it belongs to this run (None if there is none)."""
        return None if store is None else store.matching(self.identity)

    def warm_up(self):
        """Compile on one call's batches through the epochs' own feed; undo its update."""
        start = time.perf_counter()
        initial = checkpoint.snapshot(self.model)
        per_call = self.recipe.batch_size * self.recipe.steps_per_execution
        warm = inputs.feed(self.x, self.y, np.arange(per_call), self.recipe.batch_size)
        self.model.fit(warm, epochs=1, shuffle=False, verbose=0)
        if self.validation is not None:
            head = (v[: self.eval_batch] for v in self.validation)
            self.model.evaluate(*head, batch_size=self.eval_batch, verbose=0)
        checkpoint.restore(self.model, initial)  # the warm-up step only compiled
        self.compile_seconds = time.perf_counter() - start

    def resume(self, saved, store):
        """Carry on from a checkpoint's weights, optimizer and state, if there is one."""
        self.plateau = recipes.Plateau(self.recipe.patience)
        if saved is None:
            return
        state, arrays = saved
        checkpoint.restore(self.model, arrays)
        self.state = {"report_seconds": 0.0, **state}  # checkpoints from before `report`
        self.plateau = recipes.Plateau(self.recipe.patience, self.state["plateau"])
        self.resumed_from = self.state["epoch"]
        if self.verbose and self.resumed_from:
            print(
                f"resuming from {store.path.name}: {self.resumed_from} of {self.epochs} "
                "epochs already done"
            )

    def done(self):
        """Whether `until` says to stop (checked before each epoch, so a resumed run that
        had already stopped stays put)."""
        history = self.state["history"]
        return self.until is not None and bool(history["loss"]) and self.until(history)

    def train_epoch(self, epoch):
        """One epoch over the training images in this epoch's seeded order."""
        r, history = self.recipe, self.state["history"]
        order = inputs.epoch_order(self.seed, epoch, len(self.x), self.steps * r.batch_size)
        show = self.verbose == 1 and self.live
        watch = _Watch(f"epoch {epoch + 1}/{self.epochs}", self.steps, self.limit, show)
        start = time.perf_counter()
        batches = inputs.feed(self.x, self.y, order, r.batch_size)
        # shuffle=False: the order is ours (seeded by epoch), so a resumed run repeats it
        logs = self.model.fit(batches, epochs=1, shuffle=False, verbose=0, callbacks=[watch])
        seconds = time.perf_counter() - start
        loss = logs.history["loss"][-1]
        rate = recipes.current_rate(self.model.optimizer)
        if watch.bad is not None or not math.isfinite(loss) or loss > self.limit:
            batch, bad = watch.bad or (self.steps, loss)
            raise TrainingDiverged(
                f"the training loss reached {bad} at epoch {epoch + 1}, batch {batch} "
                f"(learning rate {rate:.3g}); training stopped. Lower the learning rate "
                "(e.g. recipe.replace(learning_rate=...)) or lengthen the warm-up; check "
                "the inputs for NaN"
            )
        history["loss"].append(float(loss))
        history["accuracy"].append(float(logs.history["accuracy"][-1]))
        history["learning_rate"].append(rate)
        history["seconds"].append(seconds)
        self.state["train_seconds"] += seconds
        self.finished, self.seconds = epoch + 1, seconds
        self.line = (
            f"epoch {epoch + 1}/{self.epochs}  loss {loss:.3f}  accuracy "
            f"{history['accuracy'][-1]:.1%}"
        )

    def validate(self):
        """Loss and accuracy on the held-out images; §5's plateau rule reads the error."""
        if self.validation is None:
            return
        start = time.perf_counter()
        loss, accuracy = self.model.evaluate(
            *self.validation, batch_size=self.eval_batch, verbose=0
        )
        self.state["validation_seconds"] += time.perf_counter() - start
        self.state["history"]["val_loss"].append(float(loss))
        self.state["history"]["val_accuracy"].append(float(accuracy))
        self.line += f"  validation {accuracy:.1%}"
        if self.recipe.schedule == "plateau":
            self.plateau.after_epoch(self.model.optimizer, 1 - accuracy)
            self.state["plateau"] = self.plateau.state

    def report(self):
        """The `report` function's numbers, kept out of the training time."""
        if self.reporter is None:
            return
        start = time.perf_counter()
        for name, value in self.reporter(self.model).items():
            self.state["history"].setdefault(name, []).append(float(value))
        self.state["report_seconds"] += time.perf_counter() - start

    def save(self, store):
        """Count the epoch as done and write the checkpoint, timed apart."""
        self.state["epoch"] = self.finished
        if store is None:
            return
        start = time.perf_counter()
        store.save(self.model, self.state)
        self.state["checkpoint_seconds"] += time.perf_counter() - start

    def log(self):
        """The epoch's line, over its progress bar where one was drawn."""
        if self.verbose:
            rate = self.state["history"]["learning_rate"][-1]
            line = f"{self.line}  lr {rate:.3g}  {self.seconds:.1f} s"
            back = "\r" if self.verbose == 1 and self.live else ""
            sys.stdout.write(back + line + " " * 8 + "\n")
            sys.stdout.flush()

    def interrupted(self, store):
        """Say how far the run got and how to resume it."""
        done = self.state["epoch"]
        where = f"; run the same call again to resume from {store.path}" if store else ""
        print(f"\ninterrupted during epoch {done + 1}: {done} epochs complete{where}")

    def run(self):
        """What the call did, as a Run."""
        s = self.state
        return Run(
            self.model,
            self.recipe,
            s["history"],
            s["epoch"],
            self.compile_seconds,
            s["train_seconds"],
            s["validation_seconds"],
            s["checkpoint_seconds"],
            s["report_seconds"],
            self.resumed_from,
            self.seed,
        )
