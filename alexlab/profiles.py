"""Profiles: how much work a notebook or a command does on the machine at hand.

``ALEXLAB_PROFILE`` picks one of ``smoke`` (the test suite: synthetic or tiny
data, seconds), ``cpu`` (a laptop or Binder: real data, small inputs, a few
minutes) or ``gpu`` (full-width networks and longer schedules; the paper's 227x227
network where a notebook trains it). Unset, it is
``gpu`` when Keras' backend sees an accelerator, else ``cpu``.
"""

import os

__all__ = ["ENV_VAR", "PROFILES", "by_profile", "profile", "profile_source", "table"]

ENV_VAR = "ALEXLAB_PROFILE"

PROFILES = {
    "smoke": "the test suite: synthetic or tiny data, seconds per notebook",
    "cpu": "a laptop or Binder: real data, small inputs, a few minutes per notebook",
    "gpu": "an accelerator: full-width networks, longer schedules, the 227x227 network "
    "where a notebook trains it",
}


def profile():
    """Return the active profile name: ALEXLAB_PROFILE if set, else gpu or cpu by the hardware."""
    return _resolve()[0]


def profile_source():
    """Say in words why the active profile is the one it is."""
    return _resolve()[1]


def by_profile(smoke, cpu, gpu):
    """Pick the value for the active profile, e.g. ``EPOCHS = al.by_profile(1, 5, 30)``."""
    return {"smoke": smoke, "cpu": cpu, "gpu": gpu}[profile()]


def table():
    """The profiles as a text table, one line each."""
    from alexlab import tables

    return tables.format_table(["profile", "for"], list(PROFILES.items()))


def _resolve():
    raw = os.environ.get(ENV_VAR)
    if raw is not None and raw.strip():
        name = raw.strip().lower()
        if name not in PROFILES:
            raise ValueError(
                f"{ENV_VAR}={raw!r} is not a profile: use one of {', '.join(PROFILES)}, "
                f"or unset {ENV_VAR} to choose by the hardware"
            )
        return name, f"set by {ENV_VAR}={name}"
    from alexlab.runtime import accelerators

    found = accelerators()
    if found:
        return "gpu", f"automatic: accelerator {found[0]} is visible"
    return "cpu", "automatic: no accelerator is visible"
