"""Chapter 00, start here (notebooks/00_index.ipynb): the paper's results, and the exercises.

The notebook shows Tables 1 and 2 of the paper (``alexlab.paper``), the audit of its
claims (``alexlab.audit``) and the series; this module holds its figure, the series' map
(the README's, kept in one place) and its exercises.
"""

from pathlib import Path

from alexlab import exercises, paper, plots

README = Path(__file__).resolve().parents[2] / "README.md"

__all__ = ["EXERCISES", "NOTEBOOK", "paper_results", "series", "series_map"]

NOTEBOOK = "00_index.ipynb"


def paper_results():
    """Bar charts of the paper's Tables 1 and 2: AlexNet's error against the best before it."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    before = min(paper.RESULTS_2010[:-1], key=lambda r: r.top5)
    cnn = paper.RESULTS_2010[-1]
    width = 0.38
    for i, result in enumerate(paper.RESULTS_2010):
        color = plots.OURS if result is cnn else plots.OTHERS
        for offset, value, alpha in (
            (-width / 2, result.top1, 0.45),  # top-1, light
            (width / 2, result.top5, 1.0),  # top-5, dark
        ):
            bars = left.bar(i + offset, 100 * value, width, color=color, alpha=alpha)
            left.bar_label(bars, fmt="%.1f%%", fontsize=9)
    left.set_xticks(range(len(paper.RESULTS_2010)), [_label(r.method) for r in paper.RESULTS_2010])
    left.set_title(
        f"ILSVRC-2010 test set (Table 1): top-5 error "
        f"{100 * before.top5:.1f}% -> {100 * cnn.top5:.1f}%",
        fontsize=10,
    )
    # one neutral key for both colours: the light bar is top-1, the dark one top-5
    keys = [Patch(color="grey", alpha=0.45), Patch(color="grey")]
    left.legend(keys, ["top-1 (light)", "top-5 (dark)"], fontsize=9)

    runner_up, winner = paper.RESULTS_2012
    for i, result in enumerate(paper.RESULTS_2012):
        colour = plots.OURS if result is winner else plots.OTHERS
        bars = right.bar(i, 100 * result.top5, 0.55, color=colour)
        right.bar_label(bars, fmt="%.1f%%", fontsize=9)
    right.set_xticks(range(len(paper.RESULTS_2012)), [_label(r.method) for r in paper.RESULTS_2012])
    right.set_title(
        f"ILSVRC-2012 contest: top-5 error {100 * winner.top5:.1f}% vs {100 * runner_up.top5:.1f}%",
        fontsize=10,
    )

    for ax in (left, right):
        ax.set_ylabel("test error (%)")
        ax.set_ylim(0, 55)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle("AlexNet against the best other methods (lower is better)")
    fig.tight_layout()
    return fig


def _label(method):
    # "SIFT + Fisher Vectors (second-best entry)" -> two short lines under the bar
    name, _, note = method.partition(" (")
    name = name.replace("7 CNNs, two pre-trained on ImageNet Fall 2011", "7 CNNs")
    return f"{name}\n({note}" if note else name


def _top5_points(answer):
    value = exercises.number(answer, "a number of percentage points")
    if abs(value - (26.2 - 15.3)) < 0.05:
        return True, "the runner-up's top-5 error minus the paper's best"
    if abs(value - (26.2 - 18.2)) < 0.05:
        return False, "that uses the single network's 18.2%: the entry that won used seven"
    if 0 < value < 1:
        return False, "give percentage points (e.g. 5.0), not a fraction"
    return False, f"{value:g} points is not the gap between 26.2% and the winning entry"


def _fewer_errors(answer):
    value = exercises.number(answer, "a percentage")
    right = 100 * (1 - 0.170 / 0.257)
    if abs(value - right) < 0.6:
        return True, "one minus the ratio of the two error rates"
    if abs(value - 100 * (0.257 - 0.170)) < 0.6:
        return False, "that is the difference in points; the question asks for the share"
    if 0 < value < 1:
        return False, "give a percentage (e.g. 25), not a fraction"
    return False, f"{value:g}% is not the share of errors the CNN removed"


EXERCISES = {
    "top5_gap": exercises.Exercise(
        "By how many percentage points of top-5 error did AlexNet's winning ILSVRC-2012 "
        "entry beat the second-best entry (26.2%)?",
        _top5_points,
    ),
    "fewer_errors": exercises.Exercise(
        "On ILSVRC-2010, what share of the best earlier method's top-5 errors (25.7%) did "
        "the CNN (17.0%) remove, in percent?",
        _fewer_errors,
    ),
}


def series_map(readme=README):
    """The series' map as the README has it (between <!-- series --> markers), with links
    relative to notebooks/; a line saying where it is where this copy has no README."""
    try:
        text = Path(readme).read_text()
        table = text.split("<!-- series -->\n", 1)[1].split("<!-- /series -->", 1)[0]
    except (OSError, IndexError):
        return "The map of the series is in the repository's README.md."
    return table.replace("](notebooks/", "](").strip()


def series():
    """The series' map, rendered as a table in the notebook."""
    from IPython.display import Markdown

    return Markdown(series_map())
