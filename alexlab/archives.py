"""Archives: CIFAR-10's pickled batches read in place; tar archives unpacked only when safe.

Defence in depth: the archive's SHA-256 is checked first, then the pickles may only
rebuild NumPy arrays, and a tar archive is refused whole if any member has an absolute
path, climbs out with "..", or is a link or a device.
"""

import hashlib
import io
import pickle
import tarfile
from pathlib import Path, PurePosixPath, PureWindowsPath

import numpy as np

from alexlab import checks

__all__ = ["ArrayUnpickler", "read_cifar_archive", "safe_extract"]


class ArrayUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists, bytes and NumPy arrays, and refuses everything else."""

    # Defence in depth (the archive's hash is checked first): a pickle names functions to
    # call; a NumPy array needs only these (NumPy 1 and 2 name the module differently).
    _ALLOWED = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("numpy.core.multiarray", "_reconstruct"): np.empty(0).__reduce__()[0],
        ("numpy._core.multiarray", "_reconstruct"): np.empty(0).__reduce__()[0],
    }

    def find_class(self, module, name):
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name}")
        return self._ALLOWED[module, name]


def read_cifar_archive(path, sha256):
    """x_train, y_train, x_test, y_test, class names from cifar-10-python.tar.gz, unextracted."""
    with open(path, "rb") as f:
        # Hash and read the same open file, so it cannot be swapped in between.
        digest = hashlib.sha256()
        while block := f.read(1 << 20):
            digest.update(block)
        if digest.hexdigest() != sha256:
            raise checks.InvalidArgument(
                f"{Path(path).name} has sha256 {digest.hexdigest()}, expected {sha256}: "
                "not the official CIFAR-10 archive, or corrupt; nothing in it was read"
            )
        f.seek(0)
        wanted = {f"data_batch_{i}" for i in range(1, 6)} | {"test_batch", "batches.meta"}
        batches = {}
        with tarfile.open(fileobj=f, mode="r:gz") as tar:
            for member in tar:
                name = PurePosixPath(member.name).name
                if member.isfile() and name in wanted:
                    data = tar.extractfile(member).read()
                    batches[name] = ArrayUnpickler(io.BytesIO(data), encoding="bytes").load()
    if wanted - batches.keys():
        raise checks.InvalidArgument(f"{Path(path).name} lacks {sorted(wanted - batches.keys())}")

    def images(names):
        # Each row holds 1024 red, then 1024 green, then 1024 blue values, row-major.
        rows = np.concatenate([np.asarray(batches[n][b"data"], np.uint8) for n in names])
        labels = np.concatenate([np.asarray(batches[n][b"labels"], np.int64) for n in names])
        return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy(), labels  # (N, 32, 32, 3)

    x_train, y_train = images([f"data_batch_{i}" for i in range(1, 6)])
    x_test, y_test = images(["test_batch"])
    classes = tuple(n.decode() for n in batches["batches.meta"][b"label_names"])
    return x_train, y_train, x_test, y_test, classes


def _check_member(member):
    name = member.name.replace("\\", "/")
    if name.startswith("/") or PureWindowsPath(member.name).drive:
        raise checks.InvalidArgument(
            f"archive member {member.name!r} has an absolute path: refused"
        )
    if ".." in PurePosixPath(name).parts:
        raise checks.InvalidArgument(
            f"archive member {member.name!r} points outside the folder: refused"
        )
    if not (member.isfile() or member.isdir()):
        # Links can point anywhere and device files are not data: neither belongs here.
        raise checks.InvalidArgument(
            f"archive member {member.name!r} is not a plain file or folder: refused"
        )


def safe_extract(archive, dest):
    """Unpack a tar archive into dest after checking every member; refuse it all if one is bad."""
    dest = Path(dest)
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            _check_member(member)
        dest.mkdir(parents=True, exist_ok=True)
        if hasattr(tarfile, "data_filter"):  # Python 3.12, and 3.10.12+ / 3.11.4+ backports
            tar.extractall(dest, members, filter="data")
        else:  # every member was checked above
            tar.extractall(dest, members)
