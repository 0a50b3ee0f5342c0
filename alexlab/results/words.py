"""Results in words: the sentences and tables that render measured figures.

Every "A is better than B", interval and seed spread the series prints is worded here, so
a verdict reads the same in a notebook, the README's results page and the audit.
"""

import statistics

from alexlab import tables

__all__ = [
    "NOT_MEASURABLE",
    "NO_DIFFERENCE",
    "change",
    "comparison_summary",
    "runs_table",
    "spread",
    "spread_text",
    "verdict",
]

NO_DIFFERENCE = "no difference measurable at this size"
NOT_MEASURABLE = "not measurable at this size"


def verdict(name_a, name_b, interval):
    """A comparison in words: who is ahead and by how much, or no measurable difference.

    interval: {"difference", "low", "high"} of A - B as fractions.
    """
    low, high = interval["low"], interval["high"]
    points = f"{interval['difference'] * 100:+.2f} points, 95% interval {low * 100:+.2f} to "
    points += f"{high * 100:+.2f}"
    if low <= 0 <= high:
        return f"{name_a} vs {name_b}: {NO_DIFFERENCE} ({points})"
    better, worse = (name_a, name_b) if low > 0 else (name_b, name_a)
    return f"{better} better than {worse} ({name_a} - {name_b}: {points})"


def change(name, difference, low, high):
    """A configuration against a reference: "name: +1.23 points (95% interval ...)", with
    ", not measurable at this size" where the interval covers 0."""
    text = f"{name}: {difference * 100:+.2f} points (95% interval "
    text += f"{low * 100:+.2f} to {high * 100:+.2f})"
    return text + (f", {NOT_MEASURABLE}" if low <= 0 <= high else "")


def spread(values):
    """Per-seed values with their median, min and max, leaving out None (not measured)."""
    known = [v for v in values if v is not None]
    if not known:
        return {"per_seed": list(values), "median": None, "min": None, "max": None}
    middle = statistics.median(known)
    return {"per_seed": list(values), "median": middle, "min": min(known), "max": max(known)}


def spread_text(summary, fmt="{:.2f}", never="never"):
    """A spread as "median (min to max)"; `never` where nothing was measured."""
    if summary["median"] is None:
        return never
    low, middle, high = (fmt.format(summary[k]) for k in ("min", "median", "max"))
    return f"{middle} ({low} to {high})"


def comparison_summary(record, against=None):
    """A saved comparison as text: provenance, a table of configurations, the verdicts.

    record: a ``records.Comparison``; against: a configuration's name, to give only the
    verdicts that involve it.
    """
    rows = []
    for config in record.configs:
        acc, sec = config.validation_accuracy, config.train_seconds
        mean = sum(acc) / len(acc)
        rows.append(
            [
                config.name,
                f"{mean:.2%}",
                f"{min(acc):.2%} - {max(acc):.2%}",
                f"{statistics.median(sec):.0f} s ({min(sec):.0f} - {max(sec):.0f})",
            ]
        )
    first, where = record.configs[0], record.provenance
    heading = (
        f"{record.name}: {where.device}, {where.backend}, seeds {record.seeds}, "
        f"{first.network}, {first.epochs} epochs, "
        f"{record.dataset['validation_images']:,} validation images"
    )
    if where.command:
        heading += f"\n{where.command}"
    header = [
        "configuration",
        "validation accuracy (mean)",
        "min - max",
        "training (median, min - max)",
    ]
    lines = [heading, tables.format_table(header, rows)]
    for d in record.differences:
        if against in (None, d.a, d.b):
            lines.append(f"- {d.verdict}")
    return "\n".join(lines)


def runs_table(runs):
    """Schedules trained over seeds (``records.TrainingRuns``) as a table: the schedule,
    median test accuracy and its range, seconds, seeds, where it ran, on which data."""
    rows = []
    for r in runs:
        accuracies = r.values("test_accuracy")
        rows.append(
            [
                r.benchmark,
                r.model,
                r.recipe["name"],
                r.epochs,
                f"{r.median['test_accuracy']:.2%}",
                f"{min(accuracies):.2%} - {max(accuracies):.2%}",
                f"{r.median['train_seconds']:.0f} s",
                f"{r.median['wall_seconds']:.0f} s",
                len(r.seeds),
                r.provenance.device,
                r.provenance.backend,
                "official" if r.provenance.dataset["official"] else "JPEG copy",
            ]
        )
    header = [
        "benchmark",
        "model",
        "recipe",
        "epochs",
        "test top-1 (median)",
        "min - max",
        "training",
        "wall clock",
        "seeds",
        "device",
        "backend",
        "data",
    ]
    return tables.format_table(header, rows)
