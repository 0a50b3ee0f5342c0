"""AlexNet as the paper builds it (§3.5, Figure 2; initialisation §5), and a CIFAR-sized sibling.

Each ingredient the paper credits can be switched for the ablation notebooks:
the activation (§3.1), the two-GPU grouping (§3.2), local response
normalization (§3.3), overlapping pooling (§3.4) and dropout (§4.2).
Public implementations, rebuilt as their sources have them, are in
``alexlab.variants.VARIANTS``.
"""

import contextlib
from dataclasses import dataclass

from alexlab import layers, runtime

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = ["POOLING", "alexnet", "alexnet_cifar", "cuda_convnet_19pct", "shapes_only"]

# §3.4: windows of z=3 moved by s=2 overlap; z=2, s=2 is the traditional tiling.
POOLING = {"overlapping": (3, 2), "non-overlapping": (2, 2)}


@contextlib.contextmanager
def shapes_only():
    """Build models whose weights have shapes but no values: counting them costs no memory.

    Inside ``with al.models.shapes_only():`` a model's layers, output shapes and
    ``count_params()`` are all there, but no weight is drawn or stored: the paper's
    network would otherwise take ~0.6 GB to build (61 million float32 weights plus the
    initialiser's temporaries), which matters on Binder's 2 GB. Keras draws the weights
    the first time such a model runs, so it can still be used, at the full cost then.
    """
    # Keras creates variables lazily inside a stateless scope; initialize_variables=False
    # keeps them uninitialised when the scope closes instead of drawing every weight then.
    with keras.StatelessScope(initialize_variables=False):
        yield


@dataclass(frozen=True)
class _Conv:
    name: str
    filters: int
    kernel: int
    stride: int = 1
    padding: str = "same"
    grouped: bool = False  # §3.2: kernels see only the maps on their own GPU
    lrn: bool = False  # §3.3: after conv1 and conv2
    pool: bool = False  # §3.4: after lrn1, lrn2 and conv5
    bias: float = 0.0  # §5: 1 in conv2, conv4, conv5 and the hidden fc layers


# §3.5: 96-256-384-384-256 kernels; 11x11/4, then 5x5, then 3x3.
_PAPER = (
    _Conv("conv1", 96, 11, 4, "valid", lrn=True, pool=True),
    _Conv("conv2", 256, 5, grouped=True, lrn=True, pool=True, bias=1.0),
    _Conv("conv3", 384, 3),
    _Conv("conv4", 384, 3, grouped=True, bias=1.0),
    _Conv("conv5", 256, 3, grouped=True, pool=True, bias=1.0),
)


def alexnet(
    num_classes=1000,
    input_shape=(227, 227, 3),
    groups=2,
    activation="relu",
    lrn=True,
    pooling="overlapping",
    dropout=0.5,
    init="paper",
    name="alexnet",
):
    """The paper's network: five convolutional and three fully connected layers.

    groups=2 splits conv2, conv4 and conv5 into two towers as on the paper's two
    GPUs; groups=1 is one tower. init="paper" draws weights from N(0, 0.01^2), std 0.01, with
    biases 1 in conv2, conv4, conv5, fc6 and fc7 and 0 elsewhere (§5); "he" uses
    He-normal weights and zero biases. The output is a softmax over num_classes.
    """
    return _build(
        _PAPER,
        (4096, 4096),
        num_classes,
        input_shape,
        groups,
        activation,
        lrn,
        pooling,
        "valid",
        dropout,
        init,
        name,
    )


def alexnet_cifar(
    num_classes=10,
    input_shape=(32, 32, 3),
    filters=(64, 192, 384, 256, 256),
    units=1024,
    kernels=(5, 5, 3, 3, 3),
    groups=1,
    activation="relu",
    lrn=True,
    pooling="overlapping",
    dropout=0.5,
    init="he",
    name="alexnet_cifar",
):
    """The same eight layers and ingredients, sized for 32x32 images.

    conv1 is 5x5 with stride 1 (a 32-pixel image has no room for 11x11/4), the
    pools pad so 32 -> 16 -> 8 -> 4, and fc6/fc7 have `units` neurons.
    """
    for what, value in (("filters", filters), ("kernels", kernels)):
        if len(value) != 5:
            raise ValueError(f"{what}={value!r}: give five numbers, one per conv layer")
    convs = tuple(
        _Conv(p.name, f, k, 1, "same", p.grouped, p.lrn, p.pool, p.bias)
        for p, f, k in zip(_PAPER, filters, kernels, strict=True)
    )
    return _build(
        convs,
        (units, units),
        num_classes,
        input_shape,
        groups,
        activation,
        lrn,
        pooling,
        "same",
        dropout,
        init,
        name,
    )


def cuda_convnet_19pct(
    num_classes=10, input_shape=(32, 32, 3), activation="relu", init="source", name=None
):
    """Figure 1's kind of network: cuda-convnet's layers-19pct.cfg, four weight layers.

    The paper does not name Figure 1's "four-layer convolutional neural network"; the
    closest published match is the example Krizhevsky shipped with cuda-convnet
    (example-layers/layers-19pct.cfg, "19% error on CIFAR-10 in 20 minutes"): conv 5x5
    32, max pool 3/2, conv 5x5 32, average pool 3/2, conv 5x5 64, average pool 3/2,
    fc 10. The source applies conv1's ReLU after its max pool; for a rising activation
    that is the same function. init="source" draws weights from N(0, 0.0001^2) in conv1
    and N(0, 0.01^2) elsewhere (layers-19pct.cfg's initW), biases 0; "glorot" and "he"
    are Keras' initialisers of those names.
    """
    if init not in ("source", "glorot", "he"):
        raise ValueError(f"init={init!r}: use 'source' (layers-19pct.cfg), 'glorot' or 'he'")

    def weights(std):
        if init == "source":
            return {"kernel_initializer": keras.initializers.RandomNormal(0.0, std)}
        return {"kernel_initializer": f"{init}_normal" if init == "he" else "glorot_uniform"}

    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for i, (filters, std) in enumerate(((32, 0.0001), (32, 0.01), (64, 0.01)), start=1):
        # (N, 32, 32, 32) -> pool (N, 16, 16, 32) -> ... -> (N, 4, 4, 64)
        x = keras.layers.Conv2D(
            filters, 5, padding="same", activation=activation, name=f"conv{i}", **weights(std)
        )(x)
        pool = keras.layers.MaxPooling2D if i == 1 else keras.layers.AveragePooling2D
        x = pool(3, 2, "same", name=f"pool{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(num_classes, name="fc10", **weights(0.01))(x)
    outputs = keras.layers.Activation("softmax", dtype="float32", name="softmax")(x)
    return keras.Model(inputs, outputs, name=name or f"cuda_convnet_19pct_{activation}")


def _build(
    convs,
    units,
    num_classes,
    input_shape,
    groups,
    activation,
    lrn,
    pooling,
    pool_padding,
    dropout,
    init,
    name,
):
    if pooling not in POOLING:
        raise ValueError(f"pooling={pooling!r}: use one of {', '.join(POOLING)}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r}: a rate in [0, 1); 0 leaves dropout out")
    if init not in ("paper", "he"):
        raise ValueError(f"init={init!r}: use 'paper' (N(0, 0.01^2), §5) or 'he'")
    for conv in convs:
        if conv.grouped and conv.filters % groups:
            raise ValueError(
                f"groups={groups}: {conv.name}'s {conv.filters} kernels do not split evenly; "
                "use 1 or 2"
            )
    pool_size, pool_stride = POOLING[pooling]

    def weights(bias):
        if init == "he":
            return {"kernel_initializer": "he_normal", "bias_initializer": "zeros"}
        return {
            "kernel_initializer": keras.initializers.RandomNormal(0.0, 0.01),
            "bias_initializer": keras.initializers.Constant(bias),
        }

    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for i, conv in enumerate(convs, start=1):
        x = keras.layers.Conv2D(
            conv.filters,
            conv.kernel,
            conv.stride,
            conv.padding,
            groups=groups if conv.grouped else 1,
            activation=activation,
            name=conv.name,
            **weights(conv.bias),
        )(x)
        if conv.lrn and lrn:
            x = layers.LocalResponseNormalization(name=f"lrn{i}")(x)
        if conv.pool:
            x = keras.layers.MaxPooling2D(pool_size, pool_stride, pool_padding, name=f"pool{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    for n, width in enumerate(units, start=6):
        x = keras.layers.Dense(width, activation=activation, name=f"fc{n}", **weights(1.0))(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"drop{n}")(x)
    x = keras.layers.Dense(num_classes, name="fc8", **weights(0.0))(x)
    # float32 softmax keeps probabilities exact under a bfloat16 mixed-precision policy
    outputs = keras.layers.Activation("softmax", dtype="float32", name="softmax")(x)
    return keras.Model(inputs, outputs, name=name)
