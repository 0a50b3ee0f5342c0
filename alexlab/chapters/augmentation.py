"""Chapter 07, data augmentation (notebooks/07_augmentation.ipynb): §4.1's crops, mirrors,
PCA lighting and ten test patches.

The layers and statistics are the engine's (``alexlab.augment``; the test-time views are
``alexlab.evaluate``'s); the notebook trains its comparison live. This module holds its
exercises, the claims it settles (factor_2048 by arithmetic; ten_crop from the verdict
the notebook records) and that record.
"""

from alexlab import exercises, results

__all__ = ["CLAIMS", "EXERCISES", "NOTEBOOK", "record_ten_crop"]

NOTEBOOK = "07_augmentation.ipynb"


def record_ten_crop(verdict, seeds, epochs):
    """Save the notebook's ten-patch verdict as result claim_ten_crop (into
    ``results.folder()``: benchmarks/results only while ALEXLAB_RECORD=1); its path."""
    body = {
        "claim": "ten_crop",
        "verdict": verdict,
        "seeds": list(seeds),
        "epochs": epochs,
        "notebook": NOTEBOOK[:2],
    }
    return results.write("claim_ten_crop", body)


def _ten_crop():
    saved = results.load("claim_ten_crop")
    return None if saved is None else saved["verdict"]


def _factor_2048():
    counted = (256 - 224) ** 2 * 2
    positions = 256 - 224 + 1
    return (
        f"(256 - 224)^2 x 2 = {counted:,}: a 224-wide window has {positions} positions in 256, "
        f"so {positions**2 * 2:,} patches with mirrors"
    )


def _crops_227(answer):
    n = exercises.whole(answer)
    positions = 256 - 227 + 1
    if n == positions**2 * 2:
        return True, "positions across x positions down x 2 for the mirror"
    if n == positions**2:
        return False, "the mirror images are missing"
    if n == (256 - 227) ** 2 * 2:
        return False, "off by one: a 227-wide window has 256 - 227 + 1 positions"
    return False, f"{n:,} is not the count of 227x227 patches and their mirrors"


def _crops_28(answer):
    n = exercises.whole(answer)
    positions = 32 - 28 + 1
    if n == positions**2 * 2:
        return True, "positions across x positions down x 2 for the mirror"
    if n == (32 - 28) ** 2 * 2:
        return False, "that is the paper's way of counting: one position short per side"
    if n == positions**2:
        return False, "the mirror images are missing"
    return False, f"{n:,} is not the count of 28x28 patches of a 32x32 image and their mirrors"


EXERCISES = {
    "crops_227": exercises.Exercise(
        "How many different 227x227 training patches, mirrors included, does a 256x256 image give?",
        _crops_227,
    ),
    "crops_28": exercises.Exercise(
        "How many different 28x28 patches, mirrors included, does a 32x32 image give?",
        _crops_28,
    ),
}

CLAIMS = {"factor_2048": _factor_2048, "ten_crop": _ten_crop}


def results_page():
    """Notebook 07's measurements for benchmarks/RESULTS.md, in markdown."""
    lines = []
    saved = results.comparison("augmentation_cpu")
    if saved is not None:
        lines += [
            "§4.1, the notebook's own comparison in the cpu profile (`augmentation_cpu.json`):",
            "",
            "```",
            saved.summary(),
            "```",
            "",
        ]
    verdict = _ten_crop()
    if verdict is not None:
        lines.append(f"- Ten patches at test time (`claim_ten_crop.json`): {verdict}.")
    return "\n".join(lines) or "Not measured yet: execute notebooks/07_augmentation.ipynb."
