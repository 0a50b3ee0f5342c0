"""The chapters: one module per notebook, each naming the other, each with its test file."""

import ast
import re
from pathlib import Path

import nbformat

from alexlab import chapters

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_every_notebook_has_one_chapter_module_and_they_name_each_other():
    modules = chapters.modules()
    assert sorted(modules) == [p.name[:2] for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        module = modules[path.name[:2]]
        assert path.name == module.NOTEBOOK
        assert f"notebooks/{path.name}" in module.__doc__.splitlines()[0], module.__name__
        name = module.__name__.rsplit(".", 1)[-1]
        text = nbformat.read(path, as_version=4).cells[1].source  # the Setup section
        assert f"`al.chapters.{name}`" in text, path.name


def test_every_chapter_has_its_test_file_and_names_no_other_chapter():
    for number, module in chapters.modules().items():
        name = module.__name__.rsplit(".", 1)[-1]
        assert (ROOT / "tests" / f"test_chapter_{name}.py").exists(), name
        source = Path(module.__file__).read_text()
        others = {m.__name__ for n, m in chapters.modules().items() if n != number}
        assert not any(re.search(rf"\b{re.escape(o)}\b", source) for o in others)


def _imports(path):
    """Every module an alexlab source file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_the_engine_names_no_chapter():
    # the frames may import the chapters package, which finds chapters by key, never one
    # chapter by name; nothing else of the engine imports chapters at all
    frames = {"exercises.py", "audit.py"}
    for path in (ROOT / "alexlab").rglob("*.py"):
        if "chapters" in path.parts:
            continue
        named = {m for m in _imports(path) if m.startswith("alexlab.chapters")}
        allowed = {"alexlab.chapters"} if path.name in frames else set()
        assert named <= allowed, (path.name, named)
