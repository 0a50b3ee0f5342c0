"""The GPU benchmark driver's rules: choices on the validation split, the test set only after.

benchmarks/gpu.py fixes its schedules by rules written before any run. These tests
replace the training runs with a made-up accuracy surface and check that the rules
pick what they say, that every choosing run held out a validation split and never
evaluated on the test set, and that only the chosen schedule meets the test set.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import gpu  # noqa: E402
import race_cpu  # noqa: E402
import step_cpu  # noqa: E402
import train_cifar10  # noqa: E402


def _option(options, name, cast=str):
    return cast(options[options.index(name) + 1]) if name in options else None


def _fake_accuracy(batch, rate, epochs):
    """A surface with its best rate at batch 128, 0.04, rising with epochs."""
    best = {(128, 0.04): 0.835, (128, 0.02): 0.81, (256, 0.05): 0.80}.get((batch, rate), 0.7)
    return best - 0.02 * max(0, 10 - epochs)


@pytest.fixture
def driver(tmp_path, monkeypatch):
    calls = []

    def run_once(options, seed):
        calls.append((list(options), seed))
        batch = _option(options, "--batch-size", int) or 128
        rate = _option(options, "--learning-rate", float) or 0.04
        epochs = _option(options, "--epochs", int)
        accuracy = _fake_accuracy(batch, rate, epochs)
        no_test = "--no-test" in options
        return {
            "device": "fake GPU",
            "backend": "jax",
            "versions": {},
            "profile": "gpu",
            "dataset": {"name": "cifar10", "source": "fake", "official": False},
            "model": _option(options, "--model"),
            "parameters": 1,
            "recipe": {"batch_size": batch},
            "epochs": epochs,
            "seed": seed,
            "tta": {} if no_test else {"none": {"top1": accuracy, "top5": 1.0}},
            "test_accuracy": None if no_test else accuracy - 0.001 * seed,
            "top5_accuracy": None if no_test else 1.0,
            "validation_accuracy": accuracy if no_test else None,
            "train_seconds": 0.5 * epochs,
            "compile_seconds": 1.0,
            "load_seconds": 1.0,
            "seconds_to_test_accuracy": None if no_test else 3.0,
            "wall_seconds": 5.0,
            "history": {"seconds": [0.5] * epochs},
        }

    monkeypatch.setattr(train_cifar10, "run_once", run_once)
    monkeypatch.setattr(gpu, "RESULTS", tmp_path)
    monkeypatch.delenv("OUT", raising=False)
    return calls


def test_fast_stage_chooses_on_validation_then_measures_three_seeds(driver):
    gpu.stage_fast(gpu.Clock(1e6), quick=False)
    choosing = [(o, s) for o, s in driver if "--no-test" in o]
    measuring = [(o, s) for o, s in driver if "--no-test" not in o]
    # every choosing run: seed 0, 10% held out, never the test set
    assert choosing and all(s == 0 and _option(o, "--validation") == "0.1" for o, s in choosing)
    # the best point of the grid, then the fewest epochs reaching 75% on validation:
    # 0.835 - 0.02 * (10 - e) is 0.715 at 4 epochs, 0.755 at 6: two runs after the sweep
    assert len(choosing) == len(gpu.FAST_GRID) + 2
    for options, _ in measuring:
        assert _option(options, "--batch-size", int) == 128
        assert _option(options, "--learning-rate", float) == 0.04
        assert _option(options, "--epochs", int) == 6
        assert "--validation" not in options
    assert [s for _, s in measuring] == list(gpu.SEEDS)
    result = gpu.load("cifar10_gpu_fast")
    assert result["complete"] and result["choice"]["epochs"] == 6
    assert result["median"]["test_accuracy"] == pytest.approx(0.755 - 0.001)
    assert result["min_max"]["test_accuracy"] == [pytest.approx(0.753), pytest.approx(0.755)]


def test_fast_stage_reuses_runs_already_made_under_the_same_rule(driver):
    gpu.stage_fast(gpu.Clock(1e6), quick=False)
    before = len(driver)
    gpu.stage_fast(gpu.Clock(1e6), quick=False)
    assert len(driver) - before == len(gpu.SEEDS)  # only the test runs again


def test_peak_takes_the_chosen_rate_dropout_and_a_time_budget(driver):
    gpu.stage_fast(gpu.Clock(1e6), quick=False)
    driver.clear()
    gpu.stage_peak(gpu.Clock(1e6), quick=False)
    options = driver[0][0]
    assert _option(options, "--batch-size", int) == 128
    assert _option(options, "--learning-rate", float) == 0.04
    assert _option(options, "--dropout", float) == 0.5
    # 0.5 s per epoch: PEAK_SECONDS / 0.5 epochs, capped
    expected = min(gpu.PEAK_MAX_EPOCHS, int(gpu.PEAK_SECONDS / 0.5))
    assert _option(options, "--epochs", int) == expected
    assert gpu.load("cifar10_gpu_peak")["choice"]["headline"] == "ten_crop"


def test_a_run_that_does_not_fit_the_budget_is_skipped_and_said(driver, capsys):
    gpu.stage_peak(gpu.Clock(10), quick=False)
    assert driver == [] and gpu.load("cifar10_gpu_peak") is None
    assert "skipped cifar10_gpu_peak seed 0" in capsys.readouterr().out


def test_summary_of_runs_that_never_saw_the_test_set():
    runs = [
        {
            "seed": s,
            "validation_accuracy": v,
            "test_accuracy": None,
            "tta": {},
            "train_seconds": t,
            "wall_seconds": t + 5,
            "device": "d",
            "backend": "b",
            "versions": {},
            "profile": "gpu",
            "model": "m",
            "parameters": 1,
            "recipe": {},
            "epochs": 2,
            "dataset": {"name": "cifar10", "source": "s", "official": False},
        }
        for s, v, t in ((0, 0.7, 3.0), (1, 0.6, 4.0), (2, 0.8, 5.0))
    ]
    result = train_cifar10.summarise("x", ["--no-test"], runs)
    assert result["median"]["validation_accuracy"] == 0.7
    assert result["median"]["test_accuracy"] is None
    assert result["min_max"]["validation_accuracy"] == [0.6, 0.8]
    assert "median validation accuracy 70.00%" in train_cifar10.report(result)


def _curve(which, seed, seconds, accuracy):
    return {
        "which": which,
        "seed": seed,
        "device": "cpu",
        "backend": "tensorflow",
        "versions": {},
        "dataset": "fake",
        "curve": {
            "epoch": list(range(1, len(seconds) + 1)),
            "seconds": seconds,
            "test_accuracy": accuracy,
        },
    }


def test_race_ratios_by_hand():
    tutorial = _curve("tutorial", 0, [30, 60, 90, 120], [0.50, 0.62, 0.66, 0.65])
    ours = _curve("alexlab", 0, [20, 40, 60, 200], [0.40, 0.67, 0.70, 0.80])
    r = race_cpu.ratios(tutorial, ours)
    # The tutorial's best, 66%, first reached at 90 s; alexlab passes it at 40 s.
    assert r["tutorial_best"] == 0.66 and r["tutorial_seconds_to_best"] == 90
    assert r["time_ratio"] == pytest.approx(40 / 90)
    # At the tutorial's last epoch (120 s) alexlab had reached 70%: 4 points ahead; its
    # 80% came later and does not count.
    assert r["points_ahead"] == pytest.approx(4.0)
    never = race_cpu.ratios(tutorial, _curve("alexlab", 0, [50, 100], [0.5, 0.6]))
    assert never["time_ratio"] is None and never["points_ahead"] == pytest.approx(-6.0)


def test_race_summary_takes_medians_over_seeds():
    runs = []
    for seed, t_ours in ((0, 40), (1, 45), (2, 90)):
        runs.append(_curve("tutorial", seed, [30, 60, 90], [0.5, 0.6, 0.66]))
        runs.append(_curve("alexlab", seed, [t_ours, 150], [0.7, 0.75]))
    s = race_cpu.summarise(runs, [0, 1, 2], [])["summary"]
    assert s["time_ratio"]["median"] == pytest.approx(45 / 90)
    assert s["time_ratio"]["min"] == pytest.approx(40 / 90)
    assert s["time_ratio"]["max"] == pytest.approx(1.0)
    assert s["points_ahead"]["median"] == pytest.approx(4.0)  # 70% by 90 s, against 66%


def test_step_summary_is_per_variant_against_the_default():
    runs = [
        {"variant": v, "images_per_second": r}
        for v, r in (
            ("default", 800),
            ("xla", 500),
            ("default", 600),
            ("xla", 700),
            ("default", 1000),
        )
    ]
    s = step_cpu.summarise(runs)
    assert s["default"] == {
        "median": 800,
        "min": 600,
        "max": 1000,
        "runs": 3,
        "ratio_to_default": 1.0,
    }
    assert s["xla"]["median"] == 600 and s["xla"]["ratio_to_default"] == 0.75
    assert set(step_cpu.VARIANTS) >= {"default", "bfloat16", "xla", "jax"}
