"""Local response normalization: three formulations, forward + backward, timed side by side.

    python benchmarks/lrn.py [--batch 128 --size 32 --channels 64 --repeats 7]

"slices" sums five shifted channel slices (the first alexlab version), "band"
is alexlab.layers.LocalResponseNormalization (one matmul with a band matrix,
then exp(-beta * log d)), "tf.nn" is TensorFlow's fused op when TensorFlow is
installed. Prints medians and writes benchmarks/results/lrn_<device>.json.
"""

import argparse
import platform
import time
from pathlib import Path

import numpy as np

import alexlab as al

keras = al.runtime.import_keras()
ops = keras.ops


def slices(x, size=5, k=2.0, alpha=1e-4, beta=0.75):
    """The paper's sum over neighbouring channels as shifted slices of a padded tensor."""
    r = size // 2
    padded = ops.pad(ops.square(x), [[0, 0]] * 3 + [[r, r]])
    window = sum(padded[..., j : j + x.shape[-1]] for j in range(size))
    return x / ops.power(k + alpha * window, beta)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    if al.runtime.backend() != "tensorflow":
        raise SystemExit(
            "this benchmark times with tf.GradientTape: run it with KERAS_BACKEND=tensorflow"
        )
    import tensorflow as tf

    shape = (args.batch, args.size, args.size, args.channels)
    x = tf.constant(np.random.default_rng(0).uniform(0, 50, shape).astype("float32"))
    layer = al.layers.LocalResponseNormalization()
    candidates = {
        "slices": slices,
        "band": layer,
        "tf.nn": lambda v: tf.nn.local_response_normalization(v, 2, 2.0, 1e-4, 0.75),
    }
    reference = candidates["tf.nn"](x).numpy()
    results = {}
    for name, fn in candidates.items():

        @tf.function
        def step(v, fn=fn):
            with tf.GradientTape() as tape:
                tape.watch(v)
                loss = tf.reduce_sum(tf.square(fn(v)))
            return tape.gradient(loss, v)

        step(x).numpy()  # trace and warm up
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            step(x).numpy()
            times.append(time.perf_counter() - start)
        error = float(np.abs(fn(x).numpy() - reference).max())
        results[name] = {"median_ms": 1000 * float(np.median(times)), "max_abs_error": error}
        print(
            f"{name:7} forward+backward median {results[name]['median_ms']:7.1f} ms "
            f"over {args.repeats} runs; max |difference| from tf.nn {error:.1e}"
        )
    out = {
        "benchmark": "lrn forward+backward",
        "input_shape": list(shape),
        "machine": platform.platform(),
        "results": results,
    }
    device = "gpu" if al.runtime.accelerators() else "cpu"
    command = "python benchmarks/lrn.py " + " ".join(f"--{k} {v}" for k, v in vars(args).items())
    path = al.results.write(f"lrn_{device}", out, command=command, where=al.results.RECORDED)
    print(f"wrote {path.relative_to(Path(__file__).parent.parent)}")


if __name__ == "__main__":
    main()
