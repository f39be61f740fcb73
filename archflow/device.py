"""Which device trains: the first GPU when the Keras backend sees one, else the CPU."""

from __future__ import annotations

import random

import keras


def training_device() -> str:
    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return f"GPU ({gpus[0].name}, tensorflow)" if gpus else "CPU (tensorflow; no GPU visible)"
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return f"{device.platform.upper()} ({device}, jax)"
    if backend == "torch":
        import torch

        return f"GPU ({torch.cuda.get_device_name(0)}, torch)" if torch.cuda.is_available() else "CPU (torch)"
    return f"unknown ({backend})"


def make_deterministic(seed: int) -> None:
    """Seed Python, NumPy and the backend; make TensorFlow ops deterministic."""
    keras.utils.set_random_seed(seed)
    if keras.config.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def seed_model(seed: int) -> None:
    """Seed Python, NumPy and the backend for the next model, with Keras' own draws kept
    private. Keras takes each layer's default seed from Python's shared ``random`` module, and
    other threads of the process draw from it too (a Dask worker's event loop does, for its
    timers): without this, a fold's initial weights would depend on when they did."""
    keras.utils.set_random_seed(seed)
    from keras.src.random import seed_generator  # where make_default_seed draws from (keras 3.x)

    seed_generator.python_random = random.Random(seed)
