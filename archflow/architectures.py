"""Architecture builders, found by name in a registry.

A builder maps the encoded feature tensor and a few hyperparameters to the network body;
:func:`build_model` adds the head the task calls for and compiles the model.
"""

from __future__ import annotations

from collections.abc import Callable

import keras

from archflow.layers import Rescale

BUILDERS: dict[str, Callable[..., keras.KerasTensor]] = {}


def register(name: str):
    def add(builder):
        BUILDERS[name] = builder
        return builder

    return add


@register("mlp")
def mlp_body(features: keras.KerasTensor, hidden_layers: int, units: int, dropout: float, l2: float) -> keras.KerasTensor:
    """Dense (ReLU, L2) -> Dropout blocks, width halving with depth."""
    x = features
    for depth in range(hidden_layers):
        width = max(8, units // (2**depth))
        x = keras.layers.Dense(width, activation="relu", kernel_regularizer=keras.regularizers.L2(l2), name=f"dense_{depth + 1}")(x)
        x = keras.layers.Dropout(dropout, name=f"dropout_{depth + 1}")(x)
    return x


def build_model(
    inputs: dict,
    features: keras.KerasTensor,
    architecture: str,
    hyperparameters: dict,
    head: dict,
    learning_rate: float,
    target_scale: tuple[float, float] | None = None,
) -> keras.Model:
    """A compiled model: registered body, then the task's output layer and loss.

    For regression, ``target_scale`` (training mean and std of the target) lets the
    network predict standardised values while the model outputs target units.
    """
    if architecture not in BUILDERS:
        raise ValueError(f"unknown architecture '{architecture}'; registered: {sorted(BUILDERS)}")
    body = BUILDERS[architecture](features, **hyperparameters)
    outputs = keras.layers.Dense(head["units"], activation=head["activation"], name="output")(body)
    if target_scale is not None:
        outputs = Rescale(*target_scale, name="target_units")(outputs)
    model = keras.Model(inputs=inputs, outputs=outputs, name=f"archflow_{architecture}")
    metrics = ["mae"] if head["loss"] == "mean_squared_error" else ["accuracy"]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=head["loss"], metrics=metrics)
    return model
