"""alexlab.audit: arithmetic claims settled live, trained claims read from results files."""

import json

import pytest

from alexlab import audit


def test_audit_settles_arithmetic_claims_and_reads_the_rest_from_results(tmp_path):
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


def test_a_recorded_verdict_carries_provenance_and_fills_the_audit(tmp_path):
    path = audit.record("ten_crop", "ten patches better than one", tmp_path, seeds=[0, 1, 2])
    saved = json.loads(path.read_text())
    assert saved["verdict"] == "ten patches better than one" and saved["seeds"] == [0, 1, 2]
    assert {"device", "backend", "versions", "date", "profile"} <= set(saved)
    rows = {key: verdict for key, _, _, _, verdict in audit.audit(tmp_path)}
    assert rows["ten_crop"] == "ten patches better than one"
    with pytest.raises(ValueError, match="no claim 'ten_crops'"):
        audit.record("ten_crops", "x", tmp_path)
