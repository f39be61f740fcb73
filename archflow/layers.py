"""Preprocessing layers saved inside the model, so a loaded model takes raw rows.

They hold statistics fitted on training rows only (see :mod:`archflow.tabular`) and are
registered for Keras serialisation, so ``keras.saving.load_model(path, safe_mode=True)``
restores them without any lambda.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="archflow")
class ImputeStandardize(keras.layers.Layer):
    """Replace NaN by the training mean, then standardise: (batch, 1) -> (batch, 1)."""

    def __init__(self, mean: float, std: float, **kwargs):
        super().__init__(**kwargs)
        self.mean = float(mean)
        self.std = float(std) if std > 0 else 1.0

    def call(self, inputs):
        values = ops.cast(inputs, "float32")
        filled = ops.where(ops.isnan(values), ops.full_like(values, self.mean), values)
        return (filled - self.mean) / self.std

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std}


@keras.saving.register_keras_serializable(package="archflow")
class OneHotCategories(keras.layers.Layer):
    """One-hot encode strings against a training vocabulary: (batch, 1) -> (batch, k).

    Unseen categories: ``ignore`` encodes them as all zeros; ``bucket`` gives them (and
    categories rarer than the training threshold) one shared extra column.
    """

    def __init__(self, vocabulary: list[str], unseen: str = "ignore", **kwargs):
        super().__init__(**kwargs)
        self.vocabulary = list(vocabulary)
        self.unseen = unseen
        self.lookup = keras.layers.StringLookup(vocabulary=self.vocabulary, num_oov_indices=1, output_mode="one_hot")

    def build(self, input_shape):
        self.lookup.build(input_shape)

    def call(self, inputs):
        encoded = self.lookup(inputs)  # (batch, 1 + len(vocabulary)); column 0 is out-of-vocabulary
        return encoded[..., 1:] if self.unseen == "ignore" else encoded

    def compute_output_shape(self, input_shape):
        width = len(self.vocabulary) + (0 if self.unseen == "ignore" else 1)
        return (input_shape[0], width)

    def get_config(self):
        return {**super().get_config(), "vocabulary": self.vocabulary, "unseen": self.unseen}


@keras.saving.register_keras_serializable(package="archflow")
class Rescale(keras.layers.Layer):
    """Map a standardised regression output back to target units: y = x * std + mean."""

    def __init__(self, mean: float, std: float, **kwargs):
        super().__init__(**kwargs)
        self.mean = float(mean)
        self.std = float(std) if std > 0 else 1.0

    def call(self, inputs):
        return inputs * self.std + self.mean

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std}


@keras.saving.register_keras_serializable(package="archflow")
class MaskedStandardize(keras.layers.Layer):
    """Sequences (batch, time, channels) with NaN at padded steps -> per-channel standardised
    values with 0 there, and a Keras mask (batch, time) that is False at padded steps."""

    def __init__(self, mean: list[float], std: list[float], **kwargs):
        super().__init__(**kwargs)
        self.mean, self.std = [float(m) for m in mean], [float(s) if s > 0 else 1.0 for s in std]
        self.supports_masking = True

    def call(self, inputs):
        values = ops.cast(inputs, "float32")
        scaled = (values - ops.convert_to_tensor(self.mean)) / ops.convert_to_tensor(self.std)
        return ops.where(ops.isnan(scaled), ops.zeros_like(scaled), scaled)

    def compute_mask(self, inputs, mask=None):
        return ops.logical_not(ops.any(ops.isnan(ops.cast(inputs, "float32")), axis=-1))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std}


@keras.saving.register_keras_serializable(package="archflow")
class StepMask(keras.layers.Layer):
    """The Keras mask of a sequence as a float tensor (batch, time, 1): 1 at real steps."""

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.ones_like(inputs[..., :1])
        return ops.expand_dims(ops.cast(mask, inputs.dtype), -1)

    def compute_mask(self, inputs, mask=None):
        return None


@keras.saving.register_keras_serializable(package="archflow")
class MaskedMean(keras.layers.Layer):
    """Average over real time steps only: ([values (batch, time, c), mask (batch, time, 1)]) -> (batch, c)."""

    def call(self, inputs):
        values, mask = inputs
        return ops.sum(values * mask, axis=1) / ops.maximum(ops.sum(mask, axis=1), 1.0)

    def compute_mask(self, inputs, mask=None):
        return None


@keras.saving.register_keras_serializable(package="archflow")
class MaskedMaxPool1D(keras.layers.Layer):
    """Max pooling over neighbouring steps (stride 1, "same") that never picks a padded step:
    ([values (batch, time, c), mask (batch, time, 1)]) -> (batch, time, c), padded steps 0. A
    real step next to padding pools as it would at the end of the unpadded sequence."""

    def __init__(self, pool_size: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = pool_size

    def call(self, inputs):
        values, mask = inputs
        lowest = ops.min(values) - 1.0  # below every real value: never the maximum of a real step's window
        pooled = ops.max_pool(values * mask + lowest * (1.0 - mask), self.pool_size, strides=1, padding="same")
        return pooled * mask

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size}


@keras.saving.register_keras_serializable(package="archflow")
class DropMask(keras.layers.Layer):
    """Pass values through without their Keras mask (for layers that take the mask explicitly)."""

    def call(self, inputs, mask=None):
        return ops.copy(inputs)  # a new tensor: the input's own carries the mask

    def compute_mask(self, inputs, mask=None):
        return None


@keras.saving.register_keras_serializable(package="archflow")
class WindowScale(keras.layers.Layer):
    """Forecast inputs (batch, lookback, channels), raw -> ([scaled inputs], level (batch, 1)).

    Channels are standardised with training-stretch statistics. The target (channel 0) is
    then put relative to its own level in the window: ``ratio`` divides by the window's mean
    (for positive series: level and trend changes carry over multiplicatively), ``difference``
    subtracts it. The level goes to :class:`WindowUnscale` to restore target units.
    """

    def __init__(self, mean: list[float], std: list[float], mode: str = "difference", **kwargs):
        super().__init__(**kwargs)
        self.mean, self.std, self.mode = [float(m) for m in mean], [float(s) if s > 0 else 1.0 for s in std], mode

    def call(self, inputs):
        values = ops.cast(inputs, "float32")
        scaled = (values - ops.convert_to_tensor(self.mean)) / ops.convert_to_tensor(self.std)
        if self.mode == "ratio":
            level = ops.maximum(ops.mean(values[..., 0], axis=1, keepdims=True), 1e-6)  # (batch, 1), target units
            target = values[..., :1] / ops.expand_dims(level, -1) - 1.0
        else:
            level = ops.mean(scaled[..., 0], axis=1, keepdims=True)  # standardised units
            target = scaled[..., :1] - ops.expand_dims(level, -1)
        return [ops.concatenate([target, scaled[..., 1:]], axis=-1), level]

    def compute_output_shape(self, input_shape):
        return [input_shape, (input_shape[0], 1)]

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std, "mode": self.mode}


@keras.saving.register_keras_serializable(package="archflow")
class WindowUnscale(keras.layers.Layer):
    """The network's (batch, horizon) output, relative to the window's level -> target units."""

    def __init__(self, mean: float, std: float, mode: str = "difference", **kwargs):
        super().__init__(**kwargs)
        self.mean, self.std, self.mode = float(mean), float(std) if std > 0 else 1.0, mode

    def call(self, inputs):
        outputs, level = inputs
        if self.mode == "ratio":
            return (outputs + 1.0) * level
        return (outputs + level) * self.std + self.mean

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std, "mode": self.mode}
