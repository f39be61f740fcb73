"""What a column holds: numbers, encoded images (bytes), free text, or categories."""

from __future__ import annotations

import pandas as pd


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def is_string_column(series: pd.Series) -> bool:
    """pandas' own string dtype (Arrow-backed in pandas 3), not an object column of anything."""
    return pd.api.types.is_string_dtype(series) and series.dtype != object


def is_bytes(series: pd.Series) -> bool:
    """Encoded images (or other binary payloads)."""
    if pd.api.types.is_numeric_dtype(series):
        return False
    present = series.notna().to_numpy()
    return bool(present.any()) and isinstance(series.iloc[int(present.argmax())], (bytes, bytearray))


def feature_columns(frame: pd.DataFrame, target: str) -> tuple[list[str], list[str]]:
    """Numeric and categorical feature columns (everything but the target)."""
    features = [c for c in frame.columns if c != target]
    numeric = [c for c in features if is_numeric(frame[c])]
    return numeric, [c for c in features if c not in numeric]

TEXT_MIN_WORDS = 5
TEXT_SAMPLE = 10_000  # a longer column is judged on a seeded sample of this many values


def is_text_column(series: pd.Series) -> bool:
    """Free text: strings of several words on average, mostly distinct (judged on a seeded
    sample of a long column: splitting 10 M strings into words took 15 s and gigabytes)."""
    if is_numeric(series):
        return False
    values = series.dropna()
    if len(values) > TEXT_SAMPLE:
        values = values.sample(TEXT_SAMPLE, random_state=0)
    if values.empty or not isinstance(values.iloc[0], str):
        return False
    words = values.astype(str).str.count(r"\S+")
    return float(words.mean()) >= TEXT_MIN_WORDS and values.nunique() > 0.5 * len(values)
