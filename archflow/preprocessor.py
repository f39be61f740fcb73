"""The contract of the preprocessing that goes inside a model, the same for every modality.

A modality's preprocessor (archflow/modalities/) learns from the training part of a fold only
(``fit``: rows of a table, or a series' windows), turns raw rows into the model's named inputs
(``to_inputs``), and builds the Keras layers that encode them (``build_encoder``), so the saved
model reads raw data and nothing learned leaks from validation or test rows. What only some
modalities need has a default that does nothing: a linear path beside the network
(``build_wide``, text's TF-IDF), a map of the output layer back to target units
(``to_target_units``, forecasts' per-window scaling), arguments for the architecture
(``body_arguments``, a vocabulary size).
"""

from __future__ import annotations

from typing import Any


class Preprocessor:
    def fit(self, training: Any) -> Preprocessor:
        raise NotImplementedError

    def to_inputs(self, frame) -> dict:
        raise NotImplementedError

    def describe(self) -> dict:
        """What is saved with the model, so prediction reads raw rows the way training did."""
        raise NotImplementedError

    def build_encoder(self) -> tuple[dict, Any]:
        """The Keras inputs by name and the encoded tensor the architecture's body reads."""
        raise NotImplementedError

    def build_wide(self, inputs: dict) -> Any | None:
        """Features for a linear path beside the network (wide and deep), or None."""
        return None

    def to_target_units(self, outputs: Any) -> Any:
        """The output layer's values in target units (after :meth:`build_encoder`)."""
        return outputs

    def body_arguments(self) -> dict:
        """Hyperparameters the architecture takes from the fitted data (a vocabulary size)."""
        return {}
