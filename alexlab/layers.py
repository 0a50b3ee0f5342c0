"""Custom layers: local response normalization (paper §3.3), backend-agnostic."""

import numpy as np

from alexlab import runtime

keras = runtime.import_keras()  # Keras without TensorFlow's native start-up chatter
ops = keras.ops

__all__ = ["LocalResponseNormalization"]


@keras.saving.register_keras_serializable(package="alexlab")
class LocalResponseNormalization(keras.layers.Layer):
    """The paper's brightness normalization across channels (§3.3), channels last.

    b[i] = a[i] / (k + alpha * sum(a[j]**2 for j within size//2 of i)) ** beta,
    with the sum clipped at the first and last channel. Defaults are the paper's
    (k=2, n=5, alpha=1e-4, beta=0.75). alpha multiplies the plain sum, as in the
    paper and tf.nn.local_response_normalization; Caffe divides it by n first.
    """

    def __init__(self, size=5, k=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or size < 1 or size % 2 == 0:
            raise ValueError(
                f"size={size!r}: the window must be an odd number of channels "
                "(the paper uses 5: the channel itself and 2 on each side)"
            )
        if k <= 0:
            raise ValueError(f"k={k!r}: must be positive, else an all-zero input divides by zero")
        if alpha < 0:
            raise ValueError(f"alpha={alpha!r}: must be 0 or more (the paper uses 1e-4)")
        self.size, self.k, self.alpha, self.beta = size, float(k), float(alpha), float(beta)

    def build(self, input_shape):
        channels = input_shape[-1]
        # band[i, j] = 1 when channel j is within size//2 of channel i: one matmul then
        # sums each window (clipped at the ends), 7x faster on a CPU than summing shifted
        # slices, and faster than TensorFlow's own fused op there (benchmarks/lrn.py,
        # results/lrn_cpu.json).
        index = np.arange(channels)
        self._band = (np.abs(index[:, None] - index[None, :]) <= self.size // 2).astype("float32")

    def call(self, inputs):
        window = ops.matmul(ops.square(inputs), ops.cast(self._band, inputs.dtype))
        # d ** -beta as exp(-beta * log d): d >= k > 0, and pow is slow on CPUs
        return inputs * ops.exp(-self.beta * ops.log(self.k + self.alpha * window))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "k": self.k,
            "alpha": self.alpha,
            "beta": self.beta,
        }
