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


def holdout_forecast(trained: TrainedModel, train_frame: pd.DataFrame, test_frame: pd.DataFrame):
    """Forecasts from each origin of the hold-out stretch (one every horizon), their scores, and
    the seasonal-naive (and, with a season, naive) baselines on the same windows; MASE is
    scaled by the training split's in-sample seasonal-naive error."""
    from archflow.feeding import predict_inputs
    from archflow.forecasting import INPUT, ForecastSpec, forecast_scores, holdout_windows, naive_scale, seasonal_naive

    spec = ForecastSpec.from_description(trained.metadata["inputs"])
    windows = holdout_windows(train_frame, test_frame, spec)
    predicted = predict_inputs(trained.model, {INPUT: windows.inputs})
    scale = naive_scale(train_frame, spec)
    baselines = {"seasonal_naive": forecast_scores(windows.targets, seasonal_naive(windows, train_frame, test_frame, spec, spec.season), scale)}
    if spec.season > 1:
        baselines["naive"] = forecast_scores(windows.targets, seasonal_naive(windows, train_frame, test_frame, spec, 1), scale)
    return forecast_scores(windows.targets, predicted, scale), windows, predicted, baselines
