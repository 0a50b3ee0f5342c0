"""alexlab.memory: container limits, other kernels, and the advice al.setup() prints."""

import importlib.util
import os
from pathlib import Path

import pytest

from alexlab import memory

GiB, MiB = 1024**3, 1024**2
ROOT = Path(__file__).resolve().parent.parent


def test_cgroup_memory_limit_is_read_in_v2_and_v1(tmp_path):
    own = tmp_path / "cgroup"
    v2 = tmp_path / "v2"
    (v2 / "user.slice").mkdir(parents=True)
    (v2 / "user.slice" / "memory.max").write_text("2147483648\n")
    (v2 / "user.slice" / "memory.current").write_text("1073741824\n")
    own.write_text("0::/user.slice\n")
    assert memory._cgroup_memory(v2, own) == (2 * GiB, GiB)
    # Inactive page cache is given back before anything is killed: not counted as used.
    (v2 / "user.slice" / "memory.stat").write_text("anon 1\ninactive_file 268435456\n")
    assert memory._cgroup_memory(v2, own) == (2 * GiB, GiB - 256 * MiB)
    (v2 / "user.slice" / "memory.max").write_text("max\n")
    assert memory._cgroup_memory(v2, own) is None  # no limit
    v1 = tmp_path / "v1"
    (v1 / "memory").mkdir(parents=True)  # a container sees its own group at the root
    (v1 / "memory" / "memory.limit_in_bytes").write_text(str(2 * GiB))
    (v1 / "memory" / "memory.usage_in_bytes").write_text(str(512 * MiB))
    (v1 / "memory" / "memory.stat").write_text("cache 9\ntotal_inactive_file 1048576\n")
    own.write_text("4:memory:/docker/abc\n0::/\n")
    assert memory._cgroup_memory(v1, own) == (2 * GiB, 511 * MiB)
    (v1 / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712")
    assert memory._cgroup_memory(v1, own) is None
    assert memory._cgroup_memory(tmp_path / "nothing", own) is None


def _process(proc, pid, args, rss_kib, uid):
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "cmdline").write_bytes(b"\0".join(a.encode() for a in args) + b"\0")
    (folder / "status").write_text(
        f"Name:\tpython\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nVmRSS:\t{rss_kib} kB\n"
    )


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="user ids are POSIX")
def test_other_kernels_are_this_users_ipykernels_but_not_this_process(tmp_path):
    me, uid = os.getpid(), os.getuid()
    kernel = ["/usr/bin/python", "-m", "ipykernel_launcher", "-f", "/tmp/k.json"]
    _process(tmp_path, 101, kernel, 1_200_000, uid)
    _process(tmp_path, 102, ["/usr/bin/python", "-m", "jupyterlab"], 90_000, uid)
    _process(tmp_path, 103, kernel, 700_000, uid + 1)  # someone else's
    _process(tmp_path, me, kernel, 800_000, uid)  # this very kernel
    (tmp_path / "104").mkdir()  # a process that ended while being read
    assert memory.other_kernels(tmp_path) == [(101, 1_200_000 * 1024)]


def _state(available, others=(), limit=2 * GiB, own=700 * MiB):
    used = None if limit is None else limit - available
    return memory.Memory(available, limit, used, own, tuple(others))


def test_status_says_to_shut_down_the_kernels_that_hold_what_this_one_needs():
    # Binder: 2 GB; this kernel 0.7 GB, another 1.1 GB, so 0.2 GB free; cpu needs 1.5 GB.
    ok, line = memory.status("cpu", _state(200 * MiB, [(7, 1100 * MiB)]))
    assert not ok
    assert line.startswith("900.0 MB for this kernel (this container's limit is 2.0 GB)")
    assert "1 other notebook kernel holds 1.1 GB" in line and "Running Terminals" in line
    # The advice tools/binder.py follows as a learner would is in that line.
    spec = importlib.util.spec_from_file_location("binder_tool", ROOT / "tools" / "binder.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.ADVICE in line


def test_status_is_ok_with_room_and_says_what_else_to_do_without_kernels_to_free():
    ok, line = memory.status("cpu", _state(1300 * MiB, [(7, 100 * MiB)]))
    assert ok and "1.9 GB for this kernel" in line  # the limit less the other kernel's 0.1 GB
    # A container's usage can read low (pages charged elsewhere): never more than the limit
    # less what the other kernels hold, here 2.0 - 0.6 GB, under the 1.5 GB needed.
    ok, line = memory.status("cpu", _state(2000 * MiB, [(7, 614 * MiB)]))
    assert not ok and line.startswith("1.4 GB for this kernel") and "shut them down" in line
    ok, line = memory.status("cpu", _state(100 * MiB, limit=None))
    assert not ok and "this machine" in line and "ALEXLAB_PROFILE=smoke" in line
    assert "shut them down" not in line
    ok, line = memory.status("smoke", _state(400 * MiB))
    assert ok and "smoke profile needs about 1.0 GB" in line
    assert memory.status("cpu", _state(None, limit=None)) == (
        True,
        "could not read the free memory of this system",
    )


def test_measure_reads_this_process():
    found = memory.measure()
    assert found.own > 10 * MiB  # a Python process with pytest loaded
    assert all(pid != os.getpid() for pid, _ in found.others)
    assert found.available is None or found.available > 0


def test_size_in_readable_units():
    assert [memory.size(n) for n in (512, 848 * MiB, 2 * GiB)] == ["512 B", "848.0 MB", "2.0 GB"]
