"""Training speed of the full 227x227 network and the 32x32 ones, side by side on this CPU.

    python benchmarks/throughput_cpu.py            # batch 32, 4 steps, 3 rounds

Notebook 08 compares the Keras tutorial's route (CIFAR-10 upsampled to 227 for the
paper's network) with 32x32-native networks by their training rates. Training the
61-million-parameter network takes over 1 GB beyond what a kernel already holds
(weights, gradients and momentum alone are 0.7 GB), more than Binder's 2 GB leaves a
notebook, so in the cpu profile notebook 08 reads the rates from the JSON this writes
instead of measuring them itself.

The networks take turns, round after round (`alexlab.train.throughput` each time: `fit`
on random uint8 CIFAR-sized images, augmentation and any upsampling in the step, the
first epoch left out), so a machine that speeds up or slows down during the run affects
them alike. Per network: the median images/s over rounds, and the min and max.
Writes benchmarks/results/throughput_cpu.json.
"""

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NETWORKS = ("alexnet", "alexnet_cifar", "alexnet_cifar_small", "alexnet_cifar_cpu")


def main(argv=None):
    """Measure each network round by round; print and write the JSON."""
    import alexlab as al

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2, help="timed epochs per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="default: benchmarks/results/throughput_cpu.json")
    args = parser.parse_args(argv)
    al.setup(seed=0)
    keras = al.runtime.import_keras()
    rates = {name: [] for name in NETWORKS}
    for round_ in range(args.rounds):
        for name in NETWORKS:
            figures = al.train.throughput(
                name,
                batch_size=args.batch_size,
                precision="auto",
                steps=args.steps,
                repeats=args.repeats,
            )
            rates[name].append(figures["images_per_second"])
            print(
                f"round {round_ + 1}: {name} {figures['images_per_second']:,.1f} images/s",
                flush=True,
            )
            keras.backend.clear_session()
    summary = {
        name: {"images_per_second": statistics.median(r), "min": min(r), "max": max(r), "each": r}
        for name, r in rates.items()
    }
    result = {
        "batch_size": args.batch_size,
        "steps": args.steps,
        "repeats": args.repeats,
        "rounds": args.rounds,
        "networks": summary,
    }
    if args.json:
        path = al.results.write_to(args.json, result)
    else:
        path = al.results.write("throughput_cpu", result, where=al.results.RECORDED)
    for name, s in summary.items():
        print(
            f"{name:20s} {s['images_per_second']:8,.1f} images/s ({s['min']:,.1f}-{s['max']:,.1f})"
        )
    print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
