"""alexlab.classifier: the cpu profile's network is the one its comparison chose, and the
builders take changes over their own sizes."""

import json
from pathlib import Path

import numpy as np

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


def test_a_model_from_build_carries_its_recipe_and_seed():
    data = al.data.synthetic(train_per_class=4, test_per_class=1)
    recipe = al.train.recipe("fast", padding=0)
    model = al.train.build("alexnet_cifar_tiny", data, recipe, seed=5)
    built = al.classifier.build_of(model)
    assert built.recipe is recipe and built.seed == 5
    assert al.classifier.build_of(model.layers[-1]) is None
