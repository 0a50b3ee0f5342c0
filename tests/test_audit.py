"""alexlab.audit, the frame: every claim in the paper's order, its verdict from its chapter,
"not tested yet" where the chapter is not written or gives none."""

import types

from alexlab import audit, chapters


def test_every_chapters_claims_are_in_the_table_under_its_notebook():
    table = {c.key: c.notebook for c in audit.CLAIMS}
    for number, module in chapters.modules().items():
        for key in getattr(module, "CLAIMS", {}):
            assert table[key] == number, key


def test_verdicts_come_from_the_chapters_and_the_rest_is_not_tested():
    rows = {key: (notebook, verdict) for key, _, _, notebook, verdict in audit.audit()}
    assert rows["parameters"][1].startswith("60,965,224 counted")
    assert rows["relu_speed"][1] == chapters.find("03").CLAIMS["relu_speed"]()
    assert rows["lrn"] == ("04", audit.NOT_TESTED)  # no chapter 04 yet
    assert rows["pca_lighting"] == ("07", audit.NOT_TESTED)  # chapter 07 gives none yet
    assert rows["two_gpus"][0] == "11"  # DESIGN.md's series: 11 two GPUs
    assert audit.audit_table().count("\n") == len(audit.CLAIMS) + 1


def test_a_chapter_that_lands_fills_its_rows(monkeypatch):
    lrn = types.SimpleNamespace(NOTEBOOK="04_lrn.ipynb", CLAIMS={"lrn": lambda: "measured"})
    found = {**chapters.modules(), "04": lrn}
    monkeypatch.setattr(chapters, "modules", lambda: found)
    rows = {key: verdict for key, _, _, _, verdict in audit.audit()}
    assert rows["lrn"] == "measured"
    # a verdict function that finds no results yet leaves the row "not tested yet"
    lrn.CLAIMS["lrn"] = lambda: None
    assert dict((k, v) for k, _, _, _, v in audit.audit())["lrn"] == audit.NOT_TESTED
