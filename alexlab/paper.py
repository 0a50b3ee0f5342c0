"""The paper's own numbers (Krizhevsky, Sutskever & Hinton, NeurIPS 2012), each with its section.

Later notebooks check their computations against these, so a stated figure
and a recomputed one can stand side by side.
"""

from dataclasses import dataclass

__all__ = [
    "FACTS",
    "FIGURE2_NEURONS",
    "INPUT_DIMENSIONS",
    "RESULTS_2010",
    "RESULTS_2012",
    "TABLE2",
    "Fact",
    "Result",
    "fact",
    "facts_table",
]

TITLE = "ImageNet Classification with Deep Convolutional Neural Networks"
AUTHORS = "Alex Krizhevsky, Ilya Sutskever, Geoffrey E. Hinton"
VENUE = "NeurIPS (then NIPS) 2012"


@dataclass(frozen=True)
class Fact:
    """A number the paper states, where it states it, and in which words."""

    name: str
    value: float
    section: str
    says: str


FACTS = (
    Fact("training_images", 1_200_000, "§2", "roughly 1.2 million training images"),
    Fact("validation_images", 50_000, "§2", "50,000 validation images"),
    Fact("test_images", 150_000, "§2", "150,000 testing images"),
    Fact("classes", 1000, "§2", "1000 categories"),
    Fact("parameters", 60_000_000, "Abstract", "60 million parameters"),
    Fact("neurons", 650_000, "Abstract", "650,000 neurons"),
    Fact("conv_layers", 5, "§3", "five convolutional"),
    Fact("fc_layers", 3, "§3", "three fully-connected"),
    Fact("input_size", 224, "§3.5", "224 x 224 x 3 input image"),
    Fact("batch_size", 128, "§5", "batch size of 128 examples"),
    Fact("momentum", 0.9, "§5", "momentum of 0.9"),
    Fact("weight_decay", 0.0005, "§5", "weight decay of 0.0005"),
    Fact("learning_rate", 0.01, "§5", "initialized at 0.01"),
    Fact("epochs", 90, "§5", "roughly 90 cycles through the training set"),
    Fact("gpus", 2, "§5", "two NVIDIA GTX 580 3GB GPUs"),
    Fact("gpu_memory_gb", 3, "§3.2", "only 3GB of memory"),
    Fact("training_days_max", 6, "§5", "five to six days"),
)

_BY_NAME = {f.name: f for f in FACTS}

# Figure 2's caption: "The network's input is 150,528-dimensional, and the number of
# neurons in the network's remaining layers is given by 253,440-186,624-64,896-64,896-
# 43,264-4096-4096-1000."
INPUT_DIMENSIONS = 150_528
FIGURE2_NEURONS = (
    ("conv1", 253_440),
    ("conv2", 186_624),
    ("conv3", 64_896),
    ("conv4", 64_896),
    ("conv5", 43_264),
    ("fc6", 4096),
    ("fc7", 4096),
    ("fc8", 1000),
)


def fact(name):
    """The value the paper states for ``name`` (see FACTS), e.g. ``fact('parameters')``."""
    try:
        return _BY_NAME[name].value
    except KeyError:
        raise KeyError(f"no fact {name!r}; known: {', '.join(_BY_NAME)}") from None


@dataclass(frozen=True)
class Result:
    """One row of the paper's result tables: a method and its error rates (fractions)."""

    method: str
    top1: float | None
    top5: float | None


# Table 1: ILSVRC-2010 test set; the two earlier methods are the best published before.
RESULTS_2010 = (
    Result("Sparse coding (ILSVRC-2010 winner)", 0.471, 0.282),
    Result("SIFT + Fisher Vectors", 0.457, 0.257),
    Result("CNN (this paper)", 0.375, 0.170),
)

# Table 2 and §6: ILSVRC-2012 test set, top-5 error of the competition entries.
RESULTS_2012 = (
    Result("SIFT + Fisher Vectors (second-best entry)", None, 0.262),
    Result("7 CNNs, two pre-trained on ImageNet Fall 2011 (winning entry)", None, 0.153),
)


# Table 2 in full (ILSVRC-2012): error rates on the validation set (top-1, top-5) and the
# test set (top-5); None where the paper prints a dash. The starred models (*) were
# "pre-trained" on the whole ImageNet Fall 2011 release and have a sixth conv layer.
TABLE2 = (
    ("SIFT + FVs", None, None, 0.262),
    ("1 CNN", 0.407, 0.182, None),
    ("5 CNNs", 0.381, 0.164, 0.164),
    ("1 CNN*", 0.390, 0.166, None),
    ("7 CNNs*", 0.367, 0.154, 0.153),
)


def facts_table():
    """FACTS as a text table: name, value, section, the paper's words."""
    from alexlab import tables

    rows = [(f.name, _number(f.value), f.section, f.says) for f in FACTS]
    return tables.format_table(["fact", "value", "where", "the paper says"], rows, align="<><<")


def _number(value):
    return f"{value:,}" if float(value).is_integer() else f"{value:g}"
