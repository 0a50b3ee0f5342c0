"""The command line: ``python -m alexlab train | bench | doctor``.

    python -m alexlab train --dataset cifar10 --model alexnet_cifar --recipe fast --epochs 30 \\
        --json result.json
    python -m alexlab bench --model alexnet --batch-size 256 --precision mixed_bfloat16
    python -m alexlab doctor

The parser, every option checked as it is read and together before any work
(``_plan``); what train and bench then do is ``alexlab.commands``.
"""

import argparse
import sys
from pathlib import Path

from alexlab import checks, commands

__all__ = ["main", "parser"]


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


_TRAIN = (  # (flags, options) of `train`, in --help's order
    (("--dataset",), {"choices": ("cifar10", "flowers", "synthetic"), "default": "cifar10"}),
    (
        ("--source",),
        {
            "help": "a directory with <split>/<class>/*.jpg (or the official archive's "
            "folder); default: $ALEXLAB_CIFAR10_DIR / $ALEXLAB_FLOWERS_DIR, else "
            "download"
        },
    ),
    (("--model",), {"help": "a name from alexlab.train.MODELS; default: the profile's"}),
    (("--recipe",), {"choices": ("paper", "fast"), "default": "fast"}),
    (("--epochs",), {"type": _whole(1, 10), "help": "default: the recipe's for the profile"}),
    (("--batch-size",), {"type": _whole(1, 128), "help": "override the recipe's batch size"}),
    (
        ("--learning-rate",),
        {
            "type": _real(0, None, 0.01, low_open=True),
            "help": "override the recipe's learning rate",
        },
    ),
    (
        ("--precision",),
        {"choices": ("float32", "mixed_bfloat16", "auto"), "help": "override the recipe's"},
    ),
    (
        ("--dropout",),
        {
            "type": _real(0, 1, 0.5),
            "help": "dropout rate in fc6 and fc7 (0 leaves it out); default: the recipe's",
        },
    ),
    (
        ("--padding",),
        {
            "type": _whole(0, 4),
            "help": "random patches of the image padded by "
            "this many pixels (0: mirror images only); default: the recipe's",
        },
    ),
    (("--init",), {"choices": ("paper", "he"), "help": "initialisation; default: the recipe's"}),
    (
        ("--validation",),
        {
            "type": _real(0, 1, 0.1, low_open=True),
            "help": "hold out this share of the training images (class-balanced, "
            "seeded) and report the accuracy on them after every epoch; for "
            "choosing settings",
        },
    ),
    (
        ("--no-test",),
        {
            "action": "store_true",
            "help": "never look at the test set (for runs that choose a setting on --validation)",
        },
    ),
    (
        ("--train-images",),
        {"type": _whole(1, 5000), "help": "use a class-balanced subset for training"},
    ),
    (
        ("--test-images",),
        {"type": _whole(1, 1000), "help": "use a class-balanced subset for testing"},
    ),
    (("--seed",), {"type": _whole(0, 0), "default": 0}),
    (
        ("--tta",),
        {
            "help": "test-time augmentations to evaluate, comma-separated from none, flip, "
            "ten_crop (default: none,flip, and ten_crop when the recipe trains on random "
            "patches)"
        },
    ),
    (
        ("--checkpoint",),
        {
            "help": "checkpoint file (.npz); default: "
            "runs/<dataset>-<model>-<recipe>-e<epochs>-s<seed>.npz"
        },
    ),
    (("--no-checkpoint",), {"action": "store_true", "help": "do not save or resume"}),
    (
        ("--restart",),
        {
            "action": "store_true",
            "help": "discard an existing checkpoint at that path and train afresh",
        },
    ),
    (("--json",), {"help": "write the result as one JSON object to this path"}),
    (("--quiet",), {"action": "store_true", "help": "a line per epoch, no progress bar"}),
)

_BENCH = (
    (("--model",), {"default": "alexnet", "help": "a name from alexlab.train.MODELS"}),
    (("--image-size",), {"type": _whole(1, 32), "help": "input side; default: the model's own"}),
    (("--batch-size",), {"type": _whole(1, 256), "default": 256}),
    (
        ("--precision",),
        {"choices": ("float32", "mixed_bfloat16", "auto"), "default": "mixed_bfloat16"},
    ),
    (("--steps",), {"type": _whole(1, 50), "default": 50, "help": "timed steps per repeat"}),
    (
        ("--repeats",),
        {"type": _whole(1, 5), "default": 5, "help": "timed repeats; the median is reported"},
    ),
    (("--steps-per-execution",), {"type": _whole(1, 1), "default": 1}),
    (("--json",), {"help": "write the result as one JSON object to this path"}),
)

_DEBUG = "show the full traceback of an error (for reports)"


def parser():
    """The command line's parser: doctor, train and bench, each option checked as it is read."""
    p = _Parser(
        prog="python -m alexlab",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--debug", action="store_true", help=_DEBUG)
    choices = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    choices.add_parser(
        "doctor",
        help="report versions, backend, accelerator, widgets, dataset "
        "cache and memory, with a fix for each problem",
    )
    train_help = "train a model on a dataset with a recipe; print and optionally save the result"
    bench_help = "measure training throughput (images/s) of a model at a batch size and precision"
    for name, options, about in (("train", _TRAIN, train_help), ("bench", _BENCH, bench_help)):
        sub = choices.add_parser(name, help=about)
        if name == "train":
            sub.description = (
                "Train, evaluate (plain, mirror, ten patches) and report. A "
                "checkpoint is written after every epoch; run the same command "
                "again to resume an interrupted run."
            )
        for flags, settings in options:
            sub.add_argument(*flags, **settings)
        # Accepted after the command too; SUPPRESS keeps a "--debug" given before it.
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG)
    return p


def main(argv=None):
    """Parse the command line and run the chosen command; return the exit status."""
    p = parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = p.parse_args(argv)
    args.words = argv  # what a result records as its command
    if args.command == "doctor":
        from alexlab import doctor

        return 1 if doctor.report() else 0
    try:
        return (
            commands.train(args, _plan(args)) if args.command == "train" else commands.bench(args)
        )
    except checks.InvalidArgument as error:  # a user's value: one line, no traceback
        if args.debug:
            raise
        print(f"{p.prog} {args.command}: error: {error}", file=sys.stderr)
        return 2


def _plan(args):
    """Every option checked, alone and together, before data is loaded: (recipe, model, epochs,
    checkpoint, test-time methods). Raises InvalidArgument naming the bad value and a fix."""
    from alexlab import checkpoint, classifier, evaluate, recipes

    if args.no_test and not args.validation:
        raise checks.InvalidArgument("--no-test needs --validation FRACTION to measure anything")
    model_name = args.model or classifier.default_model()
    commands.check_model(model_name)
    if args.source is not None and not Path(args.source).expanduser().exists():
        raise checks.InvalidArgument(f"--source {args.source}: no such file or folder")
    # 0 is a real value for these (no dropout, mirror images only), never "not given".
    fields = (
        "batch_size",
        "learning_rate",
        "precision",
        "dropout",
        "padding",
        "init",
        "validation",
    )
    changes = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    recipe = recipes.recipe(args.recipe, **changes)
    epochs = args.epochs if args.epochs is not None else recipes.default_epochs(recipe.name)
    if args.no_test:
        if args.tta:
            raise checks.InvalidArgument(
                "--tta with --no-test: the test set is not looked at; drop one"
            )
        methods = ()
    elif args.tta:
        methods = tuple(m.strip() for m in args.tta.split(",") if m.strip())
        if not methods or set(methods) - set(evaluate.METHODS):
            raise checks.InvalidArgument(
                f"--tta {args.tta}: give a comma-separated list of {', '.join(evaluate.METHODS)}"
            )
    else:
        methods = ("none", "flip") + (("ten_crop",) if recipe.padding else ())
    evaluate.check_methods(methods, recipe.padding, "add --padding 4, or leave ten_crop out")
    store = None
    if not args.no_checkpoint:
        path = args.checkpoint or (
            f"runs/{args.dataset}-{model_name}-{recipe.name}-e{epochs}-s{args.seed}.npz"
        )
        store = checkpoint.Checkpoint(path, args.restart, what="--checkpoint")
        if store.path.exists() and not args.restart:
            store.read()  # a damaged file is named now, not after loading the data
    elif args.restart or args.checkpoint:
        raise checks.InvalidArgument("--no-checkpoint with --checkpoint or --restart: drop one")
    if args.json:
        checks.writable_file(args.json, "--json")
    return recipe, model_name, epochs, store, methods
