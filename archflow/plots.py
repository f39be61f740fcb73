"""Figures for the report: learning curves per fold, confusion matrix, ROC curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    return plt


def plot_learning_curves(histories: list[dict[str, list[float]]], path: Path) -> None:
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(7, 4))
    for fold, history in enumerate(histories, start=1):
        line = axis.plot(history["loss"], label=f"fold {fold} train")[0]
        if "val_loss" in history:
            axis.plot(history["val_loss"], linestyle="--", color=line.get_color(), label=f"fold {fold} validation")
    axis.set(xlabel="epoch", ylabel="loss", title="Learning curves per fold")
    axis.legend(fontsize="small", ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_confusion(labels: np.ndarray, predicted: np.ndarray, classes: list[str], path: Path) -> None:
    plt = _pyplot()
    matrix = np.zeros((len(classes), len(classes)), dtype=int)
    np.add.at(matrix, (labels, predicted), 1)
    figure, axis = plt.subplots(figsize=(1.2 * len(classes) + 3, 1.2 * len(classes) + 2.5))
    axis.imshow(matrix, cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        axis.text(column, row, str(count), ha="center", va="center", color="white" if count > matrix.max() / 2 else "black")
    axis.set(xticks=range(len(classes)), yticks=range(len(classes)), xticklabels=classes, yticklabels=classes, xlabel="predicted", ylabel="actual", title="Confusion matrix (hold-out)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def roc_points(labels: np.ndarray, probabilities: np.ndarray, classes: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One-vs-rest ROC curve per class (the positive class only, for binary tasks)."""
    from sklearn.metrics import roc_curve

    shown = [1] if len(classes) == 2 else range(len(classes))
    curves = {}
    for index in shown:
        if len(np.unique(labels == index)) == 2:
            fpr, tpr, _ = roc_curve(labels == index, probabilities[:, index])
            curves[classes[index]] = (fpr, tpr)
    return curves


def plot_roc(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(5, 5))
    for name, (fpr, tpr) in curves.items():
        axis.plot(fpr, tpr, label=name)
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":")
    axis.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (hold-out, one-vs-rest)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_regression(actual: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(5, 5))
    axis.scatter(actual, predicted, s=12, alpha=0.7)
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    axis.plot([low, high], [low, high], color="grey", linestyle=":")
    axis.set(xlabel="actual", ylabel="predicted", title="Hold-out predictions")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_forecast(train_frame, windows, predicted: np.ndarray, inputs: dict, path: Path, shown: int = 4) -> None:
    """The end of each training series, then the hold-out actual values and the forecasts."""
    import pandas as pd

    from archflow.forecasting import ForecastSpec, split_series

    spec = ForecastSpec.from_description(inputs)
    history = {key: (times, values[:, 0]) for key, times, values in split_series(train_frame, spec)}
    keys = list(pd.unique(windows.series))[:shown]
    plt = _pyplot()
    figure, axes = plt.subplots(len(keys), 1, figsize=(8, 3 * len(keys)), squeeze=False)
    for axis, key in zip(axes[:, 0], keys):
        times, values = history[key]
        tail = slice(max(0, len(times) - 4 * spec.lookback), None)
        axis.plot(np.arange(len(times))[tail], values[tail], color="grey", label="training")
        # this series' hold-out windows, in time order, one horizon apart from the training end
        for n, row in enumerate(np.flatnonzero(windows.series == key)):
            steps = np.arange(len(times) + n * spec.horizon, len(times) + (n + 1) * spec.horizon)
            axis.plot(steps, windows.targets[row], color="black", label=None if n else "actual")
            axis.plot(steps, predicted[row], color="tab:blue", label=None if n else "forecast")
        axis.set(title=f"{spec.target}: {key}", xlabel="time step")
        axis.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
