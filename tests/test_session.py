"""alexlab.session: al.setup() seeds every generator and reports the environment; describe()
says where a result came from."""

import random
from importlib import metadata

import numpy as np
import pytest

import alexlab as al
from alexlab import session


def _draws():
    import keras

    return (
        random.random(),
        float(np.random.rand()),
        float(keras.ops.convert_to_numpy(keras.random.uniform((1,)))[0]),
    )


def test_setup_makes_python_numpy_and_keras_repeatable(capsys):
    al.setup(seed=3)
    first = _draws()
    al.setup(seed=3)
    assert _draws() == first
    al.setup(seed=4)
    assert all(a != b for a, b in zip(_draws(), first, strict=True))
    capsys.readouterr()


def test_setup_prints_versions_backend_device_profile(capsys):
    al.setup(seed=0)
    out = capsys.readouterr().out
    import keras

    assert f"Keras {metadata.version('keras')}" in out
    assert f"backend {keras.config.backend()}" in out
    assert "device:" in out
    assert "profile: smoke (set by ALEXLAB_PROFILE=smoke)" in out
    assert "seed:    0" in out
    assert "memory:  " in out and "the smoke profile needs about 1.0 GB" in out


def test_setup_stops_before_loading_anything_when_other_kernels_hold_the_memory(
    monkeypatch, capsys
):
    from alexlab import memory

    # Binder: 2 GB in all, two other kernels hold 1.5 GB; this kernel could have 0.4 GB.
    tight = memory.Memory(
        300 * 2**20, 2 * 2**30, 1700 * 2**20, 100 * 2**20, ((11, 800 * 2**20), (12, 700 * 2**20))
    )
    monkeypatch.setattr(memory, "measure", lambda: tight)
    with pytest.raises(session.OtherKernelsHoldMemory, match="2 other notebook kernels hold"):
        al.setup(seed=0)
    assert capsys.readouterr().out == ""  # stopped before anything else
    al.setup(seed=0, check_memory=False)  # the learner insists: goes on, and says so
    assert "memory:  WARNING: 400.0 MB for this kernel" in capsys.readouterr().out


def test_describe_has_what_a_result_needs():
    info = session.describe()
    for key in ("python", "keras", "backend", "backend_version", "device", "profile"):
        assert info[key], key


def test_describe_without_loading_reads_the_installed_versions(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    light = session.describe(load=False)
    assert light["backend"] == "jax" and light["keras"] == metadata.version("keras")
    assert light["device"].startswith("CPU (")
