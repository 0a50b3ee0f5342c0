"""Checks for the notebooks' exercises: right or wrong, and why, without giving the answer away.

Each notebook ends with a few exercises; the learner computes an answer in the
notebook and calls ``al.exercises.check("01.padding", answer)``. The check
recomputes the right answer with alexlab's own functions, so it stays true to
the code the notebook teaches, and its message for a wrong answer says what that
answer does instead, never what the right one is.
"""

import dataclasses
import math

__all__ = ["EXERCISES", "Exercise", "check", "exercises"]


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: where it is, what it asks, and a judge of answers."""

    key: str
    question: str
    judge: object  # answer -> (right: bool, why: str)


class _Unreadable(ValueError):
    """The answer is not a number of the kind asked for; check() reports why."""


def _number(answer, what="a whole number"):
    try:
        return float(answer)
    except (TypeError, ValueError):
        raise _Unreadable(f"{answer!r} is not a number: give {what}") from None


def _whole(answer):
    value = _number(answer)
    if value != int(value):
        raise _Unreadable(f"{answer!r} is not a whole number")
    return int(value)


def _conv1_padding(answer):
    from alexlab.shapes import conv_output_size

    p = _whole(answer)
    if p < 0:
        return False, "padding is a number of pixels added on each side: 0 or more"
    out = conv_output_size(224, 11, 4, p)
    if out == 55:
        return True, f"224 + 2*{p} padded, 11x11 windows every 4 pixels: 55 positions"
    return False, f"with padding {p} conv1 gives {out}x{out}, not 55x55"


def _smallest_input(answer):
    from alexlab.shapes import conv_output_size

    n = _whole(answer)
    if n < 11:
        return False, f"an 11x11 window does not fit in {n} pixels"
    out = conv_output_size(n, 11, 4)
    if out != 55:
        return False, f"{n} gives {out} under floor, not 55"
    if conv_output_size(n - 1, 11, 4) == 55:
        return False, f"{n} gives 55, but so does a smaller input: look for the smallest"
    return True, "the smallest input that gives 55 when the frameworks floor"


def _same_output(answer):
    from alexlab.shapes import conv_output_size

    n = _whole(answer)
    right = conv_output_size(224, 11, 4, "same")
    if n == right:
        return True, '"same" keeps ceil(size / stride) positions, whatever the kernel'
    if n == conv_output_size(224, 11, 4):
        return False, "that is the valid (unpadded) size: same pads first"
    return False, f"{n} is not what same padding gives for 224 at stride 4"


def _count(expected, explain_wrong):
    def judge(answer):
        n = _whole(answer)
        if n == expected():
            return True, "matches the ledger's count"
        return False, explain_wrong(n)

    return judge


def _conv2_two_towers():
    return 256 * (5 * 5 * 48) + 256


def _conv2_wrong(n):
    if n == 256 * 5 * 5 * 96 + 256:
        return "that is one tower: in the paper each conv2 kernel sees only its own GPU's maps"
    if n == 256 * 5 * 5 * 48:
        return "close: the biases are missing"
    return f"{n:,} is not conv2's count: kernels x (height x width x input maps) + biases"


def _fc6():
    return 6 * 6 * 256 * 4096 + 4096


def _fc6_wrong(n):
    if n == 6 * 6 * 256 * 4096:
        return "close: the biases are missing"
    if n == 13 * 13 * 256 * 4096 + 4096:
        return "fc6 sees the maps after pool5, not conv5's"
    return f"{n:,} is not fc6's count: inputs (pool5's maps flattened) x neurons + biases"


def _crops_227(answer):
    n = _whole(answer)
    positions = 256 - 227 + 1
    if n == positions**2 * 2:
        return True, "positions across x positions down x 2 for the mirror"
    if n == positions**2:
        return False, "the mirror images are missing"
    if n == (256 - 227) ** 2 * 2:
        return False, "off by one: a 227-wide window has 256 - 227 + 1 positions"
    return False, f"{n:,} is not the count of 227x227 patches and their mirrors"


def _steps_45000(answer):
    n = _whole(answer)
    if n == 45_000 // 32:
        return True, "45,000 images in full batches of 32; the log's 1562 is 50,000 // 32"
    if n == 50_000 // 32:
        return False, "that is the count for all 50,000 images, validation included"
    if n == math.ceil(45_000 / 32):
        return False, "that keeps the last, partial batch: the tutorial drops it (drop_remainder)"
    return False, f"{n:,} is not the number of batches of 32 in 45,000 images"


def _top5_points(answer):
    value = _number(answer, "a number of percentage points")
    if abs(value - (26.2 - 15.3)) < 0.05:
        return True, "the runner-up's top-5 error minus the paper's best"
    if abs(value - (26.2 - 18.2)) < 0.05:
        return False, "that uses the single network's 18.2%: the entry that won used seven"
    if 0 < value < 1:
        return False, "give percentage points (e.g. 5.0), not a fraction"
    return False, f"{value:g} points is not the gap between 26.2% and the winning entry"


def _fewer_errors(answer):
    value = _number(answer, "a percentage")
    right = 100 * (1 - 0.170 / 0.257)
    if abs(value - right) < 0.6:
        return True, "one minus the ratio of the two error rates"
    if abs(value - 100 * (0.257 - 0.170)) < 0.6:
        return False, "that is the difference in points; the question asks for the share"
    if 0 < value < 1:
        return False, "give a percentage (e.g. 25), not a fraction"
    return False, f"{value:g}% is not the share of errors the CNN removed"


def _crops_28(answer):
    n = _whole(answer)
    positions = 32 - 28 + 1
    if n == positions**2 * 2:
        return True, "positions across x positions down x 2 for the mirror"
    if n == (32 - 28) ** 2 * 2:
        return False, "that is the paper's way of counting: one position short per side"
    if n == positions**2:
        return False, "the mirror images are missing"
    return False, f"{n:,} is not the count of 28x28 patches of a 32x32 image and their mirrors"


def _gpu_steps(answer):
    n = _whole(answer)
    if n == (50_000 // 128) * 6:
        return True, "full batches per epoch times epochs"
    if n == math.ceil(50_000 / 128) * 6:
        return False, "that counts the last, partial batch, which fit leaves out"
    if n == 50_000 // 128:
        return False, "that is one epoch: the schedule runs six"
    return False, f"{n:,} is not the number of training steps"


def _sigmoid_depth(answer):
    from alexlab.activations import derivative

    n = _whole(answer)
    slope = float(derivative("sigmoid", 0.0))  # the sigmoid's largest slope, at 0
    if n < 1:
        return False, "count the sigmoid layers the gradient passes: 1 or more"
    if slope**n > 1e-3:
        return False, f"{n} layers: their slopes alone shrink it less than 1,000 times"
    if slope ** (n - 1) <= 1e-3:
        return False, f"{n} layers do it, but so do fewer: look for the smallest"
    return True, f"0.25^{n} = 1/{round(1 / slope**n):,}: at best, that many layers cost 1,000x"


def _params_19pct(answer):
    from alexlab.models import cuda_convnet_19pct, shapes_only

    n = _whole(answer)
    with shapes_only():
        model = cuda_convnet_19pct()
    right = model.count_params()
    biases = sum(int(layer.bias.shape[0]) for layer in model.layers if hasattr(layer, "bias"))
    if n == right:
        return True, "three 5x5 convolutions and fc10 on 4x4x64 maps, biases included"
    if n == right - biases:
        return False, "that leaves out the biases: one per kernel and per output"
    return False, f"{n:,} is not the count: conv k x k x in x out + out, fc in x out + out"


def _tanh_slope(answer):
    from alexlab.activations import derivative

    ratio = _number(answer, "a number")
    right = float(derivative("tanh", 0.0) / derivative("sigmoid", 0.0))
    if math.isclose(ratio, right, rel_tol=0.02):
        return True, "tanh(x) = 2 sigmoid(2x) - 1: twice as tall and twice as fast"
    if math.isclose(ratio, 1 / right, rel_tol=0.02):
        return False, "that is the sigmoid's slope over tanh's: the other way round"
    return False, f"{ratio:g} is not the ratio of the slopes at x = 0"


def _test_output(answer):
    from alexlab.dropout import paper

    value = _number(answer, "a number")
    right = float(paper(3.0, 0.5))
    if math.isclose(value, right, rel_tol=1e-6):
        return True, "at test time every unit is on, so its output is scaled by the keep share"
    if math.isclose(value, 3.0):
        return False, "that is inverted dropout's test time (Keras'); the paper scales"
    return False, f"{value:g} is not what the paper's rule passes on at test time"


def _thinned_networks(answer):
    n = _whole(answer)
    right = 4096 * 2  # fc6 and fc7, each unit kept or dropped independently
    if n == right:
        return True, "every unit of fc6 and fc7 is kept or dropped on its own: 2 to that power"
    if n == 4096:
        return False, "that counts one layer: dropout is in fc6 and fc7"
    return False, f"2^{n} is not the number of thinned networks"


def _keep_scale(answer):
    value = _number(answer, "a number")
    right = 1 / (1 - 0.2)
    if math.isclose(value, right, rel_tol=1e-3):
        return True, "kept outputs are divided by the keep share, 1 - rate"
    if math.isclose(value, 0.8, rel_tol=1e-3):
        return False, "that is the share kept; the outputs are divided by it, not multiplied"
    return False, f"{value:g} is not the factor on the kept outputs"


EXERCISES = {
    e.key: e
    for e in (
        Exercise(
            "00.top5_gap",
            "By how many percentage points of top-5 error did AlexNet's winning ILSVRC-2012 "
            "entry beat the second-best entry (26.2%)?",
            _top5_points,
        ),
        Exercise(
            "00.fewer_errors",
            "On ILSVRC-2010, what share of the best earlier method's top-5 errors (25.7%) did "
            "the CNN (17.0%) remove, in percent?",
            _fewer_errors,
        ),
        Exercise(
            "01.padding",
            "Choose conv1's padding (pixels on each side) so that a 224x224 input gives "
            "55x55 under the frameworks' floor.",
            _conv1_padding,
        ),
        Exercise(
            "01.smallest_input",
            "What is the smallest input side that gives conv1 (11x11, stride 4, no padding) "
            "a 55x55 output under floor?",
            _smallest_input,
        ),
        Exercise(
            "01.same",
            'What side does conv1 (11x11, stride 4) give on 224 with padding="same"?',
            _same_output,
        ),
        Exercise(
            "02.conv2",
            "How many parameters does conv2 have in the paper's two-tower network "
            "(256 kernels of 5x5, biases included)?",
            _count(_conv2_two_towers, _conv2_wrong),
        ),
        Exercise(
            "02.fc6",
            "How many parameters does fc6 have (4096 neurons, biases included)?",
            _count(_fc6, _fc6_wrong),
        ),
        Exercise(
            "03.sigmoid_depth",
            "A sigmoid's slope is at most 0.25. Through how many sigmoid layers can a gradient "
            "pass before the slopes alone have shrunk it at least 1,000 times?",
            _sigmoid_depth,
        ),
        Exercise(
            "03.params_19pct",
            "How many parameters (weights and biases) has layers-19pct, Figure 1's kind of "
            "network?",
            _params_19pct,
        ),
        Exercise(
            "03.tanh_slope",
            "How many times steeper than the sigmoid is tanh at x = 0?",
            _tanh_slope,
        ),
        Exercise(
            "06.test_output",
            "Under the paper's rule (dropout 0.5), a unit outputs 3.0 for an image. What does "
            "the next layer receive from it at test time?",
            _test_output,
        ),
        Exercise(
            "06.thinned_networks",
            "Dropout in fc6 and fc7 (4096 units each) picks one of 2^n thinned networks at "
            "each step. What is n?",
            _thinned_networks,
        ),
        Exercise(
            "06.keep_scale",
            "Keras' Dropout(0.2) while training: by what factor are the kept outputs multiplied?",
            _keep_scale,
        ),
        Exercise(
            "07.crops_227",
            "How many different 227x227 training patches, mirrors included, does a 256x256 "
            "image give?",
            _crops_227,
        ),
        Exercise(
            "07.crops_28",
            "How many different 28x28 patches, mirrors included, does a 32x32 image give?",
            _crops_28,
        ),
        Exercise(
            "08.gpu_steps",
            "A schedule trains 6 epochs of 50,000 images in batches of 128, leaving out the "
            "last partial batch of each epoch. How many training steps is that?",
            _gpu_steps,
        ),
        Exercise(
            "08.steps_45000",
            "The Keras CIFAR-10 tutorial holds out 5,000 of the 50,000 training images. How "
            "many batches of 32 should one epoch on the rest take?",
            _steps_45000,
        ),
    )
}


def exercises(notebook=None):
    """The exercises, all or those of one notebook ("01"), as key -> question."""
    return {
        k: e.question for k, e in EXERCISES.items() if notebook is None or k.startswith(notebook)
    }


def check(key, answer):
    """Judge an answer: prints right or not yet, and why; returns True when right."""
    if key not in EXERCISES:
        raise ValueError(f"no exercise {key!r}: the exercises are {', '.join(EXERCISES)}")
    try:
        right, why = EXERCISES[key].judge(answer)
    except _Unreadable as unreadable:  # not a number: say so, whatever the exercise
        right, why = False, str(unreadable)
    print(f"{'right' if right else 'not yet'}: {why}")
    return right
