"""alexlab.results: the one writer (provenance, atomic, strict JSON), the folders, the typed
records that read the files back, and the sentences that render them."""

import json
import os

import pytest

import alexlab as al
from alexlab import results
from alexlab.results import records, words


@pytest.fixture()
def folders(tmp_path, monkeypatch):
    """RECORDED and LOCAL in a temporary folder, ALEXLAB_RECORD unset."""
    recorded, local = tmp_path / "recorded", tmp_path / "local"
    monkeypatch.setattr(results, "RECORDED", recorded)
    monkeypatch.setattr(results, "LOCAL", local)
    monkeypatch.delenv(results.RECORD_VAR, raising=False)
    return recorded, local


def test_a_notebook_writes_locally_unless_asked_to_record(folders, monkeypatch):
    recorded, local = folders
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    assert results.write("x", {"a": 1}).parent == local
    monkeypatch.setenv(results.RECORD_VAR, "1")
    assert results.folder() == recorded
    path = results.write("x", {"a": 2})
    assert path == recorded / "x.json" and results.load("x")["a"] == 2
    monkeypatch.setenv(results.RECORD_VAR, "0")  # anything but 1 records nothing
    assert results.folder() == local


def test_every_file_gets_the_same_provenance(folders, monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    data = al.data.synthetic()
    path = results.write("x", {"figure": 0.5}, dataset=data, command="python make.py")
    saved = json.loads(path.read_text())
    assert list(saved)[:3] == ["date", "command", "figure"]
    assert saved["command"] == "python make.py" and saved["profile"] == "cpu"
    assert set(saved["versions"]) == {"python", "alexlab", "keras", "numpy", "backend"}
    assert saved["dataset"] == {"source": data.source, "official": False}
    assert saved["device"] and saved["backend"] == al.runtime.backend()
    official = results.provenance(dataset={"source": "official archive x (sha256 verified)"})
    assert official["dataset"]["official"] is True


def test_nan_and_infinity_are_refused_naming_where_they_are(folders, monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    with pytest.raises(ValueError, match=r"x.runs\[1\].loss is nan"):
        results.write("x", {"runs": [{"loss": 1.0}, {"loss": float("nan")}]})
    with pytest.raises(ValueError, match="is inf"):
        results.write("x", {"seconds": float("inf")})
    assert not any(folders[1].glob("*")) if folders[1].exists() else True


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(folders, monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    path = results.write("x", {"a": 1})
    before = path.read_bytes()

    def broken(fd, *args, **kwargs):
        os.close(fd)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", broken)
    with pytest.raises(OSError, match="No space"):
        results.write("x", {"a": 2})
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.json"]


def test_a_smoke_result_is_never_recorded(folders, monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "smoke")
    monkeypatch.setenv(results.RECORD_VAR, "1")
    with pytest.raises(ValueError, match="smoke-profile result is not a measurement"):
        results.write("x", {"a": 1})
    assert results.write("x", {"a": 1}, where=folders[1]).exists()  # elsewhere: fine


def test_names_are_plain_and_listed(folders, monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    with pytest.raises(ValueError, match="plain file name"):
        results.path("../x")
    monkeypatch.setenv(results.RECORD_VAR, "1")
    for name in ("cifar10_b", "cifar10_a", "race"):
        results.write(name, {})
    assert results.names("cifar10_*") == ["cifar10_a", "cifar10_b"]
    assert results.load("missing") is None and results.comparison("missing") is None


def test_command_line_is_what_one_would_type_again(monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    script = str(results.ROOT / "benchmarks" / "x.py")
    assert results.command_line([script, "--seeds", "0"]) == (
        "ALEXLAB_PROFILE=cpu python benchmarks/x.py --seeds 0"
    )
    assert results.command_line(["train", "--epochs", "3"], program="python -m alexlab") == (
        "ALEXLAB_PROFILE=cpu python -m alexlab train --epochs 3"
    )


def test_a_training_run_and_a_comparison_read_back_as_records(folders, monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    run = records.TrainingRun(
        {"name": "cifar10", "source": "JPEG folder", "official": False},
        "m",
        10,
        {"name": "fast"},
        0,
        3,
        test_accuracy=0.7,
        tta={"none": {"top1": 0.7, "top5": 0.99}},
        train_seconds=5.0,
        wall_seconds=9.0,
    )
    path = results.write("run", run)
    back = records.TrainingRun.from_json(json.loads(path.read_text()))
    assert back.test_accuracy == 0.7 and back.top1() == 0.7 and back.seed == 0
    assert back.provenance.profile == "cpu" and back.provenance.dataset["official"] is False
    schedule = records.TrainingRuns.of("s", [back, back])
    assert schedule.median["test_accuracy"] == 0.7 and schedule.seeds == [0, 0]
    results.write("s", schedule, where=folders[1], measured_by=back.provenance)
    again = results.training_runs("s", folders[1])
    assert again.values("train_seconds") == [5.0, 5.0] and again.runs[0].model == "m"


def test_every_comparison_file_reads_as_a_record_and_back():
    for name in results.names():
        saved = results.load(name)
        if "comparison" not in saved:
            continue
        record = records.Comparison.from_json(saved)
        body = record.to_json()
        for key in ("comparison", "seeds", "configs", "differences"):
            assert body[key] == saved[key], (name, key)
        assert record.provenance.device == saved["device"]


def test_a_difference_reads_either_way_round():
    d = records.Difference("x", "y", "...", difference=0.0123, low=-0.002, high=0.03)
    record = records.Comparison("c", [0], {}, [], [d])
    text = record.difference("x", "y")
    assert text == "y: +1.23 points (95% interval -0.20 to +3.00), not measurable at this size"
    assert record.difference("y", "x").startswith("x: -1.23 points (95% interval -3.00 to +0.20)")
    with pytest.raises(KeyError, match="'x' with 'z'"):
        record.difference("x", "z")


def test_words_say_not_measurable_only_where_the_interval_holds_zero():
    assert words.NO_DIFFERENCE in words.verdict(
        "A", "B", {"difference": 0.01, "low": -0.01, "high": 0.03}
    )
    assert words.verdict("A", "B", {"difference": -0.02, "low": -0.03, "high": -0.01}).startswith(
        "B better than A"
    )
    assert words.spread([3, None, 1]) == {
        "per_seed": [3, None, 1],
        "median": 2.0,
        "min": 1,
        "max": 3,
    }
    assert words.spread_text(words.spread([None])) == "never"
    assert words.spread_text(words.spread([1.0, 2.0, 4.0])) == "2.00 (1.00 to 4.00)"


def test_a_comparison_summary_gives_only_the_verdicts_that_involve_against():
    def config(name, accuracy):
        return {
            "name": name,
            "network": "n",
            "epochs": 3,
            "validation_accuracy": accuracy,
            "train_seconds": [10.0, 30.0, 20.0],
        }

    saved = {
        "comparison": "c",
        "device": "CPU",
        "backend": "tensorflow",
        "seeds": [0, 1, 2],
        "command": "python make.py",
        "dataset": {"validation_images": 5000},
        "configs": [
            config("a", [0.7, 0.8, 0.9]),
            config("b", [0.1, 0.2, 0.3]),
            config("c", [0.5, 0.5, 0.5]),
        ],
        "differences": [
            {"a": "a", "b": "b", "verdict": "a better than b"},
            {"a": "a", "b": "c", "verdict": "a better than c"},
            {"a": "b", "b": "c", "verdict": "c better than b"},
        ],
    }
    record = records.Comparison.from_json(saved)
    text = record.summary(against="a")
    assert "a better than b" in text and "a better than c" in text
    assert "c better than b" not in text and "python make.py" in text
    assert "80.00%" in text and "70.00% - 90.00%" in text and "20 s (10 - 30)" in text
    assert "c better than b" in record.summary()
