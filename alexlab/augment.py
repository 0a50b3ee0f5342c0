"""Data augmentation as the paper does it (§4.1): crops, flips, PCA colour lighting, ten-crop.

§4.1 fights overfitting with two label-preserving transformations, computed on
the fly on every use of an image:

1. Translations and horizontal reflections: random 224x224 patches (and their
   mirror images) of the 256x256 training images. At test time the network sees
   ten patches, the four corners and the centre and their reflections, and its
   softmax outputs are averaged (``alexlab.evaluate.ten_crop``, ``predict_ten_crop``).
2. Altering RGB intensities: to each training image add
   ``[p1, p2, p3] @ [a1*l1, a2*l2, a3*l3]``, with p_i, l_i the eigenvectors and
   eigenvalues of the 3x3 covariance of RGB pixel values over the training set
   (``rgb_pca``) and a_i ~ N(0, 0.1) drawn once per image per use (``PCALighting``).

The random transformations are Keras layers that run inside the model on the
accelerator, in training only, with any Keras backend (``keras.ops`` and
``keras.random``, no ``tf.image``). The colour statistics are NumPy.
"""

import numpy as np

from alexlab import runtime

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter
ops = keras.ops

__all__ = [
    "PCALighting",
    "RandomCrop",
    "RandomFlip",
    "augmentation",
    "pair",
    "rgb_pca",
    "translations",
]

# Why not keras.layers.RandomCrop (checked on Keras 3.15.1): it draws one offset
# for the whole batch, not one per image, and at inference it returns the input
# uncropped (8x8 in, 8x8 out for a 4x4 crop) although compute_output_shape says 4x4,
# where the paper tests on the centre patch. keras.layers.RandomFlip("horizontal")
# does flip per image and passes through at inference; ours is the same few lines,
# kept so that all three layers share one seeding, dtype and serialization scheme.

_PADDING_MODES = ("constant", "reflect")


def pair(size, what="size"):
    """(height, width) from an int or a pair of positive ints."""
    pair = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
    if len(pair) != 2 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in pair):
        raise ValueError(f"{what}={size!r}: give a positive int or a (height, width) pair")
    return int(pair[0]), int(pair[1])


def _seed_generator(seed):
    return keras.random.SeedGenerator(seed)


@keras.saving.register_keras_serializable(package="alexlab")
class RandomCrop(keras.layers.Layer):
    """A random height x width window per image in training, the central one at inference.

    The paper (§4.1) crops 224x224 from 256x256 images; the modern CIFAR-10 recipe
    first pads 32x32 images by 4 pixels (``padding=4``) and crops 32x32 again.
    padding_mode is "constant" (zeros) or "reflect". Each image of a batch gets its
    own offset, uniform over all (H + 2*padding - height + 1) * (W + 2*padding -
    width + 1) positions. At inference (training False or None) the output is the
    centre window, offset (H - height) // 2, the same patch ``ten_crop`` calls centre.
    Integer inputs (uint8 pixels) come out in the layer's compute dtype.
    """

    def __init__(self, height, width, padding=0, padding_mode="constant", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.height, self.width = pair((height, width), "(height, width)")
        if not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"padding={padding!r}: give a number of pixels >= 0")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode={padding_mode!r}: use one of {_PADDING_MODES}")
        self.padding, self.padding_mode, self.seed = int(padding), padding_mode, seed
        self.seed_generator = _seed_generator(seed)

    def _check(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                f"RandomCrop expects a batch of images (N, H, W, C), got shape {input_shape}"
            )
        rows, cols = input_shape[1], input_shape[2]
        p = self.padding
        if self.padding_mode == "reflect" and any(s is not None and p >= s for s in (rows, cols)):
            raise ValueError(
                f"padding={p} with padding_mode='reflect' needs images larger than {p} pixels, "
                f"got {rows}x{cols}"
            )
        for name, size, crop in (("height", rows, self.height), ("width", cols, self.width)):
            if size is not None and crop > size + 2 * p:
                raise ValueError(
                    f"a crop {name} of {crop} does not fit in images of {name} {size} padded by "
                    f"{p} ({size + 2 * p}): use a crop of at most {size + 2 * p} or more padding"
                )

    def build(self, input_shape):
        self._check(input_shape)

    def call(self, inputs, training=None):
        x = ops.cast(inputs, self.compute_dtype)
        if training:
            return self._random_crop(x)
        return self._centre_crop(x)

    def _pad(self, x):
        p = self.padding
        if not p:
            return x
        return ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode=self.padding_mode)

    def _random_crop(self, x):
        x = self._pad(x)
        n, rows, cols = ops.shape(x)[:3]  # ints, or scalar tensors where not static (TF)
        top = keras.random.randint((n,), 0, rows - self.height + 1, seed=self.seed_generator)
        left = keras.random.randint((n,), 0, cols - self.width + 1, seed=self.seed_generator)
        return self._gather(x, top, left)

    def _centre_crop(self, x):
        rows, cols = x.shape[1], x.shape[2]
        if rows is not None and cols is not None:
            if rows < self.height or cols < self.width:
                # The crop fits only with the padding; the centre of the padded image
                # is the same window, (rows + 2p - h) // 2 - p == (rows - h) // 2.
                x = self._pad(x)
                rows, cols = x.shape[1], x.shape[2]
            top, left = (rows - self.height) // 2, (cols - self.width) // 2
            return x[:, top : top + self.height, left : left + self.width, :]
        # Height or width unknown until run time: the training gather at fixed offsets
        # keeps the output shape static.
        x = self._pad(x)
        n, rows, cols = ops.shape(x)[:3]
        top = ops.full((n,), (rows - self.height) // 2, dtype="int32")
        left = ops.full((n,), (cols - self.width) // 2, dtype="int32")
        return self._gather(x, top, left)

    def _gather(self, x, top, left):
        """Window [top_n : top_n + height, left_n : left_n + width] of each image n, one gather."""
        n, rows, cols = ops.shape(x)[:3]
        channels = x.shape[-1] if x.shape[-1] is not None else ops.shape(x)[-1]
        r = top[:, None] + ops.arange(self.height, dtype="int32")[None, :]  # (N, height)
        c = left[:, None] + ops.arange(self.width, dtype="int32")[None, :]  # (N, width)
        image_start = ops.arange(n, dtype="int32") * rows  # first row of image n in (N*H, ...)
        # Index of pixel (n, r, c) among the N*H*W pixels; int32 holds it while N*H*W < 2**31
        # (32768 images of 256x256).
        index = (image_start[:, None, None] + r[:, :, None]) * cols + c[:, None, :]  # (N, h, w)
        return ops.take(ops.reshape(x, (-1, channels)), index, axis=0)  # (N, h, w, C)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return (input_shape[0], self.height, self.width, input_shape[-1])

    def get_config(self):
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "padding": self.padding,
            "padding_mode": self.padding_mode,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="alexlab")
class RandomFlip(keras.layers.Layer):
    """Mirror each image left-right with probability 1/2 in training; identity at inference."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = _seed_generator(seed)

    def call(self, inputs, training=None):
        x = ops.cast(inputs, self.compute_dtype)
        if not training:
            return x
        n = ops.shape(x)[0]
        flip = keras.random.uniform((n, 1, 1, 1), seed=self.seed_generator) < 0.5  # per image
        return ops.where(flip, ops.flip(x, axis=2), x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="alexlab")
class PCALighting(keras.layers.Layer):
    """The paper's RGB intensity alteration (§4.1), in training only.

    Each image gets one offset added to all its pixels,
    ``eigenvectors @ (alpha * eigenvalues) / scale`` with alpha ~ N(0, std) drawn
    per image and per call; eigenvectors are the columns of a (3, 3) matrix.

    Units: the paper adds eigenvalues (variances) as intensities, so its formula has
    a definite size only once the pixel scale is fixed. Like the common
    reimplementations (e.g. ImageNet's eigenvalues 0.2175, 0.0188, 0.0045 of pixels
    in [0, 1]) this reads the eigenvalues on a scale where full intensity is 1, then
    expresses the offset in the inputs' units. ``scale`` is the full intensity of the
    inputs and of the statistics, which must share one scale: ``rgb_pca`` of uint8
    images gives statistics of [0, 255] pixels, so use them on [0, 255] inputs
    (before any rescaling or mean subtraction) with scale=255; eigenvalue 0.2175 * 255**2
    then moves pixels by about std * 0.2175 * 255 = 5.5 levels. scale=1 is the
    formula as printed. No clipping: the result may leave [0, scale] slightly.
    """

    def __init__(self, eigenvalues, eigenvectors, std=0.1, scale=255.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        values = np.asarray(eigenvalues, dtype="float64")
        vectors = np.asarray(eigenvectors, dtype="float64")
        if values.shape != (3,) or vectors.shape != (3, 3):
            raise ValueError(
                f"eigenvalues of shape {values.shape} and eigenvectors of shape {vectors.shape}: "
                "give 3 eigenvalues and a (3, 3) matrix with the eigenvectors as columns "
                "(what rgb_pca returns)"
            )
        if std < 0:
            raise ValueError(f"std={std!r}: a standard deviation >= 0 (the paper's is 0.1)")
        if scale <= 0:
            raise ValueError(f"scale={scale!r}: the full pixel intensity, e.g. 255 or 1")
        self.eigenvalues, self.eigenvectors = values, vectors
        self.std, self.scale, self.seed = float(std), float(scale), seed
        self.seed_generator = _seed_generator(seed)

    def build(self, input_shape):
        if input_shape[-1] != 3:
            raise ValueError(f"PCALighting needs RGB images (..., 3), got shape {input_shape}")

    def call(self, inputs, training=None):
        x = ops.cast(inputs, self.compute_dtype)
        if not training:
            return x
        alpha = keras.random.normal((ops.shape(x)[0], 3), stddev=self.std, seed=self.seed_generator)
        weights = alpha * ops.convert_to_tensor(self.eigenvalues / self.scale, "float32")  # (N, 3)
        # Row n is eigenvectors @ weights[n]: one RGB offset per image.
        offset = ops.matmul(weights, ops.convert_to_tensor(self.eigenvectors.T, "float32"))
        return x + ops.cast(offset[:, None, None, :], x.dtype)  # (N, 1, 1, 3) broadcast

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "eigenvalues": self.eigenvalues.tolist(),
            "eigenvectors": self.eigenvectors.tolist(),
            "std": self.std,
            "scale": self.scale,
            "seed": self.seed,
        }


def augmentation(size, padding=0, flip=True, pca=None, padding_mode="constant", seed=None):
    """The §4.1 training stack as one block: RandomCrop, RandomFlip, PCALighting(*pca)."""
    height, width = pair(size)
    seeds = (None, None, None) if seed is None else (seed, seed + 1, seed + 2)
    layers = [RandomCrop(height, width, padding, padding_mode, seed=seeds[0], name="crop")]
    if flip:
        layers.append(RandomFlip(seed=seeds[1], name="flip"))
    if pca is not None:
        layers.append(PCALighting(*pca, seed=seeds[2], name="lighting"))
    return keras.Sequential(layers, name="augmentation")


def rgb_pca(images, max_pixels=1_000_000, seed=0):
    """Eigenvalues (3,), descending, and eigenvectors (3, 3), as columns, of RGB pixel covariance.

    images: (..., 3) pixel values, uint8 [0, 255] as the loaders give them. Covariance
    needs far fewer than all pixels of a data set: at most max_pixels, drawn without
    replacement with the given seed, enter it. Each eigenvector's sign is chosen to
    make its components sum to >= 0 (the first, a brightness direction, is all positive).
    """
    images = np.asarray(images)
    if images.ndim < 2 or images.shape[-1] != 3:
        raise ValueError(f"images of shape {images.shape}: give RGB pixels, shape (..., 3)")
    pixels = images.reshape(-1, 3)
    if len(pixels) < 2:
        raise ValueError(f"{len(pixels)} pixel(s): a covariance needs at least 2")
    if len(pixels) > max_pixels:
        rows = np.random.default_rng(seed).choice(len(pixels), size=max_pixels, replace=False)
        pixels = pixels[np.sort(rows)]  # sorted: sequential reads from a memory-mapped file
    covariance = np.cov(pixels.astype("float64"), rowvar=False)  # (3, 3)
    values, vectors = np.linalg.eigh(covariance)  # ascending
    values, vectors = np.clip(values[::-1], 0.0, None), vectors[:, ::-1]
    vectors = vectors * np.where(vectors.sum(axis=0) < 0, -1.0, 1.0)
    return values, np.ascontiguousarray(vectors)


def translations(image_size, crop_size, flips=True):
    """How many distinct training patches random crops (and flips) make of one image.

    (image_size - crop_size + 1) ** 2 offsets, times 2 with reflections: 33 * 33 * 2
    = 2178 for 224 of 256. The paper's "factor of 2048" is (256 - 224) ** 2 * 2 =
    32 * 32 * 2, counting 32 offsets per side where 0..32 gives 33.
    """
    if not 0 < crop_size <= image_size:
        raise ValueError(
            f"crop_size={crop_size!r} with image_size={image_size!r}: "
            f"need 0 < crop_size <= image_size"
        )
    return (image_size - crop_size + 1) ** 2 * (2 if flips else 1)
