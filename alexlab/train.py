"""Training AlexNet (§5, §4.1): the one door to building, fitting and testing a network.

    model = al.train.build("alexnet_cifar_cpu", data, al.train.recipe("fast"), seed=0)
    run = al.train.fit(model, data, epochs=3)        # the recipe and seed are the model's
    print(al.train.evaluate(model, data).table())

Behind it, one room each: ``alexlab.classifier`` (the networks behind their
augmentation), ``alexlab.recipes`` (the paper's recipe and a fast one, the optimizer and
schedules), ``alexlab.fit`` (the training loop), ``alexlab.evaluate`` (top-1, top-5 and
the test-time views) and ``alexlab.bench`` (training throughput). Only their public
names are here.
"""

from alexlab.bench import throughput
from alexlab.classifier import MODELS, build, default_model, network_of
from alexlab.evaluate import Evaluation, evaluate
from alexlab.fit import Run, TrainingDiverged, fit
from alexlab.recipes import (
    RECIPES,
    OneCycle,
    PaperSGD,
    Plateau,
    Recipe,
    SmoothedCrossentropy,
    default_epochs,
    recipe,
    resolve_precision,
)

__all__ = [
    "MODELS",
    "RECIPES",
    "Evaluation",
    "OneCycle",
    "PaperSGD",
    "Plateau",
    "Recipe",
    "Run",
    "SmoothedCrossentropy",
    "TrainingDiverged",
    "build",
    "default_epochs",
    "default_model",
    "evaluate",
    "fit",
    "network_of",
    "recipe",
    "resolve_precision",
    "throughput",
]
