"""Telling the task (binary, multiclass, regression) from the target column."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from archflow.errors import DataError
from archflow.profiling import is_bytes, is_numeric

if TYPE_CHECKING:
    from archflow.settings import Settings

MAX_CLASSES_FOR_NUMERIC_TARGET = 20


def detect_task(target: pd.Series, override: str = "auto") -> tuple[str, str]:
    """Return the task and the reason it was chosen.

    A non-numeric target is classification; a numeric one is classification only when it
    holds few distinct whole numbers, otherwise regression.
    """
    values = target.dropna()
    distinct = int(values.nunique())
    if override != "auto":
        if override == "binary" and distinct != 2:
            raise DataError(f"data.task is binary but target '{target.name}' has {distinct} classes: set data.task to auto or multiclass")
        if override in ("binary", "multiclass") and is_numeric(values) and not bool((values == values.round()).all()):
            raise DataError(f"data.task is {override} but target '{target.name}' holds fractional numbers: set data.task to auto or regression")
        if override == "regression" and not is_numeric(values):
            raise DataError(f"data.task is regression but target '{target.name}' is not numeric: set data.task to auto, binary or multiclass")
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


def detect_modality(frame: pd.DataFrame, target: str, override: str = "auto", time_column: str | None = None, sequence_columns: tuple[str, str] | None = None) -> tuple[str, str, dict]:
    """The modality (tabular, image, text, sequence, timeseries), why, and its input facts
    (which column holds text; the sequence id and step columns; the time column)."""
    features = [c for c in frame.columns if c != target]
    if override == "sequence" or (override == "auto" and sequence_columns):
        if not sequence_columns:
            raise DataError("data.modality is 'sequence' but the table has no sequence id column: set sequence.id_column")
        id_column, step_column = sequence_columns
        return "sequence", f"one row per time step of sequences (id column '{id_column}', step column '{step_column}'): sequence classification", {"id_column": id_column, "step_column": step_column}
    if override == "timeseries" or (override == "auto" and time_column):
        if not time_column:
            raise DataError("data.modality is 'timeseries' but no time column was found: set series.time_column")
        return "timeseries", f"column '{time_column}' holds time stamps and '{target}' is numeric: forecasting", {"time_column": time_column}
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


def find_layout(frame: pd.DataFrame, target: str, modality: str, time_column: str, series_id: str, sequence_id: str, step_column: str) -> dict | None:
    """How rows are ordered: sequences in a long table (an id and a step column), a time
    series (a time column, maybe an id column), or None for unordered rows and images.

    Validation and preprocessing both call this, so they agree on the layout."""
    from archflow.sequences import channel_columns, find_sequence_columns
    from archflow.timeseries import find_time_column

    if modality in ("auto", "sequence"):
        columns = find_sequence_columns(frame, sequence_id, step_column)
        if columns:
            channels = channel_columns(frame, *columns, target)
            full = frame[channels].notna().groupby(frame[columns[0]]).all().sum(axis=1)
            width = int(full.mode().iloc[0]) if len(full) else len(channels)
            return {"kind": "sequence", "id_column": columns[0], "step_column": columns[1], "channels": width}
    if modality in ("auto", "timeseries"):
        found = find_time_column(frame, time_column)
        if found:
            return {"kind": "timeseries", "time_column": found, "id_column": series_id}
    return None


def settings_layout(frame: pd.DataFrame, settings: Settings) -> dict | None:
    """:func:`find_layout` with the params that steer it (validate and preprocess share it)."""
    data, series, sequence = settings.data, settings.series, settings.sequence
    return find_layout(frame, data.target, data.modality, series.time_column, series.id_column, sequence.id_column, sequence.step_column)


def layout_columns(layout: dict | None) -> tuple[str | None, tuple[str, str] | None]:
    """The time column of a time-series layout and the (id, step) columns of a sequence layout."""
    layout = layout or {}
    sequence_columns = (layout["id_column"], layout["step_column"]) if layout.get("kind") == "sequence" else None
    return layout.get("time_column"), sequence_columns
