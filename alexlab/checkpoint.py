"""Checkpoints that can only resume their own run, and say clearly when they cannot.

A checkpoint (.npz) holds the weights, the optimizer's state and the run's state,
including an identity: everything that shapes the run. That is the network layer by
layer (kinds, widths, activations, LRN, pooling, dropout, initialisers), the recipe,
a fingerprint of the training images and labels (their content, not their folder's
name), the seed and the number of epochs. ``Checkpoint`` owns the file's format:
``fit`` resumes from it only when the identity matches, and otherwise it names each field
that differs with both values.
"""

import hashlib
import json
import os
import tempfile
import zipfile

import numpy as np

from alexlab import checks

__all__ = [
    "Checkpoint",
    "CheckpointDamaged",
    "CheckpointMismatch",
    "differences",
    "fingerprint",
    "identity",
    "network",
    "restore",
    "snapshot",
]

_FIX = "delete it, pass restart=True (command line: --restart), or give another checkpoint path"


class CheckpointMismatch(checks.InvalidArgument):
    """The checkpoint was written by a different run: resuming it would mix two runs."""


class CheckpointDamaged(checks.InvalidArgument):
    """The checkpoint cannot be read, or holds NaN or infinite weights."""


# ---------------------------------------------------------------------------------------
# Identity


def fingerprint(*arrays):
    """A short hash of arrays' shapes, dtypes and bytes: same content, same fingerprint."""
    digest = hashlib.blake2b(digest_size=8)
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.shape}|{array.dtype}|".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def network(model):
    """The model layer by layer: each layer's kind and configuration, its name left out.

    Names are left out because Keras numbers unnamed layers per process (dense, dense_1,
    ...): the same network built twice would otherwise look like two networks.
    """
    layers = []

    def walk(layer):
        for child in getattr(layer, "layers", ()):
            try:
                config = child.get_config()
            except Exception:  # a custom layer without get_config: its weights' shapes
                config = {"weights": [list(w.shape) for w in child.weights]}
            config = {k: v for k, v in config.items() if k not in ("name", "layers")}
            layers.append(
                json.loads(
                    json.dumps(
                        {"layer": type(child).__name__, **config}, sort_keys=True, default=str
                    )
                )
            )
            walk(child)

    walk(model)
    return layers


def identity(model, recipe, epochs, seed, x, y, class_names, source):
    """What must match for a checkpoint to be resumed, as JSON-ready values."""
    return {
        "network": network(model),
        "parameters": int(model.count_params()),
        "recipe": recipe.describe(),
        "epochs": int(epochs),
        "seed": int(seed),
        "train_images": int(len(x)),
        "data": fingerprint(x, y, np.array(class_names)),
        "source": source,  # shown when the data differ; not compared (a folder may move)
    }


def differences(saved, current):
    """Each field in which two identities differ, in words with both values."""
    found = []
    for key in current:
        if key == "source" or saved.get(key) == current[key]:
            continue
        old, new = saved.get(key), current[key]
        if key == "network":
            found.append(_network_difference(old or [], new))
        elif key == "recipe" and isinstance(old, dict):
            for field in sorted(set(old) | set(new)):
                if old.get(field) != new.get(field):
                    found.append(
                        f"recipe.{field}: {old.get(field)!r} in the checkpoint, "
                        f"{new.get(field)!r} here"
                    )
        elif key == "data":
            found.append(
                f"data: the training images or labels differ (checkpoint: fingerprint {old}, "
                f"{saved.get('source')}; here: {new}, {current.get('source')})"
            )
        else:
            found.append(f"{key}: {old!r} in the checkpoint, {new!r} here")
    return found


def _network_difference(old, new):
    if len(old) != len(new):
        return f"network: {len(old)} layers in the checkpoint, {len(new)} here"
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        if a != b:
            if a.get("layer") != b.get("layer"):
                return (
                    f"network layer {i + 1}: {a.get('layer')} in the checkpoint, "
                    f"{b.get('layer')} here"
                )
            fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            shown = "; ".join(
                f"{k} {a.get(k)!r} in the checkpoint, {b.get(k)!r} here" for k in fields[:3]
            )
            return f"network layer {i + 1} ({b['layer']}): {shown}"
    return "network: differs"


# ---------------------------------------------------------------------------------------
# Saving and loading


def _variables(model):
    return list(model.variables) + list(model.optimizer.variables)


def snapshot(model):
    """Copies of every weight and optimizer variable."""
    return [np.array(v.numpy()) for v in _variables(model)]


def restore(model, arrays):
    """Assign saved arrays to the model's and optimizer's variables, checking their shapes."""
    variables = _variables(model)
    if len(variables) != len(arrays):
        raise CheckpointMismatch(
            f"the checkpoint holds {len(arrays)} variables, this model and optimizer "
            f"{len(variables)}: it was written by a different network or recipe"
        )
    for variable, array in zip(variables, arrays, strict=True):
        if tuple(variable.shape) != array.shape:
            raise CheckpointMismatch(
                f"checkpoint variable of shape {array.shape} does not fit {variable.path} "
                f"of shape {tuple(variable.shape)}: it was written by a different network"
            )
        variable.assign(array)


class Checkpoint:
    """A run's checkpoint file (.npz): weights, optimizer state and the run's state.

    Written after every epoch, atomically (a kill -9 leaves the old file or the new one);
    read back only by the run it belongs to. restart=True ignores what is there. what:
    the name errors give the path (the command line's "--checkpoint").
    """

    def __init__(self, path, restart=False, what="checkpoint"):
        self.path = checks.writable_file(path, what, suffix=".npz")
        self.restart = restart

    def matching(self, identity):
        """The saved state and arrays if the file belongs to this run, None if there is none
        (or restart); CheckpointMismatch naming every difference if it is another run's."""
        if self.restart or not self.path.exists():
            return None
        state, arrays = self.read()
        if state["identity"] != identity:
            listed = "; ".join(differences(state["identity"], identity))
            raise CheckpointMismatch(
                f"checkpoint {self.path} is from a different run ({listed}): {_FIX}"
            )
        return state, arrays

    def save(self, model, state):
        """Write the weights, the optimizer's state and the run's state."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"v{i:05d}": a for i, a in enumerate(snapshot(model))}
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".checkpoint-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, state=np.array(json.dumps(state)), **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def read(self):
        """The run's state and the arrays; CheckpointDamaged if the file cannot serve."""
        path = self.path
        try:
            with np.load(path, allow_pickle=False) as f:
                state = json.loads(str(f["state"]))
                arrays = [f[k] for k in sorted(k for k in f.files if k.startswith("v"))]
            for key in ("identity", "epoch", "history"):
                state[key]  # noqa: B018  (a state without these cannot resume)
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as error:
            reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            raise CheckpointDamaged(
                f"checkpoint {path} cannot be read ({reason}); it is damaged or not a "
                f"checkpoint: {_FIX}"
            ) from None
        for i, array in enumerate(arrays):
            if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
                raise CheckpointDamaged(
                    f"checkpoint {path} holds NaN or infinite values (variable {i}); resuming "
                    f"would train a broken network: {_FIX}"
                )
        return state, arrays
