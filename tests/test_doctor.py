"""alexlab.doctor and `python -m alexlab doctor`: every problem found comes with its fix."""

import os
import subprocess
import sys

import pytest

from alexlab import diagnostics, doctor, memory


def _by_topic(findings):
    return {f.topic: f for f in findings}


def test_report_covers_what_the_issue_lists(capsys):
    doctor.report()
    out = capsys.readouterr().out
    for topic in (
        "python",
        "keras",
        "backend",
        "tensorflow",
        "accelerator",
        "profile",
        "widgets",
        "widgets ext",
        "dataset cache",
        "memory",
    ):
        assert f" {topic} " in out, topic


def test_bad_profile_is_a_problem_with_a_fix(monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "turbo")
    found = _by_topic(doctor.checks())["profile"]
    assert found.status == "problem"
    assert "turbo" in found.detail
    assert "ALEXLAB_PROFILE=smoke|cpu|gpu" in found.fix


def test_missing_widgets_extension_says_sliders_render_as_text(monkeypatch):
    monkeypatch.setattr(diagnostics, "labextension_dir", lambda name: None)
    found = _by_topic(doctor.checks())["widgets ext"]
    assert found.status == "problem"
    assert "render as text" in found.detail
    assert "jupyterlab_widgets" in found.fix


def test_widgets_extension_found_where_jupyterlab_looks():
    path = diagnostics.labextension_dir(diagnostics.WIDGETS_EXTENSION)
    assert path is not None and (path / "package.json").is_file()


def test_old_python_is_a_problem(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 9, 18, "final", 0))
    found = _by_topic(doctor.checks())["python"]
    assert found.status == "problem" and "3.10 to 3.13" in found.fix


def test_low_memory_is_a_problem(monkeypatch):
    monkeypatch.setattr(memory, "_available_memory", lambda: 512 * 1024**2)
    monkeypatch.setattr(memory, "_cgroup_memory", lambda: None)
    monkeypatch.setattr(memory, "other_kernels", lambda: [])
    monkeypatch.setattr(memory, "_rss", lambda *a, **k: 0)
    found = _by_topic(doctor.checks())["memory"]
    assert found.status == "problem" and "512.0 MB for this kernel" in found.detail
    assert "ALEXLAB_PROFILE=smoke" in found.fix


def test_dataset_cache_lists_its_contents(monkeypatch, tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "cifar-10-python.tar.gz").write_bytes(b"x" * 2048)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    found = _by_topic(doctor.checks())["dataset cache"]
    assert found.status == "ok"
    assert "cifar-10-python.tar.gz (2.0 KB)" in found.detail


def test_cifar10_dir_without_splits_is_a_problem(monkeypatch, tmp_path):
    monkeypatch.setenv("ALEXLAB_CIFAR10_DIR", str(tmp_path))
    found = _by_topic(doctor.checks())["ALEXLAB_CIFAR10_DIR"]
    assert found.status == "problem" and "train/" in found.detail


def test_a_check_that_breaks_is_reported_not_raised(monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(diagnostics.CHECKS, "memory", broken)
    found = _by_topic(doctor.checks())["memory"]
    assert found.status == "problem" and "boom" in found.detail


def test_redact_hides_this_machines_folders():
    text = f"{sys.prefix}/bin/python and {os.path.expanduser('~')}/.keras"
    redacted = doctor.redact_paths(text)
    assert redacted == "<env>/bin/python and ~/.keras"


@pytest.mark.parametrize(("profile", "code"), [("smoke", 0), ("turbo", 1)])
def test_command_line_exit_status(profile, code, tmp_path):
    env = {**os.environ, "ALEXLAB_PROFILE": profile, "KERAS_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "alexlab", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == code, run.stdout + run.stderr
    assert "[FAIL] profile" in run.stdout if code else "no problems found" in run.stdout
    assert run.stderr == ""


def test_a_container_limit_below_the_profiles_need_is_a_problem(monkeypatch):
    # The host has plenty; the container (as on Binder) has 2 GB with 1,200 MB in use.
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    monkeypatch.setattr(memory, "_available_memory", lambda: 20 * 1024**3)
    monkeypatch.setattr(memory, "_cgroup_memory", lambda: (2 * 1024**3, 1200 * 1024**2))
    monkeypatch.setattr(memory, "other_kernels", lambda: [(7, 1100 * 1024**2)])
    monkeypatch.setattr(memory, "_rss", lambda *a, **k: 0)
    found = _by_topic(doctor.checks())["memory"]
    assert found.status == "problem" and "limit is 2.0 GB" in found.detail
    assert "848.0 MB for this kernel" in found.detail and "1 other notebook kernel" in found.detail
    assert "Shut Down All Kernels" in found.fix
    monkeypatch.setattr(memory, "_cgroup_memory", lambda: (2 * 1024**3, 200 * 1024**2))
    monkeypatch.setattr(memory, "other_kernels", lambda: [])
    assert _by_topic(doctor.checks())["memory"].status == "ok"


def test_doctor_names_the_other_installed_backends_and_how_to_switch(monkeypatch):
    versions = {"keras": "3.15.1", "tensorflow": "2.21.0", "jax": "0.10.2"}
    monkeypatch.setattr(diagnostics, "dist_version", lambda *names: versions.get(names[0]))
    found = _by_topic(doctor.checks())["backend"]
    if found.detail.startswith("tensorflow"):
        assert "also installed: jax (switch with KERAS_BACKEND=jax" in found.detail
    else:
        assert "also installed: tensorflow (switch with KERAS_BACKEND=tensorflow" in found.detail
