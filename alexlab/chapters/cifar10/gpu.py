"""Notebook 08's GPU figures (benchmarks/gpu.py: throughput_gpu.json, cifar10_gpu_*.json)
against the goals they were measured for.
"""

import numpy as np

from alexlab import results, tables

__all__ = ["figures"]

_GPU_GOALS = {
    "cifar10_gpu_fast": ("32x32 network, time to >= 74%", "none", ">= 74% in <= 5 s"),
    "cifar10_gpu_peak": ("32x32 network, peak (ten patches)", "ten_crop", ">= 90% in <= 180 s"),
    "cifar10_gpu_seed004": (
        "paper network on images upsampled to 227",
        "none",
        ">= 74.4% in <= 30 s",
    ),
}


def _top1_spread(r, method="none"):
    values = sorted(r.top1s(method))
    return f"{np.median(values):.2%} ({values[0]:.2%}-{values[-1]:.2%})"


def _seconds(r):
    values = sorted(r.values("train_seconds"))
    return f"{np.median(values):.1f} s ({values[0]:.1f}-{values[-1]:.1f})"


def figures():
    """The GPU figures (throughput_gpu.json, cifar10_gpu_*.json) against their goals, and
    what limits the paper network's training step, as text."""
    rows, last = [], None
    tp = results.load("throughput_gpu")
    if tp:
        s = tp["summary"]
        rows.append(
            [
                "paper network, 227, batch 256, bf16: training images/s",
                f"{s['alexlab_images_per_second']:,.0f} ({s['fraction_of_floor']:.0%} of the "
                f"floor {tp['floor']['images_per_second']:,.0f})",
                "",
                ">= 40,000",
            ]
        )
    for name, (what, method, goal) in _GPU_GOALS.items():
        r = results.training_runs(name)
        if r:
            last = r
            rows.append([f"{what}, {r.epochs} epochs", _top1_spread(r, method), _seconds(r), goal])
    if not rows:
        return "no GPU figures measured yet: see benchmarks/commands.md"
    header = ["what", "measured (median, min-max)", "training", "goal"]
    lines = [tables.format_table(header, rows)]
    device = tp["device"] if tp else last.provenance.device
    backend = tp["backend"] if tp else last.provenance.backend
    lines.append(f"device: {device}; backend: {backend}; data: the JPEG copy of CIFAR-10")
    if tp:
        step = tp["resident_step"]
        base = step["paper (2 groups, LRN)"]["images_per_second"]
        lines.append(
            "what limits the paper network (the training step alone, data already on the GPU):"
        )
        for label, r in step.items():
            rate = r["images_per_second"]
            lines.append(f"  {label:24s} {rate:9,.0f} images/s  x{rate / base:.2f}")
        lines.append(f"  fit's loop and input pipeline cost {1 - s['fit_over_resident_step']:.0%}")
        both = step["one tower, no LRN"]["images_per_second"]
        lines.append(
            f"without grouping and LRN the step closes {(both - base) / (40_000 - base):.0%}"
            " of the gap between the paper network's rate and 40,000 images/s"
        )
    return "\n".join(lines)
