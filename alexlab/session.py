"""A notebook's session: ``al.setup()`` and ``describe()``, what a result says of where it ran.

Stands above ``runtime`` (Keras, backend, accelerators, versions) and ``profiles`` (how
much work to do), so neither of those needs the other's caller.
"""

import os
import platform

from alexlab import memory, profiles, runtime

__all__ = ["OtherKernelsHoldMemory", "describe", "setup"]


def describe(load=True):
    """Everything a result needs to say where it came from, as one dict.

    load=False reads versions from the installed distributions and loads no backend (a
    tool that runs notebooks in their own kernels, and measures their memory, stays
    light): the backend is then the one Keras would choose, and the device this machine.
    """
    if not load:
        name = os.environ.get("KERAS_BACKEND", "tensorflow")
        versions = {
            "python": platform.python_version(),
            "alexlab": runtime.dist_version("alexlab"),
            "keras": runtime.dist_version("keras"),
            "numpy": runtime.dist_version("numpy"),
            "backend": name,
            "backend_version": runtime.dist_version(*runtime.BACKEND_DISTS.get(name, (name,))),
        }
        return {**versions, "device": _cpu(), "profile": os.environ.get(profiles.ENV_VAR)}
    found = runtime.accelerators()
    return {
        **runtime.versions(),
        "device": found[0] if found else _cpu(),
        "profile": profiles.profile(),
        "profile_source": profiles.profile_source(),
    }


def _cpu():
    return f"CPU ({platform.machine()}, {os.cpu_count()} cores)"


class OtherKernelsHoldMemory(MemoryError):
    """Other notebook kernels hold memory this one needs: shut them down, then run setup again."""


def setup(seed=0, check_memory=True):
    """Seed Python, NumPy and Keras, then print versions, backend, device, profile, memory.

    Before TensorFlow loads (~0.7 GB), it checks the memory this kernel can have: where
    other notebook kernels hold what this one's profile needs (Binder's 2 GB is shared by
    every open notebook), it stops with OtherKernelsHoldMemory saying to shut them down,
    rather than let the kernel be killed part way. check_memory=False goes on regardless.
    """
    early = os.environ.get(profiles.ENV_VAR, "").strip().lower()  # the full check loads Keras
    ok, line = memory.status(early if early in memory.MEMORY_NEEDED else "cpu")
    if check_memory and not ok and memory.SHUT_DOWN in line:
        raise OtherKernelsHoldMemory(f"{line}; then run this cell again")
    keras = runtime.import_keras()
    keras.utils.set_random_seed(seed)
    info = describe()
    backend_version = info["backend_version"] or "version unknown"
    print(
        f"alexlab {info['alexlab']} | Python {info['python']} | Keras {info['keras']} | "
        f"backend {info['backend']} {backend_version}"
    )
    print(f"device:  {info['device']}")
    print(f"profile: {info['profile']} ({info['profile_source']})")
    print(f"seed:    {seed}")
    ok, line = memory.status(info["profile"])  # now with the backend loaded
    print(f"memory:  {line}" if ok else f"memory:  WARNING: {line}")
