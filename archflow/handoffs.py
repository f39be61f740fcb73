"""What one stage hands the next, typed: small frozen dataclasses with a JSON round trip.

The preprocess stage writes :class:`SplitInfo` (``split.json``); select reads it and writes an
:class:`archflow.selection.ArchitectureChoice` (``models/selection.json``), which train reads;
train writes :class:`ModelDescription` (``metadata.json`` beside ``model.keras``), which
evaluation, promotion and prediction read.
A reader never patches what it read: a stage that needs more writes its own record.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from archflow.outputs import read_json, write_json

Record = TypeVar("Record")


def save_record(record: Any, path: str | Path) -> None:
    write_json(path, dataclasses.asdict(record))


def load_record(kind: type[Record], path: str | Path) -> Record:
    """``kind`` from its JSON file; a file with other keys (written by another version) is named."""
    values = read_json(path)
    names = {f.name for f in dataclasses.fields(kind)}
    if set(values) - names or {f.name for f in dataclasses.fields(kind) if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING} - set(values):
        raise ValueError(f"{path} does not hold {kind.__name__} (keys {sorted(values)}; expected {sorted(names)}): run the stage that writes it again")
    return kind(**values)


@dataclass(frozen=True)
class SplitInfo:
    """The preprocess stage's account of the data: modality and task (with why), how the
    hold-out was made, the row counts, and what cleaning removed."""

    modality: str
    modality_reason: str
    modality_inputs: dict  # what detection found that later stages need (the text column, the time column)
    task: str
    task_reason: str
    split: str  # how the hold-out was made, in words
    train_rows: int
    test_rows: int
    rows_in: int
    duplicates_dropped: int
    columns_dropped: list = field(default_factory=list)


@dataclass(frozen=True)
class ModelDescription:
    """What a saved model is for and how it was trained: enough to predict from raw rows
    (``inputs``, the modality preprocessor's description) and to write its card."""

    task: str
    target: str
    classes: list  # class labels in output order (empty for regression and forecasts)
    modality: str
    inputs: dict  # how raw rows become the model's inputs (see archflow.modalities)
    architecture: str
    final_epochs: int | None  # refit: epochs trained
    phase_epochs: list | None
    device: str
    train_rows: int
    folds: int
    learning_rate: float
    patience: int
    epochs_cap: int
    batch_size: int
    seed: int
    best_epochs: list
    # "bag": the fold models averaged | "refit": one model on the whole training split (what every
    # model saved before bags existed is, so a production model from then still loads)
    final_model: str = "refit"
    final_note: str = ""  # why the kept model is not the kind asked for (a refit that failed its check)
