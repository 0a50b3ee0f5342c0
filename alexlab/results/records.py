"""Typed records of results files: a training run, a schedule over seeds, a comparison.

Each has ``to_json`` (the body ``alexlab.results.write`` stamps with provenance) and
``from_json`` (what ``alexlab.results`` loads), so the CLI, the benchmarks, the tests and
the notebooks read fields, not key strings. Files written before these records existed
read too: a missing field is None or empty.
"""

import dataclasses
import statistics

from alexlab.results import words

__all__ = ["Comparison", "ConfigResult", "Difference", "Provenance", "TrainingRun", "TrainingRuns"]


def _fields(cls):
    return [f.name for f in dataclasses.fields(cls)]


def _pick(cls, saved, **overrides):
    """cls from the keys of `saved` it has fields for (others ignored), with overrides."""
    names = set(_fields(cls))
    return cls(**{k: v for k, v in saved.items() if k in names}, **overrides)


@dataclasses.dataclass
class Provenance:
    """Where a result came from, as ``alexlab.results.write`` stamps it."""

    date: str = None
    command: str = None
    device: str = None
    backend: str = None
    versions: dict = dataclasses.field(default_factory=dict)
    profile: str = None
    dataset: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_json(cls, saved):
        """The provenance keys of a results dict; a dataset named by a string becomes its source."""
        found = {k: saved.get(k) for k in _fields(cls) if saved.get(k) is not None}
        if isinstance(found.get("dataset"), str):
            found["dataset"] = {"source": found["dataset"]}
        return cls(**found)

    def where(self):
        """ "device, backend": the machine a figure was measured on."""
        return f"{self.device}, {self.backend}"


@dataclasses.dataclass
class TrainingRun:
    """One run of ``python -m alexlab train``: what it trained, its figures, its history."""

    dataset: dict  # name, source, official, train_images, test_images
    model: str
    parameters: int
    recipe: dict
    seed: int
    epochs: int
    resumed_from: int = 0
    test_accuracy: float = None  # plain top-1; None with --no-test
    top5_accuracy: float = None
    tta: dict = dataclasses.field(default_factory=dict)  # method -> {"top1", "top5"}
    validation_accuracy: float = None
    load_seconds: float = None
    compile_seconds: float = None
    train_seconds: float = None
    validation_seconds: float = None
    checkpoint_seconds: float = None
    evaluate_seconds: dict = dataclasses.field(default_factory=dict)
    seconds_to_test_accuracy: float = None  # from process start, imports included
    wall_seconds: float = None
    history: dict = dataclasses.field(default_factory=dict)
    provenance: Provenance = dataclasses.field(default_factory=Provenance)

    def to_json(self):
        """The run's fields in the file's order; provenance is the writer's to stamp."""
        return {k: getattr(self, k) for k in _fields(self) if k != "provenance"}

    @classmethod
    def from_json(cls, saved):
        """A run from its dict (a --json file, or one of a schedule's runs)."""
        return _pick(cls, saved, provenance=Provenance.from_json(saved))

    def top1(self, method="none"):
        """Top-1 test accuracy with a test-time augmentation ("none", "flip", "ten_crop")."""
        return self.tta[method]["top1"]


@dataclasses.dataclass
class TrainingRuns:
    """One fixed schedule trained once per seed (benchmarks/train_cifar10.py), with medians."""

    benchmark: str
    model: str
    parameters: int
    recipe: dict
    epochs: int
    seeds: list
    runs: list  # TrainingRun per seed
    median: dict = None  # None in a calibration file, which records choices only
    min_max: dict = dataclasses.field(default_factory=dict)
    choice: dict = None  # how the schedule was chosen (on a validation split), if it was
    complete: bool = None
    provenance: Provenance = dataclasses.field(default_factory=Provenance)

    @classmethod
    def from_json(cls, saved):
        """The schedule's file as a record; its runs as TrainingRun."""
        runs = [TrainingRun.from_json(r) for r in saved.get("runs", [])]
        return _pick(cls, {**saved, "runs": runs}, provenance=Provenance.from_json(saved))

    @classmethod
    def of(cls, name, runs):
        """The schedule `name` from its runs: their medians and ranges over the seeds."""
        first = runs[0]

        def median(field):
            values = [getattr(r, field) for r in runs if getattr(r, field) is not None]
            return statistics.median(values) if values else None

        fields = ("test_accuracy", "validation_accuracy", "top5_accuracy")
        middle = {f: median(f) for f in fields}
        middle["tta_top1"] = {m: statistics.median(r.top1(m) for r in runs) for m in first.tta}
        for f in (
            "train_seconds",
            "compile_seconds",
            "load_seconds",
            "seconds_to_test_accuracy",
            "wall_seconds",
        ):
            middle[f] = median(f)
        spread = {
            f: [min(getattr(r, f) for r in runs), max(getattr(r, f) for r in runs)]
            for f in ("test_accuracy", "validation_accuracy", "train_seconds")
            if all(getattr(r, f) is not None for r in runs)
        }
        return cls(
            name,
            first.model,
            first.parameters,
            first.recipe,
            first.epochs,
            [r.seed for r in runs],
            runs,
            middle,
            spread,
            provenance=first.provenance,
        )

    def to_json(self):
        """The file's body: the schedule, its medians and every run with its provenance."""
        runs = [{**r.to_json(), **_stamp(r.provenance)} for r in self.runs]
        body = {
            "benchmark": self.benchmark,
            "model": self.model,
            "parameters": self.parameters,
            "recipe": self.recipe,
            "epochs": self.epochs,
            "seeds": list(self.seeds),
            "median": self.median,
            "min_max": self.min_max,
            "runs": runs,
        }
        if self.choice is not None:
            body["choice"] = self.choice
        if self.complete is not None:
            body["complete"] = self.complete
        return body

    def values(self, field):
        """A run field's value per seed, e.g. ``values("train_seconds")``."""
        return [getattr(r, field) for r in self.runs]

    def top1s(self, method="none"):
        """Top-1 test accuracy per seed with a test-time augmentation."""
        return [r.top1(method) for r in self.runs]


def _stamp(provenance):
    return {k: v for k, v in dataclasses.asdict(provenance).items() if v not in (None, {})}


@dataclasses.dataclass
class ConfigResult:
    """One configuration of a comparison: what it trained and its figures per seed."""

    name: str
    network: str
    epochs: int
    validation_accuracy: list = dataclasses.field(default_factory=list)
    train_seconds: list = dataclasses.field(default_factory=list)
    network_options: dict = dataclasses.field(default_factory=dict)
    recipe: dict = dataclasses.field(default_factory=dict)
    history: list = dataclasses.field(default_factory=list)  # per seed
    extras: dict = dataclasses.field(default_factory=dict)  # measure -> [value per seed]

    def to_json(self):
        """The configuration as the file holds it: extras beside the fixed fields."""
        order = (
            "name",
            "network",
            "epochs",
            "network_options",
            "recipe",
            "validation_accuracy",
            "train_seconds",
        )
        body = {k: getattr(self, k) for k in order}
        return {**body, **self.extras, "history": self.history}

    @classmethod
    def from_json(cls, saved):
        """A configuration from its dict; keys that are no field are its extras."""
        names = set(_fields(cls))
        extras = {k: v for k, v in saved.items() if k not in names}
        return _pick(cls, saved, extras=extras)


@dataclasses.dataclass
class Difference:
    """A - B in validation accuracy over seeds, its 95% interval, McNemar per seed, a verdict."""

    a: str
    b: str
    verdict: str
    difference: float = None
    low: float = None
    high: float = None
    level: float = 0.95
    resamples: int = None
    mcnemar_per_seed: list = dataclasses.field(default_factory=list)

    def to_json(self):
        """The difference as the file holds it."""
        order = (
            "a",
            "b",
            "difference",
            "low",
            "high",
            "level",
            "resamples",
            "mcnemar_per_seed",
            "verdict",
        )
        return {k: getattr(self, k) for k in order}

    def signed(self, a):
        """(difference, low, high) as `a` minus the other configuration."""
        if a == self.a:
            return self.difference, self.low, self.high
        return -self.difference, -self.high, -self.low


@dataclasses.dataclass
class Comparison:
    """A saved comparison (``alexlab.compare``): configurations, their pairs, and provenance."""

    name: str
    seeds: list
    dataset: dict  # source, train_images, validation_images
    configs: list  # ConfigResult
    differences: list  # Difference
    extra: dict = dataclasses.field(default_factory=dict)  # a benchmark's own summaries
    provenance: Provenance = dataclasses.field(default_factory=Provenance)

    def to_json(self):
        """The file's body (provenance is the writer's)."""
        return {
            "comparison": self.name,
            "seeds": list(self.seeds),
            "dataset": self.dataset,
            "configs": [c.to_json() for c in self.configs],
            "differences": [d.to_json() for d in self.differences],
            **self.extra,
        }

    @classmethod
    def from_json(cls, saved):
        """A comparison from its dict; top-level keys beyond the record's are ``extra``."""
        known = {"comparison", "seeds", "dataset", "configs", "differences"}
        known |= set(_fields(Provenance))
        return cls(
            saved.get("comparison"),
            saved["seeds"],
            saved.get("dataset", {}),
            [ConfigResult.from_json(c) for c in saved["configs"]],
            [Difference(**d) for d in saved["differences"]],
            {k: v for k, v in saved.items() if k not in known},
            Provenance.from_json(saved),
        )

    def config(self, name):
        """The configuration called `name`."""
        for config in self.configs:
            if config.name == name:
                return config
        raise KeyError(
            f"{self.name} has no configuration {name!r}: {[c.name for c in self.configs]}"
        )

    def pair(self, a, b):
        """The Difference between configurations a and b, whichever way round it was saved."""
        for d in self.differences:
            if {d.a, d.b} == {a, b}:
                return d
        raise KeyError(f"{self.name} has no comparison of {a!r} with {b!r}")

    def difference(self, a, b):
        """A - B in words: "B: +1.23 points (95% interval ...)[, not measurable at this size]"."""
        return words.change(b, *self.pair(a, b).signed(a))

    def summary(self, against=None):
        """Provenance, a table of the configurations, and the verdicts (those involving
        `against` only, when given)."""
        return words.comparison_summary(self, against)
