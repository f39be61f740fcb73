"""One preprocessor per modality, found by name: training builds them, prediction reuses their inputs.

Every preprocessor has the same small contract: ``fit(frame)`` learns from training rows
only; ``to_inputs(frame)`` turns raw rows into the model's named inputs; ``build_encoder()``
returns the Keras inputs and the encoded tensor; ``describe()`` is saved with the model;
``body_arguments()`` passes what the architecture needs (a vocabulary size).
"""

from __future__ import annotations

import pandas as pd

from archflow.images import ImagePreprocessor
from archflow.profiling import feature_columns
from archflow.sequences import SequencePreprocessor, as_sequence_rows, sequence_inputs
from archflow.tabular import TabularPreprocessor, row_problems, rows_to_inputs
from archflow.text import TextPreprocessor, text_inputs


def make_preprocessor(modality: str, inputs: dict, frame: pd.DataFrame, target: str, unseen: str = "ignore", min_category_count: int = 1):
    """An unfitted preprocessor for ``modality``; ``inputs`` holds the select stage's input facts."""
    if modality == "image":
        return ImagePreprocessor(inputs["size"], inputs["channels"], inputs.get("rotation", 0.05), inputs.get("shift", 0.1), inputs.get("flip", False))
    if modality == "text":
        return TextPreprocessor(inputs["column"], inputs.get("max_tokens", 20_000), inputs.get("length_percentile", 95), inputs.get("wide_tokens", 0))
    if modality == "sequence":
        return SequencePreprocessor(inputs["channels"], inputs.get("long_format"))
    numeric, categorical = feature_columns(frame, target)
    return TabularPreprocessor(numeric, categorical, unseen, min_category_count)


def keyed_inputs(description: dict, frame: pd.DataFrame) -> tuple[dict, pd.Index]:
    """A saved model's named inputs from raw rows, using the description stored with it, and
    what each input row stands for: the frame's rows, or a named key (a series, a sequence)."""
    modality = description["modality"]
    if modality == "image":
        return ImagePreprocessor(description["size"], description["channels"]).to_inputs(frame), frame.index
    if modality == "text":
        return text_inputs(frame, description["column"]), frame.index
    if modality == "sequence":  # rows of sequences, or a long table turned into them
        rows = as_sequence_rows(frame, description.get("long_format"))
        index = frame.index if rows is frame else pd.Index(rows.iloc[:, 0], name=rows.columns[0])
        return sequence_inputs(rows), index
    if modality == "timeseries":  # the last look-back steps of each series: the next forecast's input
        from archflow.forecasting import INPUT, ForecastSpec, latest_windows

        keys, windows = latest_windows(frame, ForecastSpec.from_description(description))
        return {INPUT: windows}, pd.Index(keys, name="series")
    return rows_to_inputs(frame, description["numeric"], description["categorical"]), frame.index


def raw_inputs(description: dict, frame: pd.DataFrame) -> dict:
    """A saved model's named inputs from raw rows (see :func:`keyed_inputs`)."""
    return keyed_inputs(description, frame)[0]


def input_problems(description: dict, frame: pd.DataFrame) -> list[str]:
    """What is wrong with raw rows for a saved model, before it predicts from them (tables:
    columns, types and categories; other modalities name their problems while reading inputs)."""
    return row_problems(description, frame) if description["modality"] == "tabular" else []
