"""Memory for a notebook kernel: this machine's or container's, and what other kernels hold.

mybinder.org gives each user a container with a 2 GB limit. A kernel with TensorFlow
loaded holds ~0.7 GB before it does anything, and JupyterLab keeps every opened
notebook's kernel running, so a learner who goes 00 -> 01 -> 02 without shutting any
down runs out long before any one notebook would. ``al.setup()`` prints ``status()``,
which names the other kernels and says to shut them down when they leave this kernel
less than its profile needs; ``python -m alexlab doctor`` reports the same.
"""

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MEMORY_NEEDED", "Memory", "measure", "other_kernels", "status"]

# Memory a kernel needs per profile: the cpu profile is sized to stay under 1.5 GB, with
# headroom under mybinder.org's 2 GB limit.
MEMORY_NEEDED = {"smoke": 1024**3, "cpu": 3 * 1024**3 // 2, "gpu": 4 * 1024**3}
SHUT_DOWN = (
    "JupyterLab: the Running Terminals and Kernels panel in the left sidebar, or Kernel > "
    "Shut Down All Kernels and then run this notebook again"
)


@dataclass(frozen=True)
class Memory:
    """What this process can still use, and what holds the rest (bytes; None: unknown)."""

    available: int | None  # free to allocate now: the host's, or the container's if less
    limit: int | None  # the container's (cgroup) limit, None when unlimited
    used: int | None  # the container's use, None when unlimited
    own: int  # this process's resident memory
    others: tuple  # (pid, resident bytes) of the other Jupyter kernels of this user

    @property
    def headroom(self):
        """What this process could hold in all, its own memory included; None if unknown."""
        if self.available is None:
            return None
        room = self.available + self.own
        if self.limit is not None:
            # Never more than the limit less what the other kernels hold: a container's
            # usage can read low (pages first touched outside it are charged elsewhere).
            room = min(room, self.limit - sum(rss for _, rss in self.others))
        return room


def measure():
    """This process's memory situation now."""
    available = _available_memory()
    own = _rss(Path("/proc/self/status")) or 0
    limited = _cgroup_memory()
    limit = used = None
    if limited is not None:
        # A container (Binder, Docker) is killed at its cgroup's limit, whatever the host has.
        limit, used = limited
        available = limit - used if available is None else min(available, limit - used)
    return Memory(available, limit, used, own, tuple(other_kernels()))


def status(profile_name, memory=None):
    """(ok, one line): whether this kernel has what `profile_name` needs, and what to do if not."""
    memory = memory or measure()
    need = MEMORY_NEEDED.get(profile_name, MEMORY_NEEDED["cpu"])
    if memory.headroom is None:
        return True, "could not read the free memory of this system"
    where = f"this container's limit is {size(memory.limit)}" if memory.limit else "this machine"
    text = (
        f"{size(memory.headroom)} for this kernel ({where}); "
        f"the {profile_name} profile needs about {size(need)}"
    )
    held = sum(rss for _, rss in memory.others)
    if memory.others:
        n = len(memory.others)
        kernels = "1 other notebook kernel holds" if n == 1 else f"{n} other notebook kernels hold"
        text += f"; {kernels} {size(held)}"
    if memory.headroom >= need:
        return True, text
    if memory.others and memory.headroom + held >= need:
        return False, (
            f"{text}: shut them down ({SHUT_DOWN}), or this kernel may be killed part way"
        )
    return False, f"{text}: close other programs, or use ALEXLAB_PROFILE=smoke"


def other_kernels(proc="/proc"):
    """(pid, resident bytes) of the other running Jupyter kernels of this user."""
    found = []
    me, uid = os.getpid(), os.getuid() if hasattr(os, "getuid") else None
    for folder in Path(proc).glob("[0-9]*"):
        try:
            if int(folder.name) == me:
                continue
            args = (folder / "cmdline").read_bytes().split(b"\0")
            if not any(b"ipykernel" in a for a in args):
                continue
            status_text = (folder / "status").read_text()
        except (OSError, ValueError):
            continue  # gone, or not ours to read
        uids = [line.split()[1] for line in status_text.splitlines() if line.startswith("Uid:")]
        if uid is not None and uids and int(uids[0]) != uid:
            continue
        found.append((int(folder.name), _rss(text=status_text) or 0))
    return sorted(found)


def _rss(path=None, text=None):
    try:
        text = text if text is not None else path.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def _cgroup_memory(root="/sys/fs/cgroup", own="/proc/self/cgroup"):
    """(limit, usage) in bytes of this process's memory cgroup, v2 or v1; None if unlimited."""
    paths = {"v2": "/", "v1": "/"}
    try:
        for line in Path(own).read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controllers == "":
                paths["v2"] = path
            elif "memory" in controllers.split(","):
                paths["v1"] = path
    except (OSError, ValueError):
        pass
    root = Path(root)
    candidates = []
    # A container often sees its own cgroup at the root of the mount, not at its host path.
    for path in dict.fromkeys((paths["v2"], "/")):
        candidates.append((root / path.lstrip("/"), "memory.max", "memory.current"))
    for path in dict.fromkeys((paths["v1"], "/")):
        candidates.append(
            (root / "memory" / path.lstrip("/"), "memory.limit_in_bytes", "memory.usage_in_bytes")
        )
    for folder, limit_name, usage_name in candidates:
        try:
            text = (folder / limit_name).read_text().strip()
        except OSError:
            continue
        if text == "max":
            return None
        limit = int(text)
        if limit >= 2**60:  # cgroup v1 writes "no limit" as a number near 2**63
            return None
        try:
            used = int((folder / usage_name).read_text().strip())
        except (OSError, ValueError):
            used = 0
        # Usage counts the page cache; its inactive file pages are given back before anything
        # is killed, so they are not counted as used (Kubernetes' "working set" does the same).
        try:
            for line in (folder / "memory.stat").read_text().splitlines():
                key, value = line.split()
                if key in ("inactive_file", "total_inactive_file"):
                    used = max(0, used - int(value))
                    break
        except (OSError, ValueError):
            pass
        return limit, used
    return None


def _available_memory():
    try:
        import psutil

        return psutil.virtual_memory().available
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def size(n):
    """Bytes as text: '512 B', '848.0 MB', '2.0 GB'."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"
