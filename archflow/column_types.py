"""What a column holds: numbers, encoded images (bytes), free text, or categories."""

from __future__ import annotations

import pandas as pd


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def is_bytes(series: pd.Series) -> bool:
    """Encoded images (or other binary payloads)."""
    values = series.dropna()
    return not values.empty and isinstance(values.iloc[0], (bytes, bytearray))


def feature_columns(frame: pd.DataFrame, target: str) -> tuple[list[str], list[str]]:
    """Numeric and categorical feature columns (everything but the target)."""
    features = [c for c in frame.columns if c != target]
    numeric = [c for c in features if is_numeric(frame[c])]
    return numeric, [c for c in features if c not in numeric]

TEXT_MIN_WORDS = 5


def is_text_column(series: pd.Series) -> bool:
    """Free text: strings of several words on average, mostly distinct."""
    values = series.dropna()
    if values.empty or is_numeric(values) or not isinstance(values.iloc[0], str):
        return False
    words = values.astype(str).str.split().str.len()
    return float(words.mean()) >= TEXT_MIN_WORDS and values.nunique() > 0.5 * len(values)
