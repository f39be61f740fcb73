"""Preprocess: modality and task detection, stateless cleaning, and the hold-out split."""

import dataclasses
import logging
from pathlib import Path


from archflow.cleaning import clean_frame
from archflow.file_names import SNAPSHOT, SPLIT_INFO, TEST_SPLIT, TRAIN_SPLIT
from archflow.handoffs import SplitInfo, save_record
from archflow.modalities import detect_modality, find_layout, modality_named
from archflow.outputs import atomic_dir
from archflow.parquet import read_frame, write_frame
from archflow.settings import Settings

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


def preprocess(settings: Settings) -> dict:
    data = settings.data
    snapshot = read_frame(Path(settings.paths.ingested) / SNAPSHOT)
    features = snapshot.drop(columns=[settings.split.column]) if settings.split.column in snapshot.columns else snapshot
    layout = find_layout(features, data.target, settings)
    modality_name, modality_reason, found = detect_modality(features, data.target, data.modality, layout)
    modality = modality_named(modality_name)
    frame, cleaning = clean_frame(snapshot, data.target, data.drop, modality.kept_columns(snapshot))
    del snapshot, features  # the cleaned frame shares what it did not change; the rest can go
    frame, modality_inputs = modality.model_rows(frame, found, data.target, settings.split.column)
    train_frame, test_frame, task_name, task_reason, how = modality.hold_out(frame, modality_inputs, settings)
    info = SplitInfo(modality_name, modality_reason, modality_inputs, task_name, task_reason, how, len(train_frame), len(test_frame), **cleaning)
    with atomic_dir(settings.paths.prepared) as out:
        write_frame(train_frame, out / TRAIN_SPLIT)
        write_frame(test_frame, out / TEST_SPLIT)
        save_record(info, out / SPLIT_INFO)
    log.info("%s; %s; %d duplicate rows dropped; %d train / %d test %s by %s", modality_reason, task_reason, cleaning["duplicates_dropped"], len(train_frame), len(test_frame), modality.unit, how)
    return dataclasses.asdict(info)

