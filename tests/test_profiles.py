"""alexlab.profiles: the ALEXLAB_PROFILE variable and the automatic default."""

import pytest

import alexlab as al
from alexlab import profiles, runtime


@pytest.mark.parametrize("name", ["smoke", "cpu", "gpu"])
def test_variable_picks_the_profile(monkeypatch, name):
    monkeypatch.setenv("ALEXLAB_PROFILE", f"  {name.upper()} ")
    assert al.profile() == name
    assert profiles.profile_source() == f"set by ALEXLAB_PROFILE={name}"
    assert al.by_profile(smoke="s", cpu="c", gpu="g") == name[0]


def test_bad_value_names_it_and_the_choices(monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"ALEXLAB_PROFILE='fast'.*smoke, cpu, gpu.*unset"):
        al.profile()


@pytest.mark.parametrize(("found", "expected"), [((), "cpu"), (("NVIDIA H100",), "gpu")])
def test_unset_follows_the_hardware(monkeypatch, found, expected):
    monkeypatch.delenv("ALEXLAB_PROFILE")
    monkeypatch.setattr(runtime, "accelerators", lambda: found)
    assert al.profile() == expected
    assert profiles.profile_source().startswith("automatic")
    if found:
        assert found[0] in profiles.profile_source()


def test_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("ALEXLAB_PROFILE", "")
    monkeypatch.setattr(runtime, "accelerators", lambda: ())
    assert al.profile() == "cpu"


def test_suite_runs_in_smoke():
    # conftest.py sets it for the unit tests and the notebook kernels alike
    assert al.profile() == "smoke"


def test_table_lists_every_profile():
    lines = profiles.table().splitlines()
    assert [line.split()[0] for line in lines[2:]] == list(profiles.PROFILES)
