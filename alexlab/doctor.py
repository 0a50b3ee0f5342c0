"""``python -m alexlab doctor``: what this machine has, and a fix for each problem found.

The checks, one per topic, are ``alexlab.diagnostics``; this is the report.
"""

import os
import sys
import tempfile

from alexlab import diagnostics
from alexlab.diagnostics import Finding

__all__ = ["Finding", "checks", "redact_paths", "report"]


def checks():
    """Run every check; a check that breaks becomes a problem finding rather than an exception."""
    findings = []
    for topic, check in diagnostics.CHECKS.items():
        try:
            findings.extend(check())
        except Exception as error:  # the doctor must report, never crash
            findings.append(
                Finding(
                    topic,
                    "problem",
                    f"check failed: {error!r}",
                    "report this with the output of `python -m alexlab doctor`",
                )
            )
    return findings


def report(file=None, redact=False):
    """Print the findings, each problem with its fix; return the number of problems.

    redact=True writes paths as <env>, ~, <tmp> instead of this machine's own, for
    output that is shared (a committed notebook).
    """
    file = file or sys.stdout
    findings = checks()
    if redact:
        findings = [
            Finding(f.topic, f.status, redact_paths(f.detail), redact_paths(f.fix))
            for f in findings
        ]
    mark = {"ok": " ok ", "note": "note", "problem": "FAIL"}
    width = max(len(f.topic) for f in findings)
    for f in findings:
        print(f"[{mark[f.status]}] {f.topic:<{width}}  {f.detail}", file=file)
        if f.fix:
            print(f"       {'':<{width}}  fix: {f.fix}", file=file)
    problems = sum(f.status == "problem" for f in findings)
    summary = (
        "no problems found" if not problems else f"{problems} problem(s) found: see 'fix:' above"
    )
    print(summary, file=file)
    return problems


def redact_paths(text):
    """Replace this machine's environment, home and temp folders in text by short names."""
    roots = [
        (sys.prefix, "<env>"),
        (os.path.expanduser("~"), "~"),
        (tempfile.gettempdir(), "<tmp>"),
    ]
    # Longest first, so a venv inside the home folder becomes <env>, not ~/...
    for root, name in sorted(roots, key=lambda r: -len(r[0])):
        if len(root) > 1:
            text = text.replace(root.rstrip(os.sep), name)
    return text
