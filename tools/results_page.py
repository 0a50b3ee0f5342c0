"""The results page, generated: benchmarks/RESULTS.md and README.md's generated blocks.

    python tools/results_page.py            # write them from benchmarks/results
    python tools/results_page.py --check    # exit 1 where a file differs from what it would be

Every figure comes from a results file through alexlab's records and renderers: each
chapter's own section (``results_page()`` of its module in alexlab.chapters), the series
as a whole (Binder, loading data), and a list of every results file with where and when it
was measured, so a file no section renders is still listed. README.md gets the headlines
and the Binder launch line. Generated files are never edited by hand.
"""

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "benchmarks" / "RESULTS.md"
README = ROOT / "README.md"
LAUNCH = "lab/tree/notebooks/00_index.ipynb"


def binder_block(remote):
    """README's Binder line: a launch link built from a GitHub `remote`, else how to launch
    this repository on mybinder.org by its address (never an invented one)."""
    found = re.fullmatch(
        r"(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
        r"([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?",
        (remote or "").strip(),
    )
    if found:
        owner, name = found.groups()
        url = f"https://mybinder.org/v2/gh/{owner}/{name}/main?urlpath={LAUNCH}"
        return (
            f"[![Launch on Binder](https://mybinder.org/badge_logo.svg)]({url}) opens "
            f"{owner}/{name}'s notebooks in JupyterLab on mybinder.org, nothing to install."
        )
    return (
        "To run the notebooks without installing anything, open [mybinder.org]"
        "(https://mybinder.org),\ngive this repository's GitHub address, `main` as the Git ref "
        f'and `{LAUNCH}`\nas the path to open (choose "URL" in the menu beside it). This copy '
        "has no GitHub remote\n(`git remote get-url origin`), so no launch link is given here."
    )


def remote():
    """This checkout's `origin`, or None."""
    try:
        out = subprocess.run(
            ["git", "remote", "get-url", "origin"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def headlines():
    """Four or five headline results, each from its file, in markdown bullets."""
    from alexlab import results
    from alexlab.chapters import dropout

    lines = []
    cpu = results.training_runs("cifar10_cpu_fast")
    if cpu:
        m = cpu.median
        lines.append(
            f"- On a 2-core CPU, the cpu profile trains `{cpu.model}` to "
            f"{m['test_accuracy']:.1%} CIFAR-10 test accuracy in {m['wall_seconds']:.0f} s from "
            f"starting Python (median of {len(cpu.seeds)} seeds; `cifar10_cpu_fast.json`)."
        )
    fast, upsampled = (results.training_runs(f"cifar10_gpu_{n}") for n in ("fast", "seed004"))
    if fast and upsampled:
        lines.append(
            f"- On one {fast.provenance.device.split(' (')[0]}, the 32x32 AlexNet reaches "
            f"{statistics.median(fast.top1s()):.1%} after "
            f"{statistics.median(fast.values('train_seconds')):.1f} s of training, and the "
            f"paper's network on images upsampled to 227 "
            f"{statistics.median(upsampled.top1s()):.1%} after "
            f"{statistics.median(upsampled.values('train_seconds')):.1f} s (medians of 3 seeds; "
            "`cifar10_gpu_fast.json`, `cifar10_gpu_seed004.json`)."
        )
    relu = results.load("relu_cpu")
    if relu:
        s = relu["summary"]
        bound = s["targets"]["0.25"]["speedup"]["tanh"]["at_least"]
        known = [b for b in bound if b is not None]
        if known:
            lines.append(
                f"- Figure 1 (§3.1): ReLU reached 25% training error in "
                f"{statistics.median(s['relu']['epochs_to_target']):.0f} epochs; tanh did not "
                f"within {s['cap_epochs']['tanh']}, so ReLU was at least {min(known):.1f}x "
                "faster, a lower bound: the paper's 6x is neither confirmed nor refuted "
                "(`relu_cpu.json`)."
            )
    saved = results.comparison("dropout_cpu")
    if saved:
        none, drop = (saved.extra["summary"][c.name]["gap_at_end"]["median"] for c in saved.configs)
        (pair,) = saved.differences
        paired = "not measurable at this size" if pair.low <= 0 <= pair.high else pair.verdict
        ratios = dropout.epochs_to_reach(saved, dropout.REACH)["ratio"]["per_seed"]
        later = all(r is not None and r > 1 for r in ratios)
        lines.append(
            f"- Dropout (§4.2): training minus validation accuracy at the end {100 * none:.1f} "
            f"points without dropout, {100 * drop:.1f} with; final validation accuracy: "
            f"{paired}; {dropout.REACH:.0%} validation accuracy reached later with dropout "
            f"{'on every seed' if later else 'not on every seed'} (`dropout_cpu.json`)."
        )
    binder = results.load("binder_cpu")
    if binder:
        worst = max(binder["notebooks"], key=lambda r: r["peak_mib"])
        lines.append(
            f"- On Binder's terms (2 GiB for everything, a learner's path through the series), "
            f"the highest kernel peak was {worst['peak_mib']:,.0f} MiB "
            f"({worst['notebook'][:2]}) and no kernel was killed (`binder_cpu.json`)."
        )
    return "\n".join(lines)


def series_section():
    """The series as a whole: Binder's memory and time per notebook, loading the data."""
    from alexlab import results, tables

    lines = ["## The series as a whole", ""]
    binder = results.load("binder_cpu")
    if binder:
        rows = [
            [
                r["notebook"],
                f"{r['peak_mib']:,.0f}",
                f"{r['seconds']:,.0f}",
                r["error"] or "-",
                r.get("kernels_shut_down", "-"),
            ]
            for r in binder["notebooks"]
        ]
        t = binder["targets"]
        lines += [
            f"Binder reproduced (`{binder['command']}`, `binder_cpu.json`): binder/'s "
            "environment, the notebooks in the cpu profile as a learner runs them in order, in "
            f"a {binder['container']['limit_mib']:,} MiB memory cgroup; targets "
            f"{t['peak_mib']:,} MiB and {t['seconds'] // 60} minutes per notebook; within them "
            f"all: {'yes' if binder['all_within_targets'] else 'no'}; kernels killed: "
            f"{binder['container']['oom_kills']}.",
            "",
            "```",
            tables.format_table(
                ["notebook", "peak MiB", "seconds", "error", "kernels shut down first"], rows
            ),
            "```",
            "",
        ]
    load = results.load("load_data_cpu")
    if load:
        for name, r in load["results"].items():
            lines.append(
                f"- Loading {name} (`{load['command']}`, `load_data_cpu.json`): "
                f"{r['first_seconds']:.1f} s the first time, {r['cached_seconds_median']:.2f} s "
                f"from the cache, {r['array_mib']:,.0f} MiB of arrays."
            )
    lrn = results.load("lrn_cpu")
    if lrn:
        timed = ", ".join(f"{k} {v['median_ms']:.0f} ms" for k, v in lrn["results"].items())
        lines.append(
            f"- Local response normalization, forward and backward "
            f"(`{lrn['command']}`, `lrn_cpu.json`): {timed}."
        )
    return "\n".join(lines)


def index_section():
    """Every results file: what, where and when, so none is left out of the page."""
    from alexlab import results

    rows = []
    for name in results.names():
        saved = results.load(name)
        where = saved.get("device") or saved.get("machine") or "-"
        rows.append(
            [f"{name}.json", saved.get("command") or "-", where, (saved.get("date") or "-")[:10]]
        )
    return (
        "\n".join(
            ["## Every results file", "", "| file | command | device | date |", "|---|---|---|---|"]
            + [
                "| " + " | ".join(f"`{c}`" if i < 2 else c for i, c in enumerate(r)) + " |"
                for r in rows
            ]
        )
        if rows
        else ""
    )


def page():
    """benchmarks/RESULTS.md's text."""
    from alexlab import chapters

    parts = [
        "# Results",
        "",
        "Generated from `benchmarks/results/*.json` by `python tools/results_page.py`; do not "
        "edit by hand. Each figure names its file, which holds the command, machine, "
        "versions and date. Intervals are paired 95% intervals over seeds on the same images "
        '(`alexlab.compare`); a difference whose interval covers 0 is "not measurable at this '
        'size".',
        "",
        "## Headlines",
        "",
        headlines(),
    ]
    for number, module in chapters.modules().items():
        section = getattr(module, "results_page", None)
        if section is not None:
            notebook = module.NOTEBOOK
            parts += [
                "",
                f"## Notebook {number}: [{notebook}](../notebooks/{notebook})",
                "",
                section(),
            ]
    parts += ["", series_section(), "", index_section()]
    return "\n".join(parts).rstrip() + "\n"


def readme(text, origin):
    """README.md's text with its generated blocks filled in."""
    blocks = {"results:headlines": headlines(), "binder": binder_block(origin)}
    for tag, body in blocks.items():
        pattern = re.compile(rf"(<!-- {tag} -->\n).*?(<!-- /{tag} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md lacks the <!-- {tag} --> ... <!-- /{tag} --> block")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


def main(argv=None):
    """Write (or with --check, compare) the generated files; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say which file differs")
    args = parser.parse_args(argv)
    wanted = {PAGE: page(), README: readme(README.read_text(), remote())}
    stale = [path for path, text in wanted.items() if path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} differs from what tools/results_page.py makes")
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
