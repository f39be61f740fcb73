"""Scores for classification and regression predictions."""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm


def as_class_probabilities(raw: np.ndarray) -> np.ndarray:
    """(rows, 1) sigmoid outputs -> (rows, 2); softmax outputs pass through."""
    raw = np.asarray(raw, dtype="float64")
    if raw.ndim == 1 or raw.shape[1] == 1:
        positive = raw.reshape(-1)
        return np.column_stack([1 - positive, positive])
    return raw


def classification_scores(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro F1 and ROC-AUC (one-vs-rest macro for multiclass)."""
    predicted = probabilities.argmax(axis=1)
    scores = {
        "accuracy": skm.accuracy_score(labels, predicted),
        "balanced_accuracy": skm.balanced_accuracy_score(labels, predicted),
        "f1_macro": skm.f1_score(labels, predicted, average="macro", labels=np.arange(probabilities.shape[1]), zero_division=0),
    }
    try:
        if probabilities.shape[1] == 2:
            scores["roc_auc"] = skm.roc_auc_score(labels, probabilities[:, 1])
        else:
            scores["roc_auc"] = skm.roc_auc_score(labels, probabilities, multi_class="ovr", average="macro", labels=np.arange(probabilities.shape[1]))
    except ValueError:  # a class absent from these rows
        scores["roc_auc"] = float("nan")
    return {name: float(value) for name, value in scores.items()}


def per_class_scores(labels: np.ndarray, predicted: np.ndarray, classes: list[str]) -> dict[str, dict[str, float]]:
    precision, recall, _, support = skm.precision_recall_fscore_support(labels, predicted, labels=np.arange(len(classes)), zero_division=0)
    return {c: {"precision": float(p), "recall": float(r), "support": int(s)} for c, p, r, s in zip(classes, precision, recall, support)}


def regression_scores(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    actual, predicted = np.asarray(actual, dtype="float64").reshape(-1), np.asarray(predicted, dtype="float64").reshape(-1)
    return {
        "mae": float(skm.mean_absolute_error(actual, predicted)),
        "rmse": float(np.sqrt(skm.mean_squared_error(actual, predicted))),
        "r2": float(skm.r2_score(actual, predicted)),
    }


def summarise_folds(fold_scores: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and (population) standard deviation of each score across folds."""
    names = fold_scores[0].keys()
    return {n: {"mean": float(np.nanmean([f[n] for f in fold_scores])), "std": float(np.nanstd([f[n] for f in fold_scores]))} for n in names}
