"""Sequences (classification): one row per sequence, or a long table of steps; per-channel scaling and padding inside the model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from archflow.errors import DataError
from archflow.modalities.base import Candidate, Modality, rule_candidate
from archflow.selection import DataFacts, class_counts
from archflow.sequences import SequencePreprocessor, as_sequence_rows, channel_columns, find_sequence_columns, long_to_rows, padded_array, sequence_inputs


FCN_MIN_LENGTH = 64
FCN_WARMUP = 50
# the published FCN, ResNet and InceptionTime recipes halve the learning rate when the loss stops
# improving (there after 50 of 1,500 epochs); scaled to early stopping's patience, after 10
PLATEAU_PATIENCE = 10
CONVOLUTIONAL = ("fcn", "resnet", "inception")  # bodies that read the whole padded sequence with batch norm: they share a warm-up


def measure_sequences(train_frame: pd.DataFrame, target: str, task: str) -> DataFacts:
    """Sequence lengths and channel count of the training sequences (one row each)."""
    from archflow.sequences import CHANNELS, LENGTH

    lengths = train_frame[LENGTH].to_numpy()
    details = {"length_max": int(lengths.max()), "length_median": int(np.median(lengths)), "length_min": int(lengths.min()), "channels": int(train_frame[CHANNELS].iloc[0])}
    return DataFacts("sequence", task, len(train_frame), 0, 0, 0, class_counts(train_frame, target, task), details)


def sequence_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """A fully convolutional network for long series, a bidirectional GRU or LSTM otherwise
    (``requested``: params force one, or the residual network)."""
    d = facts.details
    length, channels, rows = d["length_max"], d["channels"], facts.examples
    varying = f"lengths {d['length_min']}-{length}, padded with masking" if d["length_min"] != length else f"all {length} steps long"
    reasons = [f"modality sequence ({rows} training sequences, {channels} channel(s), {varying}): per-channel scaling fitted on training folds"]
    inputs = {"channels": channels}
    if (length >= FCN_MIN_LENGTH and requested == "auto") or requested in CONVOLUTIONAL:
        architecture = "fcn" if requested == "auto" else requested
        filters = 128 if rows >= 1_000 else 64
        reasons.append({
            "fcn": f"long sequences ({length} >= {FCN_MIN_LENGTH} steps): the fully convolutional network of the UCR literature (three Conv1D blocks, global average pooling over real steps), {filters} filters",
            "resnet": f"the residual network of the UCR literature (three residual blocks of three Conv1D layers, global average pooling over real steps), {filters} filters, set in params (model.architecture)",
            "inception": f"InceptionTime's network (six Inception modules of kernels 40, 20 and 10, a shortcut every three, global average pooling over real steps), {filters} filters a module, set in params (model.architecture)",
        }[architecture])
        reasons.append(f"early stopping starts after {FCN_WARMUP} epochs: batch-norm statistics of a convolutional network swing in its first epochs, and an early dip in validation loss is not the best model")
        reasons.append(f"the learning rate halves after {PLATEAU_PATIENCE} epochs without a better validation loss, as in the published recipes, so the late epochs settle instead of swinging")
        return architecture, {"filters": filters, "dropout": 0.2}, {**inputs, "training": {"warmup_epochs": FCN_WARMUP, "plateau_patience": PLATEAU_PATIENCE}}, reasons
    cell = "gru" if rows < 10_000 else "lstm"
    layers = 1 if rows < 1_000 else 2
    units = 64 if channels <= 8 else 128
    reasons.append(
        f"short sequences ({length} < {FCN_MIN_LENGTH} steps) seen whole: {layers} bidirectional {cell.upper()} layer(s) of {units} units "
        f"({'a GRU has fewer weights for ' + str(rows) + ' sequences' if cell == 'gru' else str(rows) + ' sequences: an LSTM'})"
    )
    return "sequence_rnn", {"cell": cell, "layers": layers, "units": units, "bidirectional": True, "dropout": 0.2}, inputs, reasons


class Sequence(Modality):
    name = "sequence"
    unit = "sequences"
    precedence = 10  # a long table of steps would otherwise pass for a plain table
    architectures = ("fcn", "resnet", "inception", "sequence_rnn")

    def claims_arrays(self, arrays):
        from archflow.sequences import looks_like_sequences

        return looks_like_sequences(arrays)

    def frame_from_arrays(self, arrays, path):
        from archflow.sequences import ID, sequences_from_arrays

        frame = sequences_from_arrays(arrays, path)
        return frame, f"{frame[ID].nunique()} sequences, {len(frame)} time steps"

    def find_layout(self, frame, target, settings):
        """Sequences in a long table: an id and a step column, and the usual channel count."""
        columns = find_sequence_columns(frame, settings.sequence.id_column, settings.sequence.step_column)
        if not columns:
            return None
        channels = channel_columns(frame, *columns, target)
        full = frame[channels].notna().groupby(frame[columns[0]]).all().sum(axis=1)
        width = int(full.mode().iloc[0]) if len(full) else len(channels)
        return {"kind": self.name, "id_column": columns[0], "step_column": columns[1], "channels": width}

    def detect(self, frame, target, layout, forced):
        if (layout or {}).get("kind") != self.name:
            if forced:
                raise DataError("data.modality is 'sequence' but the table has no sequence id column: set sequence.id_column")
            return None
        id_column, step_column = layout["id_column"], layout["step_column"]
        return f"one row per time step of sequences (id column '{id_column}', step column '{step_column}'): sequence classification", {"id_column": id_column, "step_column": step_column}

    def validation_suites(self, frame, schema, requirements, policy):
        import great_expectations.expectations as gxe

        from archflow.ordered_checks import sequence_suite

        return [sequence_suite(gxe, frame, schema, requirements.min_rows)]

    def rules(self, facts, requested):
        return sequence_rules(facts, requested)

    def candidates(self, facts, choice):
        """The fully convolutional network at its filters and at twice them, the residual network
        (Wang et al. 2017), InceptionTime's network (Ismail Fawaz et al. 2020) and the recurrent
        network (bidirectional GRU or LSTM); the rule's pick first."""
        shortlist = [rule_candidate(choice)]
        for forced in ("fcn", "sequence_rnn"):  # the residual network joins beside the FCN below
            architecture, hyperparameters, inputs, _ = sequence_rules(facts, forced)
            training = inputs.get("training", {})
            if architecture != choice.architecture:
                shortlist.append(Candidate(architecture, architecture, hyperparameters, training, "a fully convolutional network" if architecture == "fcn" else "a recurrent network over the whole sequence"))
            if architecture == "fcn":
                shortlist.append(Candidate("fcn-wide", "fcn", {**hyperparameters, "filters": 2 * hyperparameters["filters"]}, training, f"{2 * hyperparameters['filters']} filters"))
                shortlist.append(Candidate("resnet", "resnet", hyperparameters, training, "a residual convolutional network (three blocks of three convolutions)"))
                shortlist.append(Candidate("inception", "inception", hyperparameters, training, "Inception modules (kernels 40, 20 and 10 side by side, a shortcut every three)"))
        return shortlist

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
