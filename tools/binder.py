"""Binder reproduced: the environment mybinder.org builds from binder/, then every notebook
run as a learner runs it, with each kernel's peak memory and time.

    python tools/binder.py --fresh /tmp/binder-env     # build binder/'s environment, then measure
    python tools/binder.py                             # measure in the current environment
    python tools/binder.py --notebooks notebooks/01_output_size.ipynb --profile smoke
    python tools/binder.py --path --limit-mib 2048     # a learner's path inside 2 GiB
    python tools/binder.py --save ...                  # and keep the executed notebooks

mybinder.org guarantees 1 GB and allows 2 GB per user; the series aims at a peak under
1.5 GB per kernel and about 10 minutes per notebook in the cpu profile on 2 cores.

Each notebook runs top to bottom in its own kernel with notebooks/ as the working
directory, as JupyterLab runs it; its kernel's peak resident memory is the kernel
process's high-water mark (VmHWM, Linux). With --path the kernels are left running, as
they are when a learner opens 00, 01, 02 ... in one JupyterLab session, and the memory of
all kernels alive at each notebook's end is recorded too. The learner does what the
notebook says: when its setup cell (al.setup()) stops because other kernels hold the
memory this one needs, they are shut down and the notebook is run again.
--limit-mib puts this process and every kernel it starts in a memory cgroup with that
limit (as Binder's container has), so a notebook that needs more is killed as there.
Nothing is written into the notebooks, and what the notebooks save goes to runs/results
(alexlab.results), unless --save: then the executed notebooks are written back and their
results recorded in benchmarks/results, as tools/execute_notebooks.py does.
Results: benchmarks/results/binder_<profile>.json.
"""

import argparse
import contextlib
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
# The words al.setup() prints when other kernels hold the memory this one needs.
ADVICE = "shut them down"


def _status(pid, field):
    """A memory field of /proc/<pid>/status in MiB (VmHWM: peak, VmRSS: now); None if gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class MemoryLimit:
    """A memory cgroup (v2, else v1) holding this process and the kernels it starts."""

    def __init__(self, mib, root="/sys/fs/cgroup"):
        self.mib, self.root = mib, Path(root)
        name = f"alexlab-binder-{os.getpid()}"
        if (self.root / "cgroup.controllers").exists():  # cgroup v2
            self.folder, self.files = self.root / name, ("memory.max", "memory.peak")
        else:
            self.folder = self.root / "memory" / name
            self.files = ("memory.limit_in_bytes", "memory.max_usage_in_bytes")

    def __enter__(self):
        try:
            self.folder.mkdir()
            (self.folder / self.files[0]).write_text(str(self.mib * 2**20))
            (self.folder / "cgroup.procs").write_text(str(os.getpid()))
        except OSError as e:
            raise SystemExit(
                f"--limit-mib {self.mib}: could not make a memory cgroup at {self.folder} ({e}). "
                "It needs root and a writable cgroup filesystem; without one, run without "
                "--limit-mib (peaks are still measured) or under "
                "`systemd-run --user --scope -p MemoryMax=2G python tools/binder.py ...`"
            ) from e
        return self

    def peak_mib(self):
        """The cgroup's peak memory in MiB (page cache included), or None where unrecorded."""
        try:
            return round(int((self.folder / self.files[1]).read_text()) / 2**20, 1)
        except (OSError, ValueError):
            return None

    def oom_kills(self):
        """Processes the kernel killed in this cgroup for want of memory."""
        name = "memory.events" if self.files[0] == "memory.max" else "memory.oom_control"
        try:
            for line in (self.folder / name).read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def __exit__(self, *exc):
        # Back to the parent cgroup; the folder can go once no process is left in it.
        (self.folder.parent / "cgroup.procs").write_text(str(os.getpid()))
        for _ in range(50):
            try:
                self.folder.rmdir()
                return
            except OSError:
                time.sleep(0.1)
        print(f"note: {self.folder} left behind (processes still in it)")


def _execute(client, pid):
    """client.execute(), but a kernel that dies (killed at a memory limit) raises, not hangs."""
    from nbclient.exceptions import DeadKernelError

    # nbclient notices the dead kernel but then waits for its output forever (nbclient
    # 0.10), so it runs in a thread and the kernel process is watched from here.
    failure = []

    def target():
        try:
            client.execute()
        except BaseException as e:  # handed to the caller below
            failure.append(e)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(1.0)
        if thread.is_alive() and _status(pid, "VmRSS") is None:  # gone, or a zombie
            thread.join(10.0)
            if thread.is_alive():
                raise DeadKernelError("the kernel died")
    if failure:
        raise failure[0]


def _executor():
    import importlib.util

    file = ROOT / "tools" / "execute_notebooks.py"  # its clean(): one way to save notebooks
    spec = importlib.util.spec_from_file_location("execute_notebooks", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def run(notebooks, path=False, timeout=1800, save=False):
    """Execute each notebook in a new kernel; return per-notebook peak MiB, seconds, errors.

    save=True writes each notebook that ran without error back, cleaned as
    tools/execute_notebooks.py cleans it, so one run both measures and executes.
    """
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    results, alive = [], []
    try:
        for notebook in notebooks:
            nb = nbformat.read(notebook, as_version=4)
            manager = KernelManager(kernel_name="python3")
            manager.start_kernel(cwd=str(ROOT / "notebooks"))
            pid = manager.provisioner.process.pid
            before = len(alive)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None

            def client(nb=nb, manager=manager):
                return NotebookClient(
                    nb, km=manager, timeout=timeout, kernel_name="python3", store_widget_state=False
                )

            peak, done = [0.0], threading.Event()

            def watch(pid=pid, peak=peak, done=done):
                while not done.wait(0.2):  # the high-water mark only grows: keep the last
                    peak[0] = max(peak[0], _status(pid, "VmHWM") or 0.0)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            start, error, shut = time.perf_counter(), None, 0
            try:
                try:
                    _execute(client(), pid)
                except CellExecutionError as failure:
                    # What the learner does when al.setup() stops and says other kernels
                    # hold the memory: shut them down, then run the notebook again.
                    if not (path and alive and ADVICE in str(failure)):
                        raise
                    for other, _ in alive:
                        other.shutdown_kernel(now=True)
                    shut, alive[:] = len(alive), []
                    _execute(client(), pid)
            except CellExecutionError as failure:
                error = str(failure).strip().splitlines()[-1][:300]
            except DeadKernelError:
                error = "the kernel died (killed for want of memory?)"
            seconds = time.perf_counter() - start
            peak[0] = max(peak[0], _status(pid, "VmHWM") or 0.0)
            done.set()
            watcher.join()
            alive.append((manager, pid))
            if save and error is None:
                nbformat.write(_executor().clean(nb), notebook)
            row = {
                "notebook": Path(notebook).name,
                "peak_mib": round(peak[0], 1),
                "seconds": round(seconds, 1),
                "error": error,
            }
            if path:  # the kernels the learner has not shut down still hold memory
                row["kernels_alive_mib"] = round(sum(_status(p, "VmRSS") or 0 for _, p in alive))
                row["kernels_before"] = before
                row["kernels_shut_down"] = shut
            else:
                manager.shutdown_kernel(now=True)
                alive.pop()
            print(
                f"{row['notebook']}: peak {row['peak_mib']:,.0f} MiB, {row['seconds']:.0f} s"
                + (f", all kernels {row['kernels_alive_mib']:,} MiB" if path else "")
                + (f", told to shut down {shut} kernel(s) and did" if shut else "")
                + (f", ERROR {error}" if error else ""),
                flush=True,
            )
            results.append(row)
    finally:
        for manager, _ in alive:
            manager.shutdown_kernel(now=True)
    return results


def merge(old, new):
    """New measurements of some notebooks over an older results file: the other rows kept.

    Each row says which command and date measured it; the container's peak and kills
    cover both runs, and "all within targets" is judged again over the merged rows.
    """
    ran = {row["notebook"] for row in new["notebooks"]}
    stamp = {"command": old["command"], "date": old["date"]}
    kept = [
        {**row, "measured": row.get("measured", stamp)}
        for row in old["notebooks"]
        if row["notebook"] not in ran
    ]
    now = [
        {**row, "measured": {"command": new["command"], "date": new["date"]}}
        for row in new["notebooks"]
    ]
    rows = sorted(kept + now, key=lambda row: row["notebook"])
    merged = {**new, "notebooks": rows}
    if old.get("container") and new.get("container"):
        merged["container"] = {
            "limit_mib": new["container"]["limit_mib"],
            "peak_mib": max(old["container"]["peak_mib"], new["container"]["peak_mib"]),
            "oom_kills": old["container"]["oom_kills"] + new["container"]["oom_kills"],
        }
    merged["all_within_targets"] = all(
        r["peak_mib"] < PEAK_TARGET_MIB and r["seconds"] < SECONDS_TARGET and not r["error"]
        for r in rows
    )
    return merged


def main(argv=None):
    """Parse the command line, build the environment if asked, measure, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", help="build binder/'s environment in this folder first")
    parser.add_argument("--notebooks", nargs="*", help="default: every notebook, in order")
    parser.add_argument("--profile", default="cpu", choices=("smoke", "cpu", "gpu"))
    parser.add_argument("--path", action="store_true", help="leave kernels running, in order")
    parser.add_argument("--limit-mib", type=int, help="run inside a memory cgroup this large")
    parser.add_argument("--save", action="store_true", help="write the executed notebooks back")
    parser.add_argument("--json", help="default: benchmarks/results/binder_<profile>.json")
    keep = "keep the results file's rows for the notebooks not run now"
    parser.add_argument("--merge", action="store_true", help=keep)
    args = parser.parse_args(argv)
    if args.fresh:
        python = fresh_environment(args.fresh)
        rest = [a for a in sys.argv[1:] if a not in ("--fresh", args.fresh)]
        os.environ["ALEXLAB_BINDER_COMMAND"] = " ".join(sys.argv[1:])  # recorded as given
        os.execv(python, [str(python), __file__, *rest])
    notebooks = args.notebooks or sorted(str(p) for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    from alexlab import checks, results  # in the environment measured (after --fresh)

    os.environ["ALEXLAB_PROFILE"] = args.profile
    path = Path(args.json or results.path(f"binder_{args.profile}", results.RECORDED))
    checks.writable_file(path, "--json")  # found now, not after every notebook has run
    # What the notebooks save (07 its comparison) belongs to the outputs they show: recorded
    # only when --save keeps those outputs, else left in runs/results (git ignores it).
    os.environ["ALEXLAB_RECORD"] = "1" if args.save and args.profile != "smoke" else "0"
    limit = MemoryLimit(args.limit_mib) if args.limit_mib else contextlib.nullcontext()
    with limit:
        rows = run(notebooks, path=args.path, save=args.save)
        container = (
            {
                "limit_mib": args.limit_mib,
                "peak_mib": limit.peak_mib(),
                "oom_kills": limit.oom_kills(),
            }
            if args.limit_mib
            else None
        )
    worst = max(rows, key=lambda r: r["peak_mib"])
    command = "python tools/binder.py " + os.environ.get(
        "ALEXLAB_BINDER_COMMAND", " ".join(sys.argv[1:])
    )
    out = {
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "environment": sys.prefix,
        "targets": {"peak_mib": PEAK_TARGET_MIB, "seconds": SECONDS_TARGET},
        "path": args.path,
        "container": container,
        "notebooks": rows,
        "all_within_targets": all(
            r["peak_mib"] < PEAK_TARGET_MIB and r["seconds"] < SECONDS_TARGET and not r["error"]
            for r in rows
        ),
    }
    if args.merge and path.exists():
        out = merge(json.loads(path.read_text()), out)
    # This process runs no notebook code: its provenance loads no Keras backend.
    path = results.write_to(path, out, command=command, load_backend=False)
    print(f"highest peak: {worst['notebook']} {worst['peak_mib']:,.0f} MiB; -> {path}")
    return 0 if all(not r["error"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
