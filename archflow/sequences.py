"""Sequences for classification: a long table (one row per time step) in the snapshot, one row
per sequence after preprocessing, and NaN-padded arrays whose padded steps the model masks.

Sequences may differ in length. Per-channel scaling lives in the model (``MaskedStandardize``)
and is fitted on training rows only; padded steps are NaN on the way in, so the mask follows
from the data and no real value can be mistaken for padding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from archflow.column_types import is_numeric
from archflow.errors import DataError
from archflow.npz import RAGGED_LAYOUT, read_npz
from archflow.preprocessor import Preprocessor

ID, STEP, LABEL, SPLIT = "sequence", "step", "label", "split"
VALUES, LENGTH, CHANNELS = "values", "length", "channels"
INPUT = "sequence"


def _as_steps(array) -> np.ndarray:
    values = np.asarray(array, dtype="float64")
    return values.reshape(-1, 1) if values.ndim == 1 else values


def steps_to_long(values: np.ndarray, lengths: np.ndarray, labels, splits=None) -> pd.DataFrame:
    """Flat steps (total steps, channels) and each sequence's length -> a long table with
    columns sequence, step, channel_0..channel_{C-1}, label[, split], built without a loop."""
    values, lengths = _as_steps(values), np.asarray(lengths, dtype="int64")
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    frame = pd.DataFrame(values, columns=[f"channel_{c}" for c in range(values.shape[1])])
    frame.insert(0, STEP, np.arange(len(values)) - starts)
    frame.insert(0, ID, np.repeat(np.arange(len(lengths)), lengths))
    frame[LABEL] = np.repeat(np.asarray(labels).astype(str), lengths)
    if splits is not None:
        frame[SPLIT] = np.repeat(np.asarray(splits).astype(str), lengths)
    return frame


def arrays_to_long(arrays, labels, splits=None) -> pd.DataFrame:
    """Arrays of (time, channels) or (time,) and one label each -> the long table of
    :func:`steps_to_long`. A sequence with fewer channels than others gets missing values
    there (validation names it)."""
    arrays = [_as_steps(a) for a in arrays]
    width = max(a.shape[1] for a in arrays)
    padded = [a if a.shape[1] == width else np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=np.nan) for a in arrays]
    return steps_to_long(np.concatenate(padded), np.array([len(a) for a in arrays]), labels, splits)


def load_sequence_npz(path: Path) -> pd.DataFrame:
    """An NPZ file of sequences (see :func:`sequences_from_arrays`), read without pickle."""
    return sequences_from_arrays(read_npz(path), path)


def sequences_from_arrays(arrays: dict[str, np.ndarray], path: Path) -> pd.DataFrame:
    """Equal-length sequences ``x`` (samples, time[, channels]), or ragged ones as flat
    ``values`` (total steps[, channels]) with per-sequence ``lengths``; ``y`` labels; optional
    ``split`` of train/test. ``path`` names the file in errors."""
    if "y" not in arrays or not ({"x"} <= set(arrays) or {"values", "lengths"} <= set(arrays)):
        raise DataError(f"{path}: a sequence NPZ needs 'y' and either 'x' or 'values' with 'lengths'; it has {sorted(arrays)}. {RAGGED_LAYOUT}")
    labels, splits = arrays["y"], arrays.get("split")
    if "values" in arrays:
        values, lengths = arrays["values"], arrays["lengths"]
        if values.ndim not in (1, 2) or lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer) or (lengths < 1).any() or int(lengths.sum()) != len(values):
            raise DataError(f"{path}: 'lengths' must be whole numbers of at least 1 that add up to the {len(values)} rows of 'values' (it adds up to {int(lengths.sum()) if lengths.size else 0})")
    else:
        x = arrays["x"]
        if x.ndim not in (2, 3):
            raise DataError(f"{path}: 'x' must be (samples, time) or (samples, time, channels), not shape {x.shape}")
        values, lengths = x.reshape(x.shape[0] * x.shape[1], -1), np.full(x.shape[0], x.shape[1])
    if not np.issubdtype(values.dtype, np.number):
        raise DataError(f"{path}: sequence values must be numbers, not {values.dtype}")
    if len(lengths) != len(labels) or len(lengths) == 0:
        raise DataError(f"{path}: the file holds {len(lengths)} sequences but 'y' holds {len(labels)} labels")
    if splits is not None and len(splits) != len(labels):
        raise DataError(f"{path}: 'split' holds {len(splits)} values for {len(labels)} sequences")
    return steps_to_long(values, lengths, labels, splits)


def looks_like_sequences(arrays: dict[str, np.ndarray]) -> bool:
    """Flat ragged steps or float arrays are sequences; whole-number pixel arrays are images."""
    x = arrays.get("x")
    return "values" in arrays or (x is not None and np.issubdtype(x.dtype, np.floating))


def find_sequence_columns(frame: pd.DataFrame, id_column: str, step_column: str) -> tuple[str, str] | None:
    """The (sequence id, step) columns of a long table, or None when the table is not one."""
    if id_column == "auto":
        id_column = ID if ID in frame.columns and step_column in frame.columns else ""
    if not id_column:
        return None
    for column in (id_column, step_column):
        if column not in frame.columns:
            raise DataError(f"sequence column '{column}' (sequence.id_column / sequence.step_column) is not in the data; columns are {list(frame.columns)}")
    return id_column, step_column


def channel_columns(frame: pd.DataFrame, id_column: str, step_column: str, target: str) -> list[str]:
    """Numeric columns other than the id, step and target: the channels."""
    return [c for c in frame.columns if c not in (id_column, step_column, target) and is_numeric(frame[c])]


def sequence_facts(frame: pd.DataFrame, id_column: str, step_column: str, channels: list[str], target: str) -> pd.DataFrame:
    """One row per sequence: length, channels present, channels with holes, repeated steps, labels."""
    present = frame[channels].notna()
    grouped = present.groupby(frame[id_column], sort=False)
    full = grouped.all().sum(axis=1)  # channels with a value at every step
    some = grouped.any().sum(axis=1)
    by_id = frame.groupby(id_column, sort=False)
    return pd.DataFrame(
        {
            "sequence": full.index.astype(str),
            "length": by_id.size().to_numpy(dtype="int64"),
            "channels": full.to_numpy(dtype="int64"),
            "channels_with_gaps": (some - full).to_numpy(dtype="int64"),
            "repeated_steps": (by_id.size() - by_id[step_column].nunique()).to_numpy(dtype="int64"),
            "labels": by_id[target].nunique(dropna=True).to_numpy(dtype="int64"),
        }
    )


def long_to_rows(frame: pd.DataFrame, id_column: str, step_column: str, channels: list[str], target: str, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per sequence (in order of first appearance): id, target, length, channel count
    and the values flattened step by step; ``keep`` columns take the sequence's first value.
    Built from one sort and array slices, without a Python-level group loop."""
    ordered = frame.sort_values([id_column, step_column], kind="stable")
    codes, _ = pd.factorize(ordered[id_column], use_na_sentinel=False)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype="int64")
    lengths = np.diff(np.r_[starts, len(ordered)])
    values = ordered[channels].to_numpy(dtype="float64")
    flat = np.split(values.reshape(-1), (starts[1:] * len(channels)))
    rows = pd.DataFrame({
        id_column: ordered[id_column].to_numpy()[starts],
        target: ordered[target].to_numpy()[starts],
        LENGTH: lengths.astype("int64"),
        CHANNELS: np.full(len(starts), len(channels), dtype="int64"),
        VALUES: [part.tolist() for part in flat] if len(starts) else [],
    })
    for column in keep:
        rows[column] = ordered[column].to_numpy()[starts]
    order = pd.unique(frame[id_column])
    return rows.set_index(id_column).loc[order].reset_index()


def padded_array(frame: pd.DataFrame, length: int | None = None) -> np.ndarray:
    """(sequences, time, channels) float32, NaN after each sequence's end; ``length`` pads
    to at least that many steps (longer sequences keep their length). Filled with one
    scatter of the concatenated values."""
    lengths, channels = frame[LENGTH].to_numpy(dtype="int64"), int(frame[CHANNELS].iloc[0])
    steps = max(int(lengths.max()), length or 0)
    array = np.full((len(frame), steps, channels), np.nan, dtype="float32")
    values = np.concatenate([np.asarray(v, dtype="float32") for v in frame[VALUES]]).reshape(-1, channels)
    sequence = np.repeat(np.arange(len(frame)), lengths)
    step = np.arange(len(values)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    array[sequence, step] = values
    return array


def as_sequence_rows(frame: pd.DataFrame, long_format: dict | None) -> pd.DataFrame:
    """Rows of sequences as they are, or a long table (one row per step, as ingested) turned
    into them; ``long_format`` names its id, step and channel columns."""
    if VALUES in frame.columns or not long_format:
        return frame
    missing = [c for c in (long_format["id_column"], long_format["step_column"], *long_format["channel_columns"]) if c not in frame.columns]
    if missing:
        raise DataError(f"sequence rows need the columns {missing}")
    steps = frame.assign(_label="")
    return long_to_rows(steps, long_format["id_column"], long_format["step_column"], long_format["channel_columns"], "_label").drop(columns="_label")


def sequence_inputs(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Rows of sequences (see :func:`as_sequence_rows` for a long table) as the model's input."""
    return {INPUT: padded_array(rows)}


class SequencePreprocessor(Preprocessor):
    """Per-channel mean and standard deviation over the real (unpadded) steps of training
    sequences; the model standardises inside and masks padded (NaN) steps."""

    def __init__(self, channels: int, long_format: dict | None = None):
        self.channels, self.long_format = channels, long_format

    def fit(self, frame: pd.DataFrame) -> SequencePreprocessor:
        steps = padded_array(frame).reshape(-1, self.channels)
        steps = steps[~np.isnan(steps).any(axis=1)]
        self.mean_ = steps.mean(axis=0).astype(float).tolist()
        self.std_ = np.where(steps.std(axis=0) > 0, steps.std(axis=0), 1.0).astype(float).tolist()
        self.fitted_rows_ = len(frame)
        return self

    def describe(self) -> dict:
        return {"modality": "sequence", "channels": self.channels, "long_format": self.long_format}


    def to_inputs(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return sequence_inputs(frame)

    def build_encoder(self):
        import keras

        from archflow.layers import MaskedStandardize

        steps = keras.Input(shape=(None, self.channels), dtype="float32", name=INPUT)  # any length; NaN = padding
        return {INPUT: steps}, MaskedStandardize(self.mean_, self.std_, name="standardize")(steps)
