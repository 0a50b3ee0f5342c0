"""Test-session settings shared by the unit tests and the notebook kernels nbval starts."""

import os

# The whole suite runs in the smoke profile; nbval's kernels inherit this
# environment, so every notebook re-executes on synthetic or tiny data.
os.environ["ALEXLAB_PROFILE"] = "smoke"
# TensorFlow's C++ start-up logging would otherwise land in cell outputs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
