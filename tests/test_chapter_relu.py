"""Chapter 03 (alexlab/chapters/relu.py, notebooks/03_relu.ipynb): its figures, Figure 1's
recipe, the tables and the verdict it reads from relu_cpu.json, its exercises."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import alexlab as al  # noqa: E402
from alexlab import results  # noqa: E402
from alexlab.chapters import relu  # noqa: E402

CASES = {
    "sigmoid_depth": ([5], [4, 3, 1000, 0, 6]),
    "params_19pct": ([89_578], [89_440, 122_346, 0]),
    "tanh_slope": ([4, "4.0"], [0.25, 2, "four"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exercise_judges(name, check_answers):
    check_answers(f"03.{name}", *CASES[name])


def test_every_exercise_has_cases():
    assert set(CASES) == set(relu.EXERCISES)


def test_the_parameter_count_is_layers_19pct_by_hand():
    # three 5x5 convolutions (3->32->32->64) and fc10 on 4x4x64
    by_hand = sum(5 * 5 * i * o + o for i, o in ((3, 32), (32, 32), (32, 64))) + 1024 * 10 + 10
    assert by_hand == CASES["params_19pct"][0][0]


def test_figure1_recipe_is_section_3_1():
    r = relu.figure1_recipe(0.003)
    assert (r.learning_rate, r.schedule, r.weight_decay, r.label_smoothing) == (
        0.003,
        "constant",
        0.0,
        0.0,
    )
    assert (r.padding, r.flip, r.inputs, r.batch_size) == (0, False, "mean_subtract", 128)


def test_plots_say_what_to_see():
    import matplotlib.pyplot as plt

    fig = relu.plot_functions()
    assert "flatten" in fig.axes[0].get_title()
    runs = [
        {"activation": a, "seed": 0, "history": {"accuracy": [0.3, 0.6, 0.8]}}
        for a in al.activations.ACTIVATIONS
    ]
    fig2 = relu.plot_figure1(runs)
    assert len(fig2.axes[0].lines) == 4  # three runs and the target line
    plt.close("all")


def test_figure1_verdict_reads_the_medians_and_says_what_was_not_reached():
    def speed(median, low, high, bound=False):
        return {"median": median, "min": low, "max": high, "some_not_reached_within_cap": bound}

    saved = {
        "summary": {
            "seeds": [0, 1, 2],
            "cap_epochs": 25,
            "relu": {"epochs_to_target": [5, 6, 7]},
            "tanh": {"epochs_to_target": [10, 14, 12]},
            "sigmoid": {
                "epochs_to_target": [None, None, 20],
                "final_training_error": [0.8, 0.9, 0.2],
            },
            "speedup_vs_tanh_epochs": speed(2.0, 1.7, 2.3),
            "speedup_vs_tanh_seconds": speed(2.1, 1.8, 2.4),
            "speedup_vs_sigmoid_epochs": speed(2.9, 2.9, 2.9, True),
            "speedup_vs_sigmoid_seconds": speed(3.0, 3.0, 3.0, True),
        }
    }
    text = relu.figure1_verdict(saved)
    assert "in 6 epochs (median)" in text
    assert "2.0x fewer epochs than tanh (seeds 1.7 to 2.3), 2.1x less time" in text
    assert (
        "sigmoid did not reach it within 25 epochs on 2 of 3 seeds (training error then "
        "80.0% to 90.0%), so ReLU took at least 4.2x fewer epochs" in text
    )  # 25 / 6: seed 1 is the tighter bound
    saved["summary"]["relu"]["epochs_to_target"] = [5, None, 7]
    assert relu.figure1_verdict(saved).startswith("ReLU did not reach")


def test_the_tables_are_the_benchmarks_figures():
    saved = results.load("relu_cpu")
    sweep = relu.benchmark.sweep_table(saved)
    assert saved["command"] in sweep and sweep.count(" <-") == 3  # a rate chosen per activation
    race = relu.benchmark.race_table(saved)
    epochs = saved["summary"]["relu"]["epochs_to_target"]
    assert ", ".join(str(e) for e in epochs) in race
    targets = relu.benchmark.targets_table(saved)
    assert all(f"{float(t):.0%}" in targets for t in saved["summary"]["targets"])
    assert len(relu.benchmark.race_runs(saved)) == 3 * len(saved["summary"]["seeds"])
    assert relu.CLAIMS["relu_speed"]() == relu.figure1_verdict(saved)
    layers = saved["summary"]["dead_relu_after"]
    here = {layer: {"units": 0.0, "maps": 0.0} for layer in layers}
    dead = relu.benchmark.dead_units_table(here, saved, 3)
    assert "this notebook, after 3 epochs" in dead and all(layer in dead for layer in layers)
    assert al.activations.ACTIVATIONS == ("relu", "tanh", "sigmoid")
