"""The README's two commands, the requirements, and that JupyterLab really opens the notebooks."""

import importlib.util
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


def test_binder_section_gives_the_download_sizes_and_where_files_go():
    from alexlab import data

    assert f"CIFAR-10's official archive ({data.CIFAR10_BYTES:,} bytes)" in TEXT
    assert f"tf_flowers' ({data.FLOWERS_BYTES:,} bytes)" in TEXT
    assert "checkpoints into `runs/` at the repository's root" in TEXT
    assert "the results a notebook saves into `runs/results/`" in TEXT
    assert "runs/" in (ROOT / ".gitignore").read_text().split()
    cells = json.loads((ROOT / "notebooks" / "08_cifar10.ipynb").read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert 'Path("../runs")' in code and 'Path("runs")' not in code


def _tool():
    spec = importlib.util.spec_from_file_location("results_page", ROOT / "tools/results_page.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_results_page_and_the_headlines_are_generated_from_the_results_files():
    # benchmarks/RESULTS.md and README.md's headlines are what tools/results_page.py makes of
    # benchmarks/results now: a figure changed by hand, or a result measured again without
    # regenerating, fails here
    tool = _tool()
    assert (ROOT / "benchmarks" / "RESULTS.md").read_text() == tool.page()
    made = tool.readme(README, None)
    heads = re.compile(r"<!-- results:headlines -->.*?<!-- /results:headlines -->", re.S)
    assert heads.search(README).group(0) == heads.search(made).group(0)
    assert heads.search(README).group(0).count("\n- ") >= 3


def test_every_results_file_is_listed_on_the_results_page():
    page = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    for path in (ROOT / "benchmarks" / "results").glob("*.json"):
        assert f"| `{path.name}` |" in page, path.name


def test_the_binder_line_is_built_from_a_github_remote_and_never_invented():
    tool = _tool()
    for remote in (
        "https://github.com/someone/alexlab.git",
        "git@github.com:someone/alexlab.git",
        "https://github.com/someone/alexlab",
    ):
        line = tool.binder_block(remote)
        url = "https://mybinder.org/v2/gh/someone/alexlab/main?urlpath=lab/tree/notebooks/00_index"
        assert url in line, remote
    for remote in (None, "", "/work/main", "https://gitlab.com/someone/alexlab.git"):
        line = tool.binder_block(remote)
        assert "mybinder.org/v2" not in line and "give this repository's GitHub address" in line
    # the README carries the line for this checkout's own origin
    block = re.search(r"<!-- binder -->\n(.*?)\n<!-- /binder -->", README, re.S).group(1)
    assert block == tool.binder_block(tool.remote())


def test_the_readme_is_short_and_contributing_maps_every_module():
    assert len(README.splitlines()) <= 130
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    package = ROOT / "alexlab"
    for path in package.rglob("*.py"):
        name = path.relative_to(package).with_suffix("").as_posix().removesuffix("/__init__")
        if name in ("__init__", "__main__"):
            continue
        assert f"`{name}`" in contributing, name
