"""Chapter 02 (alexlab/chapters/parameters.py, notebooks/02_parameters.ipynb): the shares
figure, the exercises against the ledger, and the two claims it settles."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import alexlab as al  # noqa: E402
from alexlab.chapters import parameters  # noqa: E402

CASES = {
    "conv2": ([307_456], [614_656, 307_200, 1]),
    "fc6": ([37_752_832], [37_748_736, 173_019_136]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_exercise_judges(name, check_answers):
    check_answers(f"02.{name}", *CASES[name])


def test_every_exercise_has_cases():
    assert set(CASES) == set(parameters.EXERCISES)


def test_answers_agree_with_the_ledger():
    with al.models.shapes_only():
        rows = {row.name: row for row in al.ledger(al.models.alexnet(1000)).rows}
    assert rows["conv2"].params == CASES["conv2"][0][0]
    assert rows["fc6"].params == CASES["fc6"][0][0]


def test_claims_count_the_paper_network():
    assert parameters.CLAIMS["parameters"]().startswith("60,965,224 counted")
    neurons = parameters.CLAIMS["neurons"]()
    assert neurons.startswith("659,272 counted") and "660,000" in neurons


def test_params_and_macs_title_says_where_the_weights_and_work_are():
    with al.models.shapes_only():
        counted = al.ledger(al.models.alexnet(1000))
    fig = parameters.params_and_macs(counted)
    assert fig._suptitle.get_text().startswith("Convolutions (blue): ")
    plt.close(fig)
