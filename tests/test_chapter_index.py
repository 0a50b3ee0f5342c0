"""Chapter 00 (alexlab/chapters/index.py, notebooks/00_index.ipynb): its figure and exercises."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from alexlab.chapters import index  # noqa: E402

CASES = {
    "top5_gap": ([10.9, "10.9"], [8.0, 0.109, 11.9]),
    "fewer_errors": ([34, 33.85], [8.7, 0.34, 51]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exercise_judges(name, check_answers):
    check_answers(f"00.{name}", *CASES[name])


def test_every_exercise_has_cases():
    assert set(CASES) == set(index.EXERCISES)


def test_paper_results_titles_give_the_margins():
    fig = index.paper_results()
    left, right = fig.axes
    assert "28.2%" not in left.get_title() and "25.7% -> 17.0%" in left.get_title()
    assert "15.3% vs 26.2%" in right.get_title()
    plt.close(fig)
