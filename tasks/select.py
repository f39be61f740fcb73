"""Select: choose the architecture from the training split alone and say why."""

import logging
import dataclasses
from pathlib import Path

import pandas as pd

from archflow.layout import SPLIT_INFO, TRAIN_SPLIT
from archflow.outputs import read_json, write_json
from archflow.selection import measure_images, measure_sequences, measure_tabular, measure_text, measure_timeseries, select_architecture
from archflow.settings import Settings

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


def select(settings: Settings) -> dict:
    prepared = Path(settings.paths.prepared)
    split = read_json(prepared / SPLIT_INFO)
    train_frame, target, task = pd.read_parquet(prepared / TRAIN_SPLIT), settings.data.target, split["task"]
    if split["modality"] == "image":
        facts = measure_images(train_frame, target, task, list(settings.image.size) or None, settings.image.pretrained_weights, settings.image.fine_tune_epochs)
    elif split["modality"] == "sequence":
        facts = measure_sequences(train_frame, target, task)
    elif split["modality"] == "timeseries":
        series = dataclasses.replace(settings.series, time_column=split["modality_inputs"]["time_column"])  # auto resolved
        facts = measure_timeseries(train_frame, target, series)
    elif split["modality"] == "text":
        facts = measure_text(train_frame, target, task, split["modality_inputs"]["column"])
    else:
        facts = measure_tabular(train_frame, target, task)
    choice = select_architecture(facts, split["task_reason"], settings.model.architecture, settings.train.imbalance, settings.train.batch_size)
    if choice.modality == "image":
        choice.inputs["flip"] = settings.image.flip
    if choice.modality == "sequence":  # so the saved model also reads long tables
        choice.inputs["long_format"] = split["modality_inputs"]
    choice = choice.as_dict()
    choice["reasons"].insert(0, split["modality_reason"])
    write_json(settings.paths.selection, choice)
    log.info("selected %s:\n  - %s", choice["architecture"], "\n  - ".join(choice["reasons"]))
    return choice
