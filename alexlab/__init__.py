"""alexlab: AlexNet (Krizhevsky, Sutskever & Hinton, NeurIPS 2012) taken apart in notebooks.

Notebooks use it as ``import alexlab as al``: ``al.setup()``, ``al.conv_output_size``,
``al.ledger(model)``, and one submodule per concept (``al.models``, ``al.shapes``, ...).
Importing does nothing else: Keras and its backend load on first use (``al.setup()``,
a model, a loader), so ``python -m alexlab doctor`` can still report when they are broken.
"""

import importlib
import pkgutil

from alexlab.profiles import PROFILES, by_profile, profile
from alexlab.session import setup
from alexlab.shapes import conv_output_size, pool_output_size

__version__ = "0.1.0"

__all__ = [
    "PROFILES",
    "__version__",
    "by_profile",
    "conv_output_size",
    "ledger",
    "pool_output_size",
    "profile",
    "setup",
]

# Submodules load on first attribute access (``al.doctor``), not on import.
_SUBMODULES = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"alexlab.{name}")
    raise AttributeError(f"module 'alexlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
