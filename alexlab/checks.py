"""Inputs checked before any work starts: each bad value gets one error naming it and a fix.

A teaching project runs many configurations side by side; a zero read as "not
given", a float image scaled to [0, 1] or a label out of range would finish with
a wrong result and no complaint. These checks refuse such values up front with an
``InvalidArgument`` (a ValueError) that says what was given and what to give.
"""

import math
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["InvalidArgument", "choice", "dataset", "number", "whole", "writable_file"]


class InvalidArgument(ValueError):
    """A value that cannot work; the message names it and says what to give instead."""


def whole(name, value, minimum=1, maximum=None, example=None):
    """`value` as an int in [minimum, maximum]; refuse bools, fractions, text and NaN."""
    hint = f", e.g. {example}" if example is not None else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float)):
        raise InvalidArgument(f"{name}={value!r}: give a whole number{hint}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise InvalidArgument(f"{name}={value!r}: give a whole number{hint}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and {maximum}" if maximum is not None else " or more"
        span = f"between {minimum}{upper}" if maximum is not None else f"{minimum}{upper}"
        raise InvalidArgument(f"{name}={value!r}: give {span}{hint}")
    return value


def number(name, value, low=None, high=None, low_open=False, high_open=False, example=None):
    """`value` as a finite float within [low, high] (open ends where asked)."""
    hint = f", e.g. {example}" if example is not None else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise InvalidArgument(f"{name}={value!r}: give a number{hint}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or too_low or too_high:
        left = "" if low is None else ("above " if low_open else "at least ") + f"{low:g}"
        right = "" if high is None else ("below " if high_open else "at most ") + f"{high:g}"
        span = " and ".join(part for part in (left, right) if part)
        raise InvalidArgument(f"{name}={value!r}: give a finite number {span}{hint}")
    return value


def choice(name, value, choices):
    """`value` if it is one of `choices`, else an error listing them."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise InvalidArgument(f"{name}={value!r}: use one of {listed}")
    return value


def writable_file(path, what, suffix=None):
    """A Path that a file can be written to, found out now rather than after training.

    The nearest existing folder on the way is probed with a temporary file (permission
    bits alone do not tell: root ignores them, a read-only disk does not show in them);
    nothing is left behind and no folder is created.
    """
    path = Path(path).expanduser()
    if suffix is not None and path.suffix != suffix:
        raise InvalidArgument(f"{what} {str(path)!r}: give a file name ending in {suffix}")
    if path.is_dir():
        raise InvalidArgument(f"{what} {str(path)!r} is a folder: give a file path inside it")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise InvalidArgument(
            f"{what} {str(path)!r} cannot be written: {str(folder)!r} is a file, not a folder; "
            "give another path"
        )
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".alexlab-write-test-")
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        raise InvalidArgument(
            f"{what} {str(path)!r} cannot be written ({error.strerror or error}): give a path "
            "in a folder you can write to"
        ) from None
    return path


def dataset(data, test=True):
    """Refuse a Dataset whose images are not uint8 (N, H, W, 3) or whose labels do not fit."""
    names = tuple(data.class_names)
    if len(names) < 2:
        raise InvalidArgument(f"class_names={names!r}: a classifier needs 2 or more classes")
    for split in ("train", "test") if test else ("train",):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        _images(f"x_{split}", x)
        _labels(f"y_{split}", y, len(names), len(x))


def _images(name, x):
    if not isinstance(x, np.ndarray):
        raise InvalidArgument(f"{name} is a {type(x).__name__}: give a NumPy array (np.asarray)")
    if x.ndim != 4 or x.shape[-1] != 3:
        raise InvalidArgument(
            f"{name} has shape {x.shape}: give colour images as (N, height, width, 3)"
        )
    if len(x) == 0:
        raise InvalidArgument(f"{name} holds no images: give at least one per class")
    if x.dtype == np.uint8:
        return
    if np.issubdtype(x.dtype, np.floating):
        low, high = float(np.nanmin(x)), float(np.nanmax(x))
        if not (math.isfinite(low) and math.isfinite(high)):
            fix = "remove the NaN or infinite pixels"
        elif low >= 0 and high <= 1:
            fix = f"they look scaled to [0, 1]: pass ({name} * 255).round().astype('uint8')"
        else:
            fix = f"pass np.clip({name}, 0, 255).round().astype('uint8') if they are 0-255 pixels"
        raise InvalidArgument(
            f"{name} is {x.dtype} with values from {low:g} to {high:g}; alexlab takes uint8 "
            f"images with values 0-255 (the models scale them): {fix}"
        )
    if np.issubdtype(x.dtype, np.integer) and x.min() >= 0 and x.max() <= 255:
        raise InvalidArgument(
            f"{name} is {x.dtype}; alexlab takes uint8 images: pass {name}.astype('uint8')"
        )
    raise InvalidArgument(f"{name} is {x.dtype}: give uint8 images with values 0-255")


def _labels(name, y, num_classes, count):
    if not isinstance(y, np.ndarray):
        raise InvalidArgument(f"{name} is a {type(y).__name__}: give a NumPy array (np.asarray)")
    if y.ndim == 2 and y.shape[1] == num_classes:
        raise InvalidArgument(
            f"{name} has shape {y.shape}, one-hot rows: give class numbers, {name}.argmax(axis=1)"
        )
    if y.ndim != 1 or len(y) != count:
        raise InvalidArgument(
            f"{name} has shape {y.shape}: give one class number per image, shape ({count},)"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise InvalidArgument(f"{name} is {y.dtype}: give whole class numbers, e.g. int64")
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= num_classes:
        raise InvalidArgument(
            f"{name} holds labels from {low} to {high}, but there are {num_classes} classes: "
            f"labels must be 0 to {num_classes - 1}"
        )
