"""Preprocess: modality and task detection, stateless cleaning, and the hold-out split."""

import dataclasses
import logging
from pathlib import Path

import pandas as pd

from archflow.cleaning import clean_frame, split_holdout
from archflow.detection import detect_modality, detect_task, settings_layout
from archflow.images import FILE_COLUMN
from archflow.layout import SNAPSHOT, SPLIT_INFO, TEST_SPLIT, TRAIN_SPLIT
from archflow.handoffs import SplitInfo, save_record
from archflow.outputs import atomic_dir
from archflow.sequences import channel_columns, long_to_rows
from archflow.settings import SeriesSettings, Settings
from archflow.timeseries import fill_split, split_last_steps, value_columns

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


def _sequence_rows(frame: pd.DataFrame, inputs: dict, target: str, split_column: str) -> pd.DataFrame:
    """One row per sequence from the long table (after validation: steps unique, channels whole);
    records the channel columns in ``inputs`` so the saved model can read long tables too."""
    id_column, step_column = inputs["id_column"], inputs["step_column"]
    inputs["channel_columns"] = [c for c in channel_columns(frame, id_column, step_column, target) if c != split_column]
    keep = (split_column,) if split_column in frame.columns else ()
    return long_to_rows(frame, id_column, step_column, inputs["channel_columns"], target, keep)


def _forecast_split(frame: pd.DataFrame, time_column: str, series: SeriesSettings, test_size: float) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Hold out the last stretch (one horizon; one-step forecasts: the split.test_size share of
    the time stamps), then fill missing values, the training stretch from itself alone."""
    horizon = int(series.horizon)
    steps = horizon if horizon > 1 else max(1, round(test_size * frame[time_column].nunique()))
    train_frame, test_frame = split_last_steps(frame, time_column, steps)
    train_frame, test_frame = fill_split(train_frame, test_frame, value_columns(frame, time_column, series.id_column), series.id_column, series.fill)
    return train_frame, test_frame, f"the last {steps} time steps (series.horizon {horizon}; missing values filled by {series.fill})"


def preprocess(settings: Settings) -> dict:
    data, series = settings.data, settings.series
    snapshot = pd.read_parquet(Path(settings.paths.ingested) / SNAPSHOT)
    features = snapshot.drop(columns=[settings.split.column]) if settings.split.column in snapshot.columns else snapshot
    layout = settings_layout(features, settings) or {}
    time_column = layout.get("time_column")
    sequence_columns = (layout["id_column"], layout["step_column"]) if layout.get("kind") == "sequence" else None
    modality, modality_reason, modality_inputs = detect_modality(features, data.target, data.modality, time_column, sequence_columns)
    provenance = (FILE_COLUMN,) if modality == "image" and FILE_COLUMN in snapshot.columns else ()
    frame, cleaning = clean_frame(snapshot, data.target, data.drop, provenance)
    if modality == "sequence":
        frame = _sequence_rows(frame, modality_inputs, data.target, settings.split.column)
    if modality == "timeseries":
        task_name, task_reason = "forecast", f"numeric target '{data.target}' over time: forecasting {series.horizon} step(s) ahead"
        train_frame, test_frame, how = _forecast_split(frame, time_column, series, settings.split.test_size)
    else:
        task_name, task_reason = detect_task(frame[data.target], data.task)
        train_frame, test_frame = split_holdout(frame, data.target, task_name, settings.split.test_size, settings.seed, settings.split.column)
        how = f"the data set's own split (column '{settings.split.column}')" if settings.split.column else f"a seeded split (seed {settings.seed}, {settings.split.test_size:.0%} held out)"
    unit = {"sequence": "sequences", "timeseries": "time steps"}.get(modality, "rows")
    info = SplitInfo(modality, modality_reason, modality_inputs, task_name, task_reason, how, len(train_frame), len(test_frame), **cleaning)
    with atomic_dir(settings.paths.prepared) as out:
        train_frame.to_parquet(out / TRAIN_SPLIT, index=False)
        test_frame.to_parquet(out / TEST_SPLIT, index=False)
        save_record(info, out / SPLIT_INFO)
    log.info("%s; %s; %d duplicate rows dropped; %d train / %d test %s by %s", modality_reason, task_reason, cleaning["duplicates_dropped"], len(train_frame), len(test_frame), unit, how)
    return dataclasses.asdict(info)

