"""Training throughput: images per second of a network's whole training step.

What ``python -m alexlab bench`` and the benchmarks time: fit's own loop on random uint8
images, augmentation (and upsampling to the network's input) included, compilation and
the first epoch left out.
"""

import dataclasses

import numpy as np

from alexlab import checks, classifier, data, fit, ledger, models, recipes, tables

__all__ = ["Rates", "throughput"]


def throughput(
    network="alexnet",
    batch_size=256,
    precision="mixed_bfloat16",
    steps=50,
    repeats=5,
    image_size=32,
    steps_per_execution=1,
    num_classes=10,
    network_options=None,
    changes=None,
):
    """Training images per second of a network on random uint8 images; a dict of figures.

    Runs fit for 1 + repeats epochs of `steps` steps each (batch_size images per step) and
    reports the median rate of the repeats: compilation and the first epoch's warm caches
    are left out. The whole training step is timed, augmentation (and upsampling to the
    network's input, for "alexnet") included, as in a real run. changes: other fields of
    the fast recipe, e.g. {"jit_compile": True, "flip": False}.
    """
    for name, value in (
        ("batch_size", batch_size),
        ("steps", steps),
        ("repeats", repeats),
        ("image_size", image_size),
        ("steps_per_execution", steps_per_execution),
        ("num_classes", num_classes),
    ):
        checks.whole(name, value, 2 if name == "num_classes" else 1)
    spe = steps_per_execution
    n = batch_size * spe * max(1, steps // spe)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, image_size, image_size, 3), dtype=np.uint8)
    y = rng.integers(0, num_classes, n)
    images = data.Dataset(x, y, x[:1], y[:1], tuple(str(i) for i in range(num_classes)), "random")
    recipe = recipes.recipe(
        "fast",
        batch_size=batch_size,
        precision=precision,
        steps_per_execution=spe,
        learning_rate=1e-4,  # random labels: a small rate keeps the loss finite
        **(changes or {}),
    )
    model = classifier.build(network, images, recipe, network_options=network_options)
    run = fit.fit(model, images, epochs=1 + repeats, verbose=0)
    rates = [n / s for s in run.history["seconds"][1:]]
    spec = classifier.MODELS.get(network)
    return {
        "model": network if isinstance(network, str) else "custom",
        "parameters": int(model.count_params()),
        "image_size": image_size,
        "network_input": (spec.input_size if spec and spec.input_size else image_size),
        "batch_size": batch_size,
        "precision": recipes.resolve_precision(precision),
        "steps_per_execution": spe,
        "network_options": dict(network_options or {}),
        "images_per_repeat": n,
        "images_per_second": float(np.median(rates)),
        "images_per_second_each": rates,
        "compile_seconds": run.compile_seconds,
    }


@dataclasses.dataclass
class Rates:
    """Training images per second per network (median, min, max) at one batch size."""

    batch: int
    speed: dict  # network -> (median, min, max)
    source: str = None  # the results file's line, where the rates were read from one

    def epoch_seconds(self, name, images):
        """Seconds for one epoch of `images` training images at the measured rate."""
        return images / self.speed[name][0]

    def report(self, image_side):
        """Parameters, multiply-adds, input side and rate per network, and each 32x32
        network's speed over the upsampled one, as text."""
        rows = []
        for name, (rate, low, high) in self.speed.items():
            with models.shapes_only():  # counts only: no weights drawn
                counted = ledger.ledger(classifier.MODELS[name].make(10))
            side = classifier.MODELS[name].input_size or image_side
            rows.append(
                [
                    name,
                    f"{counted.total_params:,}",
                    f"{counted.total_macs / 1e6:,.0f} M",
                    f"{side}x{side}",
                    f"{rate:,.0f} ({low:,.0f}-{high:,.0f})",
                ]
            )
        header = [
            "network",
            "parameters",
            "multiply-adds / image",
            "network input",
            f"training images/s, batch {self.batch} (min-max)",
        ]
        lines = ([self.source] if self.source else []) + [tables.format_table(header, rows)]
        upsampled = self.speed["alexnet"][0]
        for name in list(self.speed)[1:]:
            ratio = self.speed[name][0] / upsampled
            lines.append(
                f"{name} trains {ratio:.1f}x faster than the upsampled alexnet here (same batch)"
            )
        return "\n".join(lines)
