"""Time series (forecasting): windows of history and horizon; scaling per window inside the model.

Forecasters are fitted by their own loop (archflow/forecast_training.py) with their own
preprocessor, and scored against seasonal-naive baselines by the evaluate stage, so this
modality implements selection's measurements and prediction's inputs only."""

from __future__ import annotations

import dataclasses

import pandas as pd

from archflow.modalities.base import Modality
from archflow.selection import measure_timeseries


class TimeSeries(Modality):
    name = "timeseries"

    def measure(self, train_frame, target, task, settings, found):
        series = dataclasses.replace(settings.series, time_column=found["time_column"])  # auto, as detection resolved it
        return measure_timeseries(train_frame, target, series)

    def keyed_inputs(self, description, frame):
        from archflow.forecasting import INPUT, ForecastSpec, latest_windows

        keys, windows = latest_windows(frame, ForecastSpec.from_description(description))  # the last look-back steps of each series
        return {INPUT: windows}, pd.Index(keys, name="series")


TIMESERIES = TimeSeries()
