"""Train: k-fold cross-validation on the training split, then the candidate model with its preprocessing.

Finished folds are checkpointed, so a killed run resumes at the first unfinished fold."""

import logging
from pathlib import Path

import pandas as pd

import archflow
from archflow.baselines import baseline_cv
from archflow.device import make_deterministic, training_device
from archflow.file_names import CV_DETAILS, LEARNING_CURVES_CSV, LEARNING_CURVES_PNG, MODEL_FILE, MODEL_META, TRAIN_SPLIT
from archflow.fold_store import FoldStore, code_bytes, inputs_key
from archflow.handoffs import ModelDescription, load_record, save_record
from archflow.metrics import summarise_folds
from archflow.modalities import modality_named
from archflow.outputs import atomic_dir, write_json
from archflow.parallel import fold_runner
from archflow.parquet import read_frame
from archflow.plots import plot_learning_curves
from archflow.progress import reporter_from_env
from archflow.selection import ArchitectureChoice
from archflow.settings import Settings
from archflow.training import TrainingConfig, cross_validate_folds

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


def learning_curve_rows(histories: list[dict]) -> pd.DataFrame:
    rows = [
        {"fold": fold, "epoch": epoch + 1, "loss": history["loss"][epoch], "val_loss": history.get("val_loss", [None] * (epoch + 1))[epoch]}
        for fold, history in enumerate(histories, start=1)
        for epoch in range(len(history["loss"]))
    ]
    return pd.DataFrame(rows)


def fold_store(settings: Settings, config: TrainingConfig) -> FoldStore:
    """Checkpoints of finished folds, keyed by the training rows, selection, settings and code."""
    parts = [(Path(settings.paths.prepared) / TRAIN_SPLIT).read_bytes(), Path(settings.paths.selection).read_bytes(), repr(config).encode(), code_bytes(Path(archflow.__file__).parent)]
    return FoldStore(Path(settings.paths.checkpoints) / "train", inputs_key(parts))


def train(settings: Settings) -> dict:
    make_deterministic(settings.seed)  # seeded, deterministic ops: a rerun on CPU gives the same numbers
    train_frame = read_frame(Path(settings.paths.prepared) / TRAIN_SPLIT)
    choice = load_record(ArchitectureChoice, settings.paths.selection)
    modality = modality_named(choice.modality)
    config = TrainingConfig.from_settings(settings, modality, choice)
    device = training_device()
    log.info("training %s on %s: %d folds, up to %d epochs", choice.architecture, device, config.folds, config.epochs)
    store = fold_store(settings, config)
    progress = reporter_from_env()

    def say(text: str) -> None:  # to the run's log (the UI) and to whoever watches the terminal
        log.info("%s", text)
        progress.note(text)

    try:
        fold_plan, fitter = modality.training(train_frame, choice, config)  # k-fold over rows; time-ordered over windows
        with fold_runner(settings.compute, config.folds, settings.seed, log=say) as runner:  # the folds in parallel on Dask, or in turn
            folds = cross_validate_folds(fold_plan, fitter, config, log=say, store=store, progress=progress, runner=runner)
        cv = summarise_folds([f.scores for f in folds])
        progress.update("folds", config.folds, config.folds, "final model")
        final = fitter.final(train_frame, folds, progress)
        if final.note:
            log.warning("%s", final.note)
            progress.note(final.note)
        if final.how == "bag":
            say(f"final model: the {len(folds)} fold models averaged (each early-stopped on its own validation rows; together they saw all {len(train_frame)} training rows)")
        else:
            say(f"final model: refitted on the whole training split ({len(train_frame)} rows) for {final.phase_epochs or final.epochs} epochs (the folds' median best)")
    finally:
        progress.close()
    description = ModelDescription(
        task=choice.task,
        target=config.target,
        classes=choice.classes,
        modality=choice.modality,
        inputs=final.preprocessor.describe(),
        architecture=choice.architecture,
        final_model=final.how,
        final_note=final.note,
        final_epochs=final.epochs,
        phase_epochs=final.phase_epochs,
        device=device,
        train_rows=len(train_frame),
        folds=config.folds,
        learning_rate=config.learning_rate,
        patience=config.patience,
        epochs_cap=config.epochs,
        batch_size=choice.batch_size,
        seed=config.seed,
        best_epochs=[f.best_epoch for f in folds],
    )
    fold_details = [{"fold": f.fold, "best_epoch": f.best_epoch, "phase_best": f.phase_best, "train_rows": len(f.train_positions), "validation_rows": len(f.validation_positions), **f.scores} for f in folds]
    with atomic_dir(settings.paths.candidate) as out:  # the evaluate stage decides whether it goes live
        final.model.save(out / MODEL_FILE)
        save_record(description, out / MODEL_META)
        write_json(out / CV_DETAILS, fold_details)
    with atomic_dir(settings.paths.training_plots) as out:
        learning_curve_rows([f.history for f in folds]).to_csv(out / LEARNING_CURVES_CSV, index=False)
        plot_learning_curves([f.history for f in folds], out / LEARNING_CURVES_PNG)
    baselines = {}
    if modality.rows_are_independent:  # the baselines on the same folds (forecasts are compared on the hold-out)
        baselines = baseline_cv(train_frame, folds, config.target, choice.task, choice.classes, choice.imbalance != "none", description.inputs)
    write_json(settings.paths.cv_metrics, {"cv": cv, "baseline_cv": baselines})
    store.clear()
    say("cross-validation: " + ", ".join(f"{k} {v['mean']:.4f} ± {v['std']:.4f}" for k, v in cv.items()))
    return {"cv": cv, "device": device, "final_model": final.how, "final_epochs": final.epochs}
