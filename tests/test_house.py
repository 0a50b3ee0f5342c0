"""The house rules (CONTRIBUTING.md): no import circle, short modules, a short fit(), scripts
that stand on the package's public face, one door to training that re-exports nothing
private."""

import ast
import inspect
from pathlib import Path

import alexlab as al

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "alexlab"
LONG = {"variants"}  # the catalogue of seven published networks: one list, kept whole


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name):
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _edges(path):
    """The alexlab modules `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("alexlab")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("alexlab"):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if _is_module(child) else node.module)
    return found


def test_no_import_circle():
    graph = {_module_name(p): _edges(p) for p in PACKAGE.rglob("*.py")}
    state = {}

    def visit(name, trail):
        if state.get(name) == "done":
            return
        assert state.get(name) != "open", "import circle: " + " -> ".join(trail + [name])
        state[name] = "open"
        for other in sorted(graph.get(name, ())):
            if other != name and not name.startswith(other + "."):  # a package's own parent
                visit(other, trail + [name])
        state[name] = "done"

    for name in sorted(graph):
        visit(name, [])


def test_modules_are_short():
    for path in PACKAGE.rglob("*.py"):
        if path.stem not in LONG:
            lines = len(path.read_text().splitlines())
            assert lines <= 330, f"{path.relative_to(ROOT)}: {lines} lines; split it by concept"


def test_fit_reads_as_a_short_loop():
    lines = inspect.getsource(al.fit.fit).splitlines()
    assert len(lines) < 60, len(lines)
    body = "\n".join(lines)
    for step in ("warm_up", "train_epoch", "validate", "report", "save"):
        assert f"training.{step}(" in body, step


def _private_uses(path):
    """Private alexlab names a script imports or reaches for (al.x._y)."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("alexlab"):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in ("al", "alexlab"):
                found.append(ast.unparse(node))
    return found


def test_benchmarks_and_tools_use_public_names_only():
    for folder in ("benchmarks", "tools"):
        for path in (ROOT / folder).glob("*.py"):
            assert _private_uses(path) == [], path.name


def test_the_private_name_check_can_fail(tmp_path):
    script = tmp_path / "x.py"
    script.write_text("from alexlab.fit import _Watch\nimport alexlab as al\nal.fit._Training\n")
    assert _private_uses(script) == ["alexlab.fit._Watch", "al.fit._Training"]


def test_training_has_one_door_with_public_names_only():
    names = al.train.__all__
    assert all(not n.startswith("_") for n in names)
    public = {n for n in vars(al.train) if not n.startswith("_")}
    assert public == set(names), public ^ set(names)
    for name in ("build", "fit", "evaluate", "recipe", "MODELS", "throughput"):
        assert name in names
