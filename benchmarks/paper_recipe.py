"""Why the paper's recipe stayed at chance in notebook 08: one change at a time, three seeds.

    ALEXLAB_CIFAR10_DIR=DIR python benchmarks/paper_recipe.py [--epochs 3] [--train-images N]

Notebook 08 trained §5's recipe on inputs standardised to spread 1 with §5's
N(0, 0.01^2) weights, and it stayed at chance for three epochs while the fast recipe
learned. That run differed from the paper in its input scale (§2 trains on raw 0-255
values less the mean, spread ~60) and from the fast recipe in several things at once
(initialisation, input scale, schedule, label smoothing, Nesterov momentum, 45,000
against 50,000 images). This benchmark changes one thing at a time, on the profile's
network and epochs, and compares all on one validation split (``alexlab.compare``:
paired, three seeds; the test set is not used):

- paper as written: raw inputs less the mean, N(0, 0.01^2), biases 1;
- paper with standardised inputs (what notebook 08 ran before);
- paper with standardised inputs and He's initialisation;
- the fast recipe, for reference.

Writes benchmarks/results/paper_recipe_<profile>.json.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configs(model, epochs):
    """The four configurations, in the order they are reported."""
    from alexlab import compare, train

    paper = train.recipe("paper")
    return [
        compare.Config("paper as written", model, paper, epochs),
        compare.Config(
            "paper, standardised inputs", model, paper.replace(inputs="standardise"), epochs
        ),
        compare.Config(
            "paper, standardised, He init",
            model,
            paper.replace(inputs="standardise", init="he"),
            epochs,
        ),
        compare.Config("fast recipe", model, train.recipe("fast"), epochs),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, help="default: the profile's (3 on a CPU)")
    parser.add_argument("--train-images", type=int, help="a class-balanced subset")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)

    import alexlab as al

    data = al.data.load_cifar10()
    if args.train_images:
        data = data.subset(train=args.train_images, seed=0)
    epochs = args.epochs or al.train.default_epochs("paper")
    model = al.train.default_model()
    result = al.compare.compare(
        configs(model, epochs),
        data,
        seeds=args.seeds,
        validation=0.1,
        name=f"paper_recipe_{al.profile()}",
        save=True,
        where=al.results.RECORDED,
    )
    print(result.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
