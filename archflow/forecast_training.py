"""Training forecasters: time-ordered cross-validation and the final fit on the training split."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from archflow.architectures import build_model
from archflow.device import seed_model
from archflow.errors import DataError
from archflow.feeding import make_dataset, predict_inputs
from archflow.forecasting import INPUT, ForecastPreprocessor, ForecastSpec, Windows, fold_windows, forecast_scores, make_windows, naive_scale, time_folds
from archflow.progress import SILENT, Reporter
from archflow.selection import ArchitectureChoice
from archflow.timeseries import time_label, time_numbers
from archflow.training import EpochProgress, FinalModel, FitResult, Fold, FoldCheckpoints, FoldResult, TrainingConfig, best_epoch_after, cross_validate_folds, refit


def forecast_spec(choice: ArchitectureChoice) -> ForecastSpec:
    return ForecastSpec(**choice.inputs)


def fit_forecaster(windows: Windows, choice: ArchitectureChoice, config: TrainingConfig, seed: int, validation: Windows | None = None, epochs: int | None = None, progress: Reporter = SILENT) -> FitResult:
    """Fit the scaling on ``windows`` (the training windows only) and a fresh model on them."""
    spec = forecast_spec(choice)
    preprocessor = ForecastPreprocessor(spec).fit(windows)
    keras.backend.clear_session()
    seed_model(seed)  # Keras draws kept private: the same weights in a Dask worker as here
    tensors, scaled = preprocessor.build_encoder()
    model = build_model(tensors, scaled, choice.architecture, choice.hyperparameters, choice.head, config.learning_rate, finish=preprocessor.to_target_units)
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


@dataclass(frozen=True)
class WindowFitter:
    """Forecasting windows: fit_forecaster on the fold's windows; MASE scaled by the steps before the fold."""

    choice: ArchitectureChoice
    config: TrainingConfig
    train_frame: pd.DataFrame

    def fit(self, fold: Fold, seed: int, progress: Reporter) -> FitResult:
        return fit_forecaster(fold.train, self.choice, self.config, seed=seed, validation=fold.validation, progress=progress)

    def score(self, fit: FitResult, fold: Fold) -> dict[str, float]:
        spec, start = forecast_spec(self.choice), fold.where_start
        before = self.train_frame[time_numbers(self.train_frame[spec.time_column]) < start]
        return forecast_scores(fold.validation.targets, forecast(fit, fold.validation), naive_scale(before, spec))

    def final(self, train_frame: pd.DataFrame, folds: list[FoldResult], progress: Reporter) -> FinalModel:
        """Refitted on the whole training stretch: earlier folds' models never saw the latest
        steps, which a forecast leans on most, so they are not bagged."""
        if self.config.final_model == "bag":
            raise DataError("train.final_model 'bag' does not suit forecasts: the early time-ordered folds never saw the latest steps; set it to auto or refit")
        return refit(folds, lambda epochs: fit_final_forecaster(train_frame, self.choice, self.config, epochs, progress))


@dataclass(frozen=True)
class WindowFold(Fold):
    where_start: float = 0.0  # the fold's first time stamp, as a number


def window_folds(train_frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig):
    """Time-ordered folds: each fold's training windows end before the fold starts."""
    spec = forecast_spec(choice)
    windows = make_windows(train_frame, spec)
    blocks = time_folds(train_frame, spec, config.folds)
    for number, (start, end) in enumerate(blocks, start=1):
        train_rows, validation_rows = fold_windows(windows, start, end, spec, blocks[0][0])
        yield WindowFold(
            number, windows.take(train_rows), windows.take(validation_rows), train_rows, validation_rows,
            where=f" (from {time_label(start, train_frame[spec.time_column])})", sizes=f"{len(train_rows)} training / {len(validation_rows)} validation windows, ", where_start=start,
        )


def cross_validate_forecast(train_frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig, log=print, store: FoldCheckpoints | None = None, progress: Reporter = SILENT) -> list[FoldResult]:
    """One fresh model per time-ordered fold, early-stopped and scored on the fold's windows
    (the same loop as every modality: archflow.training.cross_validate_folds)."""
    return cross_validate_folds(window_folds(train_frame, choice, config), WindowFitter(choice, config, train_frame), config, log, store, progress)


def fit_final_forecaster(train_frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig, epochs: int, progress: Reporter = SILENT) -> FitResult:
    return fit_forecaster(make_windows(train_frame, forecast_spec(choice)), choice, config, seed=config.seed, epochs=epochs, progress=progress)
