"""Image folders: <root>/<class>/*.jpg, decoded with Pillow once, then cached as .npz.

The cache lives under the Keras cache (``$KERAS_HOME/datasets/alexlab``) and is keyed by
the folder, its files' names, sizes and times, and the decoding settings, so a changed
folder is decoded again and a second load of the same one takes seconds.
"""

import contextlib
import hashlib
import itertools
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from alexlab import checks
from alexlab.download import Progress, keras_cache_dir

__all__ = ["cache_file", "cached", "decode_all", "list_images", "load_image"]

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}
CACHE_VERSION = 1  # bump when decoding changes, so old .npz caches are not reused


def list_images(root, classes, what):
    """Sorted image paths and labels under root/<class>/, labels in the order of `classes`."""
    found = {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    unknown = sorted(found - set(classes))
    missing = [c for c in classes if c not in found]
    if unknown or missing:
        raise checks.InvalidArgument(
            f"{root.name}/ has class folders {sorted(found)}; {what} needs exactly "
            f"{', '.join(classes)} (unknown: {unknown or 'none'}, missing: {missing or 'none'})"
        )
    paths, labels = [], []
    for label, name in enumerate(classes):
        # Sorted by name (as strings: sorting Path objects is slow for 50,000 files).
        names = sorted(f for f in os.listdir(root / name) if _is_image_name(f))
        if not names:
            raise checks.InvalidArgument(
                f"{root.name}/{name}/ has no images ({', '.join(IMAGE_SUFFIXES)})"
            )
        paths += [root / name / f for f in names]
        labels += [label] * len(names)
    return paths, np.asarray(labels, dtype=np.int64)


def _is_image_name(name):
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES


def load_image(path, size=None):
    """An image file as uint8 (H, W, 3); size= applies the paper's shorter-side + centre crop."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
            if image.mode != "RGB":  # greyscale, CMYK, palette; skipped when RGB, as it copies
                image = image.convert("RGB")
            if size is None:
                return np.asarray(image)
            # Rescaling the shorter side to `size`, then cropping the central size x size
            # patch, is one resize of the central square: box= does both, rounding once.
            w, h = image.size
            s = min(w, h)
            box = ((w - s) / 2, (h - s) / 2, (w + s) / 2, (h + s) / 2)
            bilinear = getattr(Image, "Resampling", Image).BILINEAR  # antialiased when shrinking
            return np.asarray(image.resize((size, size), bilinear, box=box))
    except OSError as error:  # truncated or not an image: say which file
        path = Path(path)
        raise checks.InvalidArgument(
            f"cannot decode {path.parent.name}/{path.name}: {error}"
        ) from error


def decode_all(paths, size=None):
    """Every image in paths as one uint8 (N, H, W, 3) array, decoded in threads for photos."""
    first = load_image(paths[0], size)
    out = np.empty((len(paths), *first.shape), dtype=np.uint8)  # filled in place: no 2x peak
    # Pillow releases the GIL while decoding and resizing, so threads pay off for photos
    # (~2x on 2 cores); for 1 KB thumbnails Python's overhead dominates and threads contend.
    photos = paths[0].stat().st_size >= 8 * 1024
    workers = min(4, os.cpu_count() or 1) if photos else 1
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    images = (pool.map if pool else map)(load_image, paths, itertools.repeat(size))
    bar = Progress(f"decoding {len(paths)} images", len(paths))
    try:
        for i, (path, image) in enumerate(zip(paths, images, strict=True)):
            if image.shape != first.shape:
                raise checks.InvalidArgument(
                    f"{path.parent.name}/{path.name} is {image.shape[1]}x{image.shape[0]}, "
                    f"the first image {first.shape[1]}x{first.shape[0]}: give all one size"
                )
            out[i] = image
            bar.update()
    finally:
        if pool:  # on an error, drop the queued work rather than wait for it
            pool.shutdown(cancel_futures=True)
    bar.close()
    return out


def cache_file(kind, root, paths, settings):
    """Where the decoded arrays of these files with these settings are cached (.npz)."""
    # Keyed by where the folder is and what is in it (names, sizes, times): a changed
    # folder, or other settings, gives another key and so a fresh decode.
    digest = hashlib.sha256(f"{CACHE_VERSION}|{root.resolve()}|{settings}".encode())
    for p in paths:
        stat = p.stat()
        digest.update(f"{p.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return keras_cache_dir() / "alexlab" / f"{kind}-{len(paths)}-{digest.hexdigest()[:16]}.npz"


def cached(path, make):
    """The arrays saved at path, or make() them and save them there (atomically)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            return {k: saved[k] for k in saved.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # absent, or damaged (an interrupted copy, a full disk): decode again
    arrays = make()
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as f:
            np.savez(f, **arrays)
        os.replace(temporary, path)
    except OSError as error:  # a read-only or full cache costs speed, not the data
        print(
            f"note: could not cache the decoded images ({error}); the next load decodes "
            "again (python -m alexlab doctor checks the cache folder)"
        )
        # KERAS_HOME naming a file leaves no folder to clean, and unlink fails too
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
    return arrays
