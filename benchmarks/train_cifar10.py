"""Time-to-accuracy on CIFAR-10: one fixed schedule, several seeds, medians, with provenance.

    python benchmarks/train_cifar10.py NAME [--seeds 0 1 2] -- TRAIN-OPTIONS...

runs ``python -m alexlab train --dataset cifar10 --no-checkpoint --seed S
TRAIN-OPTIONS --json ...`` once per seed, each in a fresh process (so the wall
clock includes starting Python, importing Keras and loading the data, as a user
sees it), and writes benchmarks/results/NAME.json: every run's result, and the
median test accuracy and seconds over the seeds. The schedule (model, recipe,
epochs) is fixed before the first run and the same for every seed; nothing
looks at the test set until training has ended.

The named schedules (commands.md beside this file lists the exact commands) are
what the README and notebook 08 read. The data comes from --source or
$ALEXLAB_CIFAR10_DIR; nothing is downloaded when either is given.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run_once(options, seed):
    """One training run in a fresh process; its JSON result."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        command = [sys.executable, "-m", "alexlab", "train", "--dataset", "cifar10"]
        command += ["--no-checkpoint", "--quiet", "--seed", str(seed), *options]
        command += ["--json", str(path)]
        print("$", " ".join(command[1:]), flush=True)
        subprocess.run(command, check=True, cwd=ROOT)
        return json.loads(path.read_text())


def summarise(name, options, runs):
    """The results file's body: the schedule, every run, the medians and ranges over seeds.

    options: the training options every run was given (the command line records them).
    """
    from alexlab.results import records

    made = [records.TrainingRun.from_json(run) for run in runs]
    return records.TrainingRuns.of(name, made).to_json()


def save(name, result, where=None):
    """Write result `name` (default: into benchmarks/results), stamped with the provenance of
    the process that trained its first run; for a file of choices only, of this machine
    without loading a backend (on a GPU it would take the memory the runs need)."""
    import alexlab as al

    where = al.results.RECORDED if where is None else where
    runs = result.get("runs") or []
    if not runs:
        return al.results.write(name, result, where=where, load_backend=False)
    measured = al.results.records.Provenance.from_json(runs[0])
    return al.results.write(
        name, result, where=where, measured_by=measured, dataset=runs[0]["dataset"]
    )


def report(result):
    """One line: the median accuracy (test, or validation when the test set was not used)."""
    m = result["median"]
    which = "test" if m["test_accuracy"] is not None else "validation"
    return (
        f"{result['benchmark']}: median {which} accuracy {m[which + '_accuracy']:.2%} over seeds "
        f"{result['seeds']}; median {m['train_seconds']:.1f} s training, "
        f"{m['wall_seconds']:.1f} s wall clock"
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--" in argv:
        cut = argv.index("--")
        argv, options = argv[:cut], argv[cut + 1 :]
    else:
        options = []
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("name", help="results file name, e.g. cifar10_cpu_fast")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    if len(args.seeds) < 3:
        print("note: fewer than 3 seeds; the README asks for medians over at least 3")
    if not os.environ.get("ALEXLAB_CIFAR10_DIR") and "--source" not in options:
        print("note: no --source or ALEXLAB_CIFAR10_DIR: the official archive will be downloaded")
    runs = [run_once(options, seed) for seed in args.seeds]
    result = summarise(args.name, options, runs)
    out = save(args.name, result)
    print(report(result), f"-> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
