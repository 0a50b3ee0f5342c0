"""The notebooks as committed: executed in order from a fresh kernel, clean, and all mapped.

nbval (`pytest --nbval`, set in pyproject.toml) re-executes them; these tests
check what is stored in the files themselves.
"""

import json
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# Folders people's machines put files in; no committed output may name one.
GENERIC_PATH = re.compile(
    r"(?<![\w.<])(/(home|Users|root|tmp|private/var|work|mnt)/[\w.-]+|[A-Za-z]:\\Users\\)"
)


def _machine_paths():
    roots = {str(ROOT.parent), os.path.expanduser("~"), tempfile.gettempdir(), sys.prefix}
    return [r.rstrip("/") + "/" for r in roots if len(r) > 1]


def _output_text(output):
    parts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    for key, value in output.get("data", {}).items():
        if key.startswith("text/") or key.endswith("json"):
            parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def test_notebooks_exist_and_are_numbered_in_reading_order():
    # Numbers are fixed by the series plan (00_index ... 09_flowers): chapters land out of
    # order, so gaps are allowed, duplicates are not.
    names = [p.name for p in NOTEBOOKS]
    assert names and names[0] == "00_index.ipynb"
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", n) for n in names), names
    numbers = [int(n[:2]) for n in names]
    assert len(set(numbers)) == len(numbers), f"two notebooks share a number: {names}"


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    path = request.param
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return path, nb


def test_executed_in_order_from_a_fresh_kernel(notebook):
    path, nb = notebook
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts, f"{path.name} has no code cell"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; run tools/execute_notebooks.py {path.name}"
    )


def test_no_errors_in_outputs(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name} cell {i}: {output.get('ename')}"


def test_metadata_is_clean(notebook):
    path, nb = notebook
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, sorted(nb.metadata)
    assert "widgets" not in nb.metadata
    for i, cell in enumerate(nb.cells):
        assert set(cell.metadata) <= {"tags"}, f"{path.name} cell {i}: {sorted(cell.metadata)}"
        for output in cell.get("outputs", []):
            assert WIDGET_STATE not in output.get("data", {}), f"{path.name} cell {i}"


def test_no_paths_of_the_machine_it_ran_on(notebook):
    path, nb = notebook
    roots = _machine_paths()
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = _output_text(output)
            for root in roots:
                assert root not in text, f"{path.name} cell {i} shows {root}"
            found = GENERIC_PATH.search(text)
            assert not found, f"{path.name} cell {i} shows a machine path: {found.group(0)}"


def test_starts_with_a_title_and_a_setup_section(notebook):
    path, nb = notebook
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    sources = [c.source for c in nb.cells]
    assert any(s.startswith("## Setup") for s in sources), f"{path.name} has no '## Setup'"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "al.setup(" in first_code.source, f"{path.name}: the first code cell calls al.setup()"


def test_no_trailing_semicolons(notebook):
    # nbval runs cells without storing history, so IPython ignores a trailing ";"
    # there and shows the value the committed notebook hid: assign it instead.
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.rstrip().endswith(";"):
            pytest.fail(f"{path.name} cell {i} ends with ';': assign the value instead")


def _linked_notebooks(text, prefix):
    return set(re.findall(rf"\]\({re.escape(prefix)}(\d\d_[a-z0-9_]+\.ipynb)\)", text))


def test_readme_and_index_map_every_notebook():
    on_disk = {p.name for p in NOTEBOOKS}
    readme = (ROOT / "README.md").read_text()
    assert _linked_notebooks(readme, "notebooks/") == on_disk
    # 00 shows the README's map (al.chapters.index.series), as its committed output has it
    index = nbformat.read(ROOT / "notebooks" / "00_index.ipynb", as_version=4)
    (shown,) = [c for c in index.cells if c.source == "al.chapters.index.series()"]
    markdown = "".join(shown.outputs[0]["data"]["text/markdown"])
    assert _linked_notebooks(markdown, "") == on_disk


def _sanitize(text):
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "notebooks" / "sanitize.cfg")
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("trained in 12.3 s (4 min)", "trained in DURATION (DURATION)"),
        ("<Figure at 0x7f3a2b1c9d80>", "<Figure at 0xADDRESS>"),
        ("Keras 3.15.1 | backend tensorflow 2.21.0", "Keras VERSION | backend tensorflow VERSION"),
        ("cache /home/ada/.keras/datasets", "cache PATH"),
        ("C:\\Users\\ada\\x.npz", "PATH"),
    ],
)
def test_sanitize_removes_what_differs_between_runs(raw, clean):
    assert _sanitize(raw) == clean


@pytest.mark.parametrize(
    "teaching",
    [
        "conv1: (227 - 11) / 4 + 1 = 55",
        "total parameters 60,965,224 (62.4 M), top-5 error 15.3%",
        "ILSVRC-2010 top-5 error: 25.7% -> 17.0%, 8.7 points lower",
        "(N, 55, 55, 96) after 96 kernels of 11x11x3, stride 4",
    ],
)
def test_sanitize_leaves_teaching_numbers_alone(teaching):
    assert _sanitize(teaching) == teaching
