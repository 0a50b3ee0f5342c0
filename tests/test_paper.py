"""alexlab.paper: the paper's figures as stated, and their table."""

import pytest

from alexlab import paper


def test_stated_figures():
    assert paper.fact("parameters") == 60_000_000
    assert paper.fact("neurons") == 650_000
    assert paper.fact("classes") == 1000
    assert paper.fact("batch_size") == 128


def test_unknown_fact_lists_the_known_ones():
    with pytest.raises(KeyError, match="no fact 'params'.*parameters"):
        paper.fact("params")


def test_results_tables():
    cnn = paper.RESULTS_2010[-1]
    assert (cnn.top1, cnn.top5) == (0.375, 0.170)
    assert all(r.top5 > cnn.top5 for r in paper.RESULTS_2010[:-1])
    runner_up, winner = paper.RESULTS_2012
    assert (winner.top5, runner_up.top5) == (0.153, 0.262)


def test_facts_table_has_one_line_per_fact():
    lines = paper.facts_table().splitlines()[2:]
    assert [line.split()[0] for line in lines] == [f.name for f in paper.FACTS]
    assert "60,000,000" in paper.facts_table()
