"""Testing (§4.1): top-1 and top-5 plain, with mirror images, and with ten patches.

``evaluate`` predicts the test images with each test-time augmentation and returns
an ``Evaluation``: accuracies, the confusion matrix and the worst mistakes.
"""

import dataclasses
import time

import numpy as np

from alexlab import augment, checks
from alexlab.runtime import import_keras

keras = import_keras()  # Keras without TensorFlow's native start-up chatter

__all__ = ["Evaluation", "evaluate", "predict"]


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
        from alexlab.tables import format_table

        names = {"none": "no augmentation", "flip": "image + mirror", "ten_crop": "ten patches"}
        rows = [
            [names.get(m, m), f"{self.top1(m):.2%}", f"{self.top5(m):.2%}"]
            for m in self.probabilities
        ]
        return format_table(["test-time augmentation", "top-1", "top-5"], rows)

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


def evaluate(model, data, methods=("none", "flip", "ten_crop"), batch_size=500, padding=None):
    """Predict data.x_test with each test-time augmentation; return an Evaluation.

    "ten_crop" takes §4.1's ten patches from each test image padded by `padding` pixels
    (default: as in training, the model's RandomCrop padding): four corners, centre,
    and their mirrors.
    """
    if isinstance(methods, str):
        methods = (methods,)
    unknown = sorted(set(methods) - {"none", "flip", "ten_crop"})
    if unknown:
        raise checks.InvalidArgument(f"methods {unknown}: use 'none', 'flip' and/or 'ten_crop'")
    checks.whole("batch_size", batch_size, 1, example=500)
    if padding is not None:
        checks.whole("padding", padding, 0, example=4)
    checks.dataset(data)
    x, y = data.x_test, np.asarray(data.y_test)
    probabilities, seconds = {}, {}
    for method in methods:
        start = time.perf_counter()
        if method == "none":
            probs = predict(model, x, batch_size)
        elif method == "flip":
            probs = augment.predict_flip(model, x, batch_size=batch_size)
        else:
            crop = _crop_layer(model)
            pad = padding if padding is not None else (crop.padding if crop else 0)
            if not pad:
                raise checks.InvalidArgument(
                    "ten_crop with padding 0: every patch would be the whole image. The model "
                    "was trained without random patches; pass padding=4 to take the ten "
                    "patches of the image padded by 4 pixels anyway"
                )
            mode = "reflect" if crop is not None and crop.padding_mode == "reflect" else "constant"
            padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode=mode)
            probs = augment.predict_ten_crop(model, padded, x.shape[1:3], batch_size=batch_size)
        probabilities[method] = np.asarray(probs, dtype="float32")
        seconds[method] = time.perf_counter() - start
    return Evaluation(probabilities, y, tuple(data.class_names), seconds)
