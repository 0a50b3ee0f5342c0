"""Training AlexNet (§5, §4.1): the networks behind their augmentation, and the public names.

``build`` puts a network behind the §4.1 augmentation (random patch and mirror, in
the graph, on the accelerator) and a per-channel standardisation, so it takes the
loaders' uint8 images as they are. The recipes live in ``alexlab.recipes``, ``fit``
in ``alexlab.fit``, ``evaluate`` in ``alexlab.evaluate``; all are reachable from
here as ``al.train.recipe``, ``al.train.fit``, ``al.train.evaluate``.
"""

import dataclasses
import json

import numpy as np

from alexlab import augment, checks, models
from alexlab.evaluate import Evaluation, evaluate
from alexlab.fit import Run, TrainingDiverged, _plateau, _rate, fit  # noqa: F401  (tests use these)
from alexlab.fit import split as _split  # noqa: F401  (compare.py and older callers)
from alexlab.profiles import by_profile
from alexlab.recipes import (
    RECIPES,
    OneCycle,
    PaperSGD,
    Recipe,
    SmoothedCrossentropy,
    recipe,
    resolve_precision,
)
from alexlab.recipes import optimizer as _optimizer  # noqa: F401  (benchmarks/throughput.py)
from alexlab.runtime import import_keras

keras = import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = [
    "MODELS",
    "RECIPES",
    "Evaluation",
    "OneCycle",
    "PaperSGD",
    "Recipe",
    "Run",
    "SmoothedCrossentropy",
    "TrainingDiverged",
    "build",
    "default_epochs",
    "default_model",
    "evaluate",
    "fit",
    "network_of",
    "recipe",
    "resolve_precision",
    "throughput",
]


# ---------------------------------------------------------------------------------------
# Models: a network behind augmentation and standardisation, taking uint8 images


@dataclasses.dataclass(frozen=True)
class _Spec:
    make: object  # (num_classes, **changes) -> keras.Model on float images
    input_size: object  # the network's input side; None: the image size itself
    about: str


_TINY = {"filters": (8, 16, 16, 16, 16), "units": 32}
_SMALL = {"filters": (32, 64, 128, 128, 64), "units": 256}
# The cpu profile's member: faster than _SMALL with no difference in validation accuracy
# measurable at this size (benchmarks/results/choice_network_cpu.json)
_CPU = {"filters": (32, 64, 96, 96, 64), "kernels": (5, 3, 3, 3, 3), "units": 256}

MODELS = {
    "alexnet": _Spec(
        lambda n, **kw: models.alexnet(n, **kw),
        227,
        "the paper's network at 227x227 (two towers), images upsampled as the Keras CIFAR-10 "
        "tutorial does",
    ),
    "alexnet_cifar": _Spec(
        lambda n, **kw: models.alexnet_cifar(n, **kw),
        None,
        "the eight layers sized for 32x32: 64-192-384-256-256 kernels, fc 1024",
    ),
    "alexnet_cifar_small": _Spec(
        lambda n, **kw: models.alexnet_cifar(n, **{"lrn": False, **_SMALL, **kw}),
        None,
        "a narrow 32x32 member for a 2-core CPU: 32-64-128-128-64 kernels, fc 256, and no "
        "LRN, which halved its training speed there (the cpu profile's until "
        "alexnet_cifar_cpu)",
    ),
    "alexnet_cifar_cpu": _Spec(
        lambda n, **kw: models.alexnet_cifar(n, **{"lrn": False, **_CPU, **kw}),
        None,
        "the cpu profile's member: alexnet_cifar_small with a 3x3 conv2 and 96-96-64 kernels "
        "in conv3-conv5 (benchmarks/results/choice_network_cpu.json)",
    ),
    "cuda_convnet_19pct": _Spec(
        lambda n, **kw: models.cuda_convnet_19pct(n, **kw),
        None,
        "Figure 1's kind of network (§3.1): cuda-convnet's layers-19pct.cfg, three 5x5 "
        "convolutions (32-32-64) and fc 10",
    ),
    "alexnet_cifar_tiny": _Spec(
        lambda n, **kw: models.alexnet_cifar(n, **{"dropout": 0.0, **_TINY, **kw}),
        None,
        "a toy for tests: 8-16-16-16-16 kernels, fc 32, no dropout",
    ),
}


# The recipe's fields that build puts into the model itself (augmentation, inputs, network).
BUILD_FIELDS = ("padding", "flip", "dropout", "init", "inputs", "precision")


def default_epochs(recipe_name):
    """The profile's number of epochs for a recipe: seconds in smoke, minutes on cpu and gpu."""
    epochs = {"fast": by_profile(2, 3, 6), "paper": by_profile(2, 3, 90)}
    if recipe_name not in epochs:
        raise ValueError(f"recipe {recipe_name!r}: use one of {', '.join(epochs)}")
    return epochs[recipe_name]


def default_model():
    """The profile's model name: tiny (smoke), the cpu member (cpu), the 32x32 AlexNet (gpu)."""
    return by_profile("alexnet_cifar_tiny", "alexnet_cifar_cpu", "alexnet_cifar")


def build(network, data, recipe_, seed=0, network_options=None):
    """A trainable classifier: uint8 images -> augmentation -> standardise -> network -> softmax.

    network: a name from MODELS or a function (num_classes, **changes) -> Keras model,
    where changes holds the recipe's dropout when it sets one. data: the
    Dataset (its training images set the standardisation and the image size).
    The network is built under the recipe's precision; seed fixes initial weights
    and the augmentation's random stream. network_options go to the network's
    builder, e.g. {"groups": 1, "lrn": False} for the ablations.
    """
    recipe_ = recipe(recipe_)
    checks.dataset(data, test=False)
    seed = checks.whole("seed", seed, 0, example=0)
    if isinstance(network, str):
        if network not in MODELS:
            raise checks.InvalidArgument(f"model {network!r}: use one of {', '.join(MODELS)}")
        spec = MODELS[network]
    elif callable(network):
        spec = _Spec(network, None, getattr(network, "__name__", "custom"))
    else:
        raise checks.InvalidArgument(
            f"network={network!r}: give a name from MODELS or a function "
            "(num_classes, **changes) -> Keras model"
        )
    image_shape = tuple(data.x_train.shape[1:])
    num_classes = len(data.class_names)
    keras.utils.set_random_seed(seed)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(resolve_precision(recipe_.precision))
    try:
        changes = {} if recipe_.dropout is None else {"dropout": recipe_.dropout}
        if recipe_.init is not None:
            changes["init"] = recipe_.init
        net = spec.make(num_classes, **changes, **(network_options or {}))
    finally:
        keras.config.set_dtype_policy(previous)
    mean, std = _channel_stats(data.x_train)
    inputs = keras.Input(image_shape, dtype="uint8", name="image")
    x = augment.augmentation(
        image_shape[:2], padding=recipe_.padding, flip=recipe_.flip, seed=seed
    )(inputs)
    if spec.input_size and spec.input_size != image_shape[0]:
        size = spec.input_size
        x = keras.layers.Resizing(size, size, "bilinear", dtype="float32", name="upsample")(x)
    # §2's "(centered) raw RGB values" keep the 0-255 spread (~60): variance 1 subtracts only
    variance = [1.0, 1.0, 1.0] if recipe_.inputs == "mean_subtract" else (std**2).tolist()
    x = keras.layers.Normalization(
        mean=mean.tolist(), variance=variance, dtype="float32", name="standardise"
    )(x)
    outputs = net(x)
    model = keras.Model(inputs, outputs, name=f"{net.name}_classifier")
    # What build took from the recipe, so fit can refuse a recipe that would differ.
    model.alexlab_built_with = json.dumps({f: getattr(recipe_, f) for f in BUILD_FIELDS})
    return model


def network_of(model):
    """(inputs, network): build's network and a model from uint8 images to its inputs.

    For a model from ``build``, the network behind the augmentation and standardisation,
    and the part before it (at inference: standardisation only); for any other model,
    (None, model).
    """
    inner = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if not inner or "standardise" not in [layer.name for layer in model.layers]:
        return None, model
    return keras.Model(model.inputs, model.get_layer("standardise").output), inner[-1]


def _channel_stats(images, sample=5000, chunk=500):
    """Per-channel mean and spread of the training pixels (a sample of images is plenty)."""
    # Summed a chunk at a time in float64: a float copy of the whole sample would take
    # ~0.25 GB at once, a fifth of what a kernel on Binder can spare.
    picked = images[:: max(1, len(images) // sample)]
    total, squares, count = np.zeros(3), np.zeros(3), 0
    for start in range(0, len(picked), chunk):
        pixels = picked[start : start + chunk].reshape(-1, 3).astype("float64")
        total += pixels.sum(axis=0)
        squares += (pixels**2).sum(axis=0)
        count += len(pixels)
    mean = total / count
    return mean, np.sqrt(np.maximum(squares / count - mean**2, 0.0)) + 1e-6


def throughput(
    network="alexnet",
    batch_size=256,
    precision="mixed_bfloat16",
    steps=50,
    repeats=5,
    image_size=32,
    steps_per_execution=1,
    num_classes=10,
    network_options=None,
    changes=None,
):
    """Training images per second of a network on random uint8 images; a dict of figures.

    Runs fit for 1 + repeats epochs of `steps` steps each (batch_size images per step) and
    reports the median rate of the repeats: compilation and the first epoch's warm caches
    are left out. The whole training step is timed, augmentation (and upsampling to the
    network's input, for "alexnet") included, as in a real run. changes: other fields of
    the fast recipe, e.g. {"jit_compile": True, "flip": False}.
    """
    from alexlab.data import Dataset

    for name, value in (("batch_size", batch_size), ("steps", steps), ("repeats", repeats),
                        ("image_size", image_size), ("steps_per_execution", steps_per_execution),
                        ("num_classes", num_classes)):  # fmt: skip
        checks.whole(name, value, 2 if name == "num_classes" else 1)
    spe = steps_per_execution
    n = batch_size * spe * max(1, steps // spe)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, image_size, image_size, 3), dtype=np.uint8)
    y = rng.integers(0, num_classes, n)
    data = Dataset(x, y, x[:1], y[:1], tuple(str(i) for i in range(num_classes)), "random")
    recipe_ = recipe(
        "fast",
        batch_size=batch_size,
        precision=precision,
        steps_per_execution=spe,
        learning_rate=1e-4,  # random labels: a small rate keeps the loss finite
        **(changes or {}),
    )
    model = build(network, data, recipe_, network_options=network_options)
    run = fit(model, data, recipe_, epochs=1 + repeats, verbose=0)
    rates = [n / s for s in run.history["seconds"][1:]]
    spec = MODELS.get(network)
    return {
        "model": network if isinstance(network, str) else "custom",
        "parameters": int(model.count_params()),
        "image_size": image_size,
        "network_input": (spec.input_size if spec and spec.input_size else image_size),
        "batch_size": batch_size,
        "precision": resolve_precision(precision),
        "steps_per_execution": spe,
        "network_options": dict(network_options or {}),
        "images_per_repeat": n,
        "images_per_second": float(np.median(rates)),
        "images_per_second_each": rates,
        "compile_seconds": run.compile_seconds,
    }
