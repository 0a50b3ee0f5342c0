"""The paper audited: each checkable claim, the notebook that tests it, and the verdict so far.

``CLAIMS`` is the table of contents: the paper's claims in its own order, each with the
notebook of the series that settles it. The verdict comes from that notebook's chapter
module (``alexlab.chapters``): its ``CLAIMS`` maps the claim to a function that settles
it live by arithmetic, or reads it from the results its benchmark or notebook recorded in
benchmarks/results. A claim whose chapter is not written yet, or that gives no verdict
yet, is "not tested yet": the table fills in by itself as chapters land.
"""

from dataclasses import dataclass

from alexlab import chapters, tables

__all__ = ["CLAIMS", "NOT_TESTED", "Claim", "audit", "audit_table", "verdict"]

NOT_TESTED = "not tested yet"


@dataclass(frozen=True)
class Claim:
    """One claim of the paper: its key, section, words, and the notebook that tests it."""

    key: str
    section: str
    says: str
    notebook: str


CLAIMS = (
    Claim("parameters", "Abstract", "60 million parameters", "02"),
    Claim("neurons", "Abstract", "650,000 neurons", "02"),
    Claim("conv1_55", "§3.5", "a 224x224 input, 11x11 kernels at stride 4, 55x55 out", "01"),
    Claim("relu_speed", "§3.1", "ReLUs reach 25% training error six times faster than tanh", "03"),
    Claim("two_gpus", "§3.2", "two GPUs: top-1 and top-5 error 1.7 and 1.2 points lower", "11"),
    Claim("lrn", "§3.3", "LRN: top-1 and top-5 error 1.4 and 1.2 points lower", "04"),
    Claim("overlapping_pooling", "§3.4", "overlapping pooling: 0.4 and 0.3 points lower", "05"),
    Claim("factor_2048", "§4.1", "crops and mirrors enlarge the training set 2048 times", "07"),
    Claim("pca_lighting", "§4.1", "PCA lighting: top-1 error over 1 point lower", "07"),
    Claim("ten_crop", "§4.1", "averaging ten patches at test time", "07"),
    Claim("dropout_overfitting", "§4.2", "without dropout, substantial overfitting", "06"),
    Claim("dropout_iterations", "§4.2", "dropout roughly doubles the iterations to converge", "06"),
)


def verdict(claim):
    """The claim's verdict from its chapter, or NOT_TESTED."""
    module = chapters.find(claim.notebook)
    settle = getattr(module, "CLAIMS", {}).get(claim.key)
    found = settle() if settle is not None else None
    return found or NOT_TESTED


def audit():
    """One row per claim: (key, section, the paper says, notebook, verdict)."""
    return [(c.key, c.section, c.says, c.notebook, verdict(c)) for c in CLAIMS]


def audit_table():
    """The audit as a text table."""
    headers = ["claim", "where", "the paper says", "notebook", "verdict"]
    return tables.format_table(headers, audit(), align="<<<<<")
