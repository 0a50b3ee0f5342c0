"""The runtime: Keras imported quietly, its backend, the accelerators, the versions.

Below ``profiles``: what a notebook session prints and a result records stands above both,
in ``alexlab.session``.
"""

import contextlib
import functools
import os
import platform
import sys
from importlib import metadata

__all__ = ["BACKEND_DISTS", "accelerators", "backend", "dist_version", "import_keras", "versions"]

# Distributions whose version a report names, by the backend they serve.
BACKEND_DISTS = {
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly"),
    "jax": ("jax",),
    "torch": ("torch",),
    "numpy": ("numpy",),
}


def dist_version(*names):
    """Version of the first of these distributions installed, or None; imports nothing."""
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


@contextlib.contextmanager
def _native_stderr_silenced():
    # TensorFlow's C++ core writes start-up chatter ("oneDNN custom operations
    # are on", "Could not find cuda drivers") straight to file descriptor 2
    # before its log level applies; a notebook would show it in red.
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded hosts)
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            sys.stderr.flush()
            os.dup2(devnull.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def import_keras():
    """Import Keras (and so its backend) without the backend's native start-up noise."""
    if "keras" in sys.modules:
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _native_stderr_silenced():
        import keras

        if keras.config.backend() == "tensorflow":
            # Device discovery prints "failed call to cuInit" on machines without CUDA.
            import tensorflow as tf

            tf.config.list_physical_devices()
            # "triggered tf.function retracing" each time a new model predicts: noise for
            # a learner (every comparison builds several models), not a problem to fix
            tf.get_logger().setLevel("ERROR")
    return keras


def backend():
    """Name of the Keras backend in use: tensorflow, jax, torch or numpy."""
    return import_keras().config.backend()


def versions():
    """Versions of Python, alexlab, Keras, NumPy, the backend and TensorFlow."""
    name = backend()
    return {
        "python": platform.python_version(),
        "alexlab": dist_version("alexlab"),
        "keras": dist_version("keras"),
        "numpy": dist_version("numpy"),
        "backend": name,
        "backend_version": dist_version(*BACKEND_DISTS.get(name, (name,))),
        "tensorflow": dist_version(*BACKEND_DISTS["tensorflow"]),
    }


@functools.cache
def accelerators():
    """Accelerators the Keras backend can use, as readable names; empty on a CPU-only machine."""
    name = backend()
    with _native_stderr_silenced():
        if name == "tensorflow":
            import tensorflow as tf

            found = []
            for device in tf.config.list_physical_devices("GPU"):
                details = tf.config.experimental.get_device_details(device)
                found.append(details.get("device_name", device.name))
            return tuple(found)
        if name == "jax":
            import jax

            return tuple(
                f"{d.device_kind} ({d.platform})" for d in jax.devices() if d.platform != "cpu"
            )
        if name == "torch":
            import torch

            if torch.cuda.is_available():
                return tuple(
                    torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())
                )
            if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
                return ("Apple GPU (mps)",)
    return ()
