"""Preprocess: modality and task detection, stateless cleaning, and the hold-out split."""

from pathlib import Path

import pandas as pd
from prefect import get_run_logger

from archflow.cleaning import clean_frame, split_holdout
from archflow.detection import detect_modality, detect_task
from archflow.images import FILE_COLUMN
from archflow.layout import SNAPSHOT, SPLIT_INFO, TEST_SPLIT, TRAIN_SPLIT
from archflow.outputs import atomic_dir, write_json
from archflow.settings import Settings
from tasks.stage_task import stage_task


@stage_task("preprocess")
def preprocess(settings: Settings) -> dict:
    log = get_run_logger()
    data = settings.data
    snapshot = pd.read_parquet(Path(settings.paths.ingested) / SNAPSHOT)
    features = snapshot.drop(columns=[settings.split.column]) if settings.split.column in snapshot.columns else snapshot
    modality, modality_reason, modality_inputs = detect_modality(features, data.target, data.modality)
    provenance = (FILE_COLUMN,) if modality == "image" and FILE_COLUMN in snapshot.columns else ()
    frame, cleaning = clean_frame(snapshot, data.target, data.drop, provenance)
    task_name, task_reason = detect_task(frame[data.target], data.task)
    train_frame, test_frame = split_holdout(frame, data.target, task_name, settings.split.test_size, settings.seed, settings.split.column)
    how = f"the data set's own split (column '{settings.split.column}')" if settings.split.column else f"a seeded split (seed {settings.seed}, {settings.split.test_size:.0%} held out)"
    info = {
        "modality": modality,
        "modality_reason": modality_reason,
        "modality_inputs": modality_inputs,
        "task": task_name,
        "task_reason": task_reason,
        "split": how,
        "train_rows": len(train_frame),
        "test_rows": len(test_frame),
        **cleaning,
    }
    with atomic_dir(settings.paths.prepared) as out:
        train_frame.to_parquet(out / TRAIN_SPLIT, index=False)
        test_frame.to_parquet(out / TEST_SPLIT, index=False)
        write_json(out / SPLIT_INFO, info)
    log.info("%s; %s; %d duplicate rows dropped; %d train / %d test rows by %s", modality_reason, task_reason, cleaning["duplicates_dropped"], len(train_frame), len(test_frame), how)
    return info
