"""Load time and memory of the datasets: a first load (decode) and later loads (cache).

    python benchmarks/load_data.py --cifar10 DIR [--flowers DIR] [--repeats 3]

Each load runs in a fresh Python process with an empty KERAS_HOME for the first
load and the same one afterwards, so "first" includes decoding every image and
"cached" only reading the decoded arrays. Reports the median seconds, the peak
resident memory of the process and the size of the arrays, and writes
benchmarks/results/load_data_<device>.json. Folders in the archives' layouts;
nothing is downloaded.
"""

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
t = time.perf_counter()
import alexlab as al
kind, folder = sys.argv[1], sys.argv[2]
if kind == "cifar10":
    data = al.data.load_cifar10(folder)
else:
    data = al.data.load_flowers(folder, size=int(sys.argv[3]))
seconds = time.perf_counter() - t
arrays = sum(a.nbytes for a in (data.x_train, data.y_train, data.x_test, data.y_test))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
print(json.dumps({"seconds": seconds, "peak_rss_bytes": peak, "array_bytes": arrays,
                  "train": list(data.x_train.shape), "test": list(data.x_test.shape),
                  "source": data.source}))
"""


def measure(kind, folder, repeats, size):
    """Median seconds of the first and of cached loads, each in a fresh process."""
    with tempfile.TemporaryDirectory() as home:
        runs = []
        for _ in range(repeats + 1):  # the first fills the empty cache
            env = {"KERAS_HOME": home, "ALEXLAB_PROFILE": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3"}
            out = subprocess.run(
                [sys.executable, "-c", CHILD, kind, str(folder), str(size)],
                env={**_base_env(), **env},
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    first, cached = runs[0], runs[1:]
    result = {
        "first_seconds": first["seconds"],
        "first_peak_rss_mib": first["peak_rss_bytes"] / 2**20,
        "cached_seconds_median": statistics.median(r["seconds"] for r in cached),
        "cached_seconds_runs": [r["seconds"] for r in cached],
        "cached_peak_rss_mib": max(r["peak_rss_bytes"] for r in cached) / 2**20,
        "array_mib": first["array_bytes"] / 2**20,
        "train": first["train"],
        "test": first["test"],
        "source": first["source"],
    }
    print(
        f"{kind}: first load {result['first_seconds']:.1f} s "
        f"(peak {result['first_peak_rss_mib']:.0f} MiB), "
        f"cached median {result['cached_seconds_median']:.2f} s over {repeats} "
        f"(peak {result['cached_peak_rss_mib']:.0f} MiB); arrays {result['array_mib']:.0f} MiB"
    )
    return result


def _base_env():
    import os

    return {k: v for k, v in os.environ.items() if k not in ("KERAS_HOME", "ALEXLAB_PROFILE")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cifar10", type=Path, help="CIFAR-10 folder: train/<class>/*.jpg, test/..."
    )
    parser.add_argument(
        "--flowers", type=Path, help="tf_flowers folder: flower_photos/<class>/*.jpg"
    )
    parser.add_argument("--flowers-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = {}
    if args.cifar10:
        results["cifar10"] = measure("cifar10", args.cifar10, args.repeats, 0)
    if args.flowers:
        results["flowers"] = measure("flowers", args.flowers, args.repeats, args.flowers_size)
    if not results:
        parser.error("give --cifar10 and/or --flowers")
    import alexlab as al

    out = {
        "benchmark": "dataset load time and memory",
        "machine": platform.platform(),
        "results": results,
    }
    home = str(Path.home())  # the command as typed, without this machine's home folder
    command = al.results.command_line([a.replace(home, "~") for a in sys.argv])
    path = al.results.write("load_data_cpu", out, command=command, where=al.results.RECORDED)
    print(f"wrote {path.relative_to(Path(__file__).parent.parent)}")


if __name__ == "__main__":
    main()
