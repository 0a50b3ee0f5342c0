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


def test_audit_settles_arithmetic_claims_and_reads_the_rest_from_results(tmp_path):
    import json

    from alexlab import audit

    rows = {key: verdict for key, _, _, _, verdict in audit.audit(tmp_path)}
    assert rows["parameters"].startswith("60,965,224 counted")
    assert rows["neurons"].startswith("659,272 counted") and "660,000" in rows["neurons"]
    assert rows["conv1_55"] == "224 gives 55 under cuda-convnet's rounding up, 54 under a floor"
    assert (
        rows["factor_2048"].startswith("(256 - 224)^2 x 2 = 2,048")
        and "2,178" in rows["factor_2048"]
    )
    assert rows["relu_speed"] == audit.NOT_TESTED == rows["lrn"]
    # a chapter that lands writes its comparison; the audit picks the verdict up
    (tmp_path / "claim_lrn.json").write_text(
        json.dumps({"differences": [{"verdict": "lrn vs none: no difference measurable"}]})
    )
    (tmp_path / "claim_relu_speed.json").write_text(json.dumps({"verdict": "4.1x faster"}))
    rows = {key: verdict for key, _, _, _, verdict in audit.audit(tmp_path)}
    assert rows["lrn"] == "lrn vs none: no difference measurable"
    assert rows["relu_speed"] == "4.1x faster"
    assert audit.audit_table(tmp_path).count("\n") == len(audit.CLAIMS) + 1
