"""Select: choose the architecture from the training split alone and say why."""

from pathlib import Path

import pandas as pd
from prefect import get_run_logger

from archflow.layout import SPLIT_INFO, TRAIN_SPLIT
from archflow.outputs import read_json, write_json
from archflow.selection import measure_tabular, select_architecture
from tasks.stage_task import stage_task
from archflow.settings import Settings


@stage_task("select")
def select(settings: Settings) -> dict:
    log = get_run_logger()
    prepared = Path(settings.paths.prepared)
    split = read_json(prepared / SPLIT_INFO)
    facts = measure_tabular(pd.read_parquet(prepared / TRAIN_SPLIT), settings.data.target, split["task"])
    choice = select_architecture(facts, split["task_reason"], settings.model.architecture, settings.train.imbalance).as_dict()
    write_json(settings.paths.selection, choice)
    log.info("selected %s:\n  - %s", choice["architecture"], "\n  - ".join(choice["reasons"]))
    return choice
