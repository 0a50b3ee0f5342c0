"""AlexNets as learners meet them elsewhere, each rebuilt in Keras 3 as its source publishes it.

Seven public implementations of Krizhevsky, Sutskever & Hinton (NeurIPS 2012),
rebuilt layer for layer, mistakes and all, with one plain line per difference
from the paper:

- ``torchvision``: torchvision.models.alexnet (PyTorch), the single-tower network
  of Krizhevsky's 2014 "One weird trick" paper.
- ``d2l_tensorflow``: Dive into Deep Learning, chapter "Deep Convolutional Neural
  Networks (AlexNet)", TensorFlow tab, on Fashion-MNIST resized to 224.
- ``caffe_bvlc``: Caffe's models/bvlc_alexnet/deploy.prototxt, the two-tower replication.
- ``tflearn_oxford17``: tflearn's examples/images/alexnet.py on Oxford 17 Flowers.
- ``thesis_flowers``: AlexNet_v1 of the five-flower project in "毕业设计(基于TensorFlow的
  深度学习与研究)之核心篇CNN-AlexNet详解" (an undergraduate thesis write-up, Alibaba Cloud
  developer community).
- ``blog_keras``: the Keras model of a Chinese blog post on AlexNet's features (known here
  from a republished copy that cites blog.csdn.net/lcczzu/article/details/91991725).
- ``tds_keras_cifar10``: "Implementing AlexNet CNN Architecture Using TensorFlow 2.0+ and
  Keras" (Towards Data Science), the Keras CIFAR-10 tutorial that upsamples to 227.

Layers take the paper's names where they correspond (conv1-conv5, lrn1/lrn2,
pool1/pool2/pool5, fc6-fc8) so a per-layer table can line them up with
``alexlab.models.alexnet``. ``dropN`` is the dropout acting on layer N's output:
torchvision's ``drop5`` drops the flattened pool5, the paper's ``drop6`` drops fc6.

Every model keeps Keras's default initializers: the sources differ there too,
but only the architecture is rebuilt here.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from alexlab import runtime
from alexlab.layers import LocalResponseNormalization

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter
layers, ops = keras.layers, keras.ops

__all__ = [
    "VARIANTS",
    "AdaptiveAveragePooling2D",
    "Variant",
    "caffe_lrn",
    "tf_lrn",
    "variant",
]


@dataclass(frozen=True)
class Variant:
    """One published AlexNet: where it was read, its defaults, and how it departs from the paper."""

    name: str
    source: str  # where it was read: repo@commit:path or URL
    input_shape: tuple  # the source's default, channels last
    num_classes: int  # the source's default
    published_params: int | None  # the total the source itself prints or documents
    differences: tuple[str, ...]  # one plain line per difference from the paper
    build: Callable  # build(num_classes=..., input_shape=...) -> keras.Model

    def __call__(self, **kwargs):
        """Build the model with the source's defaults unless ``kwargs`` override them."""
        options = {"num_classes": self.num_classes, "input_shape": self.input_shape}
        return self.build(**{**options, **kwargs})


def variant(name):
    """The Variant called ``name`` (see VARIANTS), with the known names listed when it is not."""
    try:
        return VARIANTS[name]
    except KeyError:
        raise KeyError(f"no variant {name!r}; known: {', '.join(VARIANTS)}") from None


@keras.saving.register_keras_serializable(package="alexlab")
class AdaptiveAveragePooling2D(keras.layers.Layer):
    """PyTorch's AdaptiveAvgPool2d, channels last: average over output_size bins of the input.

    Output cell (i, j) averages input rows floor(i*H/oh) to ceil((i+1)*H/oh) - 1 and
    the columns likewise, so bins may overlap or, for H < oh, repeat a row. The
    input's height and width must be known when the layer is built.
    """

    def __init__(self, output_size=(6, 6), **kwargs):
        super().__init__(**kwargs)
        if isinstance(output_size, int):
            output_size = (output_size, output_size)
        self.output_size = tuple(int(n) for n in output_size)

    @staticmethod
    def bins(size, out):
        """PyTorch's (start, end) bins that split ``size`` pixels into ``out`` cells."""
        return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]

    def call(self, inputs):
        height, width = inputs.shape[1], inputs.shape[2]
        if height is None or width is None:
            raise ValueError("AdaptiveAveragePooling2D needs a known input height and width")
        out_h, out_w = self.output_size
        if (height, width) == (out_h, out_w):
            return inputs  # every bin is one pixel: at 224, torchvision's pool5 is already 6x6
        rows = []
        for top, bottom in self.bins(height, out_h):
            cells = [
                ops.mean(inputs[:, top:bottom, left:right, :], axis=(1, 2))
                for left, right in self.bins(width, out_w)
            ]
            rows.append(ops.stack(cells, axis=1))  # (N, out_w, C)
        return ops.stack(rows, axis=1)  # (N, out_h, out_w, C)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self.output_size, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size}


def caffe_lrn(local_size=5, alpha=1e-4, beta=0.75, name=None):
    """Caffe's LRN layer: scale = 1 + (alpha / local_size) * sum of squares over local_size."""
    return LocalResponseNormalization(
        size=local_size, k=1.0, alpha=alpha / local_size, beta=beta, name=name
    )


def tf_lrn(depth_radius=5, bias=1.0, alpha=1e-4, beta=0.75, name=None):
    """tf.nn.lrn (TF1, tflearn): window of 2*depth_radius+1 channels, k = bias, alpha as is."""
    return LocalResponseNormalization(
        size=2 * depth_radius + 1, k=bias, alpha=alpha, beta=beta, name=name
    )


def _input(input_shape):
    return keras.Input(shape=tuple(input_shape), name="image")


# PyTorch's padding=k//2 and Caffe's pad at stride 1 pad evenly, exactly as Keras "same" does.
_conv = functools.partial(layers.Conv2D, padding="same", activation="relu")
# Every source pools overlapping 3x3 windows at stride 2, as the paper does (§3.4).
_pool = functools.partial(layers.MaxPooling2D, pool_size=3, strides=2)


def _torchvision(num_classes=1000, input_shape=(224, 224, 3)):
    """torchvision.models.alexnet: one tower, 64-192-384-256-256, adaptive 6x6 average pool."""
    inputs = _input(input_shape)
    x = layers.ZeroPadding2D(2, name="pad1")(inputs)  # padding=2: (N, 228, 228, 3)
    x = _conv(64, 11, strides=4, padding="valid", name="conv1")(x)  # (N, 55, 55, 64)
    x = _pool(name="pool1")(x)  # (N, 27, 27, 64)
    x = _conv(192, 5, name="conv2")(x)  # padding=2: (N, 27, 27, 192)
    x = _pool(name="pool2")(x)  # (N, 13, 13, 192)
    x = _conv(384, 3, name="conv3")(x)  # (N, 13, 13, 384)
    x = _conv(256, 3, name="conv4")(x)  # (N, 13, 13, 256)
    x = _conv(256, 3, name="conv5")(x)  # (N, 13, 13, 256)
    x = _pool(name="pool5")(x)  # (N, 6, 6, 256)
    x = AdaptiveAveragePooling2D((6, 6), name="avgpool")(x)  # (N, 6, 6, 256) at any input size
    # PyTorch flattens channels first; the order changes no count or shape
    x = layers.Flatten(name="flatten")(x)  # (N, 9216)
    x = layers.Dropout(0.5, name="drop5")(x)  # the classifier drops fc6's input first
    x = layers.Dense(4096, activation="relu", name="fc6")(x)
    x = layers.Dropout(0.5, name="drop6")(x)
    x = layers.Dense(4096, activation="relu", name="fc7")(x)
    outputs = layers.Dense(num_classes, name="fc8")(x)  # logits: no softmax
    return keras.Model(inputs, outputs, name="alexnet_torchvision")


def _d2l_tensorflow(num_classes=10, input_shape=(224, 224, 1)):
    """D2L's TensorFlow AlexNet: one tower, no LRN, unpadded conv1, logits out."""
    inputs = _input(input_shape)
    x = _conv(96, 11, strides=4, padding="valid", name="conv1")(inputs)  # (N, 54, 54, 96)
    x = _pool(name="pool1")(x)  # (N, 26, 26, 96)
    x = _conv(256, 5, name="conv2")(x)  # (N, 26, 26, 256)
    x = _pool(name="pool2")(x)  # (N, 12, 12, 256)
    x = _conv(384, 3, name="conv3")(x)  # (N, 12, 12, 384)
    x = _conv(384, 3, name="conv4")(x)  # (N, 12, 12, 384)
    x = _conv(256, 3, name="conv5")(x)  # (N, 12, 12, 256)
    x = _pool(name="pool5")(x)  # (N, 5, 5, 256)
    x = layers.Flatten(name="flatten")(x)  # (N, 6400)
    x = layers.Dense(4096, activation="relu", name="fc6")(x)
    x = layers.Dropout(0.5, name="drop6")(x)
    x = layers.Dense(4096, activation="relu", name="fc7")(x)
    x = layers.Dropout(0.5, name="drop7")(x)
    outputs = layers.Dense(num_classes, name="fc8")(x)  # logits: the loss takes from_logits
    return keras.Model(inputs, outputs, name="alexnet_d2l_tensorflow")


def _caffe_bvlc(num_classes=1000, input_shape=(227, 227, 3)):
    """Caffe's bvlc_alexnet deploy net: two towers as groups, relu -> norm -> pool, softmax."""
    inputs = _input(input_shape)
    x = _conv(96, 11, strides=4, padding="valid", name="conv1")(inputs)  # (N, 55, 55, 96)
    x = caffe_lrn(5, 1e-4, 0.75, name="lrn1")(x)  # Caffe's norm1: after relu1, before pool1
    # Caffe rounds pooled sizes up; at 227 every window fits, so floor and ceil agree
    x = _pool(name="pool1")(x)  # (N, 27, 27, 96)
    x = _conv(256, 5, groups=2, name="conv2")(x)  # pad 2, group 2: (N, 27, 27, 256)
    x = caffe_lrn(5, 1e-4, 0.75, name="lrn2")(x)
    x = _pool(name="pool2")(x)  # (N, 13, 13, 256)
    x = _conv(384, 3, name="conv3")(x)  # (N, 13, 13, 384): sees both towers
    x = _conv(384, 3, groups=2, name="conv4")(x)  # (N, 13, 13, 384)
    x = _conv(256, 3, groups=2, name="conv5")(x)  # (N, 13, 13, 256)
    x = _pool(name="pool5")(x)  # (N, 6, 6, 256)
    x = layers.Flatten(name="flatten")(x)  # (N, 9216)
    x = layers.Dense(4096, activation="relu", name="fc6")(x)
    x = layers.Dropout(0.5, name="drop6")(x)
    x = layers.Dense(4096, activation="relu", name="fc7")(x)
    x = layers.Dropout(0.5, name="drop7")(x)
    x = layers.Dense(num_classes, name="fc8")(x)
    outputs = layers.Activation("softmax", name="softmax")(x)  # Caffe's "prob"
    return keras.Model(inputs, outputs, name="alexnet_caffe_bvlc")


def _tflearn_oxford17(num_classes=17, input_shape=(227, 227, 3)):
    """tflearn's AlexNet example: 'same' padding throughout, LRN after pooling, tanh fc layers."""
    inputs = _input(input_shape)
    # tflearn's conv_2d and max_pool_2d both default to padding='same'
    same_pool = functools.partial(_pool, padding="same")
    x = _conv(96, 11, strides=4, name="conv1")(inputs)  # (N, 57, 57, 96)
    x = same_pool(name="pool1")(x)  # (N, 29, 29, 96)
    x = tf_lrn(name="lrn1")(x)  # tflearn's defaults: depth_radius 5, bias 1, alpha 1e-4
    x = _conv(256, 5, name="conv2")(x)  # (N, 29, 29, 256)
    x = same_pool(name="pool2")(x)  # (N, 15, 15, 256)
    x = tf_lrn(name="lrn2")(x)
    x = _conv(384, 3, name="conv3")(x)  # (N, 15, 15, 384)
    x = _conv(384, 3, name="conv4")(x)  # (N, 15, 15, 384)
    x = _conv(256, 3, name="conv5")(x)  # (N, 15, 15, 256)
    x = same_pool(name="pool5")(x)  # (N, 8, 8, 256)
    x = tf_lrn(name="lrn5")(x)  # a third LRN, which the paper does not have
    x = layers.Flatten(name="flatten")(x)  # (N, 16384): fully_connected flattens implicitly
    x = layers.Dense(4096, activation="tanh", name="fc6")(x)
    x = layers.Dropout(0.5, name="drop6")(x)  # tflearn's dropout(0.5) is keep_prob 0.5
    x = layers.Dense(4096, activation="tanh", name="fc7")(x)
    x = layers.Dropout(0.5, name="drop7")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name="alexnet_tflearn_oxford17")


def _thesis_flowers(num_classes=5, input_shape=(224, 224, 3)):
    """The thesis write-up's AlexNet_v1: one tower at half width, padded 224 -> 227, dropout 0.2."""
    inputs = _input(input_shape)
    x = layers.ZeroPadding2D(((1, 2), (1, 2)), name="pad1")(inputs)  # (N, 227, 227, 3)
    x = _conv(48, 11, strides=4, padding="valid", name="conv1")(x)  # (N, 55, 55, 48)
    x = _pool(name="pool1")(x)  # (N, 27, 27, 48)
    x = _conv(128, 5, name="conv2")(x)  # (N, 27, 27, 128)
    x = _pool(name="pool2")(x)  # (N, 13, 13, 128)
    x = _conv(192, 3, name="conv3")(x)  # (N, 13, 13, 192)
    x = _conv(192, 3, name="conv4")(x)  # (N, 13, 13, 192)
    x = _conv(128, 3, name="conv5")(x)  # (N, 13, 13, 128)
    x = _pool(name="pool5")(x)  # (N, 6, 6, 128)
    x = layers.Flatten(name="flatten")(x)  # (N, 4608)
    x = layers.Dropout(0.2, name="drop5")(x)  # dropout before each hidden dense layer, not after
    x = layers.Dense(2048, activation="relu", name="fc6")(x)
    x = layers.Dropout(0.2, name="drop6")(x)
    x = layers.Dense(2048, activation="relu", name="fc7")(x)
    x = layers.Dense(num_classes, name="fc8")(x)
    outputs = layers.Softmax(name="softmax")(x)
    return keras.Model(inputs, outputs, name="alexnet_thesis_flowers")


def _blog_keras(num_classes=1000, input_shape=(227, 227, 3), reg=0.0002):
    """The blog post's ``AlexNet.build``: BatchNormalization for LRN, 'same', L2, dropout."""
    l2 = keras.regularizers.L2(reg)
    # its Conv2D and Dense layers carry no activation: separate Activation layers follow
    conv = functools.partial(layers.Conv2D, padding="same", kernel_regularizer=l2)
    dense = functools.partial(layers.Dense, kernel_regularizer=l2)
    inputs = _input(input_shape)
    x = conv(96, 11, strides=4, name="conv1")(inputs)  # (N, 57, 57, 96)
    x = layers.Activation("relu", name="relu1")(x)
    x = layers.BatchNormalization(axis=-1, name="bn1")(x)
    x = _pool(name="pool1")(x)  # (N, 28, 28, 96)
    x = layers.Dropout(0.25, name="drop1")(x)
    x = conv(256, 5, name="conv2")(x)  # (N, 28, 28, 256)
    x = layers.Activation("relu", name="relu2")(x)
    x = layers.BatchNormalization(axis=-1, name="bn2")(x)
    x = _pool(name="pool2")(x)  # (N, 13, 13, 256)
    x = layers.Dropout(0.25, name="drop2")(x)
    x = conv(384, 3, name="conv3")(x)  # (N, 13, 13, 384)
    x = layers.Activation("relu", name="relu3")(x)
    x = layers.BatchNormalization(axis=-1, name="bn3")(x)
    x = conv(384, 3, name="conv4")(x)  # (N, 13, 13, 384)
    x = layers.Activation("relu", name="relu4")(x)
    x = layers.BatchNormalization(axis=-1, name="bn4")(x)
    # the source adds no activation (and no BatchNormalization) after conv5: it stays linear
    x = conv(256, 3, name="conv5")(x)  # (N, 13, 13, 256)
    x = _pool(name="pool5")(x)  # (N, 6, 6, 256)
    x = layers.Dropout(0.25, name="drop5")(x)
    x = layers.Flatten(name="flatten")(x)  # (N, 9216)
    x = dense(4096, name="fc6")(x)
    x = layers.Activation("relu", name="relu6")(x)
    x = layers.BatchNormalization(name="bn6")(x)
    x = layers.Dropout(0.25, name="drop6")(x)
    x = dense(4096, name="fc7")(x)
    x = layers.Activation("relu", name="relu7")(x)
    x = layers.BatchNormalization(name="bn7")(x)
    x = layers.Dropout(0.25, name="drop7")(x)
    x = dense(num_classes, name="fc8")(x)
    outputs = layers.Activation("softmax", name="softmax")(x)
    return keras.Model(inputs, outputs, name="alexnet_blog_keras")


def _tds_keras_cifar10(num_classes=10, input_shape=(227, 227, 3)):
    """The Keras CIFAR-10 tutorial's AlexNet at 227: BatchNormalization, 1x1 conv4 and conv5."""
    inputs = _input(input_shape)
    x = _conv(96, 11, strides=4, padding="valid", name="conv1")(inputs)  # (N, 55, 55, 96)
    x = layers.BatchNormalization(name="bn1")(x)
    x = _pool(name="pool1")(x)  # (N, 27, 27, 96)
    x = _conv(256, 5, name="conv2")(x)  # (N, 27, 27, 256)
    x = layers.BatchNormalization(name="bn2")(x)
    x = _pool(name="pool2")(x)  # (N, 13, 13, 256)
    x = _conv(384, 3, name="conv3")(x)  # (N, 13, 13, 384)
    x = layers.BatchNormalization(name="bn3")(x)
    # 1x1 kernels, as its code and its summary (147,840 and 98,560 parameters) both have them
    x = _conv(384, 1, name="conv4")(x)  # (N, 13, 13, 384)
    x = layers.BatchNormalization(name="bn4")(x)
    x = _conv(256, 1, name="conv5")(x)  # (N, 13, 13, 256)
    x = layers.BatchNormalization(name="bn5")(x)
    x = _pool(name="pool5")(x)  # (N, 6, 6, 256)
    x = layers.Flatten(name="flatten")(x)  # (N, 9216)
    x = layers.Dense(4096, activation="relu", name="fc6")(x)
    x = layers.Dropout(0.5, name="drop6")(x)
    x = layers.Dense(4096, activation="relu", name="fc7")(x)
    x = layers.Dropout(0.5, name="drop7")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name="alexnet_tds_keras_cifar10")


_ONE_TOWER = (
    "one tower: conv2, conv4 and conv5 see every channel below, where the paper splits them "
    "across two GPUs"
)
_NO_LRN = "no local response normalization after conv1 and conv2"

VARIANTS = {
    v.name: v
    for v in (
        Variant(
            name="torchvision",
            source=(
                "pytorch/vision@29032aaf498f6b21faf460ac1acf3f7745b9516e:"
                "torchvision/models/alexnet.py; num_params from "
                "https://pytorch.org/vision/stable/models/generated/torchvision.models.alexnet.html"
            ),
            input_shape=(224, 224, 3),
            num_classes=1000,
            published_params=61_100_840,
            differences=(
                _ONE_TOWER,
                "conv1 has 64 kernels, not 96",
                "conv2 has 192 kernels, not 256",
                "conv4 has 256 kernels, not 384",
                "conv1 pads the 224 input by 2 pixels a side (228), which is what gives 55x55",
                _NO_LRN,
                "an adaptive average pool to 6x6 follows pool5 (the identity at 224)",
                "dropout drops pool5 and fc6 (fc6's and fc7's inputs); the paper drops fc6 and fc7",
                "fc8 gives logits: no softmax layer, the loss applies it",
            ),
            build=_torchvision,
        ),
        Variant(
            name="d2l_tensorflow",
            source=(
                "d2l-ai/d2l-en@23d7a5aecceee57d1292c56e90cce307f183bb0a:"
                "chapter_convolutional-modern/alexnet.md (tensorflow tab)"
            ),
            input_shape=(224, 224, 1),
            num_classes=10,
            published_params=None,
            differences=(
                "one grayscale channel (Fashion-MNIST resized to 224x224), not three",
                "10 classes, not 1000",
                _ONE_TOWER,
                _NO_LRN,
                "conv1 is unpadded, so 224 gives 54x54, not 55x55; the pools give 26, 12 and 5",
                "fc6 reads 5x5x256 = 6400 values, not 6x6x256 = 9216",
                "fc8 gives logits: no softmax layer, the loss applies it",
            ),
            build=_d2l_tensorflow,
        ),
        Variant(
            name="caffe_bvlc",
            source=(
                "BVLC/caffe@9b891540183ddc834a02b2bd81b31afae71b2153:"
                "models/bvlc_alexnet/deploy.prototxt"
            ),
            input_shape=(227, 227, 3),
            num_classes=1000,
            published_params=None,
            differences=(
                "input is 227x227, not 224x224: the size at which an unpadded conv1 gives 55x55",
                "LRN adds 1, not k = 2, before the power",
                "LRN divides alpha 0.0001 by local_size 5: squares are scaled by 2e-5, not 1e-4",
                "its readme: biases the paper sets to 1 start at 0.1 (initializers not built here)",
                "its readme: trained without the paper's PCA colour (relighting) augmentation",
            ),
            build=_caffe_bvlc,
        ),
        Variant(
            name="tflearn_oxford17",
            source=(
                "tflearn/tflearn@db5176773299b67a2a75c5889fb2aba7fd0fea8a:"
                "examples/images/alexnet.py (defaults from tflearn/layers/conv.py, core.py and "
                "normalization.py)"
            ),
            input_shape=(227, 227, 3),
            num_classes=17,
            published_params=None,
            differences=(
                "input is 227x227, not 224x224",
                "17 classes (Oxford 17 Flowers), not 1000",
                _ONE_TOWER,
                "'same' padding everywhere: conv1 gives 57x57, not 55x55; the pools 29, 15 and 8",
                "fc6 reads 8x8x256 = 16,384 values, not 9216: 67.1 million weights in fc6 alone",
                "LRN comes after max pooling, not before it",
                "a third LRN follows pool5; the paper normalizes only after conv1 and conv2",
                "LRN window spans 11 channels (depth_radius 5), not 5",
                "LRN adds 1, not k = 2, before the power",
                "fc6 and fc7 use tanh, not ReLU",
            ),
            build=_tflearn_oxford17,
        ),
        Variant(
            name="thesis_flowers",
            source=(
                "毕业设计(基于TensorFlow的深度学习与研究)之核心篇CNN-AlexNet详解, Alibaba Cloud "
                "developer community (an undergraduate thesis write-up): AlexNet_v1 of its "
                "five-flower project"
            ),
            input_shape=(224, 224, 3),
            num_classes=5,
            published_params=None,
            differences=(
                "5 classes (tf_flowers), not 1000",
                "one GPU's tower alone: 48-128-192-192-128 kernels, half of 96-256-384-384-256",
                "conv3 reads 128 channels, where the paper's conv3 reads both towers' 256",
                "fc6 and fc7 have 2048 units, not 4096",
                "ZeroPadding2D pads 224 to 227 unevenly: 1 pixel top and left, 2 bottom and right",
                _NO_LRN,
                "dropout 0.2, not 0.5",
                "dropout drops pool5 and fc6 (fc6's and fc7's inputs); the paper drops fc6 and fc7",
            ),
            build=_thesis_flowers,
        ),
        Variant(
            name="blog_keras",
            source=(
                "a Chinese blog post on AlexNet's features, republished; it cites "
                "blog.csdn.net/lcczzu/article/details/91991725: AlexNet.build, its Keras example"
            ),
            input_shape=(227, 227, 3),
            num_classes=1000,
            published_params=None,
            differences=(
                "input is 227x227, as its text argues, not 224x224",
                _ONE_TOWER,
                "BatchNormalization after the ReLU of conv1-conv4, fc6 and fc7 replaces LRN",
                "conv1 pads 'same': 227 gives 57x57 (its own text says 55x55); pools 28, 13, 6",
                "conv5 has no ReLU: the code goes straight from conv5 to pooling",
                "dropout 0.25, not 0.5",
                "dropout also follows pool1, pool2 and pool5, not only fc6 and fc7",
                "L2 penalty 0.0002 on every kernel, fc8's too; the paper's weight decay is 0.0005",
            ),
            build=_blog_keras,
        ),
        Variant(
            name="tds_keras_cifar10",
            source=(
                "Implementing AlexNet CNN Architecture Using TensorFlow 2.0+ and Keras, Towards "
                "Data Science: https://towardsdatascience.com/"
                "implementing-alexnet-cnn-architecture-using-tensorflow-2-0-and-keras-2113e090ad98"
            ),
            input_shape=(227, 227, 3),
            num_classes=10,
            published_params=56_361_738,
            differences=(
                "CIFAR-10's 32x32 images upsampled to 227x227, not 224x224 crops",
                "10 classes, not 1000",
                _ONE_TOWER,
                "conv4 and conv5 have 1x1 kernels, not 3x3",
                "BatchNormalization after the ReLU of all five conv layers replaces LRN",
            ),
            build=_tds_keras_cifar10,
        ),
    )
}
