"""tools/binder.py measures a kernel's peak memory: checked against a known allocation."""

import importlib.util
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
