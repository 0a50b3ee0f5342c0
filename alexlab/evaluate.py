"""Testing (§4.1): top-1 and top-5 plain, with mirror images, and with ten patches.

``evaluate`` predicts the test images with each test-time augmentation and returns
an ``Evaluation``: accuracies, the confusion matrix and the worst mistakes. The test-time
views are NumPy: ``ten_crop`` (four corners, centre, and their mirrors), and the
predictions averaged over them (``predict_ten_crop``, ``predict_flip``).
"""

import dataclasses
import time

import numpy as np

from alexlab import augment, checks, runtime, tables

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = [
    "METHODS",
    "Evaluation",
    "check_methods",
    "evaluate",
    "predict",
    "predict_flip",
    "predict_ten_crop",
    "ten_crop",
]

METHODS = ("none", "flip", "ten_crop")


# ---------------------------------------------------------------------------------------
# evaluate


@dataclasses.dataclass
class Evaluation:
    """Test results per test-time augmentation: "none", "flip" (mirror) and "ten_crop"."""

    probabilities: dict  # method -> (N, num_classes)
    labels: np.ndarray
    class_names: tuple
    seconds: dict  # method -> seconds to predict

    def top1(self, method="none"):
        """Share of images whose most probable class is the true one."""
        return float(np.mean(self.probabilities[method].argmax(axis=1) == self.labels))

    def top5(self, method="none"):
        """Share of images whose true class is among the five most probable."""
        probs = self.probabilities[method]
        k = min(5, probs.shape[1])
        best = np.argpartition(-probs, k - 1, axis=1)[:, :k]
        return float(np.mean((best == self.labels[:, None]).any(axis=1)))

    def table(self):
        """Top-1 and top-5 per method as a text table."""
        names = {"none": "no augmentation", "flip": "image + mirror", "ten_crop": "ten patches"}
        rows = [
            [names.get(m, m), f"{self.top1(m):.2%}", f"{self.top5(m):.2%}"]
            for m in self.probabilities
        ]
        return tables.format_table(["test-time augmentation", "top-1", "top-5"], rows)

    def confusion(self, method="none"):
        """(C, C) counts: row = true class, column = predicted class."""
        c = len(self.class_names)
        predicted = self.probabilities[method].argmax(axis=1)
        return np.bincount(self.labels * c + predicted, minlength=c * c).reshape(c, c)

    def mistakes(self, count=10, method="none"):
        """Indices of the `count` wrong predictions made with the highest confidence."""
        probs = self.probabilities[method]
        predicted = probs.argmax(axis=1)
        wrong = np.flatnonzero(predicted != self.labels)
        confidence = probs[wrong, predicted[wrong]]
        return wrong[np.argsort(-confidence, kind="stable")][:count]


def _crop_layer(model):
    for layer in model.layers:
        if isinstance(layer, augment.RandomCrop):
            return layer
        if isinstance(layer, keras.Model):
            found = _crop_layer(layer)
            if found is not None:
                return found
    return None


def predict(model, images, batch_size=500):
    """The model's outputs for `images`, batch_size at a time, as one float32 array."""
    # model.predict wraps its input in tf.data with prefetch(AUTOTUNE) on each call; on a
    # 2-core CPU some calls stalled, and the total took 1.17x as long as one compiled batch
    # at a time (benchmarks/results/feed_cpu.json). Ten-crop testing makes dozens of calls.
    images = np.asarray(images)
    if len(images) == 0:
        raise ValueError("no images to predict")
    outputs = [
        keras.ops.convert_to_numpy(model.predict_on_batch(images[i : i + batch_size]))
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs).astype("float32", copy=False)


def check_methods(methods, padding, fix):
    """The test-time augmentations, checked: known names, and ten patches only with padding.

    The rule of the function and of the command line alike; fix says what to do in the
    caller's terms (a parameter, or an option).
    """
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise checks.InvalidArgument(f"methods {unknown}: use 'none', 'flip' and/or 'ten_crop'")
    if "ten_crop" in methods and not padding:
        raise checks.InvalidArgument(
            "ten_crop with padding 0: every patch would be the whole image. The model was "
            "trained without random patches, so patches shifted by a padding were never seen "
            f"in training; {fix}"
        )
    return methods


def evaluate(model, data, methods=("none", "flip", "ten_crop"), batch_size=500, padding=None):
    """Predict data.x_test with each test-time augmentation; return an Evaluation.

    "ten_crop" takes §4.1's ten patches from each test image padded by `padding` pixels
    (default: as in training, the model's RandomCrop padding): four corners, centre,
    and their mirrors.
    """
    checks.whole("batch_size", batch_size, 1, example=500)
    if padding is not None:
        checks.whole("padding", padding, 0, example=4)
    crop = _crop_layer(model)
    pad = padding if padding is not None else (crop.padding if crop else 0)
    fix = "pass padding=4 to take the ten patches of the image padded by 4 pixels anyway"
    methods = check_methods(methods, pad, fix)
    checks.dataset(data)
    x, y = data.x_test, np.asarray(data.y_test)
    probabilities, seconds = {}, {}
    for method in methods:
        start = time.perf_counter()
        if method == "none":
            probs = predict(model, x, batch_size)
        elif method == "flip":
            probs = predict_flip(model, x, batch_size=batch_size)
        else:
            mode = "reflect" if crop is not None and crop.padding_mode == "reflect" else "constant"
            padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode=mode)
            probs = predict_ten_crop(model, padded, x.shape[1:3], batch_size=batch_size)
        probabilities[method] = np.asarray(probs, dtype="float32")
        seconds[method] = time.perf_counter() - start
    return Evaluation(probabilities, y, tuple(data.class_names), seconds)


def ten_crop(images, size):
    """The paper's ten test patches: (N, H, W, C) -> (N, 10, size, size, C).

    Order along axis 1: top-left, top-right, bottom-left, bottom-right, centre, then
    the same five mirrored left-right. The centre window starts at ((H - size) // 2,
    (W - size) // 2), as RandomCrop's at inference. size may be (height, width).
    The dtype is kept, so uint8 stays uint8.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images of shape {images.shape}: give a batch (N, H, W, C)")
    height, width = augment.pair(size)
    rows, cols = images.shape[1:3]
    if height > rows or width > cols:
        raise ValueError(
            f"crops of {height}x{width} do not fit in images of {rows}x{cols}: "
            f"use a size of at most {min(rows, cols)}"
        )
    bottom, right = rows - height, cols - width
    origins = [(0, 0), (0, right), (bottom, 0), (bottom, right), (bottom // 2, right // 2)]
    crops = [images[:, r : r + height, c : c + width] for r, c in origins]
    crops += [np.flip(crop, axis=2) for crop in crops]
    return np.stack(crops, axis=1)


def _predict_views(model, images, views, count, batch_size):
    """Mean of the model's outputs over `count` views per image, batch_size images at a time."""
    images = np.asarray(images)
    if len(images) == 0:
        raise ValueError("no images to predict")
    means = []
    for start in range(0, len(images), batch_size):
        batch = views(images[start : start + batch_size])  # (b, count, h, w, C)
        b = len(batch)
        probs = predict(model, batch.reshape((b * count,) + batch.shape[2:]), batch_size)
        means.append(probs.reshape(b, count, -1).mean(axis=1))
    return np.concatenate(means)


def predict_ten_crop(model, images, size, batch_size=128):
    """(N, num_classes): the model's softmax averaged over each image's ten_crop patches."""
    return _predict_views(model, images, lambda x: ten_crop(x, size), 10, batch_size)


def predict_flip(model, images, batch_size=128):
    """(N, num_classes): the model's softmax averaged over each image and its mirror image."""
    return _predict_views(
        model, images, lambda x: np.stack([x, np.flip(x, axis=2)], axis=1), 2, batch_size
    )
