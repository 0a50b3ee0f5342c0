"""How batches reach the network on TensorFlow's CPU: Keras' own tf.data wrapping (with
prefetch(AUTOTUNE)) against alexlab's, alternated round by round in one process. Training:
a PyDataset given to model.fit against alexlab.inputs.feed (autotuning off). Prediction:
model.predict against alexlab.evaluate.predict (one compiled batch at a time).

    python benchmarks/feed_cpu.py [--rounds 8]

Trains the cpu profile's network on random uint8 images, one epoch of 40 batches of 128
per feed per round, and predicts 10,000 images in batches of 500 each way per round, and
writes benchmarks/results/feed_cpu.json: images per second of each epoch and prediction,
medians with min and max, the rounds that ran at under 60% of the better way's median
(the stalls), and the ratio of total seconds (what a learner waits).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def summarise(rates, images):
    """Per feed: median, min, max images/s, stalled epochs, total seconds; and the ratios."""
    best = max(statistics.median(v) for v in rates.values())
    summary = {
        k: {
            "median": statistics.median(v),
            "min": min(v),
            "max": max(v),
            "stalled_epochs": sum(r < 0.6 * best for r in v),
            "epochs": len(v),
            "seconds": sum(images / r for r in v),
        }
        for k, v in rates.items()
    }
    old, new = (summary[k] for k in rates)  # Keras' way first, alexlab's second
    summary["ratio_of_medians"] = new["median"] / old["median"]
    summary["seconds_ratio"] = old["seconds"] / new["seconds"]
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args(argv)
    import alexlab as al
    from alexlab.evaluate import predict
    from alexlab.inputs import Batches, feed

    al.setup(seed=0, check_memory=False)
    batch, steps = 128, 40
    n = batch * steps
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    y = rng.integers(0, 10, n)
    data = al.data.Dataset(x, y, x[:1], y[:1], tuple(map(str, range(10))), "random")
    recipe = al.train.recipe("fast", batch_size=batch, learning_rate=1e-4)
    model = al.train.build(al.train.default_model(), data, recipe)
    al.train.fit(model, data, epochs=1, verbose=0)  # compiled and warm
    feeds = {
        "keras_pydataset": lambda order: Batches(x, y, order, batch),
        "alexlab_feed": lambda order: feed(x, y, order, batch),
    }
    rates = {name: [] for name in feeds}
    for i in range(args.rounds):
        for name, make in feeds.items():
            order = np.random.default_rng(i).permutation(n)
            start = time.perf_counter()
            model.fit(make(order), epochs=1, shuffle=False, verbose=0)
            rates[name].append(n / (time.perf_counter() - start))
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.0f}/s" for k, v in rates.items()))
    summary = summarise(rates, n)
    images = rng.integers(0, 256, (10_000, 32, 32, 3), dtype=np.uint8)
    predictors = {
        "keras_predict": lambda: model.predict(images, batch_size=500, verbose=0),
        "alexlab_predict": lambda: predict(model, images, 500),
    }
    for make in predictors.values():
        make()  # compiled
    predicting = {name: [] for name in predictors}
    for i in range(args.rounds):
        for name, make in predictors.items():
            start = time.perf_counter()
            make()
            predicting[name].append(len(images) / (time.perf_counter() - start))
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.0f}/s" for k, v in predicting.items()))
    result = {
        "benchmark": "feed_cpu",
        "model": al.train.default_model(),
        "batch_size": batch,
        "images_per_epoch": n,
        "images_per_second": rates,
        "summary": summary,
        "predict_images": len(images),
        "predict_images_per_second": predicting,
        "predict_summary": summarise(predicting, len(images)),
    }
    out = al.results.write("feed_cpu", result, where=al.results.RECORDED)
    print(f"Keras PyDataset / alexlab feed, total seconds: {summary['seconds_ratio']:.2f}")
    print(f"model.predict / alexlab predict: {result['predict_summary']['seconds_ratio']:.2f}")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
