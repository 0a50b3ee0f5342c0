"""§4.2 measured: overfitting with and without dropout, the epochs to converge, and the
network as an ensemble of its dropout masks.

    ALEXLAB_PROFILE=cpu python benchmarks/dropout_cpu.py [--seeds 0 1 2] [--epochs 40]

The comparison tool (``al.compare``) trains ``alexnet_cifar_cpu`` without dropout and
with dropout 0.5 in fc6 and fc7, once per seed, on --train-images images of CIFAR-10's
training set, of which a class-balanced quarter is held out for validation (15,000
train, 5,000 validate by default). The setting is one where overfitting can show: no
augmentation (no patches, no mirror images), no label smoothing, and one fixed learning
rate (Nesterov momentum 0.9, weight decay 0.0005 as §5) for --epochs epochs, so that
"converged" means what it says rather than where a schedule ends. The rate (0.01) was
fixed before running; it is the same for both and chooses nothing between them. The test
set is never read.

After every epoch, with dropout off: accuracy on 5,000 of the training images and on the
validation images (``al.dropout.curves``). Per seed, then:
- overfitting: training minus validation accuracy at the end, and at the best epoch;
- convergence: the first epoch whose validation accuracy is within 1 point of the run's
  best, counted only if the run went on for at least 5 more epochs
  (``al.dropout.convergence_epoch``), and the ratio with dropout / without;
- the ensemble view, on each dropout network: weight scaling (Keras' test-time rule)
  against averaging the softmax of 1, 2, 4, ... 64 sampled masks (``al.dropout.ensemble``),
  paired on the same validation images.

Writes benchmarks/results/<--name>.json (default dropout_cpu); notebook 06 reads it.
"""

import argparse

MASKS = (1, 2, 4, 8, 16, 32, 64)


def summarise(saved):
    """Per configuration and seed: the gap, the convergence epoch; the ratio per seed.

    saved: the comparison's record (``alexlab.results.records.Comparison``).
    """
    from alexlab import dropout
    from alexlab.results import words

    spread, out = words.spread, {}
    for config in saved.configs:
        gaps_end, gaps_best, converged, best = [], [], [], []
        for history in config.history:
            train, val = history["train_accuracy"], history["val_accuracy"]
            top = max(range(len(val)), key=val.__getitem__)
            gaps_end.append(train[-1] - val[-1])
            gaps_best.append(train[top] - val[top])
            converged.append(dropout.convergence_epoch(val, 0.01))
            best.append(top + 1)
        out[config.name] = {
            "gap_at_end": spread(gaps_end),
            "gap_at_best_epoch": spread(gaps_best),
            "convergence_epoch": spread(converged),
            "best_epoch": spread(best),
        }
    names = [c.name for c in saved.configs]
    ratios = [
        None if a is None or b is None else b / a
        for a, b in zip(
            out[names[0]]["convergence_epoch"]["per_seed"],
            out[names[1]]["convergence_epoch"]["per_seed"],
            strict=True,
        )
    ]
    out["convergence_ratio"] = spread(ratios)
    out["best_epoch_ratio"] = spread(
        [
            b / a
            for a, b in zip(
                out[names[0]]["best_epoch"]["per_seed"],
                out[names[1]]["best_epoch"]["per_seed"],
                strict=True,
            )
        ]
    )
    return out


def main(argv=None):
    """Run the comparison, the ensemble measurement, and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--train-images", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=0.01)
    parser.add_argument("--name", default="dropout_cpu")
    args = parser.parse_args(argv)

    import json

    import numpy as np

    import alexlab as al

    al.setup(seed=0)
    data = al.data.load_cifar10().subset(train=args.train_images, test=1, seed=0)
    recipe = al.train.recipe("fast").replace(
        name="constant, no augmentation",
        schedule="constant",
        learning_rate=args.rate,
        warmup_fraction=0.0,
        label_smoothing=0.0,
        padding=0,
        flip=False,
        dropout=0.0,
    )
    configs = [
        al.compare.Config("no dropout", "alexnet_cifar_cpu", recipe, args.epochs),
        al.compare.Config(
            "dropout 0.5", "alexnet_cifar_cpu", recipe.replace(dropout=0.5), args.epochs
        ),
    ]
    result = al.compare.compare(
        configs,
        data,
        seeds=tuple(args.seeds),
        validation=0.25,
        name=args.name,
        keep_models=True,
        curves=al.dropout.curves,
    )
    saved = result.record()
    summary = summarise(saved)

    labels = np.asarray(result.data.y_test)
    scaled_correct, sampled_correct, curves, agreement = [], {k: [] for k in MASKS}, [], []
    for seed, model in zip(args.seeds, result.models["dropout 0.5"], strict=True):
        scaled, sampled = al.dropout.ensemble(model, result.data.x_test, max(MASKS), seed=seed)
        scaled_correct.append(scaled.argmax(axis=1) == labels)
        row = {}
        for k in MASKS:
            average = sampled[:k].mean(axis=0)
            sampled_correct[k].append(average.argmax(axis=1) == labels)
            row[k] = float(sampled_correct[k][-1].mean())
        curves.append(row)
        agreement.append(float(np.mean(sampled.mean(axis=0).argmax(1) == scaled.argmax(1))))
    ensemble = {
        "masks": list(MASKS),
        "weight_scaling_accuracy": [float(c.mean()) for c in scaled_correct],
        "mask_average_accuracy": curves,
        "agreement_64_masks_with_weight_scaling": agreement,
        "differences": {},
    }
    for k in MASKS:
        interval = al.compare.paired_bootstrap(sampled_correct[k], scaled_correct)
        averaged = f"{k} mask{'s' if k > 1 else ''} averaged"
        verdict = al.compare.verdict(averaged, "weight scaling", interval)
        ensemble["differences"][str(k)] = interval | {"verdict": verdict}
    saved.extra.update(summary=summary, ensemble=ensemble)
    path = al.results.write(args.name, saved, dataset=result.data, where=al.results.RECORDED)
    print(result.report())
    print(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in ensemble.items() if k != "differences"}, indent=1))
    print(f"-> {path}")


if __name__ == "__main__":
    main()
