"""The cpu profile's choices against the comparisons that made them (benchmarks/results)."""

import json
from pathlib import Path

import numpy as np
import pytest

import alexlab as al

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def _saved(group):
    return json.loads((RESULTS / f"choice_{group}_cpu.json").read_text())


def _pair(saved, a, b):
    return next(d for d in saved["differences"] if (d["a"], d["b"]) == (a, b))


def test_the_cpu_member_is_the_network_the_comparison_chose():
    saved = _saved("network")
    chosen = next(c for c in saved["configs"] if c["name"] == "conv2 3x3, conv3-5 96-96-64")
    model = al.train.MODELS["alexnet_cifar_cpu"].make(10)
    convs = [layer for layer in model.layers if layer.name.startswith("conv")]
    assert [c.filters for c in convs] == chosen["network_options"]["filters"]
    assert [c.kernel_size[0] for c in convs] == chosen["network_options"]["kernels"]
    assert not any("lrn" in layer.name for layer in model.layers)
    # Chosen because it trained faster with no measurable loss on the validation split
    profile = saved["configs"][0]
    assert np.median(chosen["train_seconds"]) < np.median(profile["train_seconds"])
    difference = _pair(saved, profile["name"], chosen["name"])
    assert difference["low"] <= 0 <= difference["high"] or difference["high"] < 0
    assert saved["seeds"] == [0, 1, 2] and saved["dataset"]["validation_images"] == 5000


def test_builders_take_changes_over_their_own_sizes():
    model = al.train.MODELS["alexnet_cifar_cpu"].make(10, filters=(8, 8, 8, 8, 8), units=16)
    convs = [layer for layer in model.layers if layer.name.startswith("conv")]
    assert [c.filters for c in convs] == [8] * 5 and model.get_layer("fc6").units == 16


def test_fast_recipe_notes_cite_the_recipe_comparison():
    saved = _saved("recipe")
    notes = " ".join(al.recipes.RECIPES["fast"]().notes)
    baseline = saved["configs"][0]["name"]
    assert "choice_recipe_cpu.json" in notes
    for config in saved["configs"][1:]:
        d = _pair(saved, baseline, config["name"])
        points = f"{d['difference'] * 100:+.2f} points (95% interval {d['low'] * 100:+.2f} to "
        points += f"{d['high'] * 100:+.2f})"
        assert f"{config['name']}: {points}" in notes, config["name"]
        if d["low"] <= 0 <= d["high"]:  # the verdict the interval allows, in the note
            assert f"{config['name']}: {points}, not measurable at this size" in notes
        else:
            assert f"{config['name']}: {points}, not measurable" not in notes


def test_difference_reads_a_pair_either_way_round(tmp_path, monkeypatch):
    saved = {"differences": [{"a": "x", "b": "y", "difference": 0.0123, "low": -0.002,
                              "high": 0.03, "verdict": "..."}]}  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps(saved))
    monkeypatch.setattr(al.results, "FOLDER", tmp_path)
    al.results.load.cache_clear()
    try:
        text = al.results.difference("c", "x", "y")
        assert text == "y: +1.23 points (95% interval -0.20 to +3.00), not measurable at this size"
        other_way = al.results.difference("c", "y", "x")
        assert other_way.startswith("x: -1.23 points (95% interval -3.00 to +0.20)")
        assert "not measured in this copy" in al.results.difference("missing", "x", "y")
        with pytest.raises(KeyError, match="'x' with 'z'"):
            al.results.difference("c", "x", "z")
    finally:
        al.results.load.cache_clear()
