"""Hold-out scores of a trained model, in the same terms as cross-validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from archflow.errors import ArchflowError
from archflow.file_names import MODEL_FILE
from archflow.metrics import per_class_scores
from archflow.predict import TrainedModel, load_trained
from archflow.promotion import fit_problems
from archflow.training import score_outputs


@dataclass
class Holdout:
    """A model's hold-out scores, the baselines' on the same rows (or windows), and a writer of
    the predictions file and figures into a folder (it returns the figures' file names)."""

    scores: dict
    baselines: dict
    write_figures: Callable[[Path], list[str]]


class NotFinite(ArchflowError):
    """A model's outputs hold NaN or infinity."""


def require_finite(outputs: np.ndarray) -> None:
    values = np.asarray(outputs, dtype="float64").reshape(len(outputs), -1)
    bad = int((~np.isfinite(values)).any(axis=1).sum())
    if bad:
        raise NotFinite(f"its outputs are not finite (NaN or infinity) for {bad} of {len(values)} hold-out rows")


def holdout_scores(trained: TrainedModel, test_frame: pd.DataFrame) -> tuple[dict, np.ndarray, np.ndarray]:
    """Test scores (per class too, for classification), with the actual and predicted values.

    For classification the second array holds class indices and the third (rows, classes)
    probabilities; for regression both hold values.
    """
    meta = trained.metadata
    raw = trained.raw_outputs(test_frame)
    require_finite(raw)
    scores, actual, predicted = score_outputs(raw, test_frame, meta.target, meta.task, meta.classes)
    if meta.task != "regression":
        scores["per_class"] = per_class_scores(actual, predicted.argmax(axis=1), meta.classes)
    return scores, actual, predicted


def holdout_forecast(trained: TrainedModel, train_frame: pd.DataFrame, test_frame: pd.DataFrame):
    """Forecasts from each origin of the hold-out stretch (one every horizon), their scores, and
    the seasonal-naive (and, with a season, naive) baselines on the same windows; MASE is
    scaled by the training split's in-sample seasonal-naive error."""
    from archflow.feeding import predict_inputs
    from archflow.forecasting import INPUT, ForecastSpec, forecast_scores, holdout_windows, naive_scale, seasonal_naive

    spec = ForecastSpec.from_description(trained.metadata.inputs)
    windows = holdout_windows(train_frame, test_frame, spec)
    predicted = predict_inputs(trained.model, {INPUT: windows.inputs})
    require_finite(predicted)
    scale = naive_scale(train_frame, spec)
    baselines = {"seasonal_naive": forecast_scores(windows.targets, seasonal_naive(windows, train_frame, test_frame, spec, spec.season), scale)}
    if spec.season > 1:
        baselines["naive"] = forecast_scores(windows.targets, seasonal_naive(windows, train_frame, test_frame, spec, 1), scale)
    return forecast_scores(windows.targets, predicted, scale), windows, predicted, baselines


def holdout_labels(test_frame: pd.DataFrame, target: str, task: str) -> list[str] | None:
    """The hold-out's classes as strings (how models compare labels); None for numbers."""
    return None if task in ("regression", "forecast") else sorted(test_frame[target].dropna().astype(str).unique())


def production_scores(model_dir: str | Path, target: str, task: str, train_frame: pd.DataFrame, test_frame: pd.DataFrame) -> tuple[dict | None, str]:
    """The production model's hold-out scores on the same rows as the candidate's, or None and
    why it could not be compared (none yet, unreadable, or made for other data)."""
    if not (Path(model_dir) / MODEL_FILE).exists():
        return None, f"no production model yet in {model_dir}"
    try:
        production = load_trained(model_dir)
    except Exception as error:  # an unreadable production model must not block a good candidate
        return None, f"the production model in {model_dir} could not be loaded ({type(error).__name__}: {error}); compared with the baseline alone"
    problems = fit_problems(production.metadata, target, task, holdout_labels(test_frame, target, task))
    if problems:
        return None, f"the production model does not fit this data ({'; '.join(problems)}): promoted on the baseline check alone"
    try:
        from archflow.modalities import modality_named

        return modality_named(production.metadata.modality).holdout(production, train_frame, test_frame, balanced=False, baselines=False).scores, ""
    except (ArchflowError, KeyError, ValueError) as error:
        return None, f"the production model could not be scored on this data ({error}): promoted on the baseline check alone"


def row_holdout(trained: TrainedModel, train_frame: pd.DataFrame, test_frame: pd.DataFrame, balanced: bool, baselines: bool = True) -> Holdout:
    """Rows scored one by one (tables, images, text, sequences) beside the modality's baselines."""
    from archflow.baselines import baseline_scores

    meta = trained.metadata
    scores, actual, predicted = holdout_scores(trained, test_frame)
    compared = baseline_scores(train_frame, test_frame, meta.target, meta.task, meta.classes, balanced, meta.inputs) if baselines else {}
    return Holdout(scores, compared, lambda out: row_figures(out, meta.task, meta.classes, actual, predicted))


def forecast_holdout(trained: TrainedModel, train_frame: pd.DataFrame, test_frame: pd.DataFrame) -> Holdout:
    """Forecasts from each origin of the hold-out stretch beside the seasonal-naive baselines."""
    scores, windows, predicted, baselines = holdout_forecast(trained, train_frame, test_frame)
    return Holdout(scores, baselines, lambda out: forecast_figures(out, train_frame, windows, predicted, trained.metadata.inputs))


def row_figures(out: Path, task: str, classes: list, actual, predicted) -> list[str]:
    """Predictions file and figures: actual against predicted (regression), or the confusion
    matrix and ROC curves (classification)."""
    from archflow.file_names import CONFUSION_PNG, PREDICTIONS_CSV, ROC_CSV, ROC_PNG
    from archflow.plots import plot_confusion, plot_regression, plot_roc, roc_points

    if task == "regression":
        pd.DataFrame({"actual": actual, "predicted": predicted}).to_csv(out / PREDICTIONS_CSV, index=False)
        plot_regression(actual, predicted, out / "predictions.png")
        return ["predictions.png"]
    pd.DataFrame({"actual": [classes[i] for i in actual], "predicted": [classes[i] for i in predicted.argmax(axis=1)]}).to_csv(out / PREDICTIONS_CSV, index=False)
    plot_confusion(actual, predicted.argmax(axis=1), classes, out / CONFUSION_PNG)
    curves = roc_points(actual, predicted, classes)
    pd.concat([pd.DataFrame({"class": name, "fpr": fpr, "tpr": tpr}) for name, (fpr, tpr) in curves.items()]).to_csv(out / ROC_CSV, index=False)
    plot_roc(curves, out / ROC_PNG)
    return [CONFUSION_PNG, ROC_PNG]


def forecast_figures(out: Path, train_frame: pd.DataFrame, windows, predicted, inputs: dict) -> list[str]:
    """Every forecast step of every origin beside the actual value, and the forecast plot."""
    from archflow.file_names import FORECAST_PNG, PREDICTIONS_CSV
    from archflow.plots import plot_forecast

    horizon = inputs["horizon"]
    rows = [
        {"series": key, "origin": origin, "step": h + 1, "actual": float(actual[h]), "predicted": float(forecast[h])}
        for key, origin, actual, forecast in zip(windows.series, windows.origin, windows.targets, predicted)
        for h in range(horizon)
    ]
    pd.DataFrame(rows).to_csv(out / PREDICTIONS_CSV, index=False)
    plot_forecast(train_frame, windows, predicted, inputs, out / FORECAST_PNG)
    return [FORECAST_PNG]
