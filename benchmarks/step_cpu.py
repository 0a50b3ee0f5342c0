"""Where a CPU training step could get faster: the cpu profile's network and recipe with
one thing changed at a time, each in a fresh process, variants alternated round by round.

    python benchmarks/step_cpu.py [--rounds 2] [--model NAME]

Each run trains a network (the cpu profile's unless --model names another) with
`al.train.build` + `al.train.fit` and the fast recipe on random uint8 images for 4
epochs of 40 batches, and reports the median images per second of the last 3 (the
first compiles and warms caches). The variants:
the default (TensorFlow, float32, no XLA, batch 128, mirror images); bfloat16 mixed
precision; XLA compilation; Keras' JAX backend (XLA on the CPU); kernels 5-3-3-3-3 (a
3x3 conv2, where the network has 5x5); batch 256; no mirroring. Writes
benchmarks/results/step_cpu.json: the model, every rate, each variant's median over
its runs with min and max, and its ratio to the default's median.
Rates only: what a variant does to accuracy needs a comparison on a validation split.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

VARIANTS = {
    "default": {},
    "bfloat16": {"precision": "mixed_bfloat16"},
    "xla": {"jit_compile": True},
    "jax": {"backend": "jax"},
    "conv2_3x3": {"kernels": [5, 3, 3, 3, 3]},
    "batch_256": {"batch_size": 256},
    "no_mirror": {"flip": False},
}


def _child(name, model, out):
    import alexlab as al

    al.setup(seed=0, check_memory=False)
    change = dict(VARIANTS[name])
    change.pop("backend", None)
    kernels = change.pop("kernels", None)
    model = model or al.train.default_model()  # the cpu profile's (ALEXLAB_PROFILE=cpu)
    result = al.train.throughput(
        model,
        batch_size=change.pop("batch_size", 128),
        precision=change.pop("precision", "float32"),
        steps=40,
        repeats=3,
        network_options={"kernels": tuple(kernels)} if kernels else None,
        changes=change,
    )
    run = {
        "variant": name,
        "model": model,
        "images_per_second": result["images_per_second"],
        "epochs": result["images_per_second_each"],
        "parameters": result["parameters"],
    }
    al.results.write_to(out, run)  # stamped with this process's backend and device


def run_once(name, model):
    """One variant of a model in a fresh process: its result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rate.json"
        env = {**os.environ, "ALEXLAB_PROFILE": "cpu"}
        env["KERAS_BACKEND"] = VARIANTS[name].get("backend", "tensorflow")
        command = [sys.executable, __file__, "--child", name, "--out", str(out)]
        command += ["--model", model] if model else []
        subprocess.run(command, check=True, cwd=ROOT, env=env, capture_output=True)
        return json.loads(out.read_text())


def summarise(runs):
    """Per variant: median, min and max of its runs' rates, and the ratio to the default's."""
    by = {}
    for r in runs:
        by.setdefault(r["variant"], []).append(r["images_per_second"])
    base = statistics.median(by["default"])
    return {
        name: {
            "median": statistics.median(rates),
            "min": min(rates),
            "max": max(rates),
            "runs": len(rates),
            "ratio_to_default": statistics.median(rates) / base,
        }
        for name, rates in by.items()
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--model", help="a name from MODELS; default: the cpu profile's")
    parser.add_argument("--child", choices=tuple(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.model, args.out)
        return 0
    runs = []
    for i in range(args.rounds):
        names = list(VARIANTS) if i % 2 == 0 else list(reversed(VARIANTS))
        for name in names:
            runs.append(run_once(name, args.model))
            print(f"round {i + 1}: {name} {runs[-1]['images_per_second']:.0f} images/s", flush=True)
    import alexlab as al

    summary = summarise(runs)
    result = {
        "benchmark": "step_cpu",
        "model": runs[0]["model"],
        "variants": VARIANTS,
        "summary": summary,
        "runs": runs,
    }
    measured = al.results.records.Provenance.from_json(runs[0])  # the default variant's
    out = al.results.write("step_cpu", result, where=al.results.RECORDED, measured_by=measured)
    for name, s in summary.items():
        print(
            f"{name:10s} {s['median']:6.0f} images/s ({s['min']:.0f}-{s['max']:.0f}), "
            f"{s['ratio_to_default']:.2f}x the default"
        )
    print(f"-> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
