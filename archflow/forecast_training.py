"""Training forecasters: time-ordered cross-validation and the final fit on the training split."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from archflow.architectures import build_model
from archflow.feeding import make_dataset, predict_inputs
from archflow.forecasting import INPUT, ForecastPreprocessor, ForecastSpec, Windows, fold_windows, forecast_scores, make_windows, naive_scale, time_folds
from archflow.progress import SILENT, Reporter
from archflow.selection import ArchitectureChoice
from archflow.timeseries import time_label, time_numbers
from archflow.training import EpochProgress, FitResult, FoldCheckpoints, FoldResult, TrainingConfig, best_epoch_after, resume_or_run


def forecast_spec(choice: ArchitectureChoice) -> ForecastSpec:
    return ForecastSpec(**choice.inputs)


def fit_forecaster(windows: Windows, choice: ArchitectureChoice, config: TrainingConfig, seed: int, validation: Windows | None = None, epochs: int | None = None, progress: Reporter = SILENT) -> FitResult:
    """Fit the scaling on ``windows`` (the training windows only) and a fresh model on them."""
    spec = forecast_spec(choice)
    preprocessor = ForecastPreprocessor(spec).fit(windows)
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    tensors, scaled, level = preprocessor.build_encoder()
    model = build_model(tensors, scaled, choice.architecture, choice.hyperparameters, choice.head, config.learning_rate, finish=preprocessor.finish(level))
    callbacks, validation_data = [], None
    if validation is not None and len(validation):
        validation_data = make_dataset({INPUT: validation.inputs}, validation.targets)
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience, restore_best_weights=True))
    training_data = make_dataset({INPUT: windows.inputs}, windows.targets, batch_size=choice.batch_size, shuffle_seed=seed)
    budget = epochs or config.epochs
    history = model.fit(training_data, validation_data=validation_data, epochs=budget, callbacks=[*callbacks, EpochProgress(progress, budget)], shuffle=False, verbose=0).history
    best_epoch = best_epoch_after(history.get("val_loss") or history["loss"], 0)
    return FitResult(model, preprocessor, {k: [float(v) for v in vals] for k, vals in history.items()}, best_epoch, np.arange(len(windows)))


def forecast(fit: FitResult, windows: Windows) -> np.ndarray:
    return predict_inputs(fit.model, {INPUT: windows.inputs})


def cross_validate_forecast(train_frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig, log=print, store: FoldCheckpoints | None = None, progress: Reporter = SILENT) -> list[FoldResult]:
    """One fresh model per time-ordered fold: trained on windows that end before the fold,
    early-stopped and scored on the fold's windows; MASE scaled by the steps before the fold.
    Folds found in ``store`` (finished by an interrupted run) are reused, not retrained."""
    spec = forecast_spec(choice)
    windows = make_windows(train_frame, spec)
    blocks = time_folds(train_frame, spec, config.folds)

    def run_fold(fold: int, start, end) -> FoldResult:
        train_rows, validation_rows = fold_windows(windows, start, end, spec, blocks[0][0])
        validation = windows.take(validation_rows)
        progress.update("folds", fold - 1, config.folds, f"training fold {fold}")
        fit = fit_forecaster(windows.take(train_rows), choice, config, seed=config.seed + fold, validation=validation, progress=progress)
        before = train_frame[time_numbers(train_frame[spec.time_column]) < start]
        scores = forecast_scores(validation.targets, forecast(fit, validation), naive_scale(before, spec))
        log(f"fold {fold}/{config.folds} (from {time_label(start, train_frame[spec.time_column])}): {len(train_rows)} training / {len(validation_rows)} validation windows, best epoch {fit.best_epoch}, " + ", ".join(f"{k} {v:.4f}" for k, v in scores.items()))
        progress.update("folds", fold, config.folds, f"fold {fold} done")
        return FoldResult(fold, train_rows, validation_rows, scores, fit.best_epoch, fit.history, fit.rows_used, fit.preprocessor)

    return [resume_or_run(store, fold, config.folds, log, lambda: run_fold(fold, start, end)) for fold, (start, end) in enumerate(blocks, start=1)]


def fit_final_forecaster(train_frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig, epochs: int, progress: Reporter = SILENT) -> FitResult:
    return fit_forecaster(make_windows(train_frame, forecast_spec(choice)), choice, config, seed=config.seed, epochs=epochs, progress=progress)
