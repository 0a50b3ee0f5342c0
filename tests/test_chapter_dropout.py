"""Chapter 06 (alexlab/chapters/dropout.py, notebooks/06_dropout.ipynb): its readings of
dropout_cpu.json, its verdicts, figures and exercises."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from alexlab import results  # noqa: E402
from alexlab.chapters import dropout  # noqa: E402
from alexlab.results import records  # noqa: E402

CASES = {
    "test_output": ([1.5, "1.5"], [3.0, 6, 0]),
    "thinned_networks": ([8192], [4096, 2, 16_777_216]),
    "keep_scale": ([1.25], [0.8, 5, 1.2]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exercise_judges(name, check_answers):
    check_answers(f"06.{name}", *CASES[name])


def test_every_exercise_has_cases():
    assert set(CASES) == set(dropout.EXERCISES)


def test_epochs_to_reach_a_level_per_seed_and_their_ratio():
    def config(name, *curves):
        return {
            "name": name,
            "network": "n",
            "epochs": 3,
            "history": [{"val_accuracy": c} for c in curves],
        }

    saved = records.Comparison.from_json(
        {
            "seeds": [0, 1],
            "differences": [],
            "configs": [
                config("none", [0.5, 0.61, 0.7], [0.62, 0.6, 0.6]),
                config("dropout", [0.4, 0.5, 0.6], [0.3, 0.5, 0.59]),
            ],
        }
    )
    out = dropout.epochs_to_reach(saved, 0.6)
    assert out["none"] == [2, 1] and out["dropout"] == [3, None]
    assert out["ratio"]["per_seed"] == [1.5, None] and out["ratio"]["median"] == 1.5


def test_verdicts_quote_the_gap_the_paired_test_and_the_ratio():
    def spread(values):
        known = [v for v in values if v is not None]
        return {
            "per_seed": values,
            "median": float(np.median(known)) if known else None,
            "min": min(known, default=None),
            "max": max(known, default=None),
        }

    def curves(*epochs):  # validation accuracy reaches 0.6 in the given epoch
        return [{"val_accuracy": [0.5] * (e - 1) + [0.6]} for e in epochs]

    saved = {
        "seeds": [0, 1, 2],
        "configs": [
            {"name": "no dropout", "network": "net", "epochs": 20, "history": curves(2, 4, 5)},
            {"name": "dropout 0.5", "network": "net", "epochs": 20, "history": curves(3, 4, 10)},
        ],
        "differences": [
            {
                "a": "no dropout",
                "b": "dropout 0.5",
                "verdict": "dropout 0.5 better than no dropout (...)",
            }
        ],
        "summary": {
            "no dropout": {"gap_at_end": spread([0.30, 0.32, 0.35])},
            "dropout 0.5": {"gap_at_end": spread([0.10, 0.12, 0.11])},
            "convergence_ratio": spread([2.0, None, 1.5]),
        },
    }
    said = dropout.verdicts(records.Comparison.from_json(saved))
    assert "32.0 points (30.0 to 35.0) without dropout, 11.0 points" in said["dropout_overfitting"]
    assert "better than no dropout" in said["dropout_overfitting"]
    assert "1.75x (median of 2 of 3 seeds, 1.50 to 2.00)" in said["dropout_iterations"]
    assert (
        "reach 60% validation accuracy, with / without: 1.50x (1.00 to 2.00)"
        in said["dropout_iterations"]
    )
    saved["summary"]["convergence_ratio"] = spread([None, None, None])
    again = records.Comparison.from_json(saved)
    assert "not measured" in dropout.verdicts(again)["dropout_iterations"]


def test_the_benchmark_readings_are_the_files_figures():
    saved = results.comparison("dropout_cpu")
    table = dropout.benchmark_table(saved)
    gaps = saved.extra["summary"]["no dropout"]["gap_at_end"]["per_seed"]
    assert ", ".join(f"{100 * g:.1f}" for g in gaps) in table
    lines = dropout.ensemble_lines(saved)
    for k in saved.extra["ensemble"]["masks"]:
        assert saved.extra["ensemble"]["differences"][str(k)]["verdict"] in lines
    masks, averaged, scaled = dropout.ensemble_curves(saved)
    assert len(averaged) == len(scaled) == len(saved.seeds) and set(averaged[0]) == set(masks)
    # the audit's verdicts are these
    assert dropout.CLAIMS["dropout_overfitting"]() == dropout.verdicts(saved)["dropout_overfitting"]
    fig = dropout.plot_ensemble(masks, averaged, scaled)
    assert len(fig.axes[0].lines) == 2 * len(scaled)
    fig = dropout.plot_overfitting({c.name: c.history for c in saved.configs})
    assert len(fig.axes[0].lines) == 2 * 2 * len(saved.seeds)
    plt.close("all")
    assert np.isfinite(scaled).all()
