"""Forecasting: windows, time-ordered folds, the fit, and forecast scores.

A window is ``lookback`` steps of every channel (the target first) ending just before its
origin, and the ``horizon`` target values from the origin on. Folds are blocks at the end of
the training stretch, in time order and never shuffled: a fold's training windows end
(targets included) before the fold's first time stamp, and the scaling statistics come from
those steps only. The final model trains on every window of the training split for the
median of the folds' best epoch counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from archflow.errors import DataError
from archflow.preprocessor import Preprocessor
from archflow.timeseries import series_keys, time_numbers

INPUT = "window"


@dataclass(frozen=True)
class ForecastSpec:
    """What the windows are made of; saved with the model as its input description."""

    time_column: str
    id_column: str
    channels: list[str]  # value columns, the target first
    lookback: int
    horizon: int
    season: int
    normalization: str  # ratio | difference (see archflow.layers.WindowScale)
    cv: str = "expanding"

    @classmethod
    def from_description(cls, description: dict) -> ForecastSpec:
        """The spec from a saved model's input description (its ``modality`` key aside)."""
        return cls(**{k: v for k, v in description.items() if k != "modality"})

    @property
    def target(self) -> str:
        return self.channels[0]


@dataclass
class Windows:
    inputs: np.ndarray  # (windows, lookback, channels)
    targets: np.ndarray  # (windows, horizon)
    first: np.ndarray  # time of each window's first input step
    origin: np.ndarray  # time of its first target step
    last: np.ndarray  # time of its last target step
    series: np.ndarray  # the series each window comes from

    def take(self, keep: np.ndarray) -> Windows:
        return Windows(*(getattr(self, name)[keep] for name in ("inputs", "targets", "first", "origin", "last", "series")))

    def __len__(self) -> int:
        return len(self.targets)


def split_series(frame: pd.DataFrame, spec: ForecastSpec):
    """Per series (in time order): its key, time stamps as numbers, and values (steps, channels)."""
    keys = series_keys(frame, spec.id_column)
    numbers = pd.Series(time_numbers(frame[spec.time_column]), index=frame.index)
    for key in pd.unique(keys):
        part = frame[keys == key]
        order = np.argsort(numbers[part.index].to_numpy(), kind="stable")
        yield key, numbers[part.index].to_numpy()[order], part[spec.channels].to_numpy(dtype="float32")[order]


def make_windows(frame: pd.DataFrame, spec: ForecastSpec) -> Windows:
    """Every window of every series (stride one)."""
    parts = []
    lookback, horizon = spec.lookback, spec.horizon
    for key, times, values in split_series(frame, spec):
        origins = np.arange(lookback, len(values) - horizon + 1)
        if len(origins) == 0:
            continue
        parts.append(
            Windows(
                np.stack([values[t - lookback : t] for t in origins]),
                np.stack([values[t : t + horizon, 0] for t in origins]),
                times[origins - lookback],
                times[origins],
                times[origins + horizon - 1],
                np.full(len(origins), key, dtype=object),
            )
        )
    if not parts:
        raise DataError(f"no series has the {lookback + horizon} steps one window needs (lookback {lookback} + horizon {horizon})")
    return Windows(*(np.concatenate([getattr(p, n) for p in parts]) for n in ("inputs", "targets", "first", "origin", "last", "series")))


def time_folds(frame: pd.DataFrame, spec: ForecastSpec, folds: int) -> list[tuple[float, float]]:
    """(start, end) time stamps of each fold's validation block: the last ``folds`` blocks of
    the training stretch, each at least one horizon long, in time order."""
    stamps = np.sort(pd.unique(time_numbers(frame[spec.time_column])))
    usable = len(stamps) - spec.lookback - spec.horizon
    block = max(spec.horizon, usable // (folds + 1))
    first_start = len(stamps) - folds * block
    if first_start < spec.lookback + spec.horizon:
        raise DataError(
            f"the training stretch has {len(stamps)} time steps: too short for {folds} time-ordered folds of {block} steps "
            f"after a first window of lookback {spec.lookback} + horizon {spec.horizon}; lower train.folds or series.lookback"
        )
    starts = [first_start + i * block for i in range(folds)]
    return [(float(stamps[s]), float(stamps[s + block - 1])) for s in starts]


def fold_windows(windows: Windows, start: float, end: float, spec: ForecastSpec, first_start: float) -> tuple[np.ndarray, np.ndarray]:
    """Training windows end before ``start``; validation windows forecast from within the
    block and end inside it. Sliding folds keep only as much history as the first fold had."""
    train = windows.last < start
    if spec.cv == "sliding":
        train &= windows.first >= start - (first_start - windows.first.min())
    validation = (windows.origin >= start) & (windows.last <= end)
    return np.flatnonzero(train), np.flatnonzero(validation)


class ForecastPreprocessor(Preprocessor):
    """Per-channel mean and standard deviation of the training stretch (only steps before the
    fold); the model scales inside, so the saved model reads raw windows."""

    def __init__(self, spec: ForecastSpec):
        self.spec = spec

    def fit(self, windows: Windows) -> ForecastPreprocessor:
        steps = windows.inputs.reshape(-1, windows.inputs.shape[-1])
        self.mean_ = steps.mean(axis=0).astype(float).tolist()
        self.std_ = np.where(steps.std(axis=0) > 0, steps.std(axis=0), 1.0).astype(float).tolist()
        self.fitted_until_ = float(windows.last.max())
        return self

    def describe(self) -> dict:
        spec = self.spec
        return {
            "modality": "timeseries", "time_column": spec.time_column, "id_column": spec.id_column, "channels": spec.channels,
            "lookback": spec.lookback, "horizon": spec.horizon, "season": spec.season, "normalization": spec.normalization, "cv": spec.cv,
        }


    def build_encoder(self):
        import keras

        from archflow.layers import WindowScale

        window = keras.Input(shape=(self.spec.lookback, len(self.spec.channels)), dtype="float32", name=INPUT)
        scaled, self._level = WindowScale(self.mean_, self.std_, self.spec.normalization, name="window_scale")(window)
        return {INPUT: window}, scaled

    def to_target_units(self, outputs):
        """Undo the window's scaling: forecasts in the target's units, at the window's level."""
        from archflow.layers import WindowUnscale

        return WindowUnscale(self.mean_[0], self.std_[0], self.spec.normalization, name="target_units")([outputs, self._level])


def latest_windows(frame: pd.DataFrame, spec: ForecastSpec) -> tuple[list, np.ndarray]:
    """The last ``lookback`` steps of each series: the input of the next forecast."""
    keys, inputs = [], []
    for key, _, values in split_series(frame, spec):
        if len(values) < spec.lookback:
            raise DataError(f"series '{key}' has {len(values)} steps; the model reads the last {spec.lookback}")
        keys.append(key)
        inputs.append(values[-spec.lookback :])
    return keys, np.stack(inputs)


def holdout_windows(history: pd.DataFrame, future: pd.DataFrame, spec: ForecastSpec) -> Windows:
    """Windows whose forecasts start in ``future`` at every horizon-th step, their inputs the
    actual values before each origin (from ``history`` and earlier ``future`` steps)."""
    windows = make_windows(pd.concat([history, future], ignore_index=True), spec)
    start = float(np.min(time_numbers(future[spec.time_column])))
    keep = np.zeros(len(windows), dtype=bool)
    for key in pd.unique(windows.series):
        rows = np.flatnonzero((windows.series == key) & (windows.origin >= start))
        keep[rows[:: spec.horizon]] = True
    return windows.take(keep)


def seasonal_naive(windows: Windows, history: pd.DataFrame, future: pd.DataFrame, spec: ForecastSpec, season: int) -> np.ndarray:
    """The value one season before each forecast step (``season`` 1: the last value), from the
    whole history of the series, so the baseline does not depend on the model's look-back."""
    series = {key: (times, values[:, 0]) for key, times, values in split_series(pd.concat([history, future], ignore_index=True), spec)}
    forecasts = np.empty_like(windows.targets)
    for row, (key, origin) in enumerate(zip(windows.series, windows.origin)):
        times, values = series[key]
        t = int(np.searchsorted(times, origin))
        for h in range(spec.horizon):
            back = season * int(np.ceil((h + 1) / season))
            forecasts[row, h] = values[t + h - back]
    return forecasts


def naive_scale(frame: pd.DataFrame, spec: ForecastSpec) -> float:
    """MASE's denominator: the in-sample mean absolute error of the seasonal-naive forecast."""
    errors = []
    for _, _, values in split_series(frame, spec):
        target, m = values[:, 0], min(spec.season, len(values) - 1)
        errors.append(np.abs(target[m:] - target[:-m]))
    scale = float(np.mean(np.concatenate(errors))) if errors else 1.0
    return scale if scale > 0 else 1.0


def forecast_scores(actual: np.ndarray, predicted: np.ndarray, scale: float) -> dict[str, float]:
    """MAE, RMSE, MAPE (in %, over non-zero actual values) and MASE, over every forecast step."""
    actual, predicted = np.asarray(actual, dtype="float64").reshape(-1), np.asarray(predicted, dtype="float64").reshape(-1)
    errors = predicted - actual
    nonzero = actual != 0
    return {
        "mae": float(np.mean(np.abs(errors))),
        "rmse": float(np.sqrt(np.mean(errors**2))),
        "mape": float(100 * np.mean(np.abs(errors[nonzero] / actual[nonzero]))) if nonzero.any() else float("nan"),
        "mase": float(np.mean(np.abs(errors)) / scale),
    }
