"""Chapter 08 (alexlab/chapters/cifar10/, notebooks/08_cifar10.ipynb): what it reads from the
benchmarks, a call per table, against the files; its race figure and exercises."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from alexlab import results  # noqa: E402
from alexlab.chapters import cifar10  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"

CASES = {
    "gpu_steps": ([2340], [2346, 390, 2000]),
    "steps_45000": ([1406], [1562, 1407, 156]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exercise_judges(name, check_answers):
    check_answers(f"08.{name}", *CASES[name])


def test_every_exercise_has_cases():
    assert set(CASES) == set(cifar10.EXERCISES)


def test_fast_recipe_notes_cite_the_recipe_comparison():
    saved = json.loads((RESULTS / "choice_recipe_cpu.json").read_text())
    notes = " ".join(cifar10.fast_recipe_notes())
    baseline = saved["configs"][0]["name"]
    assert "choice_recipe_cpu.json" in notes
    for config in saved["configs"][1:]:
        d = next(d for d in saved["differences"] if (d["a"], d["b"]) == (baseline, config["name"]))
        points = f"{d['difference'] * 100:+.2f} points (95% interval {d['low'] * 100:+.2f} to "
        points += f"{d['high'] * 100:+.2f})"
        assert f"{config['name']}: {points}" in notes, config["name"]
        if d["low"] <= 0 <= d["high"]:  # the verdict the interval allows, in the note
            assert f"{config['name']}: {points}, not measurable at this size" in notes
        else:
            assert f"{config['name']}: {points}, not measurable" not in notes


def test_race_draws_every_run_and_the_tutorials_marks():
    def run(which, seed, seconds, accuracy):
        return {
            "which": which,
            "seed": seed,
            "curve": {"seconds": seconds, "test_accuracy": accuracy},
        }

    runs = [run("tutorial", s, [30, 60], [0.5, 0.6]) for s in (0, 1)]
    runs += [run("alexlab", s, [20, 50, 80], [0.4, 0.65, 0.7]) for s in (0, 1)]
    summary = {"tutorial_best": {"median": 0.6}, "tutorial_seconds": {"median": 60}}
    result = {"runs": runs, "per_seed": [{}, {}], "summary": summary}
    fig = cifar10.race.plot(result, title="t")
    ax = fig.axes[0]
    curves = [line for line in ax.lines if line.get_marker() in ("o", "s")]
    assert len(curves) == 4
    assert [tuple(line.get_ydata()) for line in curves[2:]] == [(0.4, 0.65, 0.7)] * 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["TensorFlow tutorial CNN", "alexlab, cpu profile"]
    assert "60.0%" in labels[2] and "60 s" in labels[3]
    plt.close(fig)


def test_the_race_summary_gives_the_files_medians_and_goals():
    race = results.load("race_cpu")
    text = cifar10.race.summary(race)
    ratio = race["summary"]["time_ratio"]["median"]
    assert f"time ratio {ratio:.2f}" in text
    met = "met" if ratio <= 0.5 else "not met"
    assert f"goal of half the time: {met}" in text
    assert f"{ratio:.2f}x its time" in cifar10.race.headline(race)
    assert cifar10.race.summary(None).startswith("no race measured yet")


def test_the_tables_are_the_files_figures():
    table = cifar10.benchmark_table()
    for name in results.names("cifar10_*"):
        saved = results.load(name)
        if "median" in saved:
            assert f"{name} " in table and f"{saved['median']['test_accuracy']:.2%}" in table
    assert "GPU rows:" in table and "calibration" not in table.splitlines()[0]
    gpu = cifar10.gpu.figures()
    tp = results.load("throughput_gpu")
    assert f"{tp['summary']['alexlab_images_per_second']:,.0f}" in gpu
    choices = cifar10.choices()
    assert "choice_network_cpu:" in choices and "choice_recipe_cpu:" in choices
    layers = cifar10.layer_times()
    assert all(name in layers for name in results.load("layers_cpu")["networks"])
    assert cifar10.paper_recipe().startswith("paper_recipe_cpu:")


def test_training_rates_on_the_cpu_profile_are_read_from_the_side_by_side_run(monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    networks = ("alexnet", "alexnet_cifar", "alexnet_cifar_cpu")
    rates = cifar10.training_rates(networks)
    saved = results.load("throughput_cpu")
    assert rates.batch == saved["batch_size"] and rates.source.startswith("throughput_cpu.json")
    rate = saved["networks"]["alexnet_cifar_cpu"]["images_per_second"]
    assert rates.epoch_seconds("alexnet_cifar_cpu", 50_000) == pytest.approx(50_000 / rate)
    report = rates.report(32)
    assert "alexnet_cifar_cpu trains" in report and "227x227" in report
    plt.close("all")


def test_live_training_rates_measure_every_network():
    rates = cifar10.training_rates(("alexnet_cifar_tiny",))  # the smoke profile measures
    (rate, low, high) = rates.speed["alexnet_cifar_tiny"]
    assert 0 < low <= rate <= high and rates.source is None
    assert json.dumps(rates.speed)
