"""Loading a trained model folder and predicting from raw rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

import archflow.layers  # noqa: F401  (registers the preprocessing layers for loading)
from archflow.errors import DataError
from archflow.feeding import predict_inputs
from archflow.file_names import MODEL_FILE, MODEL_META
from archflow.handoffs import ModelDescription, load_record
from archflow.metrics import as_class_probabilities
from archflow.modalities import input_problems, keyed_inputs, raw_inputs


@dataclass
class TrainedModel:
    model: keras.Model
    metadata: ModelDescription  # task, target, classes, and "inputs": how raw rows become model inputs

    def raw_outputs(self, frame: pd.DataFrame) -> np.ndarray:
        return predict_inputs(self.model, raw_inputs(self.metadata.inputs, frame))

    def input_problems(self, frame: pd.DataFrame) -> list[str]:
        """Problems with raw rows that prediction would otherwise pass over silently."""
        return input_problems(self.metadata.inputs, frame)

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Predictions for raw rows: the label (or value) and, for classes, probabilities; for a
        forecaster, the next ``horizon`` values of each series in ``frame`` (its history)."""
        inputs, index = keyed_inputs(self.metadata.inputs, frame)  # index: rows, sequences or series
        raw = predict_inputs(self.model, inputs)
        if self.metadata.task == "forecast":  # the next horizon steps after each series' last row
            return pd.DataFrame(raw, index=index, columns=[f"step_{h + 1}" for h in range(raw.shape[1])])
        if self.metadata.task == "regression":
            return pd.DataFrame({"prediction": raw.reshape(-1)}, index=index)
        probabilities = as_class_probabilities(raw)
        classes = self.metadata.classes
        result = pd.DataFrame(probabilities, columns=[f"p_{c}" for c in classes], index=index)
        result.insert(0, "prediction", [classes[i] for i in probabilities.argmax(axis=1)])
        return result


def load_trained(model_dir: str | Path) -> TrainedModel:
    """Load ``model.keras`` with safe_mode=True and its metadata."""
    model_dir = Path(model_dir)
    if not (model_dir / MODEL_FILE).is_file():
        raise DataError(f"no trained model in {model_dir}/ ({MODEL_FILE} is missing): the production model appears once a candidate passes the promotion gate (see metrics/promotion.json); models/candidate holds the latest candidate")
    try:  # before the model: a foreign folder is named cheaply
        description = load_record(ModelDescription, model_dir / MODEL_META)
    except (OSError, ValueError) as error:  # missing, not JSON, or written by another version
        raise DataError(f"{model_dir / MODEL_META} cannot describe the model beside it ({error}): train it again") from None
    model = keras.saving.load_model(model_dir / MODEL_FILE, safe_mode=True)
    return TrainedModel(model, description)
