"""Fixtures the chapter tests share."""

import pytest

from alexlab import exercises


@pytest.fixture()
def check_answers(capsys):
    """A checker of one exercise: its right answers pass, and typical wrong ones fail with a
    reason that does not give the right answer away."""

    def check(key, right, wrong):
        for answer in right:
            assert exercises.check(key, answer) is True, answer
            assert capsys.readouterr().out.startswith("right: ")
        for answer in wrong:
            assert exercises.check(key, answer) is False, answer
            message = capsys.readouterr().out
            assert message.startswith("not yet: ") and len(message) > 20
            message = message.replace(repr(answer), "").replace(str(answer), "")  # its own echo
            first = right[0]
            for form in {str(first), f"{first:,}" if isinstance(first, int) else str(first)}:
                assert form not in message, (answer, message)

    return check
