"""Where a cpu training step's time goes: each layer's forward and backward pass, timed alone.

    python benchmarks/layers_cpu.py [--models alexnet_cifar_small alexnet_cifar_cpu] [--rounds 3]

TensorFlow's CPU backend. For each network, batch 128: every layer of the network
(conv, pool, flatten, fc, dropout, softmax) runs on random inputs of its own input
shape inside one compiled function that computes its output and the gradients a
training step needs (with respect to its weights, and to its input for all but the
first layer); the augmentation and standardisation block is timed the same way,
forward only. The whole training step (`al.train.throughput`: `fit` on random uint8
images, the same network, recipe and batch) is timed beside them, round after round,
so the table says which layers hold the time and how much is left to everything
else (the optimizer update, the loss, Keras' step overhead). Multiply-adds per layer
come from ``al.ledger``. Writes benchmarks/results/layers_cpu.json; medians over
rounds with min and max.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 128


def _layer_timer(tf, layer, shape, input_gradient):
    """A function that runs one forward + backward pass of `layer`; returns it compiled."""
    x = tf.random.uniform((BATCH, *shape[1:]))
    weights = layer.trainable_weights

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
            loss = tf.reduce_sum(tf.cast(y, tf.float32))
        targets = ([x] if input_gradient else []) + weights
        return tape.gradient(loss, targets) if targets else loss

    return step


def _median_ms(function, repeats):
    function()  # compile and warm caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = function()
        _ = [o.numpy() for o in (out if isinstance(out, list) else [out])]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(al, name, repeats):
    """One round for one network: {layer: ms}, the whole step's ms, multiply-adds per layer."""
    import tensorflow as tf

    keras = al.runtime.import_keras()
    fast = al.train.recipe("fast", batch_size=BATCH)
    net = al.train.MODELS[name].make(10)
    ledger = {row.name: row.macs for row in al.ledger(net).rows}
    ms, first = {}, True
    for layer in net.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        shape = layer.input.shape
        ms[layer.name] = _median_ms(_layer_timer(tf, layer, shape, not first), repeats)
        first = False
    augment = al.augment.augmentation((32, 32), padding=fast.padding, flip=fast.flip, seed=0)
    images = tf.constant(al.data.synthetic(train_per_class=13).x_train[:BATCH])

    @tf.function
    def inputs():
        return augment(images, training=True)

    ms["augmentation"] = _median_ms(inputs, repeats)
    step = al.train.throughput(name, batch_size=BATCH, precision="float32", steps=20, repeats=2)
    keras.backend.clear_session()
    return ms, BATCH / step["images_per_second"] * 1000, ledger


def main(argv=None):
    """Time every layer and the whole step of each network, round after round; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["alexnet_cifar_small", "alexnet_cifar_cpu"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=20, help="timed passes per layer")
    args = parser.parse_args(argv)
    import alexlab as al

    al.setup(seed=0, check_memory=False)
    rounds = {name: [] for name in args.models}
    macs = {}  # network -> layer -> multiply-adds per image
    for round_ in range(args.rounds):
        for name in args.models:
            layers, step, macs[name] = measure(al, name, args.repeats)
            rounds[name].append({"layers": layers, "step_ms": step})
            summed = sum(layers.values())
            print(f"round {round_ + 1}: {name} step {step:.0f} ms, layers {summed:.0f} ms")
    networks = {}
    for name, runs in rounds.items():
        names = list(runs[0]["layers"])
        layer_ms = {n: statistics.median(r["layers"][n] for r in runs) for n in names}
        step = [r["step_ms"] for r in runs]
        networks[name] = {
            "step_ms": {"median": statistics.median(step), "min": min(step), "max": max(step)},
            "layers_ms": layer_ms,
            "layers_min_max": {
                n: [min(r["layers"][n] for r in runs), max(r["layers"][n] for r in runs)]
                for n in names
            },
            "macs": {n: macs[name].get(n, 0) for n in names},
            "rounds": runs,
        }
        total = statistics.median(step)
        print(f"\n{name}: whole step {total:.0f} ms (median of {len(step)})")
        for n in sorted(names, key=layer_ms.get, reverse=True):
            print(
                f"  {n:14s} {layer_ms[n]:7.1f} ms  {layer_ms[n] / total:6.1%}  "
                f"{macs[name].get(n, 0) / 1e6:7.1f} M multiply-adds / image"
            )
    result = {"benchmark": "layers_cpu", "batch_size": BATCH, "networks": networks}
    out = al.results.write("layers_cpu", result, where=al.results.RECORDED)
    print(f"-> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
