"""Checks for the notebooks' exercises: right or wrong, and why, without giving the answer away.

Each notebook ends with a few exercises; the learner computes an answer in the
notebook and calls ``al.exercises.check("01.padding", answer)``. The frame finds the
judge in the chapter module of notebook 01 (``alexlab.chapters``), which recomputes the
right answer with alexlab's own functions, so it stays true to the code the notebook
teaches; its message for a wrong answer says what that answer does instead, never what
the right one is.
"""

import dataclasses

from alexlab import chapters

__all__ = ["Exercise", "Unreadable", "all_exercises", "check", "exercises", "number", "whole"]


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: what it asks, and a judge of answers."""

    question: str
    judge: object  # answer -> (right: bool, why: str)


class Unreadable(ValueError):
    """The answer is not a number of the kind asked for; check() reports why."""


def number(answer, what="a whole number"):
    """The answer as a float, or Unreadable saying what kind of number to give."""
    try:
        return float(answer)
    except (TypeError, ValueError):
        raise Unreadable(f"{answer!r} is not a number: give {what}") from None


def whole(answer):
    """The answer as an int, or Unreadable if it is not a whole number."""
    value = number(answer)
    if value != int(value):
        raise Unreadable(f"{answer!r} is not a whole number")
    return int(value)


def all_exercises():
    """Every chapter's exercises, keyed "NN.name" (NN: the notebook), in reading order."""
    return {
        f"{key}.{name}": exercise
        for key, module in chapters.modules().items()
        for name, exercise in getattr(module, "EXERCISES", {}).items()
    }


def exercises(notebook=None):
    """The exercises, all or those of one notebook ("01"), as key -> question."""
    return {
        k: e.question
        for k, e in all_exercises().items()
        if notebook is None or k.startswith(f"{notebook}.")
    }


def check(key, answer):
    """Judge an answer: prints right or not yet, and why; returns True when right."""
    notebook, _, name = key.partition(".")
    module = chapters.find(notebook)
    found = getattr(module, "EXERCISES", {}).get(name)
    if found is None:
        raise ValueError(f"no exercise {key!r}: the exercises are {', '.join(all_exercises())}")
    try:
        right, why = found.judge(answer)
    except Unreadable as unreadable:  # not a number: say so, whatever the exercise
        right, why = False, str(unreadable)
    print(f"{'right' if right else 'not yet'}: {why}")
    return right
