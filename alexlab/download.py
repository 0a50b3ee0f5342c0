"""Downloads checked against a SHA-256, with a text progress bar.

A file is streamed to a temporary name beside its target, its hash checked, and only
then renamed into place: a reader never sees half a download under the real name, and
nothing in a download is opened before its hash matches.
"""

import hashlib
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from alexlab import checks

__all__ = ["DatasetUnavailable", "Progress", "download", "file_sha256", "keras_cache_dir"]

TIMEOUT = 15  # seconds per socket operation: offline fails fast, a slow link still works


class DatasetUnavailable(OSError):
    """The data cannot be downloaded here, and no valid local copy was found."""


def keras_cache_dir():
    """Where Keras keeps downloaded datasets: $KERAS_HOME/datasets, else ~/.keras/datasets."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def download(url, filename, sha256, cache_dir=None, *, hint=""):
    """Fetch url to cache_dir/filename unless a copy with this sha256 is there; return its path.

    A cached file with another hash (a partial or corrupt download) is fetched again,
    once. A fresh download with the wrong hash raises ValueError; no connection raises
    DatasetUnavailable, saying where to put the file by hand (and `hint`, another way).
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else keras_cache_dir()
    target = cache_dir / filename
    stale = ""
    if target.is_file():
        found = file_sha256(target)
        if found == sha256:
            return target
        stale = f" (the file there now has sha256 {found}: a partial or corrupt copy)"
        print(f"{filename} in the cache has the wrong sha256{stale}; downloading it again")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # e.g. KERAS_HOME names a file, or a read-only folder
        raise DatasetUnavailable(
            f"cannot create the download folder {cache_dir} ({error.strerror or error}): set "
            "KERAS_HOME to a folder you can write to" + (f", or {hint}" if hint else "")
        ) from None
    try:
        response = urllib.request.urlopen(url, timeout=TIMEOUT)
    except OSError as error:  # URLError, HTTPError, timeouts, refused connections
        raise DatasetUnavailable(
            f"cannot download {filename} from {url} ({error}).\n"
            f"To work offline, place the file {filename} (sha256 {sha256}) at\n"
            f"    {target}{stale}\n" + (f"or {hint}" if hint else "")
        ) from error
    # A temporary file in the same folder, so the final rename is atomic: readers see
    # the old file or the whole new one, never half a download under the real name.
    handle, name = tempfile.mkstemp(dir=cache_dir, prefix=f".{filename}.", suffix=".part")
    partial = Path(name)
    try:
        with response, os.fdopen(handle, "wb") as out:
            digest = hashlib.sha256()
            total = int(response.headers.get("Content-Length") or 0) or None
            bar = Progress(f"downloading {filename}", total, bytes_=True)
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                bar.update(len(chunk))
            bar.close()
        if digest.hexdigest() != sha256:
            raise checks.InvalidArgument(
                f"downloaded {filename} from {url} has sha256 {digest.hexdigest()}, "
                f"expected {sha256}; it was discarded. Try again later, or place a copy "
                f"with the expected hash at {target}"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)  # gone already after a successful rename
    return target


def file_sha256(path):
    """The SHA-256 of a file, as hex, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class Progress:
    """A one-line text bar redrawn in place with '\\r', at most twice a second (notebook-safe)."""

    def __init__(self, label, total, bytes_=False):
        self.label, self.total, self.bytes_ = label, total, bytes_
        self.done, self.last = 0, 0.0

    def update(self, n=1):
        self.done += n
        if time.monotonic() - self.last >= 0.5:
            self._draw()

    def close(self):
        self._draw()
        sys.stdout.write("\n")

    def _draw(self):
        self.last = time.monotonic()
        fmt = (lambda n: f"{n / 2**20:.1f} MB") if self.bytes_ else str
        text = f"\r{self.label}: {fmt(self.done)}"
        if self.total:
            filled = int(30 * self.done / self.total)
            text += f" / {fmt(self.total)} [{'=' * filled}{' ' * (30 - filled)}]"
        sys.stdout.write(text)
        sys.stdout.flush()
