"""The cpu profile's choices, each measured with the comparison tool on a validation split.

    ALEXLAB_PROFILE=cpu python benchmarks/choices_cpu.py GROUP [--seeds 0 1 2] [--epochs 3]

GROUP is one of:
- network: alexnet_cifar_small (the cpu profile's network before this comparison)
  against smaller members of the same family (a 3x3 conv2 instead of 5x5; then
  narrower conv3-conv5 as well), the fast recipe for each; the last is what
  `MODELS["alexnet_cifar_cpu"]` now builds;
- recipe: on the profile's network, the fast recipe as the cpu profile has it against
  one change at a time (no label smoothing, batch 256, random patches of images padded
  by 4, dropout 0.5 in fc6 and fc7, double the peak rate, half the peak rate).

Every configuration trains once per seed on the same 45,000 training images and is
scored on the same 5,000 validation images held out of CIFAR-10's training set
(``al.compare``: McNemar per seed, a paired bootstrap interval, a verdict). The test set
is never read. Writes benchmarks/results/choice_<GROUP>_cpu.json; `MODELS` and notebook 08
(al.chapters.cifar10.fast_recipe_notes) cite it.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def configs(group, epochs):
    """The named group's configurations: the profile's own first."""
    import alexlab as al

    Config = al.compare.Config
    if group == "network":
        # From the member the cpu profile had before this comparison chose alexnet_cifar_cpu
        model = "alexnet_cifar_small"
        return [
            Config("profile network", model, "fast", epochs),
            Config("conv2 3x3", model, "fast", epochs, {"kernels": (5, 3, 3, 3, 3)}),
            Config(
                "conv2 3x3, conv3-5 96-96-64",
                model,
                "fast",
                epochs,
                {"kernels": (5, 3, 3, 3, 3), "filters": (32, 64, 96, 96, 64)},
            ),
        ]
    if group == "recipe":
        model, fast = al.train.default_model(), al.train.recipe("fast")
        changes = {
            "profile recipe": {},
            "no label smoothing": {"label_smoothing": 0.0},
            "batch 256": {"batch_size": 256},
            "random patches (padding 4)": {"padding": 4},
            "dropout 0.5": {"dropout": 0.5},
            "peak rate x2": {"learning_rate": 2 * fast.learning_rate},
            "peak rate x0.5": {"learning_rate": fast.learning_rate / 2},
        }
        return [Config(name, model, fast.replace(**c), epochs) for name, c in changes.items()]
    raise SystemExit(f"group {group!r}: use 'network' or 'recipe'")


def main(argv=None):
    """Run one group's comparison and write its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("group", choices=("network", "recipe"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="default: the profile's")
    args = parser.parse_args(argv)

    import alexlab as al

    al.setup(seed=0)
    epochs = args.epochs or al.train.default_epochs("fast")
    data = al.data.load_cifar10()
    result = al.compare.compare(
        configs(args.group, epochs),
        data,
        seeds=tuple(args.seeds),
        name=f"choice_{args.group}_{al.profile()}",
        save=True,
        where=al.results.RECORDED,
    )
    print(result.report())


if __name__ == "__main__":
    sys.exit(main())
