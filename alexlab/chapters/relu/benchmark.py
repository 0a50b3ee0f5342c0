"""Notebook 03's readings of its benchmark (benchmarks/relu_cpu.py, relu_cpu.json): the rate
sweep, the race to 25% training error over seeds, the looser targets, the dead units.
"""

from alexlab import activations, tables

__all__ = ["dead_units_table", "race_runs", "race_table", "sweep_table", "targets_table"]


def _shown(values, unit=""):
    return ", ".join("-" if v is None else f"{v:.0f}{unit}" for v in values)


def sweep_table(saved):
    """relu_cpu.json's learning-rate sweep as text: its command and machine, then the
    training error after the sweep's epochs per activation and rate (<- chosen)."""
    lines = [
        f"{saved['command']}\n{saved['device']}, {saved['backend']}, {saved['date'][:10]}; "
        f"{saved['dataset']['source']}"
    ]
    rows = []
    for act in activations.ACTIVATIONS:
        row = [act]
        for rate in saved["rates"]:
            (run,) = [
                r
                for r in saved["runs"]
                if r["phase"] == "sweep" and r["activation"] == act and r["learning_rate"] == rate
            ]
            if run["history"] is None:
                row.append("diverged")
            else:
                error = 1 - run["history"]["accuracy"][-1]
                mark = " <-" if rate == saved["chosen_rates"][act] else ""
                row.append(f"{error:.1%}{mark}")
        rows.append(row)
    lines.append(
        f"training error after {saved['sweep_epochs']} epochs, by learning rate (<- chosen):"
    )
    lines.append(tables.format_table(["activation"] + [f"{r:g}" for r in saved["rates"]], rows))
    return "\n".join(lines)


def race_table(saved):
    """The race over seeds as text: epochs and seconds to 25% per seed, the last epoch's
    error, ReLU's speed-ups where measured, and the seconds per epoch."""
    summary, rates = saved["summary"], saved["chosen_rates"]
    rows = [
        [
            act,
            _shown(summary[act]["epochs_to_target"]),
            _shown(summary[act]["seconds_to_target"], " s"),
            ", ".join(
                "-" if e is None else f"{e:.1%}" for e in summary[act]["final_training_error"]
            ),
        ]
        for act in activations.ACTIVATIONS
    ]
    caps = summary["cap_epochs"]
    lines = [
        f"seeds {summary['seeds']}; epochs at most: "
        + ", ".join(f"{a} {caps[a]} at rate {rates[a]:g}" for a in activations.ACTIVATIONS)
    ]
    header = ["activation", "epochs to 25% (per seed)", "seconds to 25%", "last epoch's error"]
    lines += [tables.format_table(header, rows), "(-: not reached within the activation's epochs)"]
    for other in ("tanh", "sigmoid"):
        for unit in ("epochs", "seconds"):
            s = summary[f"speedup_vs_{other}_{unit}"]
            if s["median"] is not None:  # measured on at least one seed
                per_seed = ", ".join("-" if r is None else f"{r:.2f}" for r in s["per_seed"])
                lines.append(
                    f"ReLU's speed-up over {other}, in {unit}: per seed {per_seed}; "
                    f"median {s['median']:.2f} (min {s['min']:.2f}, max {s['max']:.2f})"
                )
    per_epoch = ", ".join(
        f"{a} {summary[a]['seconds_per_epoch_median']:.0f} s" for a in activations.ACTIVATIONS
    )
    lines.append(f"median seconds per epoch: {per_epoch}")
    return "\n".join(lines)


def race_runs(saved):
    """The race's runs (activation, seed, history) that trained, for ``plot_figure1``."""
    return [r for r in saved["runs"] if r["phase"] == "race" and r["history"]]


def targets_table(saved):
    """Epochs to each training error per activation and seed, and tanh over ReLU, as text."""
    rows = []
    for target, t in saved["summary"]["targets"].items():
        s = t["speedup"]["tanh"]
        if s["median"] is None:
            ratio = "-"
        else:
            ratio = f"{s['median']:.1f} ({s['min']:.1f} - {s['max']:.1f})"
        if s["median"] is not None and None in s["per_seed"]:
            ratio += f", {s['per_seed'].count(None)} seed(s) not reached"
        epochs = [_shown(t["epochs"][a]) for a in activations.ACTIVATIONS]
        rows.append([f"{float(target):.0%}", *epochs, ratio])
    header = ["training error", *activations.ACTIVATIONS, "tanh / ReLU: median (min - max)"]
    return (
        "epochs to each training error (per seed; -: not reached), and ReLU's speed-up "
        "over tanh\n" + tables.format_table(header, rows)
    )


def dead_units_table(here, saved, epochs):
    """Units and whole maps that never fire: this notebook's network (`here`, from
    ``activations.dead_units``) after `epochs`, beside the benchmark's at init and at 25%."""
    summary = saved["summary"]
    rows = []
    for layer, share in here.items():
        after = summary["dead_relu_after"][layer]
        init = summary["dead_relu_at_init"][layer]
        rows.append(
            [
                layer,
                f"{share['units']:.1%} / {share['maps']:.1%}",
                ", ".join(f"{s['units']:.1%} / {s['maps']:.1%}" for s in init),
                ", ".join(f"{s['units']:.1%} / {s['maps']:.1%}" for s in after),
            ]
        )
    header = [
        "layer",
        f"this notebook, after {epochs} epochs",
        f"benchmark at init (seeds {', '.join(map(str, summary['seeds']))})",
        "benchmark at 25% error (same seeds)",
    ]
    return "units / whole maps that never fire\n" + tables.format_table(header, rows)
