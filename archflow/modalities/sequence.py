"""Sequences (classification): one row per sequence, or a long table of steps; per-channel scaling and padding inside the model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from archflow.modalities.base import Modality
from archflow.selection import measure_sequences
from archflow.sequences import SequencePreprocessor, as_sequence_rows, channel_columns, long_to_rows, padded_array, sequence_inputs


class Sequence(Modality):
    name = "sequence"
    unit = "sequences"

    def model_rows(self, frame, found, target, split_column):
        """One row per sequence from the long table (after validation: steps unique, channels
        whole); ``found`` gains the channel columns, so the saved model reads long tables too."""
        id_column, step_column = found["id_column"], found["step_column"]
        channels = [c for c in channel_columns(frame, id_column, step_column, target) if c != split_column]
        keep = (split_column,) if split_column in frame.columns else ()
        return long_to_rows(frame, id_column, step_column, channels, target, keep), {**found, "channel_columns": channels}

    def measure(self, train_frame, target, task, settings, found):
        return measure_sequences(train_frame, target, task)

    def choice_inputs(self, settings, found):
        return {"long_format": found}  # so the saved model also reads long tables

    def make_preprocessor(self, inputs, frame, target, unseen, min_category_count):
        return SequencePreprocessor(inputs["channels"], inputs.get("long_format"))

    def keyed_inputs(self, description, frame):
        rows = as_sequence_rows(frame, description.get("long_format"))  # rows of sequences, or a long table turned into them
        index = frame.index if rows is frame else pd.Index(rows.iloc[:, 0], name=rows.columns[0])
        return sequence_inputs(rows), index

    def baseline_features(self, inputs, train_frame, test_frame, target):
        """Sequences scaled per channel (training statistics), zero-padded to one length,
        flattened: the Euclidean 1-nearest-neighbour baseline of the UCR literature."""
        channels = int(train_frame["channels"].iloc[0])
        scaler = SequencePreprocessor(channels).fit(train_frame)
        length = int(max(train_frame["length"].max(), test_frame["length"].max()))
        flat = []
        for frame in (train_frame, test_frame):
            scaled = (padded_array(frame, length) - np.asarray(scaler.mean_, dtype="float32")) / np.asarray(scaler.std_, dtype="float32")
            flat.append(np.nan_to_num(scaled, nan=0.0).reshape(len(frame), -1))
        return flat[0], flat[1], "passthrough"

    def baseline_classifiers(self, transform, balanced, train_features=None):
        from sklearn.neighbors import KNeighborsClassifier

        return {"nearest_neighbour": KNeighborsClassifier(n_neighbors=1)}  # Euclidean


SEQUENCE = Sequence()
