"""tools/binder.py measures a kernel's peak memory: checked against a known allocation."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("binder_tool", ROOT / "tools" / "binder.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc")
def test_peak_memory_of_a_kernel_includes_what_it_allocated(tmp_path):
    tool = _tool()
    notebook = tmp_path / "allocate.ipynb"
    nb = nbformat.v4.new_notebook()
    # 400 MiB written byte by byte (resident, not just reserved), then freed: the peak stays.
    nb.cells = [nbformat.v4.new_code_cell("x = b'1' * (400 * 2**20)\ndel x")]
    nbformat.write(nb, notebook)
    empty = tmp_path / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), empty)
    rows = tool.run([str(empty), str(notebook)], path=True, timeout=120)
    baseline, allocated = rows
    assert baseline["error"] is None and allocated["error"] is None
    assert 390 <= allocated["peak_mib"] - baseline["peak_mib"] < 480
    # Both kernels were alive at the end: the second's 400 MiB were freed, its base remains.
    assert (
        allocated["kernels_alive_mib"] >= baseline["kernels_alive_mib"] + 0.5 * baseline["peak_mib"]
    )
    assert tool._status(999_999_999, "VmHWM") is None  # a process that is gone
    assert tool._status("self", "VmHWM") >= tool._status("self", "VmRSS") > 0


def test_a_learner_shuts_down_the_kernels_setup_names_and_runs_the_notebook_again(tmp_path):
    tool = _tool()
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    pid_file = tmp_path / "first.pid"
    code = f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), first)
    # Stands in for al.setup(): stops, with its advice, while the first kernel is alive.
    check = (
        "import os\n"
        f"pid = int(open({str(pid_file)!r}).read())\n"
        f"if os.path.exists(f'/proc/{{pid}}'):\n"
        f"    raise MemoryError('1 other notebook kernel holds 1 GB: {tool.ADVICE}')\n"
        "print('ran')"
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(check)]), second)
    rows = tool.run([str(first), str(second)], path=True, timeout=120, save=True)
    assert [r["error"] for r in rows] == [None, None]
    assert rows[1]["kernels_before"] == 1 and rows[1]["kernels_shut_down"] == 1
    saved = nbformat.read(second, as_version=4)  # written back after the second, clean run
    assert saved.cells[0].outputs[0]["text"] == "ran\n"
    # Without the advice nothing is shut down: the same error stays an error.
    pid_file.write_text(str(os.getpid()))  # this process, alive throughout
    rows = tool.run([str(second)], path=True, timeout=120)
    assert "MemoryError" in rows[0]["error"] and rows[0]["kernels_shut_down"] == 0


def _cgroup_writable():
    root = Path("/sys/fs/cgroup")
    folder = root if (root / "cgroup.controllers").exists() else root / "memory"
    return os.geteuid() == 0 and os.access(folder, os.W_OK)


@pytest.mark.skipif(
    not Path("/proc/self/status").exists() or not _cgroup_writable(),
    reason="needs root and a writable memory cgroup (Linux)",
)
def test_a_kernel_over_the_memory_limit_is_killed_as_on_binder(tmp_path):
    notebook = tmp_path / "big.ipynb"
    cell = nbformat.v4.new_code_cell("x = b'1' * (600 * 2**20)")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), notebook)
    out = tmp_path / "binder.json"
    command = [
        sys.executable,
        str(ROOT / "tools" / "binder.py"),
        "--notebooks",
        str(notebook),
        "--profile",
        "smoke",
        "--limit-mib",
        "400",
        "--json",
        str(out),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert "died" in result["notebooks"][0]["error"]
    assert result["container"]["limit_mib"] == 400 and result["container"]["oom_kills"] >= 1


def test_merge_keeps_the_rows_not_measured_again_and_says_who_measured_each():
    tool = _tool()

    def row(name, peak, seconds):
        return {"notebook": name, "peak_mib": peak, "seconds": seconds, "error": None}

    old = {
        "command": "python tools/binder.py",
        "date": "2026-01-01",
        "container": {"limit_mib": 2048, "peak_mib": 900.0, "oom_kills": 0},
        "notebooks": [row("00_index.ipynb", 600, 7), row("03_relu.ipynb", 1000, 100)],
    }
    new = {
        "command": "python tools/binder.py --notebooks 03",
        "date": "2026-01-02",
        "container": {"limit_mib": 2048, "peak_mib": 1200.0, "oom_kills": 0},
        "notebooks": [row("03_relu.ipynb", 1100, 700)],
    }
    merged = tool.merge(old, new)
    rows = {r["notebook"]: r for r in merged["notebooks"]}
    assert list(rows) == ["00_index.ipynb", "03_relu.ipynb"]
    assert rows["00_index.ipynb"]["measured"]["date"] == "2026-01-01"
    assert rows["03_relu.ipynb"]["peak_mib"] == 1100
    assert rows["03_relu.ipynb"]["measured"]["command"].endswith("--notebooks 03")
    assert merged["container"]["peak_mib"] == 1200.0
    within = tool.SECONDS_TARGET > 700
    assert merged["all_within_targets"] is within
