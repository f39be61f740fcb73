"""Time series (forecasting): windows of history and horizon; scaling per window inside the model.

Forecasters are trained by the same cross-validation loop as every modality, over
time-ordered folds of windows with their own fitter and preprocessor
(archflow/forecast_training.py), and scored against seasonal-naive baselines by the evaluate
stage; so this modality has no ``make_preprocessor`` or ``baseline_features``."""

from __future__ import annotations

import dataclasses

import pandas as pd

from archflow.modalities.base import Modality
from archflow.selection import measure_timeseries


class TimeSeries(Modality):
    name = "timeseries"
    unit = "time steps"

    def hold_out(self, frame, found, settings):
        """Hold out the last stretch (one horizon; one-step forecasts: the split.test_size share
        of the time stamps), then fill missing values, the training stretch from itself alone."""
        from archflow.timeseries import fill_split, split_last_steps, value_columns

        series, time_column = settings.series, found["time_column"]
        horizon = int(series.horizon)
        steps = horizon if horizon > 1 else max(1, round(settings.split.test_size * frame[time_column].nunique()))
        train_frame, test_frame = split_last_steps(frame, time_column, steps)
        train_frame, test_frame = fill_split(train_frame, test_frame, value_columns(frame, time_column, series.id_column), series.id_column, series.fill)
        task_reason = f"numeric target '{settings.data.target}' over time: forecasting {series.horizon} step(s) ahead"
        return train_frame, test_frame, "forecast", task_reason, f"the last {steps} time steps (series.horizon {horizon}; missing values filled by {series.fill})"

    def measure(self, train_frame, target, task, settings, found):
        series = dataclasses.replace(settings.series, time_column=found["time_column"])  # auto, as detection resolved it
        return measure_timeseries(train_frame, target, series)

    def training(self, train_frame, choice, config):
        """Time-ordered folds over windows, and forecasters fitted on them."""
        from archflow.forecast_training import WindowFitter, window_folds

        return window_folds(train_frame, choice, config), WindowFitter(choice, config, train_frame)

    def keyed_inputs(self, description, frame):
        from archflow.forecasting import INPUT, ForecastSpec, latest_windows

        keys, windows = latest_windows(frame, ForecastSpec.from_description(description))  # the last look-back steps of each series
        return {INPUT: windows}, pd.Index(keys, name="series")


TIMESERIES = TimeSeries()
