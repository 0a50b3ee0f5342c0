"""The README's two commands, the requirements, and that JupyterLab really opens the notebooks."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
TEXT = " ".join(README.split())  # the README with line breaks folded, as it reads


def results(name):
    """A benchmarks/results/*.json file as a dict."""
    return json.loads((ROOT / "benchmarks" / "results" / name).read_text())


def readme_command(name):
    """The fenced command after '<!-- ci:NAME -->', as .ci/run reads it."""
    found = re.findall(rf"<!-- ci:{name} -->\n```bash\n(.*?)\n```", README, flags=re.S)
    assert len(found) == 1, f"README.md needs exactly one <!-- ci:{name} --> command"
    assert "\n" not in found[0], "each README command is one line"
    return found[0]


def test_install_line_installs_requirements_then_opens_the_index():
    install = readme_command("install")
    assert "pip install -r requirements.txt" in install
    assert install.endswith("jupyter lab notebooks/00_index.ipynb")


def test_test_line_is_plain_pytest_and_the_notebooks_run_strictly():
    assert readme_command("test").split("&&")[-1].strip() == "pytest"
    pyproject = (ROOT / "pyproject.toml").read_text()  # tomllib is 3.11+; we support 3.10
    addopts = re.search(r'^addopts = "(.*)"$', pyproject, flags=re.M).group(1).split()
    assert "--nbval" in addopts and not any("lax" in option for option in addopts)
    assert 'testpaths = ["tests", "notebooks"]' in pyproject


def test_ci_runs_the_readme_commands():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    text = ci.read_text()
    assert "readme_command install" in text and "readme_command test" in text


def test_requirements_are_lower_bounds_plus_the_package():
    text = (ROOT / "requirements.txt").read_text()
    lines = [ln.split("#")[0].strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    assert "-e ." in lines
    names = {re.split(r"[<>=!\[ ]", ln)[0].lower() for ln in lines if ln != "-e ."}
    assert {
        "tensorflow",
        "keras",
        "numpy",
        "matplotlib",
        "ipywidgets",
        "jupyterlab",
        "nbval",
        "pytest",
    } <= names
    for line in lines:
        assert "==" not in line and "<" not in line, f"pin or upper bound in requirements: {line}"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(
    shutil.which("jupyter", path=os.path.dirname(sys.executable)) is None,
    reason="JupyterLab is not installed in this environment",
)
def test_jupyter_lab_starts_and_serves_the_notebooks(tmp_path):
    port, token = _free_port(), "alexlab-test"
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable))
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path)}
    # The README's command, plus what a headless test needs: no browser, a known port and token.
    log = (tmp_path / "jupyter.log").open("w")
    server = subprocess.Popen(
        [
            jupyter,
            "lab",
            "notebooks/00_index.ipynb",
            "--no-browser",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.ip=127.0.0.1",
        ]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                # Given a notebook, JupyterLab serves that notebook's folder: notebooks/.
                with urllib.request.urlopen(f"{base}/api/contents?token={token}", timeout=5) as r:
                    listing = r.read().decode()
                break
            except urllib.error.HTTPError:
                raise
            except OSError:
                assert server.poll() is None, (tmp_path / "jupyter.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "JupyterLab did not answer within 90 s"
                time.sleep(0.5)
        for path in (ROOT / "notebooks").glob("*.ipynb"):
            assert f'"{path.name}"' in listing
        with urllib.request.urlopen(
            f"{base}/lab/tree/00_index.ipynb?token={token}", timeout=10
        ) as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_gpu_figures_in_the_readme_are_the_results_files():
    """The README's GPU numbers are read off benchmarks/results, not typed from memory."""
    import statistics

    throughput = results("throughput_gpu.json")
    expected = [
        f"{throughput['summary']['alexlab_images_per_second']:,.0f} training images/s",
        f"{throughput['floor']['images_per_second']:,.0f} images/s",
        f"{throughput['ceilings']['matmul_bf16_flops'] / 1e12:.0f} TFLOP/s",
        f"{throughput['floor']['flop_per_image_training'] / 1e9:.2f} GFLOP",
        f"grouping x{throughput['summary']['cost_of_groups']:.2f}",
        f"LRN x{throughput['summary']['cost_of_lrn']:.2f}",
    ]
    for name, method in (("fast", "none"), ("peak", "ten_crop"), ("seed004", "none")):
        r = results(f"cifar10_gpu_{name}.json")
        top1 = sorted(run["tta"][method]["top1"] for run in r["runs"])
        expected.append(f"{statistics.median(top1):.1%}")
        expected.append(f"({top1[0] * 100:.1f}-{top1[-1] * 100:.1f})")
        expected.append(f"{r['epochs']} epochs")
    for figure in expected:
        assert figure in TEXT, figure


def test_paper_recipe_figures_in_the_readme_are_the_results_file():
    r = results("paper_recipe_cpu.json")
    for config in r["configs"]:
        accuracy = config["validation_accuracy"]
        mean = sum(accuracy) / len(accuracy)
        figure = f"{mean:.2%}"
        if min(accuracy) != max(accuracy):
            figure += f" ({min(accuracy) * 100:.2f}-{max(accuracy) * 100:.2f})"
        assert figure in TEXT, (config["name"], figure)
    (he,) = [d for d in r["differences"] if d["a"] == "paper as written" and "He" in d["b"]]
    points = f"{-he['difference'] * 100:.2f} points above (paired 95% interval "
    points += f"{-he['high'] * 100:.2f} to {-he['low'] * 100:.2f})"
    assert points in TEXT


def test_augmentation_figures_in_the_readme_are_the_results_file():
    r = results("augmentation_cpu.json")
    ds = r["dataset"]
    assert f"{ds['train_images']:,} training images, {r['configs'][0]['epochs']} epochs" in TEXT
    assert f"scored on {ds['validation_images']:,} validation images" in TEXT
    gaps = []
    for config in r["configs"]:
        valid, train = config["validation_accuracy"], config["train accuracy"]
        mean = sum(valid) / len(valid)
        figure = f"{mean:.2%} validation accuracy ({min(valid) * 100:.2f}-{max(valid) * 100:.2f})"
        if config is not r["configs"][0]:
            figure = f"{mean:.2%} ({min(valid) * 100:.2f}-{max(valid) * 100:.2f})"
        assert figure in TEXT, (config["name"], figure)
        assert f"{sum(train) / len(train):.1%} on the training images" in TEXT
        gaps.append(100 * (sum(train) - sum(valid)) / len(valid))
    assert f"gap went from {gaps[0]:.1f} to {gaps[1]:.1f} points" in TEXT
    (d,) = r["differences"]
    interval = f"{d['difference'] * 100:+.2f} points (95% interval {d['low'] * 100:+.2f} to "
    assert interval + f"{d['high'] * 100:+.2f})" in TEXT
    # The verdict the README states must be the one the interval allows.
    if d["low"] > 0:
        assert "at this budget augmentation costs validation accuracy" in TEXT
    elif d["high"] < 0:
        assert "at this budget augmentation raises validation accuracy" in TEXT
    else:
        assert "a difference in validation accuracy is not measurable at this size" in TEXT


def test_cli_time_hints_in_the_readme_are_measured():
    r = results("cifar10_cpu_fast.json")
    assert f"{r['median']['wall_seconds']:.0f} s from starting Python to the result" in TEXT
    model = "alexnet_cifar_cpu"  # the cpu profile's model (alexlab.train.default_model)
    assert r["epochs"] == 3 and r["model"] == model and f"3 epochs of `{model}`" in TEXT
    m = r["median"]
    accuracy = f"{m['test_accuracy']:.1%} test accuracy ({m['tta_top1']['flip']:.1%} with mirror"
    assert accuracy in TEXT and f"{m['train_seconds']:.0f} s of training" in TEXT
    runs = ", ".join(f"{x['wall_seconds']:.0f}" for x in r["runs"])
    assert f"(runs: {runs} s)" in TEXT


def test_cpu_training_rates_in_the_readme_are_the_benchmarks():
    r = results("throughput_cpu.json")
    rate = {name: f"{n['images_per_second']:,.0f}" for name, n in r["networks"].items()}
    assert f"train at {rate['alexnet_cifar']} and {rate['alexnet']} images per second" in TEXT
    assert r["batch_size"] == 32 and "batch 32" in TEXT


def test_binder_section_gives_the_download_sizes_and_where_files_go():
    from alexlab import data

    assert f"CIFAR-10's official archive ({data.CIFAR10_BYTES:,} bytes)" in TEXT
    assert f"tf_flowers' ({data.FLOWERS_BYTES:,} bytes)" in TEXT
    assert "checkpoints into `runs/` at the repository's root" in TEXT
    assert "runs/" in (ROOT / ".gitignore").read_text().split()
    cells = json.loads((ROOT / "notebooks" / "08_cifar10.ipynb").read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert 'Path("../runs")' in code and 'Path("runs")' not in code


def test_binder_figures_in_the_readme_are_the_results_file():
    r = results("binder_cpu.json")
    rows = {row["notebook"][:2]: row for row in r["notebooks"]}
    assert r["path"] and r["container"]["limit_mib"] == 2048 and "--limit-mib 2048" in TEXT
    peaks = ", ".join(f"{rows[k]['peak_mib']:,.0f} ({k})" for k in rows)
    assert f"peak memory per kernel in MiB {peaks}." in TEXT
    over = [k for k in rows if rows[k]["peak_mib"] >= r["targets"]["peak_mib"]]
    assert f"Over the 1,536 MiB target: {', '.join(over) or 'none'}." in TEXT
    slow = [k for k in rows if rows[k]["seconds"] >= r["targets"]["seconds"]]
    seconds = ", ".join(f"{rows[k]['seconds']:,.0f} ({k})" for k in rows)
    assert f"Seconds per notebook {seconds};" in TEXT
    assert f"over the 10-minute target: {', '.join(slow) or 'none'}." in TEXT
    killed = [k for k in rows if rows[k]["error"]]
    assert r["container"]["oom_kills"] == 0 and not killed and "No kernel was killed" in TEXT
    stops = sum(1 for row in rows.values() if row["kernels_shut_down"])
    assert f"`al.setup()` stopped {stops} times" in TEXT
    minutes = f"{rows['07']['seconds'] / 60:.0f} and {rows['08']['seconds'] / 60:.0f} minutes"
    assert f"07 and 08 train for about {minutes} on 2 cores" in TEXT
    minutes = f"{rows['03']['seconds'] / 60:.0f} and {rows['06']['seconds'] / 60:.0f} minutes"
    assert f"03 and 06 take about {minutes}," in TEXT
    assert max(rows[k]["seconds"] for k in ("00", "01", "02")) < 60  # "in seconds"


def test_race_and_feed_figures_in_the_readme_are_the_results_files():
    r = results("race_cpu.json")
    s = r["summary"]

    def spread(key, fmt):
        v = s[key]
        return f"{fmt(v['median'])} ({fmt(v['min'])} to {fmt(v['max'])})"

    assert f"best test accuracy of {spread('tutorial_best', lambda v: f'{v:.1%}')}" in TEXT
    ratio = spread("time_ratio", lambda v: f"{v:.2f}x")
    met = s["time_ratio"]["median"] <= 0.5
    assert f"reached it in {ratio} the time" in TEXT
    assert ("the goal of 0.5x is met" if met else "the goal of 0.5x is not met") in TEXT
    assert f"{spread('points_ahead', lambda v: f'{v:+.1f}')} points ahead" in TEXT
    seeds_met = sum(
        1 for p in r["per_seed"] if p["time_ratio"] is not None and p["time_ratio"] <= 0.5
    )
    assert f"({seeds_met} of {len(r['per_seed'])} seeds met it)" in TEXT
    final = spread("alexlab_final_accuracy", lambda v: f"{v:.1%}")
    assert f"at {spread('alexlab_final_seconds', lambda v: f'{v:.0f} s')} with {final} test" in TEXT
    assert f"the tutorial's {spread('tutorial_final_accuracy', lambda v: f'{v:.1%}')} at" in TEXT
    peak = max(run["peak_mib"] for run in r["runs"] if run["which"] == "alexlab")
    assert f"Peak memory of a cpu-profile run {peak:,.0f} MiB" in TEXT
    assert len(r["per_seed"]) >= 3  # the project's rule: medians over at least 3 seeds
    f = results("feed_cpu.json")
    fs, ps = f["summary"], f["predict_summary"]
    old = fs["keras_pydataset"]
    assert f"stalled {old['stalled_epochs']} of {old['epochs']} training epochs" in TEXT
    assert f"took {fs['seconds_ratio']:.2f}x as long in total as `alexlab.fit.feed`" in TEXT
    assert f"`model.predict` took {ps['seconds_ratio']:.2f}x as long" in TEXT


def test_choice_figures_in_the_readme_are_the_results_files():
    for group in ("network", "recipe"):
        saved = results(f"choice_{group}_cpu.json")
        assert f"`benchmarks/results/choice_{group}_cpu.json`" in TEXT
        baseline = saved["configs"][0]["name"]
        for d in saved["differences"]:
            if d["a"] != baseline:
                continue
            points = f"{d['difference'] * 100:+.2f} points (95% interval {d['low'] * 100:+.2f} "
            points += f"to {d['high'] * 100:+.2f})"
            assert f"{d['b']}: {points}" in TEXT, d["b"]
            if d["low"] <= 0 <= d["high"]:
                assert f"{d['b']}: {points}, not measurable at this size" in TEXT, d["b"]
    network = results("choice_network_cpu.json")
    chosen = network["configs"][-1]
    seconds = sorted(chosen["train_seconds"])[1]  # the median of 3
    assert f"The last trained in {seconds:.0f} s and is now `alexnet_cifar_cpu`" in TEXT
    old = network["configs"][0]
    mean, median = sum(old["validation_accuracy"]) / 3, sorted(old["train_seconds"])[1]
    assert f"Against `alexnet_cifar_small` ({mean:.2%}, {median:.0f} s of training" in TEXT
    recipe = results("choice_recipe_cpu.json")
    mean = sum(recipe["configs"][0]["validation_accuracy"]) / 3
    assert f"the fast recipe ({mean:.2%}) against one change at a time" in TEXT


def test_layer_times_in_the_readme_are_the_results_file():
    r = results("layers_cpu.json")
    for name, n in r["networks"].items():
        step = n["step_ms"]["median"]
        conv = sum(v for k, v in n["layers_ms"].items() if k.startswith("conv"))
        assert f"`{name}` {step:.0f} ms per step of 128 images" in TEXT
        assert f"each timed alone, {conv / step:.0%} and conv2 " in TEXT
        assert f"{n['layers_ms']['conv2'] / step:.0%}" in TEXT


def test_relu_figures_in_the_readme_are_the_results_file():
    r = results("relu_cpu.json")
    s = r["summary"]
    assert f"`ALEXLAB_CIFAR10_DIR=DIR {r['command']}`" in TEXT
    rates = r["chosen_rates"]
    assert (f"after {r['sweep_epochs']} epochs at seed {r['sweep_seed']}: ReLU {rates['relu']:g}, "
            f"tanh {rates['tanh']:g}, sigmoid {rates['sigmoid']:g}") in TEXT  # fmt: skip
    *first, last = s["relu"]["epochs_to_target"]
    assert f"25% training error in {', '.join(map(str, first))} and {last} epochs" in TEXT
    # tanh never reached 25% or 30%: the README may only give lower bounds there.
    targets = s["targets"]
    for target in ("0.25", "0.3"):
        assert targets[target]["epochs"]["tanh"] == [None, None, None], target
    tanh = s["tanh"]["final_training_error"]
    assert f"within {s['cap_epochs']['tanh']} epochs (training error then {min(tanh):.1%} " in TEXT
    assert f"to {max(tanh):.1%}), so ReLU took at least " in TEXT
    assert f"{min(targets['0.25']['speedup']['tanh']['at_least']):.1f}x fewer epochs" in TEXT
    assert f"(at least {min(targets['0.3']['speedup']['tanh']['at_least']):.1f}x)" in TEXT
    for target, words in (("0.35", "to 35% it took "), ("0.4", "to 40% ")):
        x = targets[target]["speedup"]["tanh"]
        assert f"{words}{x['median']:.2f}x" in TEXT and f"({x['min']:.2f}-{x['max']:.2f})" in TEXT
    sigmoid = s["sigmoid"]["final_training_error"]
    assert f"ended at {min(sigmoid):.1%} to {max(sigmoid):.1%} training error" in TEXT
    dead = [u for layer in s["dead_relu_after"].values() for u in layer]
    assert max(u["maps"] for u in dead) == 0 and "no feature map of conv1-conv3 was dead" in TEXT
    assert f"at most {max(u['units'] for u in dead):.1%} of single units never fired" in TEXT


def test_dropout_figures_in_the_readme_are_the_results_file():
    from alexlab.dropout import epochs_to_reach

    r = results("dropout_cpu.json")
    s = r["summary"]
    assert f"`ALEXLAB_CIFAR10_DIR=DIR {r['command'].strip()}`" in TEXT
    ds = r["dataset"]
    assert f"{ds['train_images']:,} training and {ds['validation_images']:,} validation" in TEXT
    assert f"{r['configs'][0]['epochs']} epochs, seeds 0, 1, 2" in TEXT
    none, drop = (s[c["name"]]["gap_at_end"] for c in r["configs"])
    for name, g in (("without dropout", none), ("with", drop)):
        figure = f"{100 * g['median']:.1f} points ({100 * g['min']:.1f} to {100 * g['max']:.1f})"
        assert f"{figure} {name}" in TEXT, name
    # "smaller with dropout on every seed" must hold seed by seed.
    assert all(d < n for d, n in zip(drop["per_seed"], none["per_seed"], strict=True))
    (d,) = r["differences"]
    assert d["low"] <= 0 <= d["high"]  # so "not measurable at this size" is the verdict
    paired = f"{d['difference'] * 100:+.2f} points (95% interval {d['low'] * 100:+.2f} to "
    assert paired + f"{d['high'] * 100:+.2f}), not measurable at this size" in TEXT
    for level in (0.5, 0.55, 0.6, 0.63):
        q = epochs_to_reach(r, level)["ratio"]
        assert f"{level:.0%} {q['median']:.2f}x ({q['min']:.2f}-{q['max']:.2f})" in TEXT
        assert q["min"] > 1, "the README says slower on every seed at every level"
    c = s["convergence_ratio"]
    assert f"best: {c['median']:.2f}x ({c['min']:.2f} to {c['max']:.2f})" in TEXT
    e = r["ensemble"]
    for masks in (1, 2):
        x = e["differences"][str(masks)]
        assert x["high"] < 0, masks  # weight scaling measurably better
        figure = f"{x['difference'] * 100:+.2f} points (95% interval {x['low'] * 100:+.2f} to "
        assert f"{masks} mask{'s' * (masks > 1)} {figure}{x['high'] * 100:+.2f})" in TEXT
    assert all(x["low"] <= 0 <= x["high"] for k, x in e["differences"].items() if int(k) >= 4)
    agree = e["agreement_64_masks_with_weight_scaling"]
    assert f"on {min(agree):.1%} to {max(agree):.1%} of the images" in TEXT
