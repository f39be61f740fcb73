"""Stateless cleaning and the hold-out split. Nothing here learns from the data's values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from archflow.column_types import is_bytes, is_numeric, is_string_column
from archflow.errors import DataError
from archflow.target import is_classification


def duplicate_rows(frame: pd.DataFrame) -> pd.Series:
    """``frame.duplicated()``, found fast: rows are hashed (64 bits each), and only rows whose
    hash repeats are compared in full, so the answer is exact. On 10 M rows x 20 columns the
    full comparison factorises every column (about 30 s); hashing takes a few seconds."""
    # strings hashed through a category (each distinct value once), not as 10 M Python objects
    strings = {c: "category" for c in frame.columns if is_string_column(frame[c])}
    hashes = pd.util.hash_pandas_object(frame.astype(strings) if strings else frame, index=False)
    maybe = hashes.duplicated(keep=False).to_numpy()
    duplicated = pd.Series(False, index=frame.index)
    if maybe.any():
        duplicated[maybe] = frame[maybe].duplicated().to_numpy()
    return duplicated


def clean_frame(frame: pd.DataFrame, target: str, drop: tuple[str, ...] = (), provenance: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict]:
    """Drop configured columns, trim strings, turn blank strings into missing values and
    drop duplicate rows (a duplicate on both sides of the split would leak). Columns in
    ``provenance`` (such as an image's file name) are kept but ignored when comparing rows."""
    unknown = [c for c in drop if c not in frame.columns]
    if unknown:
        raise DataError(f"data.drop names columns that are not in the data: {unknown}")
    if target in drop:
        raise DataError(f"data.drop must not name the target column '{target}'")
    cleaned = frame.drop(columns=list(drop))  # copy-on-write: columns are copied only where changed
    for name in cleaned.columns:
        if not is_numeric(cleaned[name]) and not pd.api.types.is_bool_dtype(cleaned[name]) and not is_bytes(cleaned[name]):
            text = cleaned[name].astype("str").str.strip()  # pandas' Arrow-backed strings: as compact as the file's
            cleaned[name] = text.mask(text == "")
    before = len(cleaned)
    duplicated = duplicate_rows(cleaned.drop(columns=list(provenance)))
    if duplicated.any():  # else no copy of the rows (a big table holds them once)
        cleaned = cleaned[~duplicated]
    cleaned = cleaned.reset_index(drop=True)
    return cleaned, {"rows_in": before, "duplicates_dropped": before - len(cleaned), "columns_dropped": list(drop)}


def split_holdout(frame: pd.DataFrame, target: str, task: str, test_size: float, seed: int, split_column: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded hold-out split, stratified on the target for classification; or, with a
    ``split_column`` of train/test values, the data set's own split (the column is dropped)."""
    if split_column:
        if split_column not in frame.columns:
            raise DataError(f"split.column '{split_column}' is not in the data")
        marks = frame[split_column].astype(str).str.lower()
        unknown = sorted(set(marks) - {"train", "test"})
        if unknown:
            raise DataError(f"split.column '{split_column}' must hold train or test, not {unknown[:5]}")
        rest = frame.drop(columns=[split_column])
        return rest[marks == "train"].reset_index(drop=True), rest[marks == "test"].reset_index(drop=True)
    # the split is drawn on row positions, stratified on the labels' sorted codes: the same rows
    # as splitting the frame on its labels (scikit-learn orders classes by sorting them too), but
    # without sorting millions of label strings (10 M rows: 19 s) or splitting every column twice
    stratify = pd.factorize(frame[target], sort=True)[0] if is_classification(task) else None
    train_rows, test_rows = train_test_split(np.arange(len(frame)), test_size=test_size, random_state=seed, stratify=stratify)
    return frame.take(train_rows).reset_index(drop=True), frame.take(test_rows).reset_index(drop=True)
