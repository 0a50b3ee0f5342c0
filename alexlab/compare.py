"""Comparisons: every "A is better than B" in the series, over seeds, with paired statistics.

``compare`` trains each configuration once per seed on the same images and budget,
and scores it on a validation split carved from the training set (class-balanced,
seeded, the same images for every configuration and seed): the test set is never
seen, so a comparison can choose a setting. Each pair of configurations is then
compared on the same images:

- McNemar's exact test per seed, on the images one got right and the other wrong;
- a paired bootstrap of the mean accuracy difference over seeds, resampling the
  images and the seeds together for both configurations, with its 95% interval;
- a verdict in words: an interval that covers 0 is "no difference measurable at
  this size", never an effect.
"""

import dataclasses
import math
import os

import numpy as np

from alexlab import checks, classifier, evaluate, fit, inputs, recipes, results, tables
from alexlab.results import records
from alexlab.results.words import NO_DIFFERENCE, verdict

__all__ = [
    "NO_DIFFERENCE",
    "Comparison",
    "Config",
    "compare",
    "mcnemar",
    "paired_bootstrap",
    "verdict",
]


def mcnemar(correct_a, correct_b):
    """McNemar's exact test on paired per-image correctness: counts and two-sided p-value.

    b: images A got right and B wrong; c: the reverse. Under "no difference" each such
    discordant image is a fair coin, so p = P(a Binomial(b + c, 1/2) is as far from
    (b + c) / 2 as observed), both tails.
    """
    a, b_ = _as_bool(correct_a), _as_bool(correct_b)
    if a.shape != b_.shape:
        raise ValueError(f"shapes {a.shape} and {b_.shape} differ: score the same images")
    b = int(np.sum(a & ~b_))
    c = int(np.sum(~a & b_))
    n = b + c
    tail = sum(math.comb(n, k) for k in range(min(b, c) + 1))
    p = min(1.0, 2 * tail / 2**n) if n else 1.0
    return {"a_only": b, "b_only": c, "p_value": p}


def paired_bootstrap(correct_a, correct_b, resamples=10_000, seed=0, level=0.95):
    """Mean accuracy difference A - B and its bootstrap interval, images and seeds resampled.

    correct_a, correct_b: (images,) or (seeds, images) booleans on the same images in
    the same order. Each resample draws images with replacement (the same for both
    configurations and every seed) and seeds with replacement (the same seed for both),
    so the interval carries the test images' sampling and the training's randomness.
    """
    a, b = np.atleast_2d(_as_bool(correct_a)), np.atleast_2d(_as_bool(correct_b))
    if a.shape != b.shape:
        raise ValueError(f"shapes {a.shape} and {b.shape} differ: score the same images")
    d = a.astype(np.float64) - b.astype(np.float64)  # (seeds, images)
    seeds, images = d.shape
    rng = np.random.default_rng(seed)
    stats = np.empty(resamples)
    for start in range(0, resamples, 500):
        k = min(500, resamples - start)
        seed_counts = rng.multinomial(seeds, np.full(seeds, 1 / seeds), size=k)  # (k, seeds)
        image_counts = rng.multinomial(images, np.full(images, 1 / images), size=k)
        per_image = seed_counts @ d / seeds  # (k, images): each resample's seed mix
        stats[start : start + k] = np.sum(per_image * image_counts, axis=1) / images
    tail = (1 - level) / 2
    low, high = np.quantile(stats, [tail, 1 - tail])
    return {
        "difference": float(d.mean()),
        "low": float(low),
        "high": float(high),
        "level": level,
        "resamples": resamples,
    }


@dataclasses.dataclass(frozen=True)
class Config:
    """One configuration to compare: a network, a recipe, a number of epochs."""

    name: str
    network: object = "alexnet_cifar_small"  # a name from alexlab.train.MODELS, or a builder
    recipe: object = "fast"
    epochs: int = 3
    network_options: dict = dataclasses.field(default_factory=dict)

    def describe(self):
        """The configuration as JSON-ready values."""
        network = self.network if isinstance(self.network, str) else self.network.__name__
        return {
            "name": self.name,
            "network": network,
            "epochs": self.epochs,
            "network_options": dict(self.network_options),
            "recipe": recipes.recipe(self.recipe).describe(),
        }


@dataclasses.dataclass
class Comparison:
    """Per configuration and seed: validation accuracy, per-image correctness, history."""

    name: str
    configs: list
    seeds: tuple
    data: object  # the Dataset with the validation split as its test set
    correct: dict  # config name -> (seeds, images) bool
    histories: dict  # config name -> [history per seed]
    train_seconds: dict  # config name -> [seconds per seed]
    extras: dict = dataclasses.field(default_factory=dict)  # name -> {measure: [per seed]}
    models: dict = dataclasses.field(default_factory=dict)  # name -> [model per seed], if kept

    def accuracy(self, name):
        """Validation accuracy per seed."""
        return self.correct[name].mean(axis=1)

    def table(self):
        """Mean and min-max over seeds per configuration, as text."""
        rows = []
        for config in self.configs:
            acc = self.accuracy(config.name)
            row = [config.name, f"{acc.mean():.2%}", f"{acc.min():.2%} - {acc.max():.2%}"]
            for values in self.extras.get(config.name, {}).values():
                row.append(f"{np.mean(values):.4g} ({np.min(values):.4g} - {np.max(values):.4g})")
            rows.append(row + [f"{np.median(self.train_seconds[config.name]):.0f} s"])
        header = ["configuration", f"validation accuracy (mean of {len(self.seeds)} seeds)"]
        header.append("min - max")
        first = self.extras.get(self.configs[0].name, {})
        header += [f"{measure} (mean, min - max)" for measure in first]
        return tables.format_table(header + ["training (median)"], rows)

    def differences(self, resamples=10_000):
        """Every pair: McNemar per seed, the paired bootstrap interval, the verdict."""
        out = []
        names = [c.name for c in self.configs]
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                interval = paired_bootstrap(self.correct[a], self.correct[b], resamples)
                tests = [
                    mcnemar(x, y) for x, y in zip(self.correct[a], self.correct[b], strict=True)
                ]
                out.append(
                    {
                        "a": a,
                        "b": b,
                        **interval,
                        "mcnemar_per_seed": tests,
                        "verdict": verdict(a, b, interval),
                    }
                )
        return out

    def report(self):
        """The table, then one verdict line per pair."""
        lines = [self.table(), ""]
        lines += [d["verdict"] for d in self.differences()]
        images = self.correct[self.configs[0].name].shape[1]
        lines.append(f"(paired on the same {images:,} validation images; seeds {list(self.seeds)})")
        return "\n".join(lines)

    def record(self):
        """The comparison as a ``records.Comparison`` for ``alexlab.results.write``: every
        figure but the per-image scores."""
        configs = [
            records.ConfigResult(
                c.name,
                **{k: v for k, v in c.describe().items() if k != "name"},
                validation_accuracy=self.accuracy(c.name).tolist(),
                train_seconds=list(self.train_seconds[c.name]),
                history=self.histories[c.name],
                extras={k: list(v) for k, v in self.extras.get(c.name, {}).items()},
            )
            for c in self.configs
        ]
        dataset = {
            "source": self.data.source,
            "train_images": int(len(self.data.x_train)),
            "validation_images": int(len(self.data.x_test)),
        }
        differences = [records.Difference(**d) for d in self.differences()]
        return records.Comparison(self.name, list(self.seeds), dataset, configs, differences)


def compare(
    configs,
    data,
    seeds=(0, 1, 2),
    validation=0.1,
    split_seed=0,
    name="comparison",
    save=False,
    where=None,
    verbose=1,
    extras=None,
    keep_models=False,
    curves=None,
):
    """Train every configuration once per seed; score all on one validation split.

    data: a Dataset; its test set is not used. save: write the comparison as result
    `name` (``alexlab.results.write``) into `where`, by default ``results.folder()``
    (benchmarks/results only while ALEXLAB_RECORD=1, else runs/results). extras: measure
    name -> function(model, split) -> number, recorded per seed (e.g. the accuracy on the
    training images). keep_models keeps each trained model in ``.models``. curves:
    function(model, split) -> {name: number} after every epoch, for curves in the
    history (e.g. validation accuracy per epoch); its time is not training time.
    Returns a Comparison.
    """
    configs = list(configs)
    seeds = _check(configs, tuple(seeds), curves)
    if save:  # found unwritable now, not after the last seed has trained
        checks.writable_file(results.path(name, where), "results")
    if len(seeds) < 3:
        print(f"note: {len(seeds)} seed(s); the series reports comparisons over at least 3")
    split = inputs.validation_split(data, validation, split_seed)
    names = [c.name for c in configs]
    correct, histories, seconds = ({n: [] for n in names} for _ in range(3))
    measured = {n: {m: [] for m in (extras or {})} for n in names}
    kept = {n: [] for n in names}
    for config in configs:
        for seed in seeds:
            if verbose:
                print(f"{config.name}, seed {seed}:")
            model = classifier.build(
                config.network, split, config.recipe, seed, config.network_options
            )
            report = None if curves is None else (lambda m: curves(m, split))
            run = fit.fit(model, split, config.epochs, verbose=2 if verbose else 0, report=report)
            probs = evaluate.evaluate(model, split, methods=("none",)).probabilities["none"]
            correct[config.name].append(probs.argmax(axis=1) == np.asarray(split.y_test))
            histories[config.name].append(run.history)
            seconds[config.name].append(run.train_seconds)
            for measure, function in (extras or {}).items():
                measured[config.name][measure].append(float(function(model, split)))
            if keep_models:
                kept[config.name].append(model)
    correct = {n: np.array(c) for n, c in correct.items()}
    result = Comparison(
        name,
        configs,
        seeds,
        split,
        correct,
        histories,
        seconds,
        measured if extras else {},
        kept if keep_models else {},
    )
    if save:
        path = results.write(name, result.record(), dataset=split, where=where)
        if verbose:
            print(f"-> {os.path.relpath(path)}")
    return result


def _check(configs, seeds, curves):
    """Every configuration and seed checked before the first of many trainings; the seeds."""
    names = [c.name for c in configs]
    if len(configs) < 2 or len(set(names)) != len(names):
        raise checks.InvalidArgument(
            f"configurations {names}: give two or more, with different names"
        )
    for config in configs:
        recipes.recipe(config.recipe)
        checks.whole(f"{config.name}: epochs", config.epochs, 1, example=3)
        if isinstance(config.network, str):
            checks.choice(f"{config.name}: network", config.network, tuple(classifier.MODELS))
        elif not callable(config.network):
            raise checks.InvalidArgument(
                f"{config.name}: network={config.network!r}: give a name from "
                "alexlab.train.MODELS or a function (num_classes, **changes) -> model"
            )
    if curves is not None and not callable(curves):
        raise checks.InvalidArgument(
            f"curves={curves!r}: give a function (model, split) -> {{name: number}}, or None"
        )
    seeds = tuple(checks.whole("seed", s, 0, example=0) for s in seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise checks.InvalidArgument(f"seeds={seeds}: give different seeds, e.g. (0, 1, 2)")
    return seeds


def _as_bool(values):
    array = np.asarray(values)
    if array.dtype != bool and not np.isin(array, (0, 1)).all():
        raise ValueError("give per-image correctness as booleans (or 0/1)")
    return array.astype(bool)
