"""Select: choose the architecture from the training split alone and say why."""

import logging
from pathlib import Path

import pandas as pd

from archflow.file_names import SPLIT_INFO, TRAIN_SPLIT
from archflow.handoffs import SplitInfo, load_record, save_record
from archflow.modalities import modality_named
from archflow.selection import select_architecture
from archflow.settings import Settings

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


def select(settings: Settings) -> dict:
    prepared = Path(settings.paths.prepared)
    split = load_record(SplitInfo, prepared / SPLIT_INFO)
    train_frame = pd.read_parquet(prepared / TRAIN_SPLIT)
    modality, found = modality_named(split.modality), split.modality_inputs
    facts = modality.measure(train_frame, settings.data.target, split.task, settings, found)
    selected = select_architecture(
        facts, split.task_reason, settings.model.architecture, settings.train.imbalance, settings.train.batch_size,
        extra_inputs=modality.choice_inputs(settings, found), leading_reasons=[split.modality_reason],
    )
    save_record(selected, settings.paths.selection)
    choice = selected.as_dict()
    log.info("selected %s:\n  - %s", choice["architecture"], "\n  - ".join(choice["reasons"]))
    return choice
