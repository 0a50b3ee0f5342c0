"""The recipes (§5): the paper's, and a fast modern one, with the optimizer pieces they need.

``recipe("paper")`` is §5 as written: SGD with momentum 0.9 and weight decay
0.0005 inside the momentum, batch 128, learning rate 0.01 divided by 10 when the
validation error stops improving (``Plateau``). ``recipe("fast")`` is what we use
instead; ``Recipe.notes`` says what each choice is and where it was measured (the
measured figures themselves are read from benchmarks/results by notebook 08, not here).
"""

import dataclasses

from alexlab import checks, profiles, runtime

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = [
    "RECIPES",
    "OneCycle",
    "PaperSGD",
    "Plateau",
    "Recipe",
    "SmoothedCrossentropy",
    "current_rate",
    "default_epochs",
    "optimizer",
    "recipe",
    "resolve_precision",
]


# ---------------------------------------------------------------------------------------
# Recipes


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How to train: optimizer, schedule, batch, regularisation, precision, augmentation."""

    name: str
    optimizer: str  # "paper_sgd" (decay inside the momentum, §5) or "nesterov"
    learning_rate: float  # the starting rate ("plateau") or the peak ("one_cycle")
    batch_size: int
    momentum: float = 0.9
    weight_decay: float = 0.0005
    # "plateau" (§5), "one_cycle" (linear warm-up, linear decay) or "constant" (Figure 1's
    # runs: one rate throughout)
    schedule: str = "plateau"
    warmup_fraction: float = 0.0  # one_cycle: share of all steps spent warming up
    patience: int = 2  # plateau: epochs without a better validation error before /10
    validation: float = 0.0  # share of the training set held out to steer "plateau"
    label_smoothing: float = 0.0
    precision: str = "float32"  # or "mixed_bfloat16"; "auto": bfloat16 on an accelerator
    jit_compile: object = "auto"  # Keras' choice: XLA on GPU, off on TensorFlow's CPU
    steps_per_execution: int = 1
    padding: int = 4  # random patches: pad by this many pixels, cut the original size
    flip: bool = True
    dropout: object = None  # None: the network's own (0.5 in fc6 and fc7, §4.2)
    init: object = None  # None: the network's own; "paper": std 0.01, biases 1 (§5)
    # "standardise": each channel to mean 0, spread 1; "mean_subtract": §2's centred raw
    # 0-255 values (the per-channel training mean subtracted; the paper subtracts the mean
    # image, which differs little)
    inputs: str = "standardise"
    notes: tuple = ()

    def __post_init__(self):
        # Every field checked when the recipe is made, so a bad value (a zero batch, a
        # negative rate, an unknown schedule) stops before data is loaded or a step runs.
        c = checks
        c.choice("optimizer", self.optimizer, ("paper_sgd", "nesterov"))
        c.number("learning_rate", self.learning_rate, 0, None, low_open=True, example=0.01)
        c.whole("batch_size", self.batch_size, 1, example=128)
        c.number("momentum", self.momentum, 0, 1, high_open=True, example=0.9)
        c.number("weight_decay", self.weight_decay, 0, 1, example=0.0005)
        c.choice("schedule", self.schedule, ("plateau", "one_cycle", "constant"))
        c.number("warmup_fraction", self.warmup_fraction, 0, 1, high_open=True, example=0.15)
        c.whole("patience", self.patience, 1, example=2)
        c.number("validation", self.validation, 0, 1, high_open=True, example=0.1)
        c.number("label_smoothing", self.label_smoothing, 0, 1, high_open=True, example=0.1)
        c.choice("precision", self.precision, ("float32", "mixed_bfloat16", "auto"))
        c.choice("jit_compile", self.jit_compile, (True, False, "auto"))
        c.whole("steps_per_execution", self.steps_per_execution, 1, example=1)
        c.whole("padding", self.padding, 0, example=4)
        c.choice("flip", self.flip, (True, False))
        if self.dropout is not None:
            c.number("dropout", self.dropout, 0, 1, high_open=True, example=0.5)
        c.choice("init", self.init, (None, "paper", "he"))
        c.choice("inputs", self.inputs, ("standardise", "mean_subtract"))
        if self.schedule == "plateau" and not self.validation:
            raise c.InvalidArgument(
                "schedule='plateau' with validation=0: the rate is divided when the "
                "validation error stops improving, so with no validation images it never "
                "would; hold some out (validation=0.1) or use schedule='one_cycle'"
            )

    def replace(self, **changes):
        """A copy with some fields changed, e.g. ``recipe("paper").replace(batch_size=256)``."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            fields = ", ".join(f.name for f in dataclasses.fields(self))
            raise TypeError(f"Recipe has no field {', '.join(unknown)}: the fields are {fields}")
        return dataclasses.replace(self, **changes)

    def describe(self):
        """The recipe as a dict without its notes (for JSON results)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "notes"}


def _paper():
    return Recipe(
        name="paper",
        optimizer="paper_sgd",
        learning_rate=0.01,
        batch_size=128,
        schedule="plateau",
        patience=2,
        validation=0.1,
        padding=4,
        init="paper",
        inputs="mean_subtract",
        notes=(
            "SGD, batch 128, momentum 0.9, weight decay 0.0005 added to the gradient "
            "inside the momentum, as §5's update rule has it",
            "weights drawn from N(0, 0.01^2) (standard deviation 0.01), biases 1 in conv2, "
            "conv4, conv5, fc6 and fc7 and 0 elsewhere",
            "inputs as §2 has them: raw 0-255 RGB values less the training mean (per channel "
            "here, per pixel in the paper), not scaled to spread 1",
            "learning rate 0.01, divided by 10 when the validation error has not improved "
            "for `patience` epochs; the validation images are held out of the training set, "
            "the test set never steers",
        ),
    )


def _fast():
    return Recipe(
        name="fast",
        optimizer="nesterov",
        learning_rate=profiles.by_profile(0.02, 0.05, 0.04),
        batch_size=128,
        weight_decay=0.0005,
        schedule="one_cycle",
        warmup_fraction=0.15,
        label_smoothing=0.1,
        precision="auto",
        jit_compile="auto",
        steps_per_execution=profiles.by_profile(1, 1, 8),
        padding=profiles.by_profile(0, 0, 4),
        dropout=0.0,
        init="he",
        notes=_FAST_NOTES,
    )


_FAST_NOTES = (
    "a fixed schedule: linear warm-up for the first 15% of steps, then linear decay to "
    "zero; no validation split needed, all 50,000 images train. Without the warm-up the "
    "peak rate made the loss diverge within the first batches (seen on a CPU, seed 0)",
    "peak rate 0.05 on a CPU, 0.04 on a GPU; Nesterov momentum 0.9 with the same coupled "
    "weight decay as the paper; He-normal initialisation and zero biases; label smoothing "
    "0.1; batch 128",
    "bfloat16 mixed precision and XLA compilation on an accelerator only; mirror images only "
    "for a few epochs on a CPU, random patches of the image padded by 4 pixels on a GPU; no "
    "dropout (recipe('fast', dropout=0.5) for long runs)",
    "each choice was measured against its alternatives, on a validation split held out of "
    "the training set: benchmarks/results/choice_recipe_cpu.json, step_cpu.json, "
    "paper_recipe_cpu.json and cifar10_gpu_fast_calibration.json; notebook 08 reads them out",
)


RECIPES = {"paper": _paper, "fast": _fast}


def recipe(name, **changes):
    """The named recipe ("paper" or "fast") for the active profile, with optional changes."""
    if isinstance(name, Recipe):
        return name.replace(**changes) if changes else name
    if name not in RECIPES:
        raise ValueError(f"recipe {name!r}: use one of {', '.join(RECIPES)}")
    made = RECIPES[name]()
    return made.replace(**changes) if changes else made


def default_epochs(recipe_name):
    """The profile's number of epochs for a recipe: seconds in smoke, minutes on cpu and gpu."""
    epochs = {"fast": profiles.by_profile(2, 3, 6), "paper": profiles.by_profile(2, 3, 90)}
    if recipe_name not in epochs:
        raise ValueError(f"recipe {recipe_name!r}: use one of {', '.join(epochs)}")
    return epochs[recipe_name]


def resolve_precision(name):
    """The Keras dtype policy for a recipe's precision: "auto" is bfloat16 on an accelerator."""
    if name == "auto":
        return "mixed_bfloat16" if runtime.accelerators() else "float32"
    if name not in ("float32", "mixed_bfloat16"):
        raise ValueError(f"precision={name!r}: use 'float32', 'mixed_bfloat16' or 'auto'")
    return name


# ---------------------------------------------------------------------------------------
# Optimisation


class PaperSGD(keras.optimizers.SGD):
    """§5's update: v <- 0.9 v - 0.0005 lr w - lr grad; w <- w + v (decay inside the momentum).

    Keras' own ``weight_decay`` subtracts lr * decay * w outside the momentum, which
    decays 1 / (1 - momentum) = 10 times less at steady state than the paper's rule.
    """

    def __init__(self, learning_rate=0.01, momentum=0.9, decay=0.0005, nesterov=False, **kw):
        super().__init__(learning_rate=learning_rate, momentum=momentum, nesterov=nesterov, **kw)
        self.decay = decay

    def update_step(self, gradient, variable, learning_rate):
        gradient = keras.ops.add(
            gradient, keras.ops.multiply(keras.ops.cast(self.decay, variable.dtype), variable)
        )
        return super().update_step(gradient, variable, learning_rate)

    def get_config(self):
        return {**super().get_config(), "decay": self.decay}


class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """Linear warm-up from 0 to `peak` over `warmup` steps, then linear decay to 0 at `total`."""

    def __init__(self, peak, warmup, total):
        self.peak, self.warmup, self.total = float(peak), int(warmup), int(total)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        up = (step + 1.0) / max(self.warmup, 1)
        down = (self.total - step) / max(self.total - self.warmup, 1)
        return self.peak * keras.ops.clip(keras.ops.minimum(up, down), 0.0, 1.0)

    def get_config(self):
        return {"peak": self.peak, "warmup": self.warmup, "total": self.total}


class SmoothedCrossentropy(keras.losses.Loss):
    """Cross-entropy against integer labels, optionally smoothed toward the uniform guess."""

    def __init__(self, num_classes, label_smoothing=0.0, name="crossentropy"):
        super().__init__(name=name)
        self.num_classes, self.label_smoothing = num_classes, label_smoothing

    def call(self, y_true, y_pred):
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        target = keras.ops.one_hot(labels, self.num_classes)
        return keras.losses.categorical_crossentropy(
            target, y_pred, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {"num_classes": self.num_classes, "label_smoothing": self.label_smoothing}


def optimizer(recipe_, steps_per_epoch, epochs):
    """The recipe's optimizer and learning-rate schedule for a run of this length."""
    if recipe_.schedule == "one_cycle":
        total = steps_per_epoch * epochs
        rate = OneCycle(recipe_.learning_rate, round(recipe_.warmup_fraction * total), total)
    elif recipe_.schedule in ("plateau", "constant"):
        rate = recipe_.learning_rate  # a variable: on "plateau", Plateau divides it by 10
    else:
        raise ValueError(f"schedule={recipe_.schedule!r}: use 'plateau', 'one_cycle' or 'constant'")
    if recipe_.optimizer not in ("paper_sgd", "nesterov"):
        raise ValueError(f"optimizer={recipe_.optimizer!r}: use 'paper_sgd' or 'nesterov'")
    return PaperSGD(
        rate,
        momentum=recipe_.momentum,
        decay=recipe_.weight_decay,
        nesterov=recipe_.optimizer == "nesterov",
    )


class Plateau:
    """§5's schedule: divide the learning rate by 10 once the validation error has not
    improved (by more than 1e-4) for `patience` epochs in a row.

    Epoch by epoch rather than step by step, so not a Keras schedule: ``fit`` calls
    ``after_epoch`` with each validation error. ``state`` is what a checkpoint keeps.
    """

    def __init__(self, patience, state=None):
        self.patience = patience
        self.state = dict(state or {"best": None, "wait": 0})

    def after_epoch(self, optimizer, error):
        """Count an epoch without improvement, dividing the optimizer's rate at `patience`."""
        best = self.state["best"]
        if best is None or error < best - 1e-4:
            self.state.update(best=float(error), wait=0)
            return
        self.state["wait"] += 1
        if self.state["wait"] >= self.patience:
            optimizer.learning_rate.assign(current_rate(optimizer) / 10)
            self.state["wait"] = 0


def current_rate(optimizer):
    """The optimizer's learning rate at its current step, as a float."""
    rate = optimizer.learning_rate
    if callable(rate):
        rate = rate(optimizer.iterations)
    return float(keras.ops.convert_to_numpy(rate))
