"""Chapter 07 (alexlab/chapters/augmentation.py, notebooks/07_augmentation.ipynb): the
exercises, the claims it settles, and the record of its ten-patch verdict."""

import json

import pytest

from alexlab import results
from alexlab.chapters import augmentation

CASES = {
    "crops_227": ([1800], [900, 1682, 2048]),
    "crops_28": ([50], [32, 25, 18]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exercise_judges(name, check_answers):
    check_answers(f"07.{name}", *CASES[name])


def test_every_exercise_has_cases():
    assert set(CASES) == set(augmentation.EXERCISES)


def test_factor_2048_is_the_papers_count_and_the_true_one():
    verdict = augmentation.CLAIMS["factor_2048"]()
    assert verdict.startswith("(256 - 224)^2 x 2 = 2,048") and "2,178" in verdict


def test_the_ten_patch_verdict_is_recorded_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RECORDED", tmp_path / "recorded")
    monkeypatch.setattr(results, "LOCAL", tmp_path / "local")
    monkeypatch.setenv("ALEXLAB_PROFILE", "cpu")
    monkeypatch.delenv(results.RECORD_VAR, raising=False)
    path = augmentation.record_ten_crop("ten patches better than one", (0, 1, 2), 8)
    assert path.parent == tmp_path / "local"
    assert augmentation.CLAIMS["ten_crop"]() is None  # the audit reads the recorded one only
    monkeypatch.setenv(results.RECORD_VAR, "1")
    path = augmentation.record_ten_crop("ten patches better than one", (0, 1, 2), 8)
    saved = json.loads(path.read_text())
    assert saved["verdict"] == "ten patches better than one" and saved["seeds"] == [0, 1, 2]
    assert {"device", "backend", "versions", "date", "profile"} <= set(saved)
    assert augmentation.CLAIMS["ten_crop"]() == "ten patches better than one"
