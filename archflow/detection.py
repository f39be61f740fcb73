"""Telling the task (binary, multiclass, regression) from the target column."""

from __future__ import annotations

import pandas as pd

from archflow.profiling import is_bytes, is_numeric

MAX_CLASSES_FOR_NUMERIC_TARGET = 20


def detect_task(target: pd.Series, override: str = "auto") -> tuple[str, str]:
    """Return the task and the reason it was chosen.

    A non-numeric target is classification; a numeric one is classification only when it
    holds few distinct whole numbers, otherwise regression.
    """
    values = target.dropna()
    distinct = int(values.nunique())
    if override != "auto":
        return override, f"task '{override}' set in params (data.task)"
    if is_numeric(values):
        whole = bool((values == values.round()).all())
        if not whole or distinct > MAX_CLASSES_FOR_NUMERIC_TARGET:
            return "regression", f"numeric target with {distinct} distinct values: regression"
    if distinct <= 2:
        return "binary", f"target has {distinct} classes: binary classification"
    return "multiclass", f"target has {distinct} classes: multiclass classification"


TEXT_MIN_WORDS = 5


def is_text_column(series: pd.Series) -> bool:
    """Free text: strings of several words on average, mostly distinct."""
    values = series.dropna()
    if values.empty or is_numeric(values) or not isinstance(values.iloc[0], str):
        return False
    words = values.astype(str).str.split().str.len()
    return float(words.mean()) >= TEXT_MIN_WORDS and values.nunique() > 0.5 * len(values)


def detect_modality(frame: pd.DataFrame, target: str, override: str = "auto") -> tuple[str, str, dict]:
    """The modality (tabular, image, text), why, and its input facts (which column holds text)."""
    features = [c for c in frame.columns if c != target]
    images = [c for c in features if is_bytes(frame[c])]
    texts = [c for c in features if is_text_column(frame[c])]
    if override == "image" or (override == "auto" and images):
        return "image", f"column '{images[0] if images else 'image'}' holds encoded images: image data", {}
    if override == "text" or (override == "auto" and texts):
        if not texts:
            return "text", "modality 'text' set in params (data.modality)", {"column": features[0]}
        column = max(texts, key=lambda c: frame[c].astype(str).str.len().mean())
        others = [c for c in features if c != column]
        ignored = f"; other columns {others} are not used" if others else ""
        return "text", f"column '{column}' holds free text (several words per row, mostly distinct): text data{ignored}", {"column": column}
    if override == "tabular":
        return "tabular", "modality 'tabular' set in params (data.modality)", {}
    return "tabular", "numeric and categorical columns: tabular data", {}


def is_classification(task: str) -> bool:
    return task in ("binary", "multiclass")
