"""alexlab.tables: aligned plain-text tables."""

import pytest

from alexlab.tables import format_table


def test_numbers_right_text_left_with_thousands():
    text = format_table(["layer", "params"], [("conv1", 34944), ("fc6", 37752832)])
    assert text.splitlines() == [
        "layer      params",
        "-----  ----------",
        "conv1      34,944",
        "fc6    37,752,832",
    ]


def test_explicit_alignment_must_cover_every_column():
    with pytest.raises(ValueError, match="align '<' has 1 letters for 2 columns"):
        format_table(["a", "b"], [(1, 2)], align="<")
