"""The command line: ``python -m alexlab train | bench | doctor``.

    python -m alexlab train --dataset cifar10 --model alexnet_cifar --recipe fast --epochs 30 \\
        --json result.json
    python -m alexlab bench --model alexnet --batch-size 256 --precision mixed_bfloat16
    python -m alexlab doctor
"""

import argparse
import sys
import time

__all__ = ["main"]

_START = time.perf_counter()  # wall-clock results count from here, imports included


def _train_parser(commands):
    p = commands.add_parser(
        "train",
        help="train a model on a dataset with a recipe; print and optionally save the result",
        description="Train, evaluate (plain, mirror, ten patches) and report. A checkpoint is "
        "written after every epoch; run the same command again to resume an interrupted run.",
    )
    p.add_argument("--dataset", choices=("cifar10", "flowers", "synthetic"), default="cifar10")
    p.add_argument(
        "--source",
        help="a directory with <split>/<class>/*.jpg (or the official archive's folder); "
        "default: $ALEXLAB_CIFAR10_DIR / $ALEXLAB_FLOWERS_DIR, else download",
    )
    p.add_argument("--model", help="a name from alexlab.train.MODELS; default: the profile's")
    p.add_argument("--recipe", choices=("paper", "fast"), default="fast")
    p.add_argument("--epochs", type=int, help="default: the recipe's for the profile")
    p.add_argument("--batch-size", type=int, help="override the recipe's batch size")
    p.add_argument("--learning-rate", type=float, help="override the recipe's learning rate")
    p.add_argument(
        "--precision", choices=("float32", "mixed_bfloat16", "auto"), help="override the recipe's"
    )
    p.add_argument(
        "--dropout",
        type=float,
        help="dropout rate in fc6 and fc7 (0 leaves it out); default: the recipe's",
    )
    p.add_argument(
        "--padding",
        type=int,
        help="random patches of the image padded by this many pixels "
        "(0: mirror images only); default: the recipe's",
    )
    p.add_argument("--init", choices=("paper", "he"), help="initialisation; default: the recipe's")
    p.add_argument(
        "--validation",
        type=float,
        help="hold out this share of the training images (class-balanced, seeded) and report "
        "the accuracy on them after every epoch; for choosing settings",
    )
    p.add_argument(
        "--no-test",
        action="store_true",
        help="never look at the test set (for runs that choose a setting on --validation)",
    )
    p.add_argument("--train-images", type=int, help="use a class-balanced subset for training")
    p.add_argument("--test-images", type=int, help="use a class-balanced subset for testing")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--tta",
        help="test-time augmentations to evaluate, comma-separated from none, flip, ten_crop "
        "(default: none,flip, and ten_crop when the recipe trains on random patches)",
    )
    p.add_argument(
        "--checkpoint",
        help="checkpoint file (.npz); default: "
        "runs/<dataset>-<model>-<recipe>-e<epochs>-s<seed>.npz",
    )
    p.add_argument("--no-checkpoint", action="store_true", help="do not save or resume")
    p.add_argument("--json", help="write the result as one JSON object to this path")
    p.add_argument("--quiet", action="store_true", help="a line per epoch, no progress bar")


def _bench_parser(commands):
    p = commands.add_parser(
        "bench",
        help="measure training throughput (images/s) of a model at a batch size and precision",
    )
    p.add_argument("--model", default="alexnet", help="a name from alexlab.train.MODELS")
    p.add_argument("--image-size", type=int, help="input side; default: the model's own")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument(
        "--precision", choices=("float32", "mixed_bfloat16", "auto"), default="mixed_bfloat16"
    )
    p.add_argument("--steps", type=int, default=50, help="timed steps per repeat")
    p.add_argument("--repeats", type=int, default=5, help="timed repeats; the median is reported")
    p.add_argument("--steps-per-execution", type=int, default=1)
    p.add_argument("--json", help="write the result as one JSON object to this path")


def main(argv=None):
    """Parse the command line and run the chosen command; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m alexlab",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "doctor",
        help="report versions, backend, accelerator, widgets, dataset cache and memory, "
        "with a fix for each problem",
    )
    _train_parser(commands)
    _bench_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from alexlab.doctor import report

        return 1 if report() else 0
    if args.command == "train":
        from alexlab.cli import train

        return train(args, _START)
    if args.command == "bench":
        from alexlab.cli import bench

        return bench(args)
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
