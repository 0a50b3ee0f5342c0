"""The paper audited: each checkable claim, the notebook that tests it, and the verdict so far.

A claim that arithmetic settles is checked here, live, with alexlab's own
functions. A claim that needs training is settled by the notebook named beside
it, which saves its comparison as ``benchmarks/results/claim_<key>.json``
(``alexlab.compare``); the audit reads the verdict from there, and says "not
tested yet" until that file exists. So the table fills in by itself as chapters land.
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CLAIMS", "Claim", "audit", "audit_table", "record"]

NOT_TESTED = "not tested yet"


@dataclass(frozen=True)
class Claim:
    """One claim of the paper: its key, section, words, and the notebook that tests it."""

    key: str
    section: str
    says: str
    notebook: str
    check: object = None  # () -> verdict text, for claims arithmetic settles


@functools.cache
def _paper_ledger():
    from alexlab import ledger, models

    with models.shapes_only():  # counts need shapes, not 0.6 GB of drawn weights
        return ledger(models.alexnet(1000))


def _parameters():
    count = _paper_ledger().total_params
    return f"{count:,} counted: {count / 1e6:.1f} million, the abstract's 60 million rounded"


def _neurons():
    rows = _paper_ledger().rows
    total = sum(math.prod(r.output_shape) for r in rows if r.kind in ("Conv2D", "Dense"))
    return f"{total:,} counted: about 650,000 (to two figures {round(total, -4):,})"


def _conv1_55():
    from alexlab.shapes import conv_output_size

    ceil = conv_output_size(224, 11, 4, rounding="ceil")
    floor = conv_output_size(224, 11, 4)
    return f"224 gives {ceil} under cuda-convnet's rounding up, {floor} under a floor"


def _factor_2048():
    counted = (256 - 224) ** 2 * 2
    positions = 256 - 224 + 1
    return (
        f"(256 - 224)^2 x 2 = {counted:,}: a 224-wide window has {positions} positions in 256, "
        f"so {positions**2 * 2:,} patches with mirrors"
    )


CLAIMS = (
    Claim("parameters", "Abstract", "60 million parameters", "02", _parameters),
    Claim("neurons", "Abstract", "650,000 neurons", "02", _neurons),
    Claim(
        "conv1_55", "§3.5", "a 224x224 input, 11x11 kernels at stride 4, 55x55 out", "01", _conv1_55
    ),  # fmt: skip
    Claim(
        "relu_speed", "§3.1", "ReLUs reach 25% training error six times faster than tanh", "03"
    ),  # fmt: skip
    Claim(
        "two_gpus", "§3.2", "two GPUs: top-1 and top-5 error 1.7 and 1.2 points lower", "10"
    ),  # fmt: skip
    Claim("lrn", "§3.3", "LRN: top-1 and top-5 error 1.4 and 1.2 points lower", "04"),
    Claim("overlapping_pooling", "§3.4", "overlapping pooling: 0.4 and 0.3 points lower", "05"),
    Claim(
        "factor_2048",
        "§4.1",
        "crops and mirrors enlarge the training set 2048 times",
        "07",
        _factor_2048,
    ),  # fmt: skip
    Claim("pca_lighting", "§4.1", "PCA lighting: top-1 error over 1 point lower", "07"),
    Claim("ten_crop", "§4.1", "averaging ten patches at test time", "07"),
    Claim("dropout_overfitting", "§4.2", "without dropout, substantial overfitting", "06"),
    Claim(
        "dropout_iterations", "§4.2", "dropout roughly doubles the iterations to converge", "06"
    ),  # fmt: skip
)


def record(key, verdict, results="../benchmarks/results", **details):
    """Save a notebook's verdict on a claim as claim_<key>.json, with provenance."""
    import datetime

    from alexlab.runtime import describe

    if key not in {c.key for c in CLAIMS}:
        raise ValueError(f"no claim {key!r}: the claims are {', '.join(c.key for c in CLAIMS)}")
    info = describe()
    saved = {
        "claim": key,
        "verdict": verdict,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": info["device"],
        "backend": info["backend"],
        "profile": info["profile"],
        "versions": {k: info[k] for k in ("python", "alexlab", "keras", "numpy")},
        **details,
    }
    path = Path(results) / f"claim_{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=1) + "\n")
    return path


def _from_results(key, results):
    path = Path(results) / f"claim_{key}.json"
    if not path.exists():
        return NOT_TESTED
    saved = json.loads(path.read_text())
    if "verdict" in saved:
        return saved["verdict"]
    differences = saved.get("differences") or []
    return differences[0]["verdict"] if differences else NOT_TESTED


def audit(results="../benchmarks/results"):
    """One row per claim: (key, section, the paper says, notebook, verdict)."""
    rows = []
    for claim in CLAIMS:
        verdict = claim.check() if claim.check else _from_results(claim.key, results)
        rows.append((claim.key, claim.section, claim.says, claim.notebook, verdict))
    return rows


def audit_table(results="../benchmarks/results"):
    """The audit as a text table."""
    from alexlab.tables import format_table

    headers = ["claim", "where", "the paper says", "notebook", "verdict"]
    return format_table(headers, audit(results), align="<<<<<")
