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
