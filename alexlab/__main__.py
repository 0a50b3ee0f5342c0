"""The command line: ``python -m alexlab train | bench | doctor``.

    python -m alexlab train --dataset cifar10 --model alexnet_cifar --recipe fast --epochs 30 \\
        --json result.json
    python -m alexlab bench --model alexnet --batch-size 256 --precision mixed_bfloat16
    python -m alexlab doctor
"""

import argparse
import sys
import time

from alexlab import checks

__all__ = ["main"]

_START = time.perf_counter()  # wall-clock results count from here, imports included


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line naming the option and a fix, then exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _checked(convert, check, *bounds, **options):
    """An argparse type from one of alexlab.checks' checks: the same rules as the functions."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = text  # the check refuses it in its own words
        try:
            return check("value", value, *bounds, **options)
        except checks.InvalidArgument as error:
            # "value=0: give 1 or more, e.g. 10" -> "0: give 1 or more, e.g. 10"
            why = str(error).removeprefix(f"value={value!r}: ")
            raise argparse.ArgumentTypeError(f"{text}: {why}") from None

    parse.__name__ = "number"
    return parse


def _whole(minimum, example):
    """An argparse type: a whole number of at least `minimum` (0 is a value, never 'unset')."""
    return _checked(int, checks.whole, minimum, example=example)


def _real(low, high, example, low_open=False, high_open=True):
    """An argparse type: a finite number from low to high (None: no upper end)."""
    return _checked(float, checks.number, low, high, low_open, high_open, example=example)


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
    p.add_argument("--epochs", type=_whole(1, 10), help="default: the recipe's for the profile")
    p.add_argument("--batch-size", type=_whole(1, 128), help="override the recipe's batch size")
    p.add_argument(
        "--learning-rate",
        type=_real(0, None, 0.01, low_open=True),
        help="override the recipe's learning rate",
    )
    p.add_argument(
        "--precision", choices=("float32", "mixed_bfloat16", "auto"), help="override the recipe's"
    )
    p.add_argument(
        "--dropout",
        type=_real(0, 1, 0.5),
        help="dropout rate in fc6 and fc7 (0 leaves it out); default: the recipe's",
    )
    p.add_argument(
        "--padding",
        type=_whole(0, 4),
        help="random patches of the image padded by this many pixels "
        "(0: mirror images only); default: the recipe's",
    )
    p.add_argument("--init", choices=("paper", "he"), help="initialisation; default: the recipe's")
    p.add_argument(
        "--validation",
        type=_real(0, 1, 0.1, low_open=True),
        help="hold out this share of the training images (class-balanced, seeded) and report "
        "the accuracy on them after every epoch; for choosing settings",
    )
    p.add_argument(
        "--no-test",
        action="store_true",
        help="never look at the test set (for runs that choose a setting on --validation)",
    )
    p.add_argument(
        "--train-images", type=_whole(1, 5000), help="use a class-balanced subset for training"
    )
    p.add_argument(
        "--test-images", type=_whole(1, 1000), help="use a class-balanced subset for testing"
    )
    p.add_argument("--seed", type=_whole(0, 0), default=0)
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
    p.add_argument(
        "--restart",
        action="store_true",
        help="discard an existing checkpoint at that path and train afresh",
    )
    p.add_argument("--json", help="write the result as one JSON object to this path")
    p.add_argument("--quiet", action="store_true", help="a line per epoch, no progress bar")
    _debug(p)


def _bench_parser(commands):
    p = commands.add_parser(
        "bench",
        help="measure training throughput (images/s) of a model at a batch size and precision",
    )
    p.add_argument("--model", default="alexnet", help="a name from alexlab.train.MODELS")
    p.add_argument("--image-size", type=_whole(1, 32), help="input side; default: the model's own")
    p.add_argument("--batch-size", type=_whole(1, 256), default=256)
    p.add_argument(
        "--precision", choices=("float32", "mixed_bfloat16", "auto"), default="mixed_bfloat16"
    )
    p.add_argument("--steps", type=_whole(1, 50), default=50, help="timed steps per repeat")
    p.add_argument(
        "--repeats", type=_whole(1, 5), default=5, help="timed repeats; the median is reported"
    )
    p.add_argument("--steps-per-execution", type=_whole(1, 1), default=1)
    p.add_argument("--json", help="write the result as one JSON object to this path")
    _debug(p)


def _debug(p):
    # Accepted after the command too; SUPPRESS keeps a "--debug" given before it.
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show the full traceback of an error (for reports)")  # fmt: skip


def main(argv=None):
    """Parse the command line and run the chosen command; return the exit status."""
    parser = _Parser(
        prog="python -m alexlab",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback of an error (for reports)"
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
    from alexlab import cli
    from alexlab.checks import InvalidArgument

    try:
        if args.command == "train":
            return cli.train(args, _START)
        return cli.bench(args)
    except InvalidArgument as error:  # a user's value: one line, no traceback
        if args.debug:
            raise
        print(f"{parser.prog} {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
