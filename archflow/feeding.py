"""Feeding named raw-row inputs (numbers and strings) to Keras.

Keras' NumPy path accepts no strings, so rows travel as a ``tf.data`` pipeline; this is
the one place that ties the tabular model to the TensorFlow backend.
"""

from __future__ import annotations

import numpy as np


def make_dataset(inputs: dict[str, np.ndarray], targets: np.ndarray | None = None, sample_weight: np.ndarray | None = None, batch_size: int = 256, shuffle_seed: int | None = None):
    """Batched ``tf.data.Dataset`` of (inputs[, targets[, weights]]); shuffled when a seed is given."""
    import tensorflow as tf

    parts = [inputs] + [a for a in (targets, sample_weight) if a is not None]
    dataset = tf.data.Dataset.from_tensor_slices(parts[0] if len(parts) == 1 else tuple(parts))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(next(iter(inputs.values()))), seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size)


def predict_inputs(model, inputs: dict[str, np.ndarray]) -> np.ndarray:
    """Model outputs for named raw-row inputs."""
    return np.asarray(model.predict(make_dataset(inputs), verbose=0))
