"""Time series (forecasting): windows of history and horizon; scaling per window inside the model.

Forecasters are trained by the same cross-validation loop as every modality, over
time-ordered folds of windows with their own fitter and preprocessor
(archflow/forecast_training.py), and scored against seasonal-naive baselines by the evaluate
stage; so this modality has no ``make_preprocessor`` or ``baseline_features``."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict

import pandas as pd

from archflow.errors import DataError
from archflow.modalities.base import Candidate, Modality, rule_candidate
from archflow.selection import DataFacts


def measure_timeseries(train_frame: pd.DataFrame, target: str, series_settings) -> DataFacts:
    """Series count and length, the horizon, the look-back, the season and the window count."""
    from archflow.forecasting import ForecastSpec, make_windows
    from archflow.timeseries import season_length, series_keys, value_columns

    time_column, id_column = series_settings.time_column, series_settings.id_column
    channels = value_columns(train_frame, time_column, id_column)
    horizon = int(series_settings.horizon)
    season, season_reason = season_length(train_frame, time_column, id_column, series_settings.season)
    lookback = int(series_settings.lookback) if series_settings.lookback != "auto" else max(2 * season, 2 * horizon, 8)
    positive = bool((train_frame[target] > 0).all())
    spec = ForecastSpec(time_column, id_column, [target] + [c for c in channels if c != target], lookback, horizon, season, "ratio" if positive else "difference", series_settings.cv)
    lengths = series_keys(train_frame, id_column).value_counts()
    windows = len(make_windows(train_frame, spec))
    details = {
        "spec": asdict(spec), "series": int(len(lengths)), "steps_min": int(lengths.min()), "steps_max": int(lengths.max()),
        "season_reason": season_reason, "lookback_set": series_settings.lookback != "auto", "positive": positive,
    }
    return DataFacts("timeseries", "forecast", windows, len(spec.channels), 0, lookback * len(spec.channels), {}, details)


def timeseries_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """An encoder-decoder for multi-step horizons; stacked GRU or LSTM layers for one step
    (``requested``: params force one of the two)."""
    d, spec = facts.details, facts.details["spec"]
    horizon, lookback, windows = spec["horizon"], spec["lookback"], facts.examples
    how = "set in params (series.lookback)" if d["lookback_set"] else "two seasons, at least twice the horizon and 8 steps"
    reasons = [
        f"modality timeseries ({d['series']} series of {d['steps_min']}-{d['steps_max']} training steps, {len(spec['channels'])} channel(s): {', '.join(spec['channels'])}): forecasting '{spec['channels'][0]}'",
        f"{d['season_reason']}; look-back {lookback} steps ({how}); horizon {horizon} step(s); {windows} training windows",
        f"time-ordered {spec['cv']} folds; scaling fitted on the steps before each fold; "
        + ("positive target: each window is divided by its mean level (ratio scaling), so trend and level changes carry over" if spec["normalization"] == "ratio" else "each window is standardised and centred on its mean level"),
    ]
    units = 64 if windows < 5_000 else 128
    cell = "lstm"
    if (horizon > 1 and requested == "auto") or requested == "encoder_decoder":
        reasons.append(f"multi-step horizon ({horizon} steps): an encoder-decoder (sequence to sequence): an {cell.upper()} encoder reads the look-back, an {cell.upper()} decoder unrolls {horizon} steps, {units} units")
        return "encoder_decoder", {"cell": cell, "units": units, "horizon": horizon, "dropout": 0.1}, spec, reasons
    cell = "gru" if windows < 10_000 else "lstm"
    reasons.append(f"one-step horizon: two stacked {cell.upper()} layers of {units} units ({windows} windows)")
    return "stacked_rnn", {"cell": cell, "layers": 2, "units": units, "dropout": 0.1}, spec, reasons


class TimeSeries(Modality):
    name = "timeseries"
    unit = "time steps"
    precedence = 20
    architectures = ("encoder_decoder", "stacked_rnn")
    rows_are_independent = False

    def find_layout(self, frame, target, settings):
        """A time series: a column of time stamps (maybe an id column for several series)."""
        from archflow.timeseries import find_time_column

        found = find_time_column(frame, settings.series.time_column)
        return {"kind": self.name, "time_column": found, "id_column": settings.series.id_column, "target_may_be_missing": True} if found else None

    def detect(self, frame, target, layout, forced):
        if (layout or {}).get("kind") != self.name:
            if forced:
                raise DataError("data.modality is 'timeseries' but no time column was found: set series.time_column")
            return None
        time_column = layout["time_column"]
        return f"column '{time_column}' holds time stamps and '{target}' is numeric: forecasting", {"time_column": time_column}

    def validation_suites(self, frame, schema, requirements, policy):
        import great_expectations.expectations as gxe

        from archflow.ordered_checks import time_suite

        return [time_suite(gxe, frame, schema, policy)]

    def rules(self, facts, requested):
        return timeseries_rules(facts, requested)

    def candidates(self, facts, choice):
        """The encoder-decoder beside a direct network (stacked recurrent layers, one output per
        horizon step), and the rule's pick with the other recurrent cell."""
        shortlist = [rule_candidate(choice)]
        for forced in ("encoder_decoder", "stacked_rnn"):
            architecture, hyperparameters, _, _ = timeseries_rules(facts, forced)
            if architecture != choice.architecture:
                shortlist.append(Candidate(architecture, architecture, hyperparameters, {}, "a sequence-to-sequence encoder-decoder" if architecture == "encoder_decoder" else "a direct network: stacked recurrent layers, one output per horizon step"))
        other = "gru" if choice.hyperparameters["cell"] == "lstm" else "lstm"
        shortlist.append(Candidate(f"{choice.architecture}-{other}", choice.architecture, {**choice.hyperparameters, "cell": other}, {}, f"{other.upper()} cells"))
        return shortlist

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

    def holdout(self, trained, train_frame, test_frame, balanced, baselines=True):
        """Forecasts from each origin of the hold-out stretch, beside seasonal-naive forecasts."""
        from archflow.evaluation import forecast_holdout

        return forecast_holdout(trained, train_frame, test_frame)

    def keyed_inputs(self, description, frame):
        from archflow.forecasting import INPUT, ForecastSpec, latest_windows

        keys, windows = latest_windows(frame, ForecastSpec.from_description(description))  # the last look-back steps of each series
        return {INPUT: windows}, pd.Index(keys, name="series")


TIMESERIES = TimeSeries()
