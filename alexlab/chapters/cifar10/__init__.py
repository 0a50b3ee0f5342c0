"""Chapter 08, training on CIFAR-10 (notebooks/08_cifar10.ipynb): §5's recipe, a fast one,
and the measurements behind both.

Training is the engine's (``alexlab.train``); the figures come from the benchmarks, each
a file in benchmarks/results. This module holds what notebook 08 reads from them, a call
per table: why each choice of the fast recipe (``fast_recipe_notes``), the choices'
comparisons, where the training step's time goes, the training rates, every schedule's
test accuracy; its exercises. The race with TensorFlow's tutorial CNN (``race``) and the
GPU figures against their goals (``gpu``) have a module each.
"""

import math

from alexlab import bench, exercises, profiles, results, runtime, tables
from alexlab.chapters.cifar10 import gpu, race

__all__ = [
    "results_page",
    "EXERCISES",
    "NOTEBOOK",
    "benchmark_table",
    "choices",
    "fast_recipe_notes",
    "gpu",
    "layer_times",
    "paper_recipe",
    "race",
    "recorded_rates",
    "training_rates",
]

NOTEBOOK = "08_cifar10.ipynb"


def _cpu(change):
    """This recipe against one change, on a CPU: the validation accuracy difference, in words."""
    saved = results.comparison("choice_recipe_cpu")
    if saved is None:
        return f"{change}: not measured in this copy (benchmarks/results/choice_recipe_cpu.json)"
    return saved.difference("profile recipe", change)


def _step_ratio(variant):
    saved = results.load("step_cpu")
    if saved is None:
        return "not measured in this copy (benchmarks/results/step_cpu.json)"
    return f"{saved['summary'][variant]['ratio_to_default']:.2f}x the training rate"


def fast_recipe_notes():
    """What each choice of the fast recipe is for, with what it measured against the
    alternatives tried (choice_recipe_cpu.json, step_cpu.json), one sentence each."""
    saved = results.comparison("choice_recipe_cpu")
    how = "benchmarks/results/choice_recipe_cpu.json"
    if saved is not None:
        first = saved.configs[0]
        how = (
            f"{first.network}, {first.epochs} epochs, seeds {saved.seeds}, "
            f"{saved.dataset['validation_images']:,} validation images held out of the "
            f"training set, the test set unread; {how}"
        )
    return (
        "where a note gives a change, it was measured on a 2-core CPU with the comparison "
        "tool: this recipe's validation accuracy minus that of the same recipe with the "
        f"change ({how})",
        "a fixed schedule: linear warm-up for the first 15% of steps, then linear decay to "
        "zero; no validation split needed, all 50,000 images train. Without the warm-up the "
        "peak rate made the loss diverge within the first batches (seen on a CPU, seed 0)",
        f"peak rate 0.05 on a CPU ({_cpu('peak rate x2')}; {_cpu('peak rate x0.5')}) and "
        "0.04 on a GPU",
        "Nesterov momentum 0.9 with the same coupled weight decay as the paper",
        "He-normal initialisation and zero biases, for every network: with §5's N(0, 0.01^2) "
        "the network stays at chance for the first epochs (notebook 08 measures why: "
        "benchmarks/results/paper_recipe_cpu.json)",
        f"label smoothing 0.1 ({_cpu('no label smoothing')})",
        f"batch 128 on a CPU ({_cpu('batch 256')}), and on a GPU with peak rate 0.04: the "
        "best of the batch sizes and rates tried on a validation split held out of the "
        "training set (benchmarks/results/cifar10_gpu_fast_calibration.json)",
        "bfloat16 mixed precision on an accelerator (float32 variables and softmax); float32 "
        f"on a CPU, where bfloat16 gave {_step_ratio('bfloat16')} (alexnet_cifar_small, "
        "benchmarks/results/step_cpu.json)",
        f"XLA compilation on a GPU only: on TensorFlow's CPU it gave {_step_ratio('xla')} "
        "(step_cpu.json); 8 steps per compiled call on a GPU (TensorFlow; on JAX it measured "
        "the same as 1: benchmarks/results/throughput_gpu.json)",
        "for a few epochs on a CPU: mirror images only, no random patches "
        f"({_cpu('random patches (padding 4)')}); random patches of the image padded by 4 "
        "pixels on a GPU",
        "no dropout: §4.2 says it roughly doubles the iterations needed to converge, which "
        f"schedules of a few epochs cannot pay ({_cpu('dropout 0.5')}); "
        "recipe('fast', dropout=0.5) for long runs",
    )


def choices():
    """The comparisons behind the cpu profile's network and recipe, as text (the recipe's
    verdicts: those against the profile's recipe only)."""
    text = ""
    for group, against in (("network", None), ("recipe", "profile recipe")):
        saved = results.comparison(f"choice_{group}_cpu")
        if saved is None:
            text += (
                f"not measured yet: ALEXLAB_PROFILE=cpu python benchmarks/choices_cpu.py {group}\n"
            )
        else:
            text += saved.summary(against=against) + "\n\n"
    return text


def layer_times():
    """Per-layer forward and backward times beside the whole step (layers_cpu.json), as text."""
    saved = results.load("layers_cpu")
    text = f"{saved['command']}: {saved['device']}, {saved['backend']}, batch {saved['batch_size']}"
    for name, n in saved["networks"].items():
        step, ms, macs = n["step_ms"], n["layers_ms"], n["macs"]
        text += f"\n\n{name}: whole training step {step['median']:.0f} ms "
        text += f"({step['min']:.0f}-{step['max']:.0f}), median of {len(n['rounds'])} rounds\n"
        rows = [
            [
                layer,
                f"{ms[layer]:.1f}",
                f"{ms[layer] / step['median']:.0%}",
                f"{macs[layer] / 1e6:.1f}",
            ]
            for layer in sorted(ms, key=ms.get, reverse=True)
            if ms[layer] >= 1
        ]
        header = ["layer", "ms, forward + backward", "share of the step", "M multiply-adds / image"]
        text += tables.format_table(header, rows)
    return text


def paper_recipe():
    """Why the paper's recipe stays at chance, one change at a time (paper_recipe_<profile>
    .json, else the cpu one), as text."""
    saved = results.comparison(f"paper_recipe_{profiles.profile()}")
    saved = saved or results.comparison("paper_recipe_cpu")
    return saved.summary() if saved else "not measured yet: python benchmarks/paper_recipe.py"


def recorded_rates(networks):
    """The networks' training rates on a 2-core CPU, side by side (throughput_cpu.json)."""
    saved = results.load("throughput_cpu")
    source = (
        f"throughput_cpu.json: {saved['command']}, {saved['device']}, "
        f"{saved['backend']}, {saved['rounds']} rounds"
    )
    speed = {}
    for name in networks:
        n = saved["networks"][name]
        speed[name] = (n["images_per_second"], n["min"], n["max"])
    return bench.Rates(saved["batch_size"], speed, source)


def training_rates(networks):
    """The networks' training rates: measured here, except on the cpu profile, where
    training the 61-million-parameter network takes more memory than Binder leaves a
    notebook and all the rates come from one side-by-side run (throughput_cpu.json)."""
    if profiles.profile() == "cpu":
        return recorded_rates(networks)
    batch = profiles.by_profile(smoke=4, cpu=32, gpu=256)
    steps, repeats = profiles.by_profile(smoke=(2, 1), cpu=(4, 3), gpu=(50, 5))
    speed = {}
    for name in networks:
        figures = bench.throughput(
            name, batch_size=batch, precision="auto", steps=steps, repeats=repeats
        )
        each = figures["images_per_second_each"]
        speed[name] = (figures["images_per_second"], min(each), max(each))
        runtime.import_keras().backend.clear_session()
    return bench.Rates(batch, speed)


def benchmark_table():
    """Every CIFAR-10 schedule trained over seeds (cifar10_*.json), as text, and which rows
    were measured on a GPU."""
    runs, devices = [], {}
    for name in results.names("cifar10_*"):
        saved = results.load(name)
        devices[f"{name}.json"] = saved.get("device", "CPU")
        if "median" in saved:  # else a calibration file: the choices, not a result
            runs.append(results.records.TrainingRuns.from_json(saved))
    if runs:
        text = results.words.runs_table(runs)
    else:
        text = "no CIFAR-10 benchmark results yet: see benchmarks/commands.md"
    on_gpu = [name for name, device in devices.items() if "CPU" not in device]
    none = "none measured yet (no GPU was available when this was run)"
    shown = ", ".join(on_gpu) if on_gpu else none
    return f"{text}\nGPU rows: {shown}"


def _steps_45000(answer):
    n = exercises.whole(answer)
    if n == 45_000 // 32:
        return True, "45,000 images in full batches of 32; the log's 1562 is 50,000 // 32"
    if n == 50_000 // 32:
        return False, "that is the count for all 50,000 images, validation included"
    if n == math.ceil(45_000 / 32):
        return False, "that keeps the last, partial batch: the tutorial drops it (drop_remainder)"
    return False, f"{n:,} is not the number of batches of 32 in 45,000 images"


def _gpu_steps(answer):
    n = exercises.whole(answer)
    if n == (50_000 // 128) * 6:
        return True, "full batches per epoch times epochs"
    if n == math.ceil(50_000 / 128) * 6:
        return False, "that counts the last, partial batch, which fit leaves out"
    if n == 50_000 // 128:
        return False, "that is one epoch: the schedule runs six"
    return False, f"{n:,} is not the number of training steps"


EXERCISES = {
    "gpu_steps": exercises.Exercise(
        "A schedule trains 6 epochs of 50,000 images in batches of 128, leaving out the "
        "last partial batch of each epoch. How many training steps is that?",
        _gpu_steps,
    ),
    "steps_45000": exercises.Exercise(
        "The Keras CIFAR-10 tutorial holds out 5,000 of the 50,000 training images. How "
        "many batches of 32 should one epoch on the rest take?",
        _steps_45000,
    ),
}


def results_page():
    """Notebook 08's measurements for benchmarks/RESULTS.md, in markdown."""
    rates = recorded_rates(("alexnet", "alexnet_cifar", "alexnet_cifar_cpu"))
    feed, step = results.load("feed_cpu"), results.load("step_cpu")
    lines = [
        "Every schedule over seeds 0, 1 and 2 (`cifar10_*.json`):",
        "",
        "```",
        benchmark_table(),
        "```",
        "",
        "How the cpu profile's network and recipe were "
        "chosen, on 5,000 validation images held out of the training set:",
        "",
        "```",
        choices().rstrip(),
        "```",
        "",
        "Why §5's recipe stays at chance:",
        "",
        "```",
        paper_recipe(),
        "```",
        "",
        "Against TensorFlow's CIFAR-10 tutorial CNN, side by side (`race_cpu.json`):",
        "",
        "```",
        race.summary(results.load("race_cpu")),
        "```",
        "",
        "On one GPU, against the goals they were measured for:",
        "",
        "```",
        gpu.figures(),
        "```",
        "",
        "Training rates on a CPU:",
        "",
        "```",
        rates.report(32),
        "```",
        "",
        "Where a cpu training step's time goes:",
        "",
        "```",
        layer_times(),
        "```",
    ]
    if feed is not None:
        s, p = feed["summary"], feed["predict_summary"]
        lines += [
            "",
            f"- Batches on TensorFlow's CPU (`{feed['command']}`, `feed_cpu.json`): "
            f"Keras' own tf.data feed took {s['seconds_ratio']:.2f}x as long as "
            f"alexlab's ({s['keras_pydataset']['stalled_epochs']} of "
            f"{s['keras_pydataset']['epochs']} epochs stalled, against "
            f"{s['alexlab_feed']['stalled_epochs']}); model.predict "
            f"{p['seconds_ratio']:.2f}x as long as alexlab's predict.",
        ]
    if step is not None:
        ratios = ", ".join(
            f"{name} {v['ratio_to_default']:.2f}x"
            for name, v in step["summary"].items()
            if name != "default"
        )
        lines.append(
            f"- One change at a time to the cpu training step (`{step['command']}`, "
            f"`step_cpu.json`, {step['model']}), rate against the default: {ratios}."
        )
    return "\n".join(lines)
