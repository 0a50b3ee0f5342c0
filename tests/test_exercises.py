"""Exercise checks: right answers pass, typical slips fail with a reason, no answer leaks."""

import pytest

import alexlab as al
from alexlab import exercises as X

# key -> (right answers, wrong answers that a learner might give)
CASES = {
    "00.top5_gap": ([10.9, "10.9"], [8.0, 0.109, 11.9]),
    "00.fewer_errors": ([34, 33.85], [8.7, 0.34, 51]),
    "07.crops_28": ([50], [32, 25, 18]),
    "03.sigmoid_depth": ([5], [4, 3, 1000, 0, 6]),
    "03.params_19pct": ([89_578], [89_440, 122_346, 0]),
    "03.tanh_slope": ([4, "4.0"], [0.25, 2, "four"]),
    "06.test_output": ([1.5, "1.5"], [3.0, 6, 0]),
    "06.thinned_networks": ([8192], [4096, 2, 16_777_216]),
    "06.keep_scale": ([1.25], [0.8, 5, 1.2]),
    "08.gpu_steps": ([2340], [2346, 390, 2000]),
    "01.padding": ([2, 3], [0, 1, 4, -1, 2.5, "two"]),
    "01.smallest_input": ([227], [224, 228, 10]),
    "01.same": ([56], [54, 55]),
    "02.conv2": ([307_456], [614_656, 307_200, 1]),
    "02.fc6": ([37_752_832], [37_748_736, 173_019_136]),
    "07.crops_227": ([1800], [900, 1682, 2048]),
    "08.steps_45000": ([1406], [1562, 1407, 156]),
}


def test_every_exercise_has_cases():
    assert set(CASES) == set(X.EXERCISES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_right_answers_pass(key, capsys):
    for answer in CASES[key][0]:
        assert X.check(key, answer) is True, answer
        assert capsys.readouterr().out.startswith("right: ")


@pytest.mark.parametrize("key", sorted(CASES))
def test_wrong_answers_fail_with_a_reason_that_does_not_give_the_answer(key, capsys):
    right = CASES[key][0][0]
    for answer in CASES[key][1]:
        assert X.check(key, answer) is False, answer
        message = capsys.readouterr().out
        assert message.startswith("not yet: ") and len(message) > 20
        message = message.replace(repr(answer), "").replace(str(answer), "")  # its own echo
        for form in {str(right), f"{right:,}" if isinstance(right, int) else str(right)}:
            assert form not in message, (answer, message)


def test_answers_agree_with_the_package():
    # the checks recompute with alexlab's own functions and models
    assert al.conv_output_size(224, 11, 4, 2) == 55 == al.conv_output_size(227, 11, 4)
    ledger = al.ledger(al.models.alexnet(1000))
    rows = {row.name: row for row in ledger.rows}
    assert rows["conv2"].params == CASES["02.conv2"][0][0]
    assert rows["fc6"].params == CASES["02.fc6"][0][0]
    # layers-19pct by hand: three 5x5 convolutions (3->32->32->64) and fc10 on 4x4x64
    by_hand = sum(5 * 5 * i * o + o for i, o in ((3, 32), (32, 32), (32, 64))) + 1024 * 10 + 10
    assert by_hand == CASES["03.params_19pct"][0][0]


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(ValueError, match="01.padding"):
        X.check("01.nope", 3)
    assert set(X.exercises("01")) == {"01.padding", "01.smallest_input", "01.same"}
