"""Results: the only code that writes or finds a results file.

A result is one JSON object, ``<name>.json``: what was measured, stamped by ``write``
with one provenance record (date, command, device, backend, versions, profile, dataset
and whether it is the official archive), written atomically (a temporary file in the
same folder, then ``os.replace``: a kill leaves the old file or the new one) and as
strict JSON (NaN and infinity refused, naming where they are). Two folders:

- ``RECORDED``, benchmarks/results/ in the checkout: the project's measurements, tracked
  by git and read by the notebooks, the audit and benchmarks/RESULTS.md. Benchmarks write
  there, and so does a notebook while ``ALEXLAB_RECORD=1`` (set by tools/execute_notebooks.py
  and tools/binder.py --save, the executions that are committed).
- ``LOCAL``, runs/results/ (ignored by git): where a notebook writes otherwise, so a
  learner running one never changes a tracked file.

Typed records (``alexlab.results.records``) read and write the files a training run and a
comparison make; ``alexlab.results.words`` renders their figures as sentences.
"""

import datetime
import json
import math
import os
import sys
import tempfile
from pathlib import Path

from alexlab.results import records, words

__all__ = [
    "LOCAL",
    "RECORDED",
    "RECORD_VAR",
    "comparison",
    "folder",
    "load",
    "names",
    "path",
    "provenance",
    "records",
    "training_runs",
    "words",
    "write",
    "write_to",
]

ROOT = Path(__file__).resolve().parents[2]  # alexlab is installed editable from its checkout
RECORDED = ROOT / "benchmarks" / "results"
LOCAL = ROOT / "runs" / "results"
RECORD_VAR = "ALEXLAB_RECORD"
# Settings that change what a command measures, put before it as they were set.
_COMMAND_ENV = ("ALEXLAB_PROFILE", "KERAS_BACKEND")


def folder():
    """Where results go now: RECORDED while ALEXLAB_RECORD=1, else LOCAL."""
    return RECORDED if os.environ.get(RECORD_VAR, "").strip() == "1" else LOCAL


def path(name, where=None):
    """The file of result `name` in `where` (default: ``folder()``)."""
    if not isinstance(name, str) or Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"result name {name!r}: give a plain file name without folders or .json")
    return Path(folder() if where is None else where) / f"{name.removesuffix('.json')}.json"


def load(name, where=None):
    """Result `name` as a dict, or None where the folder (default RECORDED) does not have it."""
    file = path(name, RECORDED if where is None else where)
    return json.loads(file.read_text()) if file.is_file() else None


def names(pattern="*", where=None):
    """The names of the results in `where` (default RECORDED) that match `pattern`, sorted."""
    return sorted(
        p.stem for p in Path(RECORDED if where is None else where).glob(f"{pattern}.json")
    )


def comparison(name, where=None):
    """A saved comparison as a ``records.Comparison``, or None where it is not there."""
    saved = load(name, where)
    return None if saved is None else records.Comparison.from_json(saved)


def training_runs(name, where=None):
    """A schedule trained over seeds (benchmarks/train_cifar10.py) as ``records.TrainingRuns``."""
    saved = load(name, where)
    return None if saved is None else records.TrainingRuns.from_json(saved)


def command_line(argv=None, program=None):
    """The running command as someone would type it again: settings, python, script, options.

    argv: the command's words (default: sys.argv, the script first); program: what ran
    them, when argv holds the options only (e.g. "python -m alexlab").
    """
    argv = list(sys.argv if argv is None else argv)
    if program is not None:
        argv = [program, *argv]
    script = Path(argv[0]) if argv else Path("python")
    if program is not None:
        words_ = [program]
    elif script.name == "__main__.py" and script.parent.name == "alexlab":
        words_ = ["python", "-m", "alexlab"]
    else:
        if script.resolve().is_relative_to(ROOT):
            script = script.resolve().relative_to(ROOT)
        words_ = ["python", script.as_posix()]
    settings = [f"{k}={os.environ[k]}" for k in _COMMAND_ENV if os.environ.get(k)]
    return " ".join(settings + words_ + argv[1:])


def provenance(command=None, dataset=None, load_backend=True, measured_by=None):
    """Where a result came from: date, command, device, backend, versions, profile, dataset.

    dataset: a ``Dataset``, a dict with its "source", or the source itself; "official"
    says whether it is the official archive (checksum verified) rather than a folder of
    copies. measured_by: the ``records.Provenance`` of another process that did the
    measuring (a run in a fresh process): its device, backend, versions and profile are
    stamped instead of this process's. load_backend=False loads no Keras backend (see
    ``alexlab.session.describe``).
    """
    stamp = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": command or command_line(),
    }
    if measured_by is not None:
        stamp.update(
            {k: getattr(measured_by, k) for k in ("device", "backend", "versions", "profile")}
        )
    else:
        from alexlab import session

        info = session.describe(load=load_backend)
        versions = {k: info[k] for k in ("python", "alexlab", "keras", "numpy")}
        stamp.update(
            {
                "device": info["device"],
                "backend": info["backend"],
                "versions": {**versions, "backend": info["backend_version"]},
                "profile": info["profile"],
            }
        )
    if dataset is not None:
        if isinstance(dataset, dict):
            about = dict(dataset)
        else:
            about = {"source": getattr(dataset, "source", dataset)}
        about["official"] = str(about.get("source", "")).startswith("official")
        stamp["dataset"] = about
    return stamp


def write(name, body, *, where=None, **stamp):
    """Write result `name` into `where` (default ``folder()``: RECORDED only while
    ALEXLAB_RECORD=1); its path. body and stamp as ``write_to`` takes them."""
    return write_to(path(name, where), body, **stamp)


def write_to(file, body, *, command=None, dataset=None, load_backend=True, measured_by=None):
    """Write `body` (a dict or a record) stamped with provenance to `file`; its path.

    command, dataset, load_backend, measured_by: as ``provenance`` takes them (the body's
    own "dataset" by default). A smoke-profile result is never recorded: it measures
    nothing.
    """
    file = Path(file)
    name = file.stem
    body = body.to_json() if hasattr(body, "to_json") else dict(body)
    about = body.get("dataset") if dataset is None else dataset
    stamp = provenance(command, about, load_backend, measured_by)
    if stamp["profile"] == "smoke" and file.parent.resolve() == RECORDED.resolve():
        raise ValueError(
            f"{name}: a smoke-profile result is not a measurement and is not recorded in "
            f"{RECORDED}; run in the cpu or gpu profile, or write it elsewhere (where=...)"
        )
    if isinstance(body.get("dataset"), dict):  # the body's own figures (image counts) kept
        stamp["dataset"] = {**body["dataset"], **stamp["dataset"]}
    saved = {"date": stamp["date"], "command": stamp["command"], **body}
    saved.update(stamp)
    _check_finite(saved, name)
    text = json.dumps(saved, indent=1, allow_nan=False) + "\n"
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, file)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return file


def _check_finite(value, where):
    """Refuse NaN and infinity, naming where the first one is: JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            f"{where} is {value}: a result holds finite numbers only (strict JSON); record "
            "a value that was not measured as None"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_finite(item, f"{where}[{i}]")
