"""Chapter 01 (alexlab/chapters/output_size.py, notebooks/01_output_size.ipynb): the sliding
windows figure, the exercises, and the claim it settles."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import alexlab as al  # noqa: E402
from alexlab.chapters import output_size  # noqa: E402

CASES = {
    "padding": ([2, 3], [0, 1, 4, -1, 2.5, "two"]),
    "smallest_input": ([227], [224, 228, 10]),
    "same": ([56], [54, 55]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exercise_judges(name, check_answers):
    check_answers(f"01.{name}", *CASES[name])


def test_every_exercise_has_cases():
    assert set(CASES) == set(output_size.EXERCISES)


def test_answers_agree_with_the_formula():
    assert al.conv_output_size(224, 11, 4, 2) == 55 == al.conv_output_size(227, 11, 4)


def test_sliding_windows_marks_unused_pixels_in_the_title():
    ax = output_size.sliding_windows(224, 11, 4, tail=30)
    assert "54.25 -> 54" in ax.get_title() and "1 input px unused" in ax.get_title()
    plt.close("all")


def test_conv1_55_is_settled_by_both_roundings():
    verdict = output_size.CLAIMS["conv1_55"]()
    assert verdict == "224 gives 55 under cuda-convnet's rounding up, 54 under a floor"
