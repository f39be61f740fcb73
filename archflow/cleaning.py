"""Stateless cleaning and the hold-out split. Nothing here learns from the data's values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from archflow.column_types import is_bytes, is_numeric, is_string_column
from archflow.errors import DataError
from archflow.parquet import give_back_freed_columns
from archflow.target import is_classification


HASHED_ROWS = 1_000_000


def duplicate_rows(frame: pd.DataFrame) -> pd.Series:
    """``frame.duplicated()``, found fast: rows are hashed (64 bits each), and only rows whose
    hash repeats are compared in full, so the answer is exact. On 10 M rows x 20 columns the
    full comparison factorises every column (about 30 s); hashing takes a few seconds."""
    # strings hashed through a category (each distinct value once), not as 10 M Python objects;
    # a million rows at a time, so the hashing's temporary arrays stay small beside the table (a
    # category's hash depends on its values, not on its codes, so slices hash alike)
    strings = {c: "category" for c in frame.columns if is_string_column(frame[c])}
    slices = (frame.iloc[start : start + HASHED_ROWS] for start in range(0, len(frame), HASHED_ROWS))
    hashes = pd.concat([pd.util.hash_pandas_object(part.astype(strings) if strings else part, index=False) for part in slices]) if len(frame) else pd.Series([], dtype="uint64")
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


def split_holdout(frame: pd.DataFrame, target: str, task: str, test_size: float, seed: int, split_column: str = "", consume: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded hold-out split, stratified on the target for classification; or, with a
    ``split_column`` of train/test values, the data set's own split (the column is dropped).
    ``consume=True`` takes the columns out of ``frame`` one at a time as both parts are built
    (it is left without columns), so the table is held once, not twice, at the peak."""
    if split_column:
        if split_column not in frame.columns:
            raise DataError(f"split.column '{split_column}' is not in the data")
        marks = frame[split_column].astype(str).str.lower()
        unknown = sorted(set(marks) - {"train", "test"})
        if unknown:
            raise DataError(f"split.column '{split_column}' must hold train or test, not {unknown[:5]}")
        train_rows, test_rows = np.flatnonzero(marks == "train"), np.flatnonzero(marks == "test")
    else:
        # the split is drawn on row positions, stratified on the labels' sorted codes: the same rows
        # as splitting the frame on its labels (scikit-learn orders classes by sorting them too), but
        # without sorting millions of label strings (10 M rows: 19 s) or splitting every column twice
        stratify = pd.factorize(frame[target], sort=True)[0] if is_classification(task) else None
        train_rows, test_rows = train_test_split(np.arange(len(frame)), test_size=test_size, random_state=seed, stratify=stratify)
    source = frame if consume else frame.copy(deep=False)
    if split_column:
        del source[split_column]
    return take_apart(source, train_rows, test_rows)


def take_apart(frame: pd.DataFrame, *positions: np.ndarray) -> tuple[pd.DataFrame, ...]:
    """One frame per array of row positions, built a column at a time while ``frame`` gives that
    column up: at the peak, the table and one column's parts (a column stored on its own is
    freed as it goes; one stored in a block with others, as a CSV's floats are, when its block's
    last column goes). ``frame`` is left without columns."""
    parts: list[dict] = [{} for _ in positions]
    for name in list(frame.columns):
        column = frame.pop(name)
        for part, rows in zip(parts, positions):
            part[name] = column.take(rows).reset_index(drop=True)
        del column
        give_back_freed_columns()
    return tuple(pd.DataFrame(part, columns=list(part), copy=False) if part else pd.DataFrame(index=pd.RangeIndex(len(rows))) for part, rows in zip(parts, positions))
