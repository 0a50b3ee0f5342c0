"""Output-size arithmetic (paper §3.5): how many windows fit, and the arithmetic written out.

A convolution or pooling window of size k, moved with stride s over an input of
n pixels padded with p on each side, fits floor((n + 2p - k) / s) + 1 times.
Keras, PyTorch, TensorFlow and Caffe all floor: the pixels that do not fill a last
window are silently dropped, so 224 with 11x11 stride 4 gives 54 (Caffe's 227 is how
a floor reaches 55). cuda-convnet, the paper's own code, rounds up instead,
1 + ceil((n + 2p - k) / s), letting the last window hang past the edge: there 224
gives the paper's 55 (``rounding="ceil"``). ``strict=True`` refuses any remainder.
"""

import math
import operator

__all__ = [
    "conv_output_size",
    "explain",
    "padding_pair",
    "pixels",
    "pool_output_size",
    "same_padding",
    "worked",
]


def conv_output_size(size, kernel, stride=1, padding=0, strict=False, dilation=1, rounding="floor"):
    """Output length of a convolution: floor((size + 2*padding - kernel) / stride) + 1.

    padding is an int (each side), a (before, after) pair, or "valid" / "same"
    as in Keras. rounding="ceil" is cuda-convnet's 1 + ceil(...), under which
    224 with 11x11 stride 4 gives 55. strict=True raises ValueError when the
    division leaves a remainder; a kernel larger than the padded input always raises.
    """
    return worked(size, kernel, stride, padding, strict, dilation, "kernel", rounding)[0]


def pool_output_size(size, pool, stride=None, padding="valid", strict=False, rounding="floor"):
    """Output length of a pooling window; stride defaults to the window, as in Keras."""
    stride = pool if stride is None else stride
    return worked(size, pool, stride, padding, strict, 1, "pool", rounding)[0]


def same_padding(size, kernel, stride=1):
    """The (before, after) pixels Keras' "same" adds: the odd one goes after (right, bottom)."""
    size, kernel, stride = (
        pixels(v, n) for v, n in ((size, "size"), (kernel, "kernel"), (stride, "stride"))
    )
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def explain(size, kernel, stride=1, padding=0, dilation=1, rounding="floor"):
    """The output-size arithmetic written out, e.g. '(224 + 2*0 - 11) / 4 + 1 = 54.25 -> 54'."""
    try:
        _, text, remainder = worked(
            size, kernel, stride, padding, False, dilation, "kernel", rounding
        )
        if rounding == "ceil" and remainder:
            text += f" (the last window hangs {stride - remainder} pixels past the edge)"
        return text
    except ValueError as error:
        return str(error)


def worked(size, kernel, stride, padding, strict, dilation, what, rounding="floor"):
    """(output size, the arithmetic as text, the remainder) of windows of `kernel` (a
    "kernel" or a "pool": `what`) over `size` pixels; the rules of conv_output_size."""
    if rounding not in ("floor", "ceil"):
        raise ValueError(
            f"rounding={rounding!r}: use 'floor' (Keras, PyTorch, Caffe) or 'ceil' "
            "(cuda-convnet, the paper's code)"
        )
    size = pixels(size, "size")
    kernel = pixels(kernel, what)
    stride = pixels(stride, "stride")
    dilation = pixels(dilation, "dilation")
    span = dilation * (kernel - 1) + 1  # the pixels one dilated window covers
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "same":
            # Keras/TensorFlow pad just enough that ceil(size / stride) windows fit.
            out = -(-size // stride)
            return out, f"same: ceil({size} / {stride}) = {out}", 0
        if mode != "valid":
            raise ValueError(
                f'padding {padding!r} is not understood: use "valid", "same", '
                "a number of pixels per side, or a (before, after) pair"
            )
        before = after = 0
    else:
        before, after = padding_pair(padding)
    padded = size + before + after
    pad_text = f"2*{before}" if before == after else f"{before} + {after}"
    if span > padded:
        raise ValueError(
            f"{what} {span} is larger than the padded input {size} + {pad_text} = {padded}: "
            f"no window fits; use a {what} of at most {padded}, or pad by "
            f"{math.ceil((span - size) / 2)} on each side"
        )
    room, remainder = divmod(padded - span, stride)
    out = room + 1
    exact = f"{size} + {pad_text} - {span}"
    if remainder == 0:
        return out, f"({exact}) / {stride} + 1 = {out}", 0
    if strict:
        need = stride - remainder
        raise ValueError(
            f"stride {stride} does not divide {exact} = {padded - span} exactly "
            f"(remainder {remainder}): use an input of {size - remainder} or {size + need}, "
            f"or padding that makes the remainder 0"
        )
    value = (padded - span) / stride + 1
    if rounding == "ceil":
        # the last window starts inside the input and hangs stride - remainder pixels past it
        text = f"1 + ceil(({exact}) / {stride}) = 1 + ceil({value - 1:g}) = {out + 1}"
        return out + 1, text, remainder
    return out, f"({exact}) / {stride} + 1 = {value:g} -> {out}", remainder


def pixels(value, name):
    """A positive whole number of pixels, or ValueError naming `name`."""
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} {value!r} must be a whole number of pixels") from None
    if isinstance(value, bool) or number < 1:
        raise ValueError(f"{name} {value!r} must be a positive whole number")
    return number


def padding_pair(padding):
    """(before, after) pixels from one number or a pair, each a whole number >= 0."""
    pair = padding if isinstance(padding, (tuple, list)) else (padding, padding)
    if len(pair) != 2:
        raise ValueError(f"padding {padding!r}: give one number or a (before, after) pair")
    try:
        before, after = (operator.index(p) for p in pair)
    except TypeError:
        raise ValueError(f"padding {padding!r} must be whole numbers of pixels") from None
    if before < 0 or after < 0:
        raise ValueError(f"padding {padding!r} cannot be negative")
    return before, after
