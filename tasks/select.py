"""Select: the rules' pick and shortlist from the training split, cross-validation decides, and why."""

import dataclasses
import logging
from pathlib import Path

import pandas as pd

from archflow.device import make_deterministic
from archflow.file_names import SPLIT_INFO, TRAIN_SPLIT
from archflow.handoffs import SplitInfo, load_record, save_record
from archflow.modalities import modality_named
from archflow.outputs import atomic_dir, write_json
from archflow.parallel import fold_runner
from archflow.parquet import read_frame
from archflow.promotion import gate_metric
from archflow.search import SearchBudget, SearchOutcome, run_search, search_folds
from archflow.selection import ArchitectureChoice, select_architecture
from archflow.settings import Settings
from archflow.training import TrainingConfig

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


def search(settings: Settings, train_frame: pd.DataFrame, selected: ArchitectureChoice, candidates: list, modality, study_dir: Path) -> SearchOutcome:
    """Cross-validate the shortlist on the training split; the winner, with its CV table and why."""
    make_deterministic(settings.seed)  # as train does: the same search gives the same table
    max_rows = modality.search_rows if settings.select.max_rows == "auto" else int(settings.select.max_rows)
    folds = search_folds(settings.select.folds, len(train_frame), settings.train.folds)
    budget = SearchBudget(settings.select.trials, folds, max_rows, settings.select.minutes)
    metric = gate_metric(selected.task, settings.promote.metric)
    config = TrainingConfig.from_settings(settings, modality)
    with fold_runner(settings.compute, budget.folds, settings.seed, log=log.info) as runner:  # each candidate's folds in parallel on Dask, or in turn
        outcome = run_search(train_frame, selected, candidates, config, budget, metric, study_dir, modality.training, log=log.info, runner=runner)
    return dataclasses.replace(outcome, choice=dataclasses.replace(outcome.choice, candidates=outcome.table, reasons=[*outcome.choice.reasons, outcome.reason]))


def hand_folds_to_training(settings: Settings, modality, winner: ArchitectureChoice, folds: list) -> None:
    """Store the winner's folds where the train stage looks for finished ones (keyed by what
    decides them: the same rows, selection, settings and code), so it does not train them again."""
    from tasks.train import fold_store

    store = fold_store(settings, TrainingConfig.from_settings(settings, modality, winner))
    for result in folds:
        store.save(result)
    store.mark_origin("the search (the same rows, folds, settings and seeds)")
    log.info("the search's %d folds of the winner are the training's own: train reuses them", len(folds))


def select(settings: Settings) -> dict:
    prepared = Path(settings.paths.prepared)
    split = load_record(SplitInfo, prepared / SPLIT_INFO)
    train_frame = read_frame(prepared / TRAIN_SPLIT)
    modality, found = modality_named(split.modality), split.modality_inputs
    facts = modality.measure(train_frame, settings.data.target, split.task, settings, found)
    selected = select_architecture(
        facts, split.task_reason, settings.model.architecture, settings.train.imbalance, settings.train.batch_size,
        extra_inputs=modality.choice_inputs(settings, found), leading_reasons=[split.modality_reason],
    )
    candidates = modality.shortlist(facts, selected, settings.train.learning_rate)
    with atomic_dir(settings.paths.search) as out:  # the Optuna study, versioned by DVC (empty when nothing was searched)
        outcome = None
        if settings.select.search and settings.model.architecture == "auto" and len(candidates) > 1:
            outcome = search(settings, train_frame, selected, candidates, modality, out)
            selected = outcome.choice
        else:
            why = "select.search is off" if not settings.select.search else "model.architecture is set in params" if settings.model.architecture != "auto" else "the rules offer one candidate"
            selected = dataclasses.replace(selected, reasons=[*selected.reasons, f"no search ({why}): the rule of thumb's pick is not checked against others"])
        write_json(out / "candidates.json", selected.candidates)
    save_record(selected, settings.paths.selection)
    if outcome is not None and outcome.winner_folds:
        hand_folds_to_training(settings, modality, selected, outcome.winner_folds)
    choice = selected.as_dict()
    log.info("selected %s:\n  - %s", choice["architecture"], "\n  - ".join(choice["reasons"]))
    return choice
