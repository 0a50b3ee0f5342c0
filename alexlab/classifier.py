"""A trainable classifier (§4.1, §5): a network behind augmentation and standardisation.

``build`` puts a network from ``MODELS`` (or any builder) behind the §4.1 augmentation
(random patch and mirror, in the graph, on the accelerator) and a per-channel
standardisation, so it takes the loaders' uint8 images as they are. The model carries
the recipe and seed it was built with (``Build``): ``fit`` trains it with them, so the
recipe is given once.
"""

import dataclasses

import numpy as np

from alexlab import augment, checks, models, profiles, recipes, runtime

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = ["MODELS", "Build", "Spec", "build", "build_of", "default_model", "network_of"]


@dataclasses.dataclass(frozen=True)
class Spec:
    """A named network: its builder, its input side, and a line about it."""

    make: object  # (num_classes, **changes) -> keras.Model on float images
    input_size: object  # the network's input side; None: the image size itself
    about: str


_TINY = {"filters": (8, 16, 16, 16, 16), "units": 32}
_SMALL = {"filters": (32, 64, 128, 128, 64), "units": 256}
# The cpu profile's member: faster than _SMALL with no difference in validation accuracy
# measurable at this size (benchmarks/results/choice_network_cpu.json)
_CPU = {"filters": (32, 64, 96, 96, 64), "kernels": (5, 3, 3, 3, 3), "units": 256}

MODELS = {
    "alexnet": Spec(
        lambda n, **kw: models.alexnet(n, **kw),
        227,
        "the paper's network at 227x227 (two towers), images upsampled as the Keras CIFAR-10 "
        "tutorial does",
    ),
    "alexnet_cifar": Spec(
        lambda n, **kw: models.alexnet_cifar(n, **kw),
        None,
        "the eight layers sized for 32x32: 64-192-384-256-256 kernels, fc 1024",
    ),
    "alexnet_cifar_small": Spec(
        lambda n, **kw: models.alexnet_cifar(n, **{"lrn": False, **_SMALL, **kw}),
        None,
        "a narrow 32x32 member for a 2-core CPU: 32-64-128-128-64 kernels, fc 256, and no "
        "LRN, which halved its training speed there (the cpu profile's until "
        "alexnet_cifar_cpu)",
    ),
    "alexnet_cifar_cpu": Spec(
        lambda n, **kw: models.alexnet_cifar(n, **{"lrn": False, **_CPU, **kw}),
        None,
        "the cpu profile's member: alexnet_cifar_small with a 3x3 conv2 and 96-96-64 kernels "
        "in conv3-conv5 (benchmarks/results/choice_network_cpu.json)",
    ),
    "cuda_convnet_19pct": Spec(
        lambda n, **kw: models.cuda_convnet_19pct(n, **kw),
        None,
        "Figure 1's kind of network (§3.1): cuda-convnet's layers-19pct.cfg, three 5x5 "
        "convolutions (32-32-64) and fc 10",
    ),
    "alexnet_cifar_tiny": Spec(
        lambda n, **kw: models.alexnet_cifar(n, **{"dropout": 0.0, **_TINY, **kw}),
        None,
        "a toy for tests: 8-16-16-16-16 kernels, fc 32, no dropout",
    ),
}


def default_model():
    """The profile's model name: tiny (smoke), the cpu member (cpu), the 32x32 AlexNet (gpu)."""
    return profiles.by_profile("alexnet_cifar_tiny", "alexnet_cifar_cpu", "alexnet_cifar")


def build(network, data, recipe, seed=0, network_options=None):
    """A trainable classifier: uint8 images -> augmentation -> standardise -> network -> softmax.

    network: a name from MODELS or a function (num_classes, **changes) -> Keras model,
    where changes holds the recipe's dropout when it sets one. data: the
    Dataset (its training images set the standardisation and the image size).
    The network is built under the recipe's precision; seed fixes initial weights,
    the augmentation's random stream and (in fit) the order of the training images.
    network_options go to the network's builder, e.g. {"groups": 1, "lrn": False}
    for the ablations.
    """
    recipe = recipes.recipe(recipe)
    checks.dataset(data, test=False)
    seed = checks.whole("seed", seed, 0, example=0)
    if isinstance(network, str):
        if network not in MODELS:
            raise checks.InvalidArgument(f"model {network!r}: use one of {', '.join(MODELS)}")
        spec = MODELS[network]
    elif callable(network):
        spec = Spec(network, None, getattr(network, "__name__", "custom"))
    else:
        raise checks.InvalidArgument(
            f"network={network!r}: give a name from MODELS or a function "
            "(num_classes, **changes) -> Keras model"
        )
    image_shape = tuple(data.x_train.shape[1:])
    num_classes = len(data.class_names)
    keras.utils.set_random_seed(seed)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(recipes.resolve_precision(recipe.precision))
    try:
        changes = {} if recipe.dropout is None else {"dropout": recipe.dropout}
        if recipe.init is not None:
            changes["init"] = recipe.init
        net = spec.make(num_classes, **changes, **(network_options or {}))
    finally:
        keras.config.set_dtype_policy(previous)
    mean, std = _channel_stats(data.x_train)
    inputs = keras.Input(image_shape, dtype="uint8", name="image")
    x = augment.augmentation(image_shape[:2], padding=recipe.padding, flip=recipe.flip, seed=seed)(
        inputs
    )
    if spec.input_size and spec.input_size != image_shape[0]:
        size = spec.input_size
        x = keras.layers.Resizing(size, size, "bilinear", dtype="float32", name="upsample")(x)
    # §2's "(centered) raw RGB values" keep the 0-255 spread (~60): variance 1 subtracts only
    variance = [1.0, 1.0, 1.0] if recipe.inputs == "mean_subtract" else (std**2).tolist()
    x = keras.layers.Normalization(
        mean=mean.tolist(), variance=variance, dtype="float32", name="standardise"
    )(x)
    outputs = net(x)
    model = keras.Model(inputs, outputs, name=f"{net.name}_classifier")
    model.alexlab_build = Build(recipe, seed)  # what fit trains with
    return model


@dataclasses.dataclass(frozen=True)
class Build:
    """What ``build`` made a model with: the recipe fit trains it by, and the seed."""

    recipe: recipes.Recipe
    seed: int


def build_of(model):
    """The ``Build`` of a model from ``build``, or None for any other model."""
    return getattr(model, "alexlab_build", None)


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
