"""Notebook 01's shape explorer in a real browser: JupyterLab, headless Chromium, selenium.

tests/test_widgets.py drives ShapeExplorer from Python; only a browser shows that the
sliders render (the widget front end is installed and matches ipywidgets) and that moving
them changes the table a reader sees. The numbers asserted are worked out here from the
paper's layer sizes, not taken from alexlab. Skipped without selenium, chromium and
chromedriver; it never downloads anything (.ci/run installs them).
"""

import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    webdriver = None

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
JUPYTER = shutil.which("jupyter", path=os.path.dirname(sys.executable))
NEEDS = {
    "selenium": webdriver,
    "chromium": CHROMIUM,
    "chromedriver": CHROMEDRIVER,
    "jupyter": JUPYTER,
}
MISSING = [name for name, found in NEEDS.items() if not found]
WHY = (
    f"no {', '.join(MISSING)}: apt-get install chromium chromium-driver; "
    "pip install selenium (jupyter: pip install -r requirements.txt)"
)
# .ci/run sets this once it has installed the browser: in CI a missing piece is a failure,
# not a skip that would leave the sliders unchecked behind a green run.
REQUIRED = os.environ.get("ALEXLAB_BROWSER_TEST") == "required"
pytestmark = pytest.mark.skipif(bool(MISSING) and not REQUIRED, reason=WHY)


@pytest.fixture(autouse=True)
def _required():
    if MISSING:  # only reached when REQUIRED
        pytest.fail(f"ALEXLAB_BROWSER_TEST=required, but {WHY}")


LIMIT = 180  # seconds for the whole test (it takes ~35 s; TensorFlow's import alone ~10 s)

# AlexNet's spatial layers as the paper's Figure 2 draws them: (name, kernel, stride, padding).
ALEXNET = [
    ("conv1", 11, 4, 0),
    ("pool1", 3, 2, 0),
    ("conv2", 5, 1, 2),
    ("pool2", 3, 2, 0),
    ("conv3", 3, 1, 1),
    ("conv4", 3, 1, 1),
    ("conv5", 3, 1, 1),
    ("pool5", 3, 2, 0),
]


def sizes(n):
    """{layer: (input side, exact output (n + 2p - k) / s + 1)}, flooring from layer to layer."""
    out = {}
    for name, k, s, p in ALEXNET:
        out[name] = (n, (n + 2 * p - k) / s + 1)
        n = math.floor(out[name][1])
    return out


@pytest.fixture
def deadline():
    """When the test, JupyterLab's start included, gives up."""
    return time.monotonic() + LIMIT


@pytest.fixture
def lab(tmp_path, deadline):
    """JupyterLab on a free port, serving a copy of notebook 01 (autosave writes the copy)."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_output_size.ipynb", root)
    # No "official Jupyter news?" toast over the widgets, and no user settings or workspace.
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = {**os.environ, "ALEXLAB_PROFILE": "smoke", "TF_CPP_MIN_LOG_LEVEL": "2"}
    for var, folder in [
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        env[var] = str(tmp_path / folder)
    log = tmp_path / "jupyter.log"
    command = [
        JUPYTER,
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        # window.jupyterapp, so the test can run JupyterLab's own "Run All Cells" command
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None, f"JupyterLab exited:\n{log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, f"JupyterLab did not answer in {LIMIT} s"
                time.sleep(0.5)
        yield f"{base}/lab/tree/01_output_size.ipynb?token={token}"
    finally:
        server.terminate()  # the server shuts its kernel down on the way out
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # --no-sandbox: CI runs as root; --disable-dev-shm-usage: containers' /dev/shm is small.
    flags = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1200"]
    for flag in flags:
        options.add_argument(flag)
    # A Service with a path makes selenium skip Selenium Manager: nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


# The explorer's root: the VBox holding the slider labelled "input size".
EXPLORER = """return [...document.querySelectorAll('.widget-hslider > .widget-label')]
  .find(l => l.textContent.trim() === 'input size')?.closest('.widget-vbox') ?? null;"""
# The notebook JupyterLab shows, once its kernel is idle: then "Run All" runs at once.
NOTEBOOK_READY = """const w = window.jupyterapp?.shell.currentWidget;
return w?.context?.path === '01_output_size.ipynb'
  && w.sessionContext?.session?.kernel?.status === 'idle';"""
SUMMARY = """return arguments[0].querySelector('.widget-html-content p')?.innerText ?? '';"""
READOUT = """return arguments[0].querySelector('.widget-readout')?.innerText ?? '';"""
TABLE = """return [...arguments[0].querySelectorAll('.widget-html-content table tbody tr')]
  .map(r => [...r.cells].map(c => c.textContent));"""
# What a reader sees instead of sliders when the widget front end fails.
FALLBACKS = ("ShapeExplorer (sliders:", "Error displaying widget", "Loading widget")


def test_the_shape_explorer_works_in_a_browser(deadline, lab, browser, tmp_path):
    def wait(condition, what, seconds=30):
        timeout = max(1, min(seconds, deadline - time.monotonic()))
        return WebDriverWait(browser, timeout, poll_frequency=0.25).until(
            lambda _: condition(), message=f"{what} (waited {timeout:.0f} s)"
        )

    def summary():
        # Read in one script call: the widget replaces its HTML on every change, so an element
        # found first and read second can already be gone (a stale element).
        return browser.execute_script(SUMMARY, explorer)

    def table():  # {layer: (window, padding, output, sees px, arithmetic, problem)}
        return {row[0]: row[1:] for row in browser.execute_script(TABLE, explorer)}

    def sliders():  # {label: slider}
        found = explorer.find_elements(By.CSS_SELECTOR, ".widget-hslider")
        return {s.find_element(By.CSS_SELECTOR, ".widget-label").text: s for s in found}

    explorer = None
    try:
        browser.get(lab)
        wait(lambda: browser.execute_script(NOTEBOOK_READY), "notebook 01 open, kernel idle", 90)
        browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            explorer = wait(lambda: browser.execute_script(EXPLORER), "explorer rendered", 150)
        except WebDriverException:
            shown = [f for f in FALLBACKS if f in browser.find_element(By.TAG_NAME, "body").text]
            raise AssertionError(f"no explorer sliders after Run All; page shows {shown}") from None
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", explorer)

        # Real noUiSlider sliders, not the text repr a notebook shows without widgets.
        assert list(sliders()) == ["input size", "kernel", "stride"], list(sliders())
        handle = sliders()["input size"].find_element(By.CSS_SELECTOR, ".noUi-target [role=slider]")
        assert handle.get_attribute("aria-valuetext") == "227"
        output = explorer.find_element(By.XPATH, "ancestor::div[contains(@class, 'jp-OutputArea')]")
        assert not [f for f in FALLBACKS if f in output.text], output.text[-500:]
        # It starts at the paper's 227, where every division is exact.
        exact = sizes(227)
        assert all(out == int(out) for _, out in exact.values()), exact
        wait(lambda: "fractional" not in str(table()), "no fractional layer at 227")
        side = int(exact["pool5"][1])
        assert summary().startswith(f"Input 227: pool5 gives {side}x{side}x256"), summary()

        # 227 -> 224 with the keyboard on the slider's handle, as a reader could.
        handle.send_keys(Keys.ARROW_LEFT * 3)
        wait(lambda: summary().startswith("Input 224:"), "summary at input 224")
        at_224 = sizes(224)
        fractional = [name for name, (_, out) in at_224.items() if out != int(out)]
        assert fractional[0] == "conv1" and at_224["conv1"][1] == 54.25
        rows = table()
        for name, (_, out) in at_224.items():
            arithmetic, problem = rows[name][4], rows[name][5]
            assert arithmetic.endswith(
                f"= {out:g} -> {math.floor(out)}" if name in fractional else f"= {out:g}"
            ), (name, arithmetic)
            assert problem.startswith("fractional") == (name in fractional), (name, problem)
            assert rows[name][2].startswith(f"{math.floor(out)}x{math.floor(out)}x"), rows[name]
        assert f"Fractional at {', '.join(fractional)}: floored" in summary()

        # conv5 (input 12x12 at 224) with no padding and a 15x15 kernel: no window fits.
        layer, padding = explorer.find_elements(By.CSS_SELECTOR, ".widget-dropdown select")
        Select(layer).select_by_visible_text("conv5")
        kernel = sliders()["kernel"]
        wait(lambda: browser.execute_script(READOUT, kernel) == "3", "conv5's kernel (3) shown")
        readout = kernel.find_element(By.CSS_SELECTOR, ".widget-readout")
        Select(padding).select_by_visible_text("0")
        readout.click()  # the readout is editable in ipywidgets 8: select its text, type, Enter
        browser.execute_script("getSelection().selectAllChildren(arguments[0])", readout)
        readout.send_keys("15", Keys.ENTER)
        n = at_224["conv5"][0]
        wait(lambda: "conv5 cannot run" in summary(), "conv5 refused")
        assert f"kernel 15 is larger than the padded input {n} + 2*0 = {n}" in summary()
        assert "no window fits" in summary()
        rows = table()
        assert rows["conv5"][2] == "-" and rows["pool5"][5].startswith("no input"), rows
    except Exception as error:
        shot = tmp_path / "browser-failure.png"
        browser.save_screenshot(str(shot))
        now = f"\nsummary now: {summary()!r}" if explorer else ""
        message = f"{type(error).__name__}: {error}".split("\nStacktrace:")[0]
        raise AssertionError(f"BROWSER TEST FAILED: {message}{now}\nscreenshot: {shot}") from error
