"""Hold-out scores of a trained model, in the same terms as cross-validation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from archflow.metrics import per_class_scores
from archflow.predict import TrainedModel
from archflow.training import score_outputs


def holdout_scores(trained: TrainedModel, test_frame: pd.DataFrame) -> tuple[dict, np.ndarray, np.ndarray]:
    """Test scores (per class too, for classification), with the actual and predicted values.

    For classification the second array holds class indices and the third (rows, classes)
    probabilities; for regression both hold values.
    """
    meta = trained.metadata
    scores, actual, predicted = score_outputs(trained.raw_outputs(test_frame), test_frame, meta["target"], meta["task"], meta["classes"])
    if meta["task"] != "regression":
        scores["per_class"] = per_class_scores(actual, predicted.argmax(axis=1), meta["classes"])
    return scores, actual, predicted
