"""Hold-out scores of a trained model, in the same terms as cross-validation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from archflow.metrics import as_class_probabilities, classification_scores, per_class_scores, regression_scores
from archflow.predict import TrainedModel
from archflow.training import encode_labels


def holdout_scores(trained: TrainedModel, test_frame: pd.DataFrame) -> tuple[dict, np.ndarray, np.ndarray]:
    """Test scores (per class too, for classification), with the actual and predicted values.

    For classification the second array holds class indices and the third (rows, classes)
    probabilities; for regression both hold values.
    """
    meta = trained.metadata
    raw = trained.raw_outputs(test_frame)
    if meta["task"] == "regression":
        actual = test_frame[meta["target"]].to_numpy(dtype="float64")
        return regression_scores(actual, raw), actual, raw.reshape(-1)
    labels = encode_labels(test_frame[meta["target"]], meta["classes"])
    probabilities = as_class_probabilities(raw)
    scores = classification_scores(labels, probabilities)
    scores["per_class"] = per_class_scores(labels, probabilities.argmax(axis=1), meta["classes"])
    return scores, labels, probabilities
