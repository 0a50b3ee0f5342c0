"""The chapters: one module per notebook, holding only what that notebook uses.

A chapter module opens by naming its notebook (``NOTEBOOK = "03_relu.ipynb"``) and the
notebook names its module (``al.chapters.relu``). It holds that notebook's figures, its
exercises (``EXERCISES``: name -> ``alexlab.exercises.Exercise``), the paper's claims it
settles (``CLAIMS``: claim key -> a function giving the verdict, by arithmetic or from the
results it reads) and the tables and verdicts it prints from benchmarks/results. The
shared frames find these by key: ``alexlab.exercises.check("03.sigmoid_depth", ...)``
asks chapter 03 for its judge, ``alexlab.audit`` asks each claim's chapter for its
verdict. Nothing registers a chapter: a module here is found by its ``NOTEBOOK``.
"""

import functools
import importlib
import pkgutil

__all__ = ["find", "modules"]

_NAMES = tuple(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


@functools.cache
def modules():
    """Every chapter module by its notebook's number ("03"), in reading order."""
    found = {}
    for name in _NAMES:
        module = importlib.import_module(f"{__name__}.{name}")
        number = module.NOTEBOOK[:2]
        if number in found:
            raise RuntimeError(
                f"two chapter modules name notebook {number}: "
                f"{found[number].__name__} and {module.__name__}"
            )
        found[number] = module
    return dict(sorted(found.items()))


def find(number):
    """The chapter module of notebook `number` ("03"), or None where it is not written yet."""
    return modules().get(number)


def __getattr__(name):
    # al.chapters.relu imports the module on first use, as al.<module> does
    if name in _NAMES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_NAMES))
