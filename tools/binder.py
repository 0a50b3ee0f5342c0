"""Binder reproduced: the environment mybinder.org builds from binder/, then every notebook
run as a learner runs it, with each kernel's peak memory and time.

    python tools/binder.py --fresh /tmp/binder-env     # build binder/'s environment, then measure
    python tools/binder.py                             # measure in the current environment
    python tools/binder.py --notebooks notebooks/01_output_size.ipynb --profile smoke

mybinder.org guarantees 1 GB and allows 2 GB per user; the series aims at a peak under
1.5 GB per kernel and about 10 minutes per notebook in the cpu profile on 2 cores.

Each notebook runs top to bottom in its own kernel with notebooks/ as the working
directory, as JupyterLab runs it; its kernel's peak resident memory is the kernel
process's high-water mark (VmHWM, Linux). With --path the kernels are left running, as
they are when a learner opens 00, 01, 02 ... in one JupyterLab session without shutting
any down, and the memory of all kernels alive at each notebook's end is recorded too.
Nothing is written into the notebooks, and results files the notebooks write are put back
as they were. Results: benchmarks/results/binder_<profile>.json.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEAK_TARGET_MIB = 1536
SECONDS_TARGET = 600


def _status(pid, field):
    """A memory field of /proc/<pid>/status in MiB (VmHWM: peak, VmRSS: now); None if gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def fresh_environment(folder):
    """Build binder/'s environment in `folder` as mybinder.org does; return its python."""
    folder = Path(folder)
    version = (ROOT / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    python = f"python{version}"
    if subprocess.run(["which", python], capture_output=True).returncode != 0:
        print(f"note: {python} (binder/runtime.txt) not found; using {sys.executable}")
        python = sys.executable
    subprocess.run([python, "-m", "venv", "--clear", str(folder)], check=True)
    bin_ = folder / "bin"
    env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    pip = [str(bin_ / "python"), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["-r", str(ROOT / "binder" / "requirements.txt")], check=True, env=env)
    subprocess.run(["bash", str(ROOT / "binder" / "postBuild")], check=True, env=env, cwd=ROOT)
    return bin_ / "python"


def run(notebooks, path=False, timeout=1800):
    """Execute each notebook in a new kernel; return per-notebook peak MiB, seconds, errors."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    results, alive = [], []
    try:
        for notebook in notebooks:
            nb = nbformat.read(notebook, as_version=4)
            manager = KernelManager(kernel_name="python3")
            manager.start_kernel(cwd=str(ROOT / "notebooks"))
            pid = manager.provisioner.process.pid
            client = NotebookClient(nb, km=manager, timeout=timeout, kernel_name="python3")
            peak, done = [0.0], threading.Event()

            def watch(pid=pid, peak=peak, done=done):
                while not done.wait(0.2):  # the high-water mark only grows: keep the last
                    peak[0] = max(peak[0], _status(pid, "VmHWM") or 0.0)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            start, error = time.perf_counter(), None
            try:
                client.execute()
            except CellExecutionError as failure:
                error = str(failure).strip().splitlines()[-1][:300]
            seconds = time.perf_counter() - start
            peak[0] = max(peak[0], _status(pid, "VmHWM") or 0.0)
            done.set()
            watcher.join()
            alive.append((manager, pid))
            row = {"notebook": Path(notebook).name, "peak_mib": round(peak[0], 1),
                   "seconds": round(seconds, 1), "error": error}  # fmt: skip
            if path:  # a learner who shuts nothing down: every kernel so far still holds memory
                row["kernels_alive_mib"] = round(sum(_status(p, "VmRSS") or 0 for _, p in alive))
            else:
                manager.shutdown_kernel(now=True)
                alive.pop()
            print(f"{row['notebook']}: peak {row['peak_mib']:,.0f} MiB, {row['seconds']:.0f} s"
                  + (f", all kernels {row['kernels_alive_mib']:,} MiB" if path else "")
                  + (f", ERROR {error}" if error else ""), flush=True)  # fmt: skip
            results.append(row)
    finally:
        for manager, _ in alive:
            manager.shutdown_kernel(now=True)
    return results


def main(argv=None):
    """Parse the command line, build the environment if asked, measure, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", help="build binder/'s environment in this folder first")
    parser.add_argument("--notebooks", nargs="*", help="default: every notebook, in order")
    parser.add_argument("--profile", default="cpu", choices=("smoke", "cpu", "gpu"))
    parser.add_argument("--path", action="store_true", help="leave kernels running, in order")
    parser.add_argument("--json", help="default: benchmarks/results/binder_<profile>.json")
    args = parser.parse_args(argv)
    if args.fresh:
        python = fresh_environment(args.fresh)
        rest = [a for a in sys.argv[1:] if a not in ("--fresh", args.fresh)]
        os.environ["ALEXLAB_BINDER_COMMAND"] = " ".join(sys.argv[1:])  # recorded as given
        os.execv(python, [str(python), __file__, *rest])
    notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    os.environ["ALEXLAB_PROFILE"] = args.profile
    # Notebooks save their results (07 writes augmentation_<profile>.json); this is a
    # measurement of memory and time, so the committed results are put back afterwards.
    folder = ROOT / "benchmarks" / "results"
    before = {f: f.read_bytes() for f in folder.glob("*.json")}
    try:
        results = run(notebooks, path=args.path)
    finally:
        for f in folder.glob("*.json"):
            if f not in before:
                f.unlink()
        for f, content in before.items():
            if not f.exists() or f.read_bytes() != content:
                f.write_bytes(content)
    worst = max(results, key=lambda r: r["peak_mib"])
    out = {
        "command": "python tools/binder.py "
        + os.environ.get("ALEXLAB_BINDER_COMMAND", " ".join(sys.argv[1:])),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "environment": sys.prefix,
        "profile": args.profile,
        "targets": {"peak_mib": PEAK_TARGET_MIB, "seconds": SECONDS_TARGET},
        "notebooks": results,
        "all_within_targets": all(
            r["peak_mib"] < PEAK_TARGET_MIB and r["seconds"] < SECONDS_TARGET and not r["error"]
            for r in results
        ),
    }
    path = Path(args.json or ROOT / "benchmarks" / "results" / f"binder_{args.profile}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"highest peak: {worst['notebook']} {worst['peak_mib']:,.0f} MiB; -> {path}")
    return 0 if all(not r["error"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
