"""Datasets as uint8 NumPy arrays: CIFAR-10, tf_flowers, image folders and synthetic data.

Krizhevsky, Sutskever & Hinton (2012), §2 "The Dataset": ImageNet images vary in size,
so "we down-sampled the images to a fixed resolution of 256 x 256. Given a rectangular
image, we first rescaled the image such that the shorter side was of length 256, and
then cropped out the central 256x256 patch from the resulting image." ``load_flowers``
does exactly that (``size=256``); subtracting the mean image, the paper's only other
preprocessing, belongs to the model, not to the data.

Everything here returns a :class:`Dataset` of uint8 arrays (N, H, W, 3) and int64 labels.
Downloads are checked against a SHA-256 before anything in them is read (download.py;
the CIFAR-10 batches are pickles, and unpickling runs code), archives are unpacked only
after every member has been checked (archives.py), and decoded image folders are cached
as .npz under the Keras cache (``$KERAS_HOME/datasets/alexlab``) so that a second load
takes seconds (folders.py).
"""

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from alexlab import checks
from alexlab.archives import read_cifar_archive, safe_extract
from alexlab.dataset import Dataset
from alexlab.download import DatasetUnavailable, download, file_sha256, keras_cache_dir
from alexlab.folders import cache_file, cached, decode_all, list_images, load_image

__all__ = [
    "CIFAR10_CLASSES",
    "CIFAR10_LAYOUT",
    "FLOWERS_LAYOUT",
    "FLOWERS_CLASSES",
    "Dataset",
    "DatasetUnavailable",
    "describe_folder",
    "download",
    "load_cifar10",
    "load_flowers",
    "load_image",
    "synthetic",
]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
# TensorFlow Datasets' record for cifar10 (url_checksums/cifar10.txt): its size in bytes.
CIFAR10_BYTES = 170_498_071
# The hash Keras' own keras.datasets.cifar10 checks (and torchvision's prototype loader).
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
FLOWERS_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"
)
# TensorFlow Datasets' record for tf_flowers (url_checksums/tf_flowers.txt).
FLOWERS_BYTES = 228_813_984
FLOWERS_SHA256 = "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c"
FLOWERS_CLASSES = ("daisy", "dandelion", "roses", "sunflowers", "tulips")

CIFAR10_ENV = "ALEXLAB_CIFAR10_DIR"
FLOWERS_ENV = "ALEXLAB_FLOWERS_DIR"


def _source_dir(source, env):
    if source is None and os.environ.get(env):
        return Path(os.environ[env]), f" ({env})"
    return (None, "") if source is None else (Path(source), "")


def _require_dir(root, layout):
    if not root.is_dir():
        raise checks.InvalidArgument(f"{root} is not a folder: expected {layout}")


# ---------------------------------------------------------------------------------------
# The loaders.

CIFAR10_LAYOUT = (
    "<folder>/train/<class>/*.jpg and <folder>/test/<class>/*.jpg, with class folders "
    + ", ".join(CIFAR10_CLASSES)
)
FLOWERS_LAYOUT = (
    "<folder>/<class>/*.jpg (or <folder>/flower_photos/<class>/*.jpg, as the archive "
    "unpacks), with class folders " + ", ".join(FLOWERS_CLASSES)
)


def _cifar10_folder(root):
    """{"train": (paths, labels), "test": ...} of a CIFAR-10 folder, its layout checked."""
    _require_dir(root, CIFAR10_LAYOUT)
    splits = {}
    for split in ("train", "test"):
        _require_dir(root / split, CIFAR10_LAYOUT)
        splits[split] = list_images(root / split, CIFAR10_CLASSES, "CIFAR-10")
    return splits


def _flowers_folder(root):
    """(class folders' parent, paths, labels) of tf_flowers as <root>/<class>/ or
    <root>/flower_photos/<class>/."""
    if (root / "flower_photos").is_dir():
        root = root / "flower_photos"
    return root, *list_images(root, FLOWERS_CLASSES, "tf_flowers")


def describe_folder(kind, folder):
    """What load_cifar10 / load_flowers would read from `folder`, in words; else InvalidArgument.

    The same layout and class checks the loader makes (images are not decoded), so
    ``python -m alexlab doctor`` can vouch for a folder before a long load finds it wrong.
    """
    checks.choice("kind", kind, ("cifar10", "flowers"))
    root = Path(folder).expanduser()
    layout = CIFAR10_LAYOUT if kind == "cifar10" else FLOWERS_LAYOUT
    archive, sha256 = (
        ("cifar-10-python.tar.gz", CIFAR10_SHA256)
        if kind == "cifar10"
        else ("flower_photos.tgz", FLOWERS_SHA256)
    )
    if root.is_file():
        if file_sha256(root) != sha256:
            raise checks.InvalidArgument(
                f"{root} is a file but not the official {archive} (sha256): expected {layout}"
            )
        return f"the official {archive} (sha256 verified)"
    if not root.exists():
        raise checks.InvalidArgument(f"{root} does not exist: expected {layout}")
    _require_dir(root, layout)
    if kind == "flowers":
        _, paths, _ = _flowers_folder(root)
        return f"{len(paths):,} images in {len(FLOWERS_CLASSES)} classes"
    counts = {split: len(paths) for split, (paths, _) in _cifar10_folder(root).items()}
    return (
        f"train/ {counts['train']:,} and test/ {counts['test']:,} images in "
        f"{len(CIFAR10_CLASSES)} classes"
    )


def load_cifar10(source=None):
    """CIFAR-10: 50,000 train and 10,000 test 32x32 images in 10 classes, the official order.

    source=None reads the folder named by ALEXLAB_CIFAR10_DIR if set, else downloads the
    official cifar-10-python.tar.gz (170 MB, sha256-checked) into the Keras cache and reads
    its batches without unpacking them. A folder is read in the <split>/<class>/*.jpg
    layout; its files are sorted, then each split is shuffled with seed 0 so that any
    slice of it (validation_split, x[:1000]) holds every class. A path to the official
    archive itself is read like a download.
    """
    root, via = _source_dir(source, CIFAR10_ENV)
    if root is None or root.is_file():
        if root is None:
            hint = f"set {CIFAR10_ENV} to a folder laid out as {CIFAR10_LAYOUT}"
            root = download(CIFAR10_URL, "cifar-10-python.tar.gz", CIFAR10_SHA256, hint=hint)
        x_train, y_train, x_test, y_test, classes = read_cifar_archive(root, CIFAR10_SHA256)
        source = f"official archive {root.name} (sha256 verified)"
        return Dataset(x_train, y_train, x_test, y_test, classes, source)
    splits = _cifar10_folder(root)
    (train, y_train), (test, y_test) = splits["train"], splits["test"]

    def decode():
        # Decoded straight into shuffled order: no second copy of the arrays.
        order_train = np.random.default_rng(0).permutation(len(train))
        order_test = np.random.default_rng(0).permutation(len(test))
        images = decode_all([train[i] for i in order_train] + [test[i] for i in order_test])
        return {
            "x_train": images[: len(train)],
            "y_train": y_train[order_train],
            "x_test": images[len(train) :],
            "y_test": y_test[order_test],
        }

    a = cached(cache_file("cifar10", root, train + test, ""), decode)
    source = f"JPEG folder {root.resolve().name}{via}"
    return Dataset(a["x_train"], a["y_train"], a["x_test"], a["y_test"], CIFAR10_CLASSES, source)


def load_flowers(source=None, size=None, test_fraction=0.2, seed=0):
    """tf_flowers (3,670 photos, 5 classes) at size x size, the paper's §2 crop; a seeded split.

    size=None follows the profile: 256 (the paper's) in gpu, 128 in cpu, where 256 would
    take about 690 MB of memory (too much beside TensorFlow on a 2 GB Binder), 64 in smoke.

    Each photo is rescaled so its shorter side is `size`, then its central size x size
    patch is kept (bilinear, antialiased). tf_flowers has no test split, so one is made:
    within each class, files sorted by name, a NumPy default_rng(seed) permutation picks
    round(test_fraction * n) of them for test, the rest for train; both splits are then
    shuffled with the same generator. The same files, seed and fraction always give the
    same split. (One photo, 15922772266_1167a06620.jpg, is in both roses and tulips.)

    source=None reads ALEXLAB_FLOWERS_DIR if set, else downloads the official
    flower_photos.tgz (218 MB, sha256-checked) and unpacks it safely into the Keras cache.
    A folder may be laid out as <folder>/<class>/*.jpg or <folder>/flower_photos/<class>/.
    """
    if size is None:
        from alexlab.profiles import by_profile

        size = by_profile(smoke=64, cpu=128, gpu=256)
    size = checks.whole("size", size, 1, example=256)
    checks.number("test_fraction", test_fraction, 0, 1, True, True, example=0.2)
    root, via = _source_dir(source, FLOWERS_ENV)
    if root is None or root.is_file():
        if root is None:
            hint = f"set {FLOWERS_ENV} to a folder laid out as {FLOWERS_LAYOUT}"
            root = download(FLOWERS_URL, "flower_photos.tgz", FLOWERS_SHA256, hint=hint)
        elif file_sha256(root) != FLOWERS_SHA256:
            raise checks.InvalidArgument(
                f"{root.name} is not the official flower_photos.tgz (sha256)"
            )
        label = f"official archive {root.name} (sha256 verified)"
        root = _unpacked_flowers(root)
    else:
        _require_dir(root, FLOWERS_LAYOUT)
        label = f"JPEG folder {root.resolve().name}{via}"
    root, paths, labels = _flowers_folder(root)

    def decode():
        rng = np.random.default_rng(seed)
        is_test = np.zeros(len(paths), dtype=bool)
        for c in range(len(FLOWERS_CLASSES)):
            members = np.flatnonzero(labels == c)  # in sorted file-name order
            n_test = round(test_fraction * len(members))
            is_test[members[rng.permutation(len(members))[:n_test]]] = True
        train = rng.permutation(np.flatnonzero(~is_test))
        test = rng.permutation(np.flatnonzero(is_test))
        images = decode_all([paths[i] for i in np.concatenate([train, test])], size)
        return {
            "x_train": images[: len(train)],
            "y_train": labels[train],
            "x_test": images[len(train) :],
            "y_test": labels[test],
        }

    settings = f"size={size}|test_fraction={test_fraction}|seed={seed}"
    a = cached(cache_file(f"flowers{size}", root, paths, settings), decode)
    source = f"{label}, {size}x{size} centre crops, test split {test_fraction:g} seed {seed}"
    return Dataset(a["x_train"], a["y_train"], a["x_test"], a["y_test"], FLOWERS_CLASSES, source)


def _unpacked_flowers(archive):
    # Unpacked once, into a folder named by the archive's hash; a half-finished unpacking
    # (interrupted, or refused) never takes that name.
    dest = keras_cache_dir() / "alexlab" / f"tf_flowers-{FLOWERS_SHA256[:12]}"
    if not dest.is_dir():
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatasetUnavailable(
                f"cannot create {dest.parent} to unpack {archive.name} into "
                f"({error.strerror or error}): set KERAS_HOME to a folder you can write to, "
                f"or unpack it yourself and set {FLOWERS_ENV} to the folder"
            ) from None
        partial = Path(tempfile.mkdtemp(dir=dest.parent, prefix=".tf_flowers-"))
        try:
            print(f"unpacking {archive.name} ...")
            safe_extract(archive, partial)
            os.replace(partial, dest)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return dest


def synthetic(num_classes=10, size=32, train_per_class=100, test_per_class=20, seed=0):
    """Stripes, one colour and orientation per class, under noise: learnable in seconds.

    Every image is a grey background tinted with its class's colour, a sine grating at its
    class's angle (random frequency and phase) in that colour, and Gaussian noise; a tiny
    network tells the classes apart within a few epochs, a constant guess gets
    1/num_classes. Deterministic for a given seed.
    """
    rng = np.random.default_rng(seed)
    hues = np.arange(num_classes) / num_classes
    # One colour per class, evenly spaced round the hue wheel, as RGB in [-1, 1].
    colours = np.stack([np.cos(2 * np.pi * (hues - k / 3)) for k in range(3)], axis=1)
    angles = np.pi * np.arange(num_classes) / num_classes
    yy, xx = np.mgrid[0:size, 0:size] / size

    def make(per_class):
        labels = rng.permutation(np.repeat(np.arange(num_classes), per_class))
        n = len(labels)
        freq = rng.uniform(2, 4, (n, 1, 1))
        phase = rng.uniform(0, 2 * np.pi, (n, 1, 1))
        theta = angles[labels][:, None, None]
        wave = np.cos(2 * np.pi * freq * (xx * np.cos(theta) + yy * np.sin(theta)) + phase)
        colour = colours[labels][:, None, None, :]  # (n, 1, 1, 3)
        images = 128 + 30 * colour + 50 * wave[..., None] * colour
        images += rng.normal(0, 20, images.shape)
        return np.clip(np.rint(images), 0, 255).astype(np.uint8), labels.astype(np.int64)

    x_train, y_train = make(train_per_class)
    x_test, y_test = make(test_per_class)
    names = tuple(f"class_{c}" for c in range(num_classes))
    return Dataset(x_train, y_train, x_test, y_test, names, f"synthetic stripes (seed {seed})")
