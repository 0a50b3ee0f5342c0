"""Training throughput of the paper's network on one GPU: the floor first, then what limits it.

    KERAS_BACKEND=jax python benchmarks/throughput.py [--batch-size 256] [--quick]

1. Ceilings, measured here: a bfloat16 8192^3 matrix product (FLOP/s) and a
   device-to-device copy (bytes read + written per second).
2. The floor: FLOP per training image (6 x the multiply-adds of the ledger: 2 for
   the forward pass, 4 for the two products of the backward pass) over the matrix
   rate. No implementation trains faster than that.
3. alexlab's rate as a user gets it (`alexlab.train.throughput`: `fit` on uint8
   images, augmentation and upsampling to 227 in the graph), at 1 and 8 steps per
   execution.
4. The same training step jitted by hand with the images already on the device
   (no `fit` loop, no host-to-device copies): the gap to 3 is the loop and the
   input pipeline; then the step without grouped convolutions and without LRN,
   to price each.

Writes benchmarks/results/throughput_gpu.json (and to $OUT when set). JAX only:
the step in 4 and the ceilings are written with jax, the backend this project
uses on GPUs without TensorFlow.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ceilings(quick=False):
    """Measured bf16 matrix rate (FLOP/s) and device copy bandwidth (bytes/s)."""
    import jax
    import jax.numpy as jnp

    n = 2048 if quick else 8192
    key = jax.random.key(0)
    a = jax.random.normal(key, (n, n), jnp.bfloat16)  # random data: zeros run faster
    b = jax.random.normal(jax.random.key(1), (n, n), jnp.bfloat16)
    matmul = jax.jit(lambda a, b: a @ b)
    matmul(a, b).block_until_ready()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(10):
            c = matmul(a, b)
        c.block_until_ready()
        times.append((time.perf_counter() - t0) / 10)
    rate = 2 * n**3 / statistics.median(times)

    words = (1 << 26) if quick else (1 << 28)  # 1 GiB of float32
    x = jax.random.normal(key, (words,), jnp.float32)
    copy = jax.jit(lambda x: x * 1.0001)  # a real read and write, not an alias
    copy(x).block_until_ready()
    ctimes = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(10):
            y = copy(x)
        y.block_until_ready()
        ctimes.append((time.perf_counter() - t0) / 10)
    bandwidth = 2 * 4 * words / statistics.median(ctimes)
    return {
        "matmul_bf16_flops": rate,
        "matmul_size": n,
        "copy_bytes_per_second": bandwidth,
        "copy_bytes": 4 * words,
    }


def resident_step_rate(network, batch_size, steps, repeats, network_options=None, classes=1000):
    """Images/s of the jitted training step on device-resident uint8 batches (no fit loop)."""
    import jax
    import numpy as np

    from alexlab import recipes as al_recipes
    from alexlab import train
    from alexlab.data import Dataset

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (steps, batch_size, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, classes, (steps, batch_size))
    names = tuple(str(i) for i in range(classes))
    data = Dataset(x[0], y[0], x[0][:1], y[0][:1], names, "random")
    recipe = train.recipe("fast", batch_size=batch_size, precision="mixed_bfloat16")
    model = train.build(network, data, recipe, network_options=network_options)
    optimizer = al_recipes.optimizer(recipe, steps, 1)
    optimizer.build(model.trainable_variables)
    loss_fn = train.SmoothedCrossentropy(classes, recipe.label_smoothing)

    def loss_and_state(trainable, non_trainable, xb, yb):
        pred, non_trainable = model.stateless_call(trainable, non_trainable, xb, training=True)
        return loss_fn(yb, pred), non_trainable

    grad = jax.value_and_grad(loss_and_state, has_aux=True)

    def step(state, xb, yb):
        trainable, non_trainable, opt = state
        (loss, non_trainable), grads = grad(trainable, non_trainable, xb, yb)
        trainable, opt = optimizer.stateless_apply(opt, grads, trainable)
        return (trainable, non_trainable, opt), loss

    step = jax.jit(step, donate_argnums=0)
    state = (
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        [v.value for v in optimizer.variables],
    )
    xs, ys = jax.device_put(x), jax.device_put(y)
    t0 = time.perf_counter()
    state, loss = step(state, xs[0], ys[0])
    loss.block_until_ready()
    compile_seconds = time.perf_counter() - t0
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(steps):
            state, loss = step(state, xs[i], ys[i])
        loss.block_until_ready()
        rates.append(steps * batch_size / (time.perf_counter() - t0))
    if not np.isfinite(float(loss)):
        raise RuntimeError(f"{network} {network_options}: the loss went non-finite")
    return {
        "images_per_second": statistics.median(rates),
        "images_per_second_each": rates,
        "compile_seconds": compile_seconds,
        "parameters": int(model.count_params()),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the script")
    parser.add_argument("--json", help="default: benchmarks/results/throughput_gpu.json")
    args = parser.parse_args(argv)

    import alexlab as al
    from alexlab import train

    if al.runtime.backend() != "jax":
        print("this benchmark needs KERAS_BACKEND=jax", file=sys.stderr)
        return 2
    batch = args.batch_size
    steps, repeats = (4, 2) if args.quick else (48, 5)
    network = "alexnet_cifar_tiny" if args.quick else "alexnet"
    result = {
        "benchmark": "throughput_gpu",
        "network": network,
        "batch_size": batch,
        "precision": "mixed_bfloat16",
    }

    def save():
        if args.json:
            path = al.results.write_to(args.json, result)
        else:
            path = al.results.write("throughput_gpu", result, where=al.results.RECORDED)
        if os.environ.get("OUT"):
            Path(os.environ["OUT"], path.name).write_text(path.read_text())

    print("ceilings ...", flush=True)
    result["ceilings"] = ceilings(args.quick)
    ledger = al.ledger(
        al.models.alexnet(1000) if not args.quick else train.MODELS[network].make(10)
    )
    flop = 6 * ledger.total_macs
    result["floor"] = {
        "multiply_adds_per_image": ledger.total_macs,
        "flop_per_image_training": flop,
        "images_per_second": result["ceilings"]["matmul_bf16_flops"] / flop,
        "rule": "6 x multiply-adds per image (forward 2, backward 4) over the measured "
        "bf16 matrix rate",
    }
    c, f = result["ceilings"], result["floor"]
    print(
        f"matrix rate {c['matmul_bf16_flops'] / 1e12:.0f} TFLOP/s, copy "
        f"{c['copy_bytes_per_second'] / 1e12:.2f} TB/s; {flop / 1e9:.2f} GFLOP per training "
        f"image -> floor {f['images_per_second']:,.0f} images/s",
        flush=True,
    )
    save()

    result["fit"] = {}
    for spe in (1, 8):
        print(f"fit, {spe} steps per execution ...", flush=True)
        r = train.throughput(
            network,
            batch_size=batch,
            precision="mixed_bfloat16",
            steps=steps * 2,  # long epochs: fit's per-call set-up is amortised as in training
            repeats=repeats,
            steps_per_execution=spe,
            num_classes=1000,
        )
        result["fit"][f"spe{spe}"] = r
        print(f"  {r['images_per_second']:,.0f} images/s", flush=True)
        save()

    variants = {
        "paper (2 groups, LRN)": {},
        "one tower (groups=1)": {"groups": 1},
        "no LRN": {"lrn": False},
        "one tower, no LRN": {"groups": 1, "lrn": False},
    }
    if args.quick:
        variants = {"paper (2 groups, LRN)": {}, "no LRN": {"lrn": False}}
    result["resident_step"] = {}
    for label, options in variants.items():
        print(f"resident-data step, {label} ...", flush=True)
        r = resident_step_rate(network, batch, steps, repeats, options)
        r["network_options"] = options
        result["resident_step"][label] = r
        print(f"  {r['images_per_second']:,.0f} images/s", flush=True)
        save()

    base = result["resident_step"]["paper (2 groups, LRN)"]["images_per_second"]
    best_fit = max(r["images_per_second"] for r in result["fit"].values())
    rows = [["floor (matrix rate)", f"{f['images_per_second']:,.0f}", "1.00"]]
    for name, r in result["fit"].items():
        rows.append([f"alexlab fit, {name}", f"{r['images_per_second']:,.0f}", ""])
    for name, r in result["resident_step"].items():
        rows.append([f"resident step, {name}", f"{r['images_per_second']:,.0f}", ""])
    for row in rows[1:]:
        row[2] = f"{float(row[1].replace(',', '')) / f['images_per_second']:.2f}"
    result["summary"] = {
        "alexlab_images_per_second": best_fit,
        "fraction_of_floor": best_fit / f["images_per_second"],
        "fit_over_resident_step": best_fit / base,
        "cost_of_groups": result["resident_step"]
        .get("one tower (groups=1)", {})
        .get("images_per_second", float("nan"))
        / base,
        "cost_of_lrn": result["resident_step"]["no LRN"]["images_per_second"] / base,
    }
    save()
    from alexlab.tables import format_table

    print(format_table(["what", "images/s", "share of floor"], rows))
    print(json.dumps(result["summary"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
