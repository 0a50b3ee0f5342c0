"""Execute notebooks from a fresh kernel, in order, and save them clean for committing.

    python tools/execute_notebooks.py                      # every notebook, cpu profile
    python tools/execute_notebooks.py notebooks/01_*.ipynb --profile gpu

Each notebook runs top to bottom in a new kernel (the same check as
Restart & Run All), with notebooks/ as the working directory. Then volatile
metadata (widget state, timings, kernel details) is dropped: notebook
metadata keeps kernelspec and language_info, cells keep only their tags.
A notebook that raises is not written. These are the executions that get committed, so
their results are recorded: ALEXLAB_RECORD=1 sends what a notebook saves to
benchmarks/results (alexlab.results), except in the smoke profile, which measures nothing.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _settle(text):
    """Text as a terminal or Jupyter shows it: each line keeps what follows its last '\\r'."""
    lines = text.split("\n")
    return "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in lines)


def _merge_streams(outputs):
    """Join consecutive stream outputs of one name, as Jupyter shows them, then settle '\\r'."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    for output in merged:
        if output.get("output_type") == "stream":
            output["text"] = _settle(output["text"])
    return merged


def clean(nb):
    """Keep kernelspec and language_info, cell tags only, no widget state, settled progress bars."""
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": nb.metadata.get("language_info", {})}
    )
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
        tags = cell.metadata.get("tags")
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
    return nb


def execute(path, profile, timeout):
    """Run one notebook in a fresh kernel of this Python environment and save it cleaned."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    os.environ["ALEXLAB_PROFILE"] = profile
    os.environ["ALEXLAB_RECORD"] = "0" if profile == "smoke" else "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    nbformat.write(clean(nb), path)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", default="cpu", choices=["smoke", "cpu", "gpu"])
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        seconds = execute(path.resolve(), args.profile, args.timeout)
        print(f"{path.name}: executed in the {args.profile} profile in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
