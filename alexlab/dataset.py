"""A dataset as the loaders give it: uint8 images (N, H, W, 3), int64 labels, class names,
and where it came from; checked when made, and subsets that keep the classes balanced.
"""

from dataclasses import dataclass

import numpy as np

from alexlab import checks

__all__ = ["Dataset"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test images (uint8, N x H x W x 3), int64 labels, class names, provenance."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    source: str  # short and free of absolute paths: notebooks print it

    def __post_init__(self):
        # Refused here, not deep inside training: float images in [0, 1] would train on
        # pixels 255 times too dark, and a label out of range on another class's row.
        checks.dataset(self)

    def __repr__(self):
        names = list(self.class_names)
        shown = ", ".join(names if len(names) <= 10 else names[:5] + ["..."])
        return (
            f"Dataset(train={self.x_train.shape}, test={self.x_test.shape}, "
            f"{len(names)} classes: {shown}; source: {self.source})"
        )

    def subset(self, train=None, test=None, seed=0):
        """A random subset of `train` and `test` images, classes kept as balanced as possible."""
        rng = np.random.default_rng(seed)
        keep_train = _balanced_pick(self.y_train, train, rng, "train")
        keep_test = _balanced_pick(self.y_test, test, rng, "test")
        return Dataset(
            self.x_train[keep_train],
            self.y_train[keep_train],
            self.x_test[keep_test],
            self.y_test[keep_test],
            self.class_names,
            f"{self.source}; subset {len(keep_train)}/{len(keep_test)} (seed {seed})",
        )


def _balanced_pick(labels, n, rng, split):
    if n is None:
        return np.arange(len(labels))
    # 0 is refused, not read as "all": an empty split would train or test on nothing.
    n = checks.whole(f"{split} images", n, 1, len(labels), example=min(1000, len(labels)))
    order = rng.permutation(len(labels))
    # Rank each image within its class (in shuffled order), then take ranks 0, 1, 2...
    # across all classes: every class gets n // num_classes images, give or take one.
    rank = np.empty(len(labels), dtype=np.int64)
    for c in np.unique(labels):
        members = order[labels[order] == c]
        rank[members] = np.arange(len(members))
    chosen = order[np.argsort(rank[order], kind="stable")[:n]]
    return rng.permutation(chosen)
