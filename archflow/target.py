"""Telling the task (binary, multiclass, regression) from the target column."""

from __future__ import annotations

import pandas as pd

from archflow.column_types import is_numeric
from archflow.errors import DataError

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

def is_classification(task: str) -> bool:
    return task in ("binary", "multiclass")
