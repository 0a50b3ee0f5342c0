"""Figures for the notebooks: labelled axes, and titles that say what to see."""

__all__ = ["paper_results"]

OURS, OTHERS = "#c0392b", "#34495e"


def paper_results():
    """Bar charts of the paper's Tables 1 and 2: AlexNet's error against the best before it."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from alexlab.paper import RESULTS_2010, RESULTS_2012

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    before = min(RESULTS_2010[:-1], key=lambda r: r.top5)
    cnn = RESULTS_2010[-1]
    width = 0.38
    for i, result in enumerate(RESULTS_2010):
        color = OURS if result is cnn else OTHERS
        for offset, value, alpha in (
            (-width / 2, result.top1, 0.45),  # top-1, light
            (width / 2, result.top5, 1.0),  # top-5, dark
        ):
            bars = left.bar(i + offset, 100 * value, width, color=color, alpha=alpha)
            left.bar_label(bars, fmt="%.1f%%", fontsize=9)
    left.set_xticks(range(len(RESULTS_2010)), [_label(r.method) for r in RESULTS_2010])
    left.set_title(
        f"ILSVRC-2010 test set (Table 1): top-5 error "
        f"{100 * before.top5:.1f}% -> {100 * cnn.top5:.1f}%",
        fontsize=10,
    )
    # one neutral key for both colours: the light bar is top-1, the dark one top-5
    keys = [Patch(color="grey", alpha=0.45), Patch(color="grey")]
    left.legend(keys, ["top-1 (light)", "top-5 (dark)"], fontsize=9)

    runner_up, winner = RESULTS_2012
    for i, result in enumerate(RESULTS_2012):
        bars = right.bar(i, 100 * result.top5, 0.55, color=OURS if result is winner else OTHERS)
        right.bar_label(bars, fmt="%.1f%%", fontsize=9)
    right.set_xticks(range(len(RESULTS_2012)), [_label(r.method) for r in RESULTS_2012])
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
