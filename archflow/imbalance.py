"""Class-imbalance handling, applied to training rows only (never validation or test)."""

from __future__ import annotations

import numpy as np


def class_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Weights inversely proportional to class frequency ("balanced"), one per class."""
    counts = np.bincount(labels, minlength=n_classes).astype("float64")
    return np.where(counts > 0, len(labels) / (n_classes * np.maximum(counts, 1)), 0.0)


def resample_indices(labels: np.ndarray, strategy: str, seed: int) -> np.ndarray:
    """Row positions after random over- or under-sampling to the majority/minority size.

    ``labels`` are the class indices of the training rows; the result indexes into them.
    """
    rng = np.random.default_rng(seed)
    positions = np.arange(len(labels))
    if strategy not in ("oversample", "undersample"):
        return positions
    classes, counts = np.unique(labels, return_counts=True)
    size = counts.max() if strategy == "oversample" else counts.min()
    chosen = []
    for cls, count in zip(classes, counts):
        members = positions[labels == cls]
        chosen.append(rng.choice(members, size=size, replace=size > count))
    return rng.permutation(np.concatenate(chosen))
