"""What ``python -m alexlab train`` and ``bench`` do, once the command line (alexlab.cli) has
checked every option: load, build, fit, evaluate, and the result written through
alexlab.results as one JSON object.
"""

import sys
import time
from pathlib import Path

from alexlab import checks

__all__ = ["bench", "check_model", "load", "train"]

START = time.perf_counter()  # wall-clock results count from here, imports included


def train(args, plan):
    """Check every option, then load, build, fit, evaluate; print a summary, optionally JSON."""
    from alexlab import classifier, data, evaluate, fit, results, session

    recipe, model_name, epochs, store, methods = plan
    info = session.describe()
    t0 = time.perf_counter()
    try:
        images = load(args.dataset, args.source)
    except data.DatasetUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.train_images is not None or args.test_images is not None:
        images = images.subset(args.train_images, args.test_images, seed=args.seed)
    load_seconds = time.perf_counter() - t0
    print(images)
    model = classifier.build(model_name, images, recipe, seed=args.seed)
    print(
        f"model {model_name} ({model.count_params():,} parameters), recipe {recipe.name}, "
        f"{epochs} epochs, batch {recipe.batch_size}, {info['device']}, backend "
        f"{info['backend']}"
    )
    try:
        run = fit.fit(model, images, epochs, checkpoint=store, verbose=2 if args.quiet else 1)
    except fit.TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    evaluation = evaluate.evaluate(model, images, methods=methods)
    print(evaluation.table() if methods else "test set not looked at (--no-test)")
    # From process start (imports included) to the plain test accuracy in hand.
    plain_at = time.perf_counter() - START - sum(evaluation.seconds.values())
    plain_at += evaluation.seconds.get("none", 0.0)
    validation = run.history.get("val_accuracy") or []
    plain = "none" in methods
    dataset = {
        "name": args.dataset,
        "source": images.source,
        "official": images.source.startswith("official"),
        "train_images": int(len(images.x_train)),
        "test_images": int(len(images.x_test)),
    }
    result = results.records.TrainingRun(
        dataset,
        model_name,
        int(model.count_params()),
        recipe.describe(),
        args.seed,
        run.epochs,
        run.resumed_from,
        test_accuracy=evaluation.top1("none") if plain else None,
        top5_accuracy=evaluation.top5("none") if plain else None,
        tta={m: {"top1": evaluation.top1(m), "top5": evaluation.top5(m)} for m in methods},
        validation_accuracy=validation[-1] if validation else None,
        load_seconds=load_seconds,
        compile_seconds=run.compile_seconds,
        train_seconds=run.train_seconds,
        validation_seconds=run.validation_seconds,
        checkpoint_seconds=run.checkpoint_seconds,
        evaluate_seconds=evaluation.seconds,
        seconds_to_test_accuracy=plain_at if plain else None,
        wall_seconds=time.perf_counter() - START,
        history=run.history,
    )
    where = f"plain test accuracy after {plain_at:.0f} s" if plain else "no test"
    print(f"{run.summary()}; {result.wall_seconds:.0f} s wall clock in all ({where})")
    if args.json:
        _save_json(args, result, dataset)
    return 0


def bench(args):
    """Time training steps of a model on random images; print and optionally save images/s."""
    from alexlab import bench, session

    check_model(args.model)
    if args.json:
        checks.writable_file(args.json, "--json")
    info = session.describe()
    figures = bench.throughput(
        args.model,
        batch_size=args.batch_size,
        precision=args.precision,
        steps=args.steps,
        repeats=args.repeats,
        image_size=args.image_size or 32,
        steps_per_execution=args.steps_per_execution,
    )
    side, size = figures["network_input"], figures["image_size"]
    print(
        f"{args.model} at {side}x{side} (from {size}x{size} images), batch {args.batch_size}, "
        f"{figures['precision']}: {figures['images_per_second']:,.0f} images/s (median of "
        f"{args.repeats} x {figures['images_per_repeat']} images; compile "
        f"{figures['compile_seconds']:.1f} s) on {info['device']}, backend {info['backend']}"
    )
    if args.json:
        _save_json(args, figures)
    return 0


def check_model(name):
    """Refuse a --model that is not in MODELS, naming those that are."""
    from alexlab import classifier

    if name not in classifier.MODELS:
        raise checks.InvalidArgument(f"--model {name}: use one of {', '.join(classifier.MODELS)}")


def load(name, source=None):
    """The named dataset: cifar10, flowers (the profile's size) or synthetic."""
    from alexlab import data

    loaders = {"cifar10": data.load_cifar10, "flowers": data.load_flowers}
    return data.synthetic() if name == "synthetic" else loaders[name](source)


def _save_json(args, body, dataset=None):
    """--json PATH: the result, with its provenance, through alexlab.results' writer."""
    from alexlab import results

    command = results.command_line(args.words, program="python -m alexlab")
    path = results.write_to(Path(args.json).expanduser(), body, command=command, dataset=dataset)
    print(f"result written to {path}")
