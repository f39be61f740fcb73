"""Preprocess: stateless cleaning and the seeded, stratified hold-out split."""

from pathlib import Path

import pandas as pd
from prefect import get_run_logger

from archflow.cleaning import clean_frame, split_holdout
from archflow.detection import detect_task
from archflow.layout import SNAPSHOT, SPLIT_INFO, TEST_SPLIT, TRAIN_SPLIT
from archflow.outputs import atomic_dir, write_json
from tasks.stage_task import stage_task
from archflow.settings import Settings


@stage_task("preprocess")
def preprocess(settings: Settings) -> dict:
    log = get_run_logger()
    data = settings.data
    frame, cleaning = clean_frame(pd.read_parquet(Path(settings.paths.ingested) / SNAPSHOT), data.target, data.drop)
    task_name, task_reason = detect_task(frame[data.target], data.task)
    train_frame, test_frame = split_holdout(frame, data.target, task_name, settings.split.test_size, settings.seed)
    info = {"task": task_name, "task_reason": task_reason, "train_rows": len(train_frame), "test_rows": len(test_frame), **cleaning}
    with atomic_dir(settings.paths.prepared) as out:
        train_frame.to_parquet(out / TRAIN_SPLIT, index=False)
        test_frame.to_parquet(out / TEST_SPLIT, index=False)
        write_json(out / SPLIT_INFO, info)
    log.info("%s; %d duplicate rows dropped; split %d train / %d test (seed %d)", task_reason, cleaning["duplicates_dropped"], len(train_frame), len(test_frame), settings.seed)
    return info
