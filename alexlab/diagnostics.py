"""The doctor's checks (``python -m alexlab doctor``), one function per topic, each giving
Findings: Python, Keras and its backend, TensorFlow, the accelerator, the profile, the
widgets extension, the dataset folders and cache, and memory.
"""

import os
import platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from alexlab import memory
from alexlab.download import keras_cache_dir
from alexlab.runtime import BACKEND_DISTS, dist_version

__all__ = ["CHECKS", "PYTHON_RANGE", "WIDGETS_EXTENSION", "Finding", "labextension_dir"]

PYTHON_RANGE = ((3, 10), (3, 13))
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"


@dataclass(frozen=True)
class Finding:
    """One line of the report: a topic, its status (ok, note, problem), what was seen, the fix."""

    topic: str
    status: str
    detail: str
    fix: str = ""


def _python():
    version = sys.version_info[:2]
    where = "virtual environment" if sys.prefix != sys.base_prefix else "system interpreter"
    text = f"{platform.python_version()} ({where}: {sys.executable})"
    low, high = PYTHON_RANGE
    if low <= version <= high:
        return [Finding("python", "ok", text)]
    return [
        Finding(
            "python",
            "problem" if version < low else "note",
            text,
            f"alexlab is tested on Python {low[0]}.{low[1]} to {high[0]}.{high[1]}; "
            "make the virtual environment with one of those",
        )
    ]


def _keras():
    version = dist_version("keras")
    if version is None:
        return [Finding("keras", "problem", "not installed", "pip install -r requirements.txt")]
    if int(version.split(".")[0]) < 3:
        return [
            Finding(
                "keras",
                "problem",
                f"{version}: alexlab needs Keras 3",
                "pip install --upgrade 'keras>=3' 'tensorflow>=2.16'",
            )
        ]
    found = [Finding("keras", "ok", version)]
    try:
        from alexlab.runtime import backend

        name = backend()
    except ImportError as error:
        wanted = os.environ.get("KERAS_BACKEND", "tensorflow")
        return found + [
            Finding(
                "backend",
                "problem",
                f"{wanted} cannot be imported ({error})",
                f"pip install {wanted}, or set KERAS_BACKEND to an installed backend "
                "(tensorflow, jax or torch)",
            )
        ]
    from alexlab.runtime import versions

    detail = f"{name} {versions()['backend_version']}"
    chosen = (
        "KERAS_BACKEND"
        if os.environ.get("KERAS_BACKEND")
        else "Keras' default or ~/.keras/keras.json"
    )
    installed = [b for b in ("tensorflow", "jax", "torch") if dist_version(*BACKEND_DISTS[b])]
    others = [b for b in installed if b != name]
    switch = (
        f"; also installed: {', '.join(others)} (switch with KERAS_BACKEND={others[0]} before "
        "starting Python or JupyterLab)"
        if others
        else ""
    )
    return found + [Finding("backend", "ok", f"{detail} (chosen by {chosen}){switch}")]


def _tensorflow():
    version = dist_version(*BACKEND_DISTS["tensorflow"])
    if version is None:
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
        if backend == "tensorflow":
            return [
                Finding(
                    "tensorflow",
                    "problem",
                    "not installed, yet it is the Keras backend",
                    "pip install -r requirements.txt, or KERAS_BACKEND=jax with jax installed",
                )
            ]
        return [Finding("tensorflow", "note", f"not installed (fine: the backend is {backend})")]
    major, minor = (int(p) for p in version.split(".")[:2])
    if (major, minor) < (2, 16):
        return [
            Finding(
                "tensorflow",
                "problem",
                f"{version}: older than 2.16, which brings Keras 3",
                "pip install --upgrade 'tensorflow>=2.16'",
            )
        ]
    return [Finding("tensorflow", "ok", version)]


def _accelerator():
    from alexlab.runtime import accelerators

    found = accelerators()
    if found:
        return [Finding("accelerator", "ok", ", ".join(found))]
    return [
        Finding(
            "accelerator",
            "note",
            "none visible: training runs on the CPU",
            ""
            if not _has_nvidia_gpu()
            else "an NVIDIA GPU is present but the backend cannot use it: "
            "pip install 'tensorflow[and-cuda]', or use KERAS_BACKEND=jax with jax[cuda12]",
        )
    ]


def _has_nvidia_gpu():
    return shutil.which("nvidia-smi") is not None or Path("/proc/driver/nvidia/gpus").is_dir()


def _profile():
    from alexlab.profiles import ENV_VAR, profile, profile_source

    try:
        return [Finding("profile", "ok", f"{profile()} ({profile_source()})")]
    except ValueError as error:
        return [
            Finding(
                "profile",
                "problem",
                str(error).split(":")[0],
                f"export {ENV_VAR}=smoke|cpu|gpu, or unset it",
            )
        ]


def _widgets():
    version = dist_version("ipywidgets")
    if version is None:
        return [
            Finding(
                "widgets",
                "problem",
                "ipywidgets is not installed: sliders cannot show",
                "pip install 'ipywidgets>=8'",
            )
        ]
    if int(version.split(".")[0]) < 8:
        return [
            Finding(
                "widgets",
                "problem",
                f"ipywidgets {version}: JupyterLab 4 needs 8 or newer",
                "pip install --upgrade 'ipywidgets>=8'",
            )
        ]
    found = [Finding("widgets", "ok", f"ipywidgets {version}")]
    extension = labextension_dir(WIDGETS_EXTENSION)
    if extension is None:
        return found + [
            Finding(
                "widgets ext",
                "problem",
                f"JupyterLab extension {WIDGETS_EXTENSION} not found: sliders render as text",
                "pip install 'ipywidgets>=8' jupyterlab_widgets in the environment that runs "
                "JupyterLab, then restart JupyterLab",
            )
        ]
    return found + [
        Finding("widgets ext", "ok", f"{WIDGETS_EXTENSION} {dist_version('jupyterlab_widgets')}")
    ]


def labextension_dir(name):
    """Where JupyterLab's extension `name` is installed, or None."""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        # Without jupyter_core there is no JupyterLab here; look where pip puts extensions.
        roots = [os.path.join(sys.prefix, "share", "jupyter")]
    else:
        roots = jupyter_path()
    for root in roots:
        candidate = Path(root) / "labextensions" / name
        if (candidate / "package.json").is_file():
            return candidate
    return None


def _datasets():
    findings = [_cache()]
    from alexlab import data
    from alexlab.checks import InvalidArgument

    for env, kind, layout in (
        (data.CIFAR10_ENV, "cifar10", data.CIFAR10_LAYOUT),
        (data.FLOWERS_ENV, "flowers", data.FLOWERS_LAYOUT),
    ):
        folder = os.environ.get(env)
        if not folder:
            continue
        try:
            # The loader's own layout and class checks, so doctor and loader agree.
            findings.append(Finding(env, "ok", f"{folder}: {data.describe_folder(kind, folder)}"))
        except InvalidArgument as error:
            findings.append(
                Finding(env, "problem", str(error), f"point it at {layout}; or unset it")
            )
    return findings


def _cache():
    """The download and decoded-image cache: it must exist or be creatable, and be writable."""
    from alexlab.checks import InvalidArgument, writable_file

    cache = keras_cache_dir()
    try:
        writable_file(cache / "alexlab" / "write-test.npz", "the dataset cache")
    except InvalidArgument as error:
        via = "KERAS_HOME" if os.environ.get("KERAS_HOME") else "the home folder"
        return Finding(
            "dataset cache",
            "problem",
            f"{error} (downloads and decoded images are kept in {cache}, set by {via})",
            "set KERAS_HOME to a folder you can write to",
        )
    if not cache.is_dir():
        return Finding(
            "dataset cache", "note", f"{cache} does not exist yet: the first load creates it"
        )
    entries = sorted(cache.iterdir())
    listing = ", ".join(f"{p.name} ({memory.size(_du(p))})" for p in entries) or "empty"
    free = shutil.disk_usage(cache).free
    return Finding("dataset cache", "ok", f"{cache}: {listing}; {memory.size(free)} free")


def _memory():
    from alexlab.profiles import profile

    try:
        name = profile()
    except ValueError:  # reported under "profile"; judge memory as for the cpu profile
        name = "cpu"
    ok, text = memory.status(name)
    if ok:
        return [Finding("memory", "ok", text)]
    detail, _, fix = text.partition(": ")
    return [Finding("memory", "problem", detail, fix)]


def _du(path):
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# topic -> check, in the report's order
CHECKS = {
    "python": _python,
    "keras": _keras,
    "tensorflow": _tensorflow,
    "accelerator": _accelerator,
    "profile": _profile,
    "widgets": _widgets,
    "datasets": _datasets,
    "memory": _memory,
}
