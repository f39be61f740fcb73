"""A short, deterministic profile of a data frame (no timestamps, so reruns compare equal)."""

from __future__ import annotations

import pandas as pd

from archflow.column_types import is_bytes, is_numeric


def profile_frame(frame: pd.DataFrame, target: str) -> dict:
    """Rows, columns, per-column type, missing and distinct counts, ranges and top values."""
    columns = {}
    for name in frame.columns:
        series = frame[name]
        entry = {"dtype": str(series.dtype), "missing": int(series.isna().sum())}
        if not is_bytes(series) and not pd.api.types.is_float_dtype(series):
            # (a float column's distinct values are most of its rows: counting them is the
            # profile's whole cost on a big table, 2 s a column at 10 M rows, for no insight)
            entry["distinct"] = int(series.nunique(dropna=True))
        if is_numeric(series):
            stats = {"mean": series.mean(), "std": series.std(), "min": series.min(), "max": series.max()}
            entry.update({k: float(v) for k, v in stats.items() if pd.notna(v)})
        elif not is_bytes(series):
            entry["top"] = {str(k): int(v) for k, v in series.value_counts().head(5).items()}
        columns[str(name)] = entry
    profile = {"rows": int(len(frame)), "columns": int(frame.shape[1]), "target": target, "column_profiles": columns}
    if target in frame.columns:
        counts = frame[target].value_counts(dropna=True)
        if not is_numeric(frame[target]) or counts.size <= 20:
            profile["target_counts"] = {str(k): int(v) for k, v in counts.items()}
    return profile
