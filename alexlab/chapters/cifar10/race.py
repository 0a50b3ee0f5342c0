"""Notebook 08's race (benchmarks/race_cpu.py, race_cpu.json): alexlab's cpu profile side by
side with TensorFlow's CIFAR-10 tutorial CNN, test accuracy against wall clock.
"""

import numpy as np

from alexlab import plots, results, tables

__all__ = ["headline", "plot", "summary"]


def _spread(summary, key, fmt):
    return results.words.spread_text(summary[key], fmt)


def summary(race):
    """benchmarks/race_cpu.py's result as text: per seed, the medians, each side's final
    accuracy, and the issue's two goals met or not."""
    if race is None:
        return "no race measured yet: run python benchmarks/race_cpu.py (about 25 minutes)"
    s = race["summary"]
    rows = [
        [
            p["seed"],
            f"{p['tutorial_best']:.1%} at {p['tutorial_seconds_to_best']:.0f} s",
            "never"
            if p["alexlab_seconds_to_tutorial_best"] is None
            else f"{p['alexlab_seconds_to_tutorial_best']:.0f} s",
            "-" if p["time_ratio"] is None else f"{p['time_ratio']:.2f}",
            f"{p['tutorial_seconds']:.0f} s",
            "-" if p["points_ahead"] is None else f"{p['points_ahead']:+.1f}",
        ]
        for p in race["per_seed"]
    ]
    header = [
        "seed",
        "tutorial's best",
        "alexlab reaches it",
        "time ratio (goal <= 0.5)",
        "tutorial's 10 epochs",
        "alexlab points ahead then (goal >= 5)",
    ]
    lines = [tables.format_table(header, rows), ""]
    lines.append(
        f"medians (min to max): time ratio {_spread(s, 'time_ratio', '{:.2f}')}; "
        f"points ahead {_spread(s, 'points_ahead', '{:+.1f}')}"
    )
    for which in ("tutorial", "alexlab"):
        run = next(r for r in race["runs"] if r["which"] == which)
        acc, sec = s[f"{which}_final_accuracy"], s[f"{which}_final_seconds"]
        lines.append(
            f"{which}: {run['model']}, {run['parameters']:,} parameters, {run['epochs']} "
            f"epochs: final test accuracy {acc['median']:.1%} ({acc['min']:.1%} to "
            f"{acc['max']:.1%}) at {sec['median']:.0f} s ({sec['min']:.0f} to "
            f"{sec['max']:.0f})"
        )
    lines.append(f"measured on: {race['device']}, {race['backend']}; {race['command']}")
    # Early on: the tutorial CNN's accuracy when alexlab finished its first epoch, per seed
    early = []
    for seed in [p["seed"] for p in race["per_seed"]]:
        pair = {r["which"]: r["curve"] for r in race["runs"] if r["seed"] == seed}
        first = pair["alexlab"]["seconds"][0]
        before = [
            a
            for t, a in zip(
                pair["tutorial"]["seconds"], pair["tutorial"]["test_accuracy"], strict=True
            )
            if t <= first
        ]
        if before:
            early.append(100 * (pair["alexlab"]["test_accuracy"][0] - before[-1]))
    ratio, ahead = s["time_ratio"]["median"], s["points_ahead"]["median"]
    goals = {"time": ratio is not None and ratio <= 0.5, "points": ahead is not None and ahead >= 5}
    lead = -np.median(early)  # the tutorial CNN's points over alexlab's first epoch
    lines += [
        "",
        f"at alexlab's first epoch the tutorial CNN's latest epoch was {abs(lead):.1f} "
        f"points {'ahead of' if lead > 0 else 'behind'} it (median of {len(early)} seeds); "
        f"goal of half the time: {'met' if goals['time'] else 'not met'}; goal of 5 points "
        f"ahead: {'met' if goals['points'] else 'not met'}",
    ]
    return "\n".join(lines)


def headline(race):
    """The race figure's title: the two medians it is judged by."""
    s = race["summary"]
    ratio, ahead = s["time_ratio"]["median"], s["points_ahead"]["median"]
    verdict = (
        f"alexlab reaches the tutorial CNN's best in {ratio:.2f}x its time"
        if ratio is not None
        else "alexlab never reaches the tutorial CNN's best"
    )
    title = f"{verdict},\nand {ahead:+.1f} points ahead at the tutorial's last epoch"
    return f"{title} (medians, {len(race['per_seed'])} seeds)"


def plot(result, title=None):
    """Test accuracy against wall clock from process start, one line per run and seed, for
    benchmarks/race_cpu.py's result: the tutorial's CNN and alexlab's cpu profile. The
    title (by default) gives the two medians the race is judged by."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    styles = {
        "tutorial": (plots.OTHERS, "s", "TensorFlow tutorial CNN"),
        "alexlab": (plots.OURS, "o", "alexlab, cpu profile"),
    }
    labelled = set()
    for run in result["runs"]:
        color, marker, name = styles[run["which"]]
        curve = run["curve"]
        label = None if run["which"] in labelled else name
        labelled.add(run["which"])
        ax.plot(
            curve["seconds"],
            curve["test_accuracy"],
            marker=marker,
            color=color,
            ms=4,
            lw=1.2,
            alpha=0.8,
            label=label,
        )
    summary = result["summary"]
    best = summary["tutorial_best"]["median"]
    ax.axhline(best, color=plots.OTHERS, ls=":", lw=1, label=f"tutorial's best (median) {best:.1%}")
    end = summary["tutorial_seconds"]["median"]
    ax.axvline(end, color=plots.OTHERS, ls="--", lw=1, label=f"tutorial's last epoch ({end:.0f} s)")
    ax.set_xlabel("seconds from process start (Python, Keras, data and compiling included)")
    ax.set_ylabel("test accuracy, after each epoch")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title or headline(result))
    fig.tight_layout()
    return fig
