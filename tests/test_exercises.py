"""alexlab.exercises, the frame: keys find their chapter's judge, unreadable answers are said
so, unknown keys name the known ones. Each chapter's judges are tested in its own file."""

import types

import pytest

from alexlab import chapters
from alexlab import exercises as X


def test_keys_are_the_notebook_and_the_chapters_name_in_reading_order():
    keys = list(X.all_exercises())
    numbers = [k.split(".")[0] for k in keys]
    assert numbers == sorted(numbers)  # 00.* first, 08.* last
    for key in keys:
        number, name = key.split(".")
        assert name in chapters.find(number).EXERCISES
    assert set(X.exercises("01")) == {"01.padding", "01.smallest_input", "01.same"}


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(ValueError, match="01.padding"):
        X.check("01.nope", 3)
    with pytest.raises(ValueError, match="no exercise '99.x'"):
        X.check("99.x", 3)


def test_an_unreadable_answer_is_said_so_whatever_the_exercise(capsys):
    for key in X.all_exercises():
        assert X.check(key, None) is False
        assert "None is not a number" in capsys.readouterr().out


def test_a_chapter_module_is_found_by_its_notebook(monkeypatch, capsys):
    # what adding chapter 04 means for the frame: its module, nothing registered
    lrn = types.SimpleNamespace(
        NOTEBOOK="04_lrn.ipynb",
        EXERCISES={"k": X.Exercise("k of the paper?", lambda a: (X.whole(a) == 2, "k is 2"))},
    )
    found = {**chapters.modules(), "04": lrn}
    monkeypatch.setattr(chapters, "modules", lambda: found)
    assert X.check("04.k", 2) is True and capsys.readouterr().out == "right: k is 2\n"
    assert "04.k" in X.exercises("04")
