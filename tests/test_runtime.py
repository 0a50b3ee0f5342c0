"""alexlab.runtime: versions, backend and accelerators as the installed packages have them."""

from importlib import metadata

import numpy as np

import alexlab as al
from alexlab import runtime


def test_versions_match_installed_distributions():
    v = runtime.versions()
    assert v["keras"] == metadata.version("keras")
    assert v["numpy"] == np.__version__
    assert v["alexlab"] == al.__version__
    assert v["backend"] in {"tensorflow", "jax", "torch", "numpy"}


def test_accelerators_agree_with_the_backend():
    name = runtime.backend()
    found = runtime.accelerators()
    if name == "tensorflow":
        import tensorflow as tf

        assert len(found) == len(tf.config.list_physical_devices("GPU"))
    elif name == "jax":
        import jax

        assert len(found) == sum(d.platform != "cpu" for d in jax.devices())


def test_import_alone_loads_no_backend():
    import subprocess
    import sys

    code = "import sys, alexlab; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
