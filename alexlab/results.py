"""The benchmarks' saved results, read from benchmarks/results/ beside the package.

alexlab is installed editable from its checkout (requirements.txt, binder/postBuild),
so the measurements the repository holds are at a fixed place relative to this file.
`Recipe.notes` and the notebooks quote them from there instead of typing numbers; a
copy of the package without them says where the figure would come from.
"""

import functools
import json
import statistics
from pathlib import Path

__all__ = ["FOLDER", "difference", "load", "spread"]

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


@functools.cache
def load(name):
    """benchmarks/results/<name>.json as a dict, or None where this copy does not have it."""
    path = FOLDER / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def difference(name, a, b):
    """A saved comparison's A - B in words: "B: +1.23 points (95% interval ...)[, verdict]".

    name: the comparison's results file (without .json); a, b: two of its
    configurations. The verdict "not measurable at this size" is added when the
    interval covers 0. Where the file or the pair is missing, says so.
    """
    saved = load(name)
    if saved is None:
        return f"{b}: not measured in this copy (benchmarks/results/{name}.json)"
    for d in saved["differences"]:
        if (d["a"], d["b"]) in ((a, b), (b, a)):
            sign = 1 if d["a"] == a else -1  # the file holds each pair once, either way round
            low, high = sorted((sign * d["low"], sign * d["high"]))
            text = f"{b}: {sign * d['difference'] * 100:+.2f} points (95% interval "
            text += f"{low * 100:+.2f} to {high * 100:+.2f})"
            return text + (", not measurable at this size" if low <= 0 <= high else "")
    raise KeyError(f"{name}.json has no comparison of {a!r} with {b!r}")


def spread(values):
    """Per-seed values with their median, min and max, leaving out None (not measured)."""
    known = [v for v in values if v is not None]
    if not known:
        return {"per_seed": list(values), "median": None, "min": None, "max": None}
    return {"per_seed": list(values), "median": statistics.median(known), "min": min(known),
            "max": max(known)}  # fmt: skip
