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
import datetime
import json
import math
from pathlib import Path

import numpy as np

from alexlab.tables import format_table

__all__ = [
    "Comparison",
    "Config",
    "compare",
    "mcnemar",
    "paired_bootstrap",
    "summarise",
    "validation_split",
    "verdict",
]

NO_DIFFERENCE = "no difference measurable at this size"


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
    return {"difference": float(d.mean()), "low": float(low), "high": float(high),
            "level": level, "resamples": resamples}  # fmt: skip


def verdict(name_a, name_b, interval):
    """The comparison in words: who is ahead and by how much, or no measurable difference."""
    low, high = interval["low"], interval["high"]
    points = f"{interval['difference'] * 100:+.2f} points, 95% interval {low * 100:+.2f} to "
    points += f"{high * 100:+.2f}"
    if low <= 0 <= high:
        return f"{name_a} vs {name_b}: {NO_DIFFERENCE} ({points})"
    better, worse = (name_a, name_b) if low > 0 else (name_b, name_a)
    return f"{better} better than {worse} ({name_a} - {name_b}: {points})"


def validation_split(data, fraction=0.1, seed=0):
    """The data with a class-balanced, seeded share of its training images as the test set.

    What a comparison scores on: the original test set is dropped, so nothing chosen
    with it has seen the test images.
    """
    from alexlab import checks
    from alexlab.data import Dataset
    from alexlab.fit import split

    checks.number("fraction", fraction, 0, 1, True, True, example=0.1)
    x, y, (xv, yv) = split(data, fraction, seed)
    return Dataset(x, y, xv, yv, data.class_names,
                   f"{data.source}; validation split {fraction:g} (seed {seed})")  # fmt: skip


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
        from alexlab.train import recipe

        network = self.network if isinstance(self.network, str) else self.network.__name__
        return {"name": self.name, "network": network, "epochs": self.epochs,
                "network_options": dict(self.network_options),
                "recipe": recipe(self.recipe).describe()}  # fmt: skip


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
        return format_table(header + ["training (median)"], rows)

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
                out.append({"a": a, "b": b, **interval, "mcnemar_per_seed": tests,
                            "verdict": verdict(a, b, interval)})  # fmt: skip
        return out

    def report(self):
        """The table, then one verdict line per pair."""
        lines = [self.table(), ""]
        lines += [d["verdict"] for d in self.differences()]
        images = self.correct[self.configs[0].name].shape[1]
        lines.append(f"(paired on the same {images:,} validation images; seeds {list(self.seeds)})")
        return "\n".join(lines)

    def to_json(self):
        """Everything but the per-image scores, with provenance."""
        from alexlab.runtime import describe

        info = describe()
        return {
            "comparison": self.name,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "device": info["device"],
            "backend": info["backend"],
            "versions": {k: info[k] for k in ("python", "alexlab", "keras", "numpy")}
            | {"backend": info["backend_version"]},
            "dataset": {
                "source": self.data.source,
                "train_images": int(len(self.data.x_train)),
                "validation_images": int(len(self.data.x_test)),
            },  # fmt: skip
            "seeds": list(self.seeds),
            "configs": [
                {
                    **c.describe(),
                    "validation_accuracy": self.accuracy(c.name).tolist(),
                    "train_seconds": list(self.train_seconds[c.name]),
                    **{k: list(v) for k, v in self.extras.get(c.name, {}).items()},
                    "history": self.histories[c.name],
                }  # fmt: skip
                for c in self.configs
            ],
            "differences": self.differences(),
        }

    def save(self, folder):
        """Write folder/<name>.json; return its path."""
        path = Path(folder) / f"{self.name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n")
        return path


def compare(configs, data, seeds=(0, 1, 2), validation=0.1, split_seed=0, name="comparison",
            results=None, verbose=1, extras=None, keep_models=False, curves=None):  # fmt: skip
    """Train every configuration once per seed; score all on one validation split.

    data: a Dataset; its test set is not used. results: a folder to write
    <name>.json into (e.g. "../benchmarks/results"). extras: measure name ->
    function(model, split) -> number, recorded per seed (e.g. the accuracy on the
    training images). keep_models keeps each trained model in ``.models``. curves:
    function(model, split) -> {name: number} after every epoch, for curves in the
    history (e.g. validation accuracy per epoch); its time is not training time.
    Returns a Comparison.
    """
    from alexlab import checks, train

    configs = list(configs)
    names = [c.name for c in configs]
    if len(configs) < 2 or len(set(names)) != len(names):
        raise checks.InvalidArgument(
            f"configurations {names}: give two or more, with different names"
        )
    # Everything checked before the first of many trainings, results folder included.
    for config in configs:
        train.recipe(config.recipe)
        checks.whole(f"{config.name}: epochs", config.epochs, 1, example=3)
        if isinstance(config.network, str):
            checks.choice(f"{config.name}: network", config.network, tuple(train.MODELS))
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
    if results is not None:
        if Path(name).name != name or name in ("", ".", ".."):
            raise checks.InvalidArgument(f"name={name!r}: give a plain file name, no folders")
        checks.writable_file(Path(results) / f"{name}.json", "results")
    if len(seeds) < 3:
        print(f"note: {len(seeds)} seed(s); the series reports comparisons over at least 3")
    split = validation_split(data, validation, split_seed)
    correct = {n: [] for n in names}
    histories = {n: [] for n in names}
    seconds = {n: [] for n in names}
    measured = {n: {m: [] for m in (extras or {})} for n in names}
    kept = {n: [] for n in names}
    for config in configs:
        for seed in seeds:
            if verbose:
                print(f"{config.name}, seed {seed}:")
            model = train.build(config.network, split, config.recipe, seed,
                                config.network_options)  # fmt: skip
            report = None if curves is None else (lambda m: curves(m, split))
            run = train.fit(model, split, config.recipe, config.epochs, seed=seed,
                            verbose=2 if verbose else 0, report=report)  # fmt: skip
            probs = train.evaluate(model, split, methods=("none",)).probabilities["none"]
            correct[config.name].append(probs.argmax(axis=1) == np.asarray(split.y_test))
            histories[config.name].append(run.history)
            seconds[config.name].append(run.train_seconds)
            for measure, function in (extras or {}).items():
                measured[config.name][measure].append(float(function(model, split)))
            if keep_models:
                kept[config.name].append(model)
    result = Comparison(name, configs, seeds, split, {n: np.array(c) for n, c in correct.items()},
                        histories, seconds, measured if extras else {},
                        kept if keep_models else {})  # fmt: skip
    if results is not None:
        path = result.save(results)
        if verbose:
            print(f"-> {path}")
    return result


def summarise(saved, against=None):
    """A saved comparison (its JSON as a dict) as text: provenance, table, verdicts.

    against: a configuration's name; only the verdicts that involve it are given.
    """
    rows = []
    for config in saved["configs"]:
        acc, sec = np.array(config["validation_accuracy"]), config["train_seconds"]
        rows.append([config["name"], f"{acc.mean():.2%}", f"{acc.min():.2%} - {acc.max():.2%}",
                     f"{np.median(sec):.0f} s ({min(sec):.0f} - {max(sec):.0f})"])  # fmt: skip
    first = saved["configs"][0]
    lines = [
        f"{saved['comparison']}: {saved['device']}, {saved['backend']}, seeds {saved['seeds']}, "
        f"{first['network']}, {first['epochs']} epochs, "
        f"{saved['dataset']['validation_images']:,} validation images"
        + (f"\n{saved['command']}" if "command" in saved else ""),
        format_table(
            [
                "configuration",
                "validation accuracy (mean)",
                "min - max",
                "training (median, min - max)",
            ],
            rows,
        ),
    ]
    for difference in saved["differences"]:
        if against in (None, difference["a"], difference["b"]):
            lines.append(f"- {difference['verdict']}")
    return "\n".join(lines)


def _as_bool(values):
    array = np.asarray(values)
    if array.dtype != bool and not np.isin(array, (0, 1)).all():
        raise ValueError("give per-image correctness as booleans (or 0/1)")
    return array.astype(bool)
