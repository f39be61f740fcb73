"""Time series tables: the time column, its checks, the fill policy and the last-stretch hold-out.

A table holds one series, or many told apart by an id column; rows are time steps. Nothing
here learns from values: the checks, the forward fill and the split are stateless.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from archflow.column_types import is_numeric
from archflow.errors import DataError

TIME_NAMES = ("time", "date", "datetime", "timestamp", "ds", "month", "day", "period")
ONE_SERIES = "series"
# typical time step (days) -> seasonal period
SEASONS = ((1 / 24, 24, "hourly"), (1, 7, "daily"), (7, 52, "weekly"), (30.4, 12, "monthly"), (91.3, 4, "quarterly"))


def parse_times(series: pd.Series) -> pd.Series:
    """Time stamps as datetimes (NaT where a value does not parse), or numbers as they are."""
    if is_numeric(series):
        return series.astype("float64")
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    return pd.to_datetime(series.astype("string"), errors="coerce", format="ISO8601")


def find_time_column(frame: pd.DataFrame, requested: str) -> str | None:
    """The time column: the one params name, or with ``auto`` a datetime column or a
    column named like time/date whose values all parse; None when there is none."""
    if requested == "":
        return None
    if requested != "auto":
        if requested not in frame.columns:
            raise DataError(f"series.time_column '{requested}' is not in the data; columns are {list(frame.columns)}")
        return requested
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            return column
    for column in frame.columns:
        if str(column).lower() in TIME_NAMES and not is_numeric(frame[column]) and parse_times(frame[column]).notna().all():
            return column
    return None


def series_keys(frame: pd.DataFrame, id_column: str) -> pd.Series:
    if id_column and id_column not in frame.columns:
        raise DataError(f"series.id_column '{id_column}' is not in the data; columns are {list(frame.columns)}")
    return frame[id_column].astype(str) if id_column else pd.Series(ONE_SERIES, index=frame.index)


def time_numbers(column: pd.Series) -> np.ndarray:
    """A time column as float days (dates, parsed by :func:`parse_times`) or its numbers."""
    times = parse_times(column)
    if pd.api.types.is_datetime64_any_dtype(times):
        return (times - pd.Timestamp(0)).dt.total_seconds().to_numpy(dtype="float64") / 86_400
    return times.to_numpy(dtype="float64")


def time_label(number: float, like: pd.Series) -> str:
    """A time number (see :func:`time_numbers`) written like the column it came from."""
    if is_numeric(like):
        return f"{number:g}"
    return (pd.Timestamp(0) + pd.to_timedelta(number, unit="D")).isoformat().removesuffix("T00:00:00")


def typical_step(frame: pd.DataFrame, time_column: str, id_column: str) -> float:
    """The median positive difference between consecutive time stamps within a series."""
    numbers = pd.Series(time_numbers(frame[time_column]), index=frame.index)
    steps = numbers.groupby(series_keys(frame, id_column)).diff()
    steps = steps[steps > 0]
    return float(steps.median()) if len(steps) else 1.0


def season_length(frame: pd.DataFrame, time_column: str, id_column: str, requested: str) -> tuple[int, str]:
    """The seasonal period (params, else from the typical step of dated series), and why."""
    if requested != "auto":
        return int(requested), f"season {requested} set in params (series.season)"
    if is_numeric(frame[time_column]):
        return 1, "numeric time stamps: no seasonal period assumed (set series.season)"
    step = typical_step(frame, time_column, id_column)
    for days, period, name in SEASONS:
        if 0.8 * days <= step <= 1.25 * days:
            return period, f"{name} time stamps: seasonal period {period}"
    return 1, f"time step of {step:.3g} days: no seasonal period assumed (set series.season)"


def time_facts(frame: pd.DataFrame, time_column: str, id_column: str, target: str, fill: str) -> pd.DataFrame:
    """One row per time step: whether its stamp parses, repeats or goes back in time, the gap
    since the previous step (in typical steps), and whether the target is missing after the fill."""
    keys = series_keys(frame, id_column)
    times = parse_times(frame[time_column])
    numbers = pd.Series(time_numbers(times), index=frame.index)
    previous = numbers.groupby(keys).shift()
    step = typical_step(frame, time_column, id_column)
    filled = fill_missing(frame[[target]].assign(_key=keys), [target], "_key", fill)[target]
    return pd.DataFrame(
        {
            "row": np.arange(len(frame), dtype="int64"),
            "series": keys.to_numpy(dtype=object),
            "time": frame[time_column].astype(str).to_numpy(dtype=object),
            "parses": times.notna().to_numpy(dtype=bool),
            "repeated": (numbers == previous).to_numpy(dtype=bool),
            "backwards": (numbers < previous).to_numpy(dtype=bool),
            "gap": ((numbers - previous) / step).fillna(1.0).clip(lower=0).to_numpy(dtype="float64"),
            "missing_after_fill": filled.isna().to_numpy(dtype=bool),
        }
    )


def value_columns(frame: pd.DataFrame, time_column: str, id_column: str) -> list[str]:
    """The numeric columns other than the time and id columns: the series' channels."""
    return [c for c in frame.columns if c not in (time_column, id_column) and is_numeric(frame[c])]


def fill_missing(frame: pd.DataFrame, columns: list[str], id_column: str, policy: str) -> pd.DataFrame:
    """Fill missing values within each series: ``ffill`` uses only earlier steps (nothing from
    the future); ``interpolate`` draws lines between neighbours; ``none`` leaves them."""
    if policy == "none" or not columns:
        return frame
    filled = frame.copy()
    groups = filled.groupby(id_column, sort=False)[columns] if id_column else filled[columns]
    if policy == "ffill":
        filled[columns] = groups.ffill()
    elif id_column:
        filled[columns] = groups.transform(lambda part: part.interpolate(limit_direction="both"))
    else:
        filled[columns] = groups.interpolate(limit_direction="both")
    return filled


def fill_split(train: pd.DataFrame, test: pd.DataFrame, columns: list[str], id_column: str, policy: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill the training stretch from itself alone, so no hold-out value leaks into it (an
    interpolation across the boundary would); the hold-out is filled after its history."""
    train = fill_missing(train, columns, id_column, policy)
    both = fill_missing(pd.concat([train, test], ignore_index=True), columns, id_column, policy)
    return train, both.iloc[len(train) :].reset_index(drop=True)


def split_last_steps(frame: pd.DataFrame, time_column: str, steps: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The hold-out is the last ``steps`` distinct time stamps (of every series); the rest trains."""
    numbers = pd.Series(time_numbers(frame[time_column]), index=frame.index)
    stamps = np.sort(numbers.unique())
    if len(stamps) <= steps:
        raise DataError(f"the series has {len(stamps)} time stamps; a hold-out of the last {steps} leaves nothing to train on")
    test = numbers >= stamps[-steps]
    return frame[~test].reset_index(drop=True), frame[test].reset_index(drop=True)
