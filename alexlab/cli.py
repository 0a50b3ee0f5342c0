"""What ``python -m alexlab train`` and ``python -m alexlab bench`` do, with results as JSON."""

import datetime
import json
import sys
import time
from pathlib import Path

__all__ = ["bench", "load", "train"]


def load(name, source=None):
    """The named dataset: cifar10, flowers (the profile's size) or synthetic."""
    from alexlab import data

    if name == "cifar10":
        return data.load_cifar10(source)
    if name == "flowers":
        return data.load_flowers(source)
    if name == "synthetic":
        return data.synthetic()
    raise ValueError(f"dataset {name!r}: use cifar10, flowers or synthetic")


def _provenance(info):
    """Device, backend, profile and versions from runtime.describe(), as results record them."""
    versions = {k: info[k] for k in ("python", "alexlab", "keras", "numpy")}
    return {
        **{k: info[k] for k in ("device", "backend", "profile")},
        "versions": {**versions, "backend": info["backend_version"]},
    }


def _write_json(path, result):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"result written to {path}")


_TTA = ("none", "flip", "ten_crop")


def _plan(args):
    """Every option checked, alone and together, before data is loaded: (recipe, model, epochs,
    checkpoint, test-time methods). Raises InvalidArgument naming the bad value and a fix."""
    from alexlab import train as training
    from alexlab.checks import InvalidArgument, writable_file

    if args.no_test and not args.validation:
        raise InvalidArgument("--no-test needs --validation FRACTION to measure anything")
    model_name = args.model or training.default_model()
    if model_name not in training.MODELS:
        raise InvalidArgument(f"--model {model_name}: use one of {', '.join(training.MODELS)}")
    if args.source is not None and not Path(args.source).expanduser().exists():
        raise InvalidArgument(f"--source {args.source}: no such file or folder")
    # 0 is a real value for these (no dropout, mirror images only), never "not given".
    fields = ("batch_size", "learning_rate", "precision", "dropout", "padding", "init",
              "validation")  # fmt: skip
    changes = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    recipe = training.recipe(args.recipe, **changes)
    epochs = args.epochs if args.epochs is not None else training.default_epochs(recipe.name)
    if args.no_test:
        if args.tta:
            raise InvalidArgument("--tta with --no-test: the test set is not looked at; drop one")
        methods = ()
    elif args.tta:
        methods = tuple(m.strip() for m in args.tta.split(",") if m.strip())
        unknown = [m for m in methods if m not in _TTA]
        if unknown or not methods:
            raise InvalidArgument(f"--tta {args.tta}: give a comma-separated list of "
                                  f"{', '.join(_TTA)}")  # fmt: skip
    else:
        methods = ("none", "flip") + (("ten_crop",) if recipe.padding else ())
    if "ten_crop" in methods and not recipe.padding:
        raise InvalidArgument(
            "--tta ten_crop tests on patches shifted by the padding, but this recipe trains on "
            "whole images (padding 0), so its patches were never seen in training; add "
            "--padding 4, or leave ten_crop out"
        )
    checkpoint = None
    if not args.no_checkpoint:
        checkpoint = args.checkpoint or (
            f"runs/{args.dataset}-{model_name}-{recipe.name}-e{epochs}-s{args.seed}.npz"
        )
        writable_file(checkpoint, "--checkpoint", suffix=".npz")
        if Path(checkpoint).exists() and not args.restart:
            from alexlab.checkpoint import load as load_checkpoint

            load_checkpoint(checkpoint)  # a damaged file is named now, not after loading
    elif args.restart or args.checkpoint:
        raise InvalidArgument("--no-checkpoint with --checkpoint or --restart: drop one")
    if args.json:
        writable_file(args.json, "--json")
    return recipe, model_name, epochs, checkpoint, methods


def train(args, start):
    """Check every option, then load, build, fit, evaluate; print a summary, optionally JSON."""
    from alexlab import data as data_module
    from alexlab import train as training
    from alexlab.runtime import describe

    recipe, model_name, epochs, checkpoint, methods = _plan(args)
    info = describe()
    t0 = time.perf_counter()
    try:
        data = load(args.dataset, args.source)
    except data_module.DatasetUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.train_images is not None or args.test_images is not None:
        data = data.subset(args.train_images, args.test_images, seed=args.seed)
    load_seconds = time.perf_counter() - t0
    print(data)

    model = training.build(model_name, data, recipe, seed=args.seed)
    print(
        f"model {model_name} ({model.count_params():,} parameters), recipe {recipe.name}, "
        f"{epochs} epochs, batch {recipe.batch_size}, {info['device']}, backend {info['backend']}"
    )
    try:
        run = training.fit(
            model,
            data,
            recipe,
            epochs,
            checkpoint=checkpoint,
            seed=args.seed,
            verbose=2 if args.quiet else 1,
            restart=args.restart,
        )
    except training.TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    evaluation = training.evaluate(model, data, methods=methods)
    if methods:
        print(evaluation.table())
    else:
        print("test set not looked at (--no-test)")
    plain_at = time.perf_counter() - start - sum(evaluation.seconds.values())
    plain_at += evaluation.seconds.get("none", 0.0)
    validation = run.history.get("val_accuracy") or []
    result = {
        "command": "python -m alexlab " + " ".join(sys.argv[1:] if args.json else []),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "dataset": {
            "name": args.dataset,
            "source": data.source,
            "official": data.source.startswith("official"),
            "train_images": int(len(data.x_train)),
            "test_images": int(len(data.x_test)),
        },
        "model": model_name,
        "parameters": int(model.count_params()),
        "recipe": recipe.describe(),
        "seed": args.seed,
        "epochs": run.epochs,
        "resumed_from": run.resumed_from,
        "test_accuracy": evaluation.top1("none") if "none" in methods else None,
        "top5_accuracy": evaluation.top5("none") if "none" in methods else None,
        "tta": {m: {"top1": evaluation.top1(m), "top5": evaluation.top5(m)} for m in methods},
        "validation_accuracy": validation[-1] if validation else None,
        "load_seconds": load_seconds,
        "compile_seconds": run.compile_seconds,
        "train_seconds": run.train_seconds,
        "validation_seconds": run.validation_seconds,
        "checkpoint_seconds": run.checkpoint_seconds,
        "evaluate_seconds": evaluation.seconds,
        # From process start (imports included) to the plain test accuracy in hand.
        "seconds_to_test_accuracy": plain_at if "none" in methods else None,
        "wall_seconds": time.perf_counter() - start,
        "history": run.history,
        **_provenance(info),
    }
    where = f"plain test accuracy after {plain_at:.0f} s" if "none" in methods else "no test"
    print(f"{run.summary()}; {result['wall_seconds']:.0f} s wall clock in all ({where})")
    if args.json:
        _write_json(args.json, result)
    return 0


def bench(args):
    """Time training steps of a model on random images; print and optionally save images/s."""
    from alexlab import train as training
    from alexlab.checks import InvalidArgument, writable_file
    from alexlab.runtime import describe

    if args.model not in training.MODELS:
        raise InvalidArgument(f"--model {args.model}: use one of {', '.join(training.MODELS)}")
    if args.json:
        writable_file(args.json, "--json")
    info = describe()
    figures = training.throughput(
        args.model,
        batch_size=args.batch_size,
        precision=args.precision,
        steps=args.steps,
        repeats=args.repeats,
        image_size=args.image_size or 32,
        steps_per_execution=args.steps_per_execution,
    )
    result = {
        "command": "python -m alexlab bench " + " ".join(sys.argv[2:]),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **figures,
        **_provenance(info),
    }
    side, size = figures["network_input"], figures["image_size"]
    print(
        f"{args.model} at {side}x{side} (from {size}x{size} images), batch {args.batch_size}, "
        f"{figures['precision']}: {figures['images_per_second']:,.0f} images/s (median of "
        f"{args.repeats} x {figures['images_per_repeat']} images; compile "
        f"{figures['compile_seconds']:.1f} s) on {info['device']}, backend {info['backend']}"
    )
    if args.json:
        _write_json(args.json, result)
    return 0
