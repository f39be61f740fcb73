"""K-fold cross-validation and the final fit, with everything learned inside each fold.

One loop (:func:`cross_validate_folds`) serves every modality: what differs is handed to it,
the folds (stratified or plain k-fold over rows here; time-ordered over windows in
archflow/forecast_training.py) and a fitter that fits and scores one fold.

Per fold: the preprocessor is fitted on the fold's training rows, resampling and class
weights touch those rows only, a fresh model is built after ``clear_session``, and early
stopping watches the fold's validation rows. The final model is trained on the whole
training split for the median of the folds' best epoch counts, so the hold-out set never
steers training.
"""

from __future__ import annotations

import contextlib

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

import keras
import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from archflow.architectures import build_model, train_only, unfreeze_top
from archflow.device import seed_model
from archflow.feeding import make_dataset, predict_inputs
from archflow.imbalance import class_weights, resample_indices
from archflow.metrics import as_class_probabilities, classification_scores, regression_scores
from archflow.modalities import make_preprocessor
from archflow.progress import SILENT, Reporter
from archflow.selection import ArchitectureChoice


@dataclass(frozen=True)
class TrainingConfig:
    target: str
    folds: int
    epochs: int
    patience: int
    learning_rate: float
    unseen_categories: str
    min_category_count: int
    seed: int
    final_model: str = "auto"  # auto | bag | refit (see FoldFitter.final)

    @classmethod
    def from_settings(cls, settings, modality, choice=None) -> TrainingConfig:
        """The training settings, with ``auto`` patience as the modality's own (archflow.modalities),
        and the learning rate of ``choice`` where the search's winner has its own."""
        t, p = settings.train, settings.preprocess
        patience = modality.patience if t.patience == "auto" else int(t.patience)
        config = cls(settings.data.target, t.folds, t.epochs, patience, t.learning_rate, p.unseen_categories, p.min_category_count, settings.seed, t.final_model)
        return config.for_choice(choice) if choice is not None else config

    def for_choice(self, choice) -> TrainingConfig:
        """These settings with the learning rate that ``choice`` (or a search candidate) is
        trained at: its own where it has one (``training["learning_rate"]``), else train.learning_rate."""
        return replace(self, learning_rate=float(choice.training.get("learning_rate", self.learning_rate)))


@dataclass
class FitResult:
    model: keras.Model
    preprocessor: object  # the modality's fitted preprocessor (see archflow.modalities)
    history: dict[str, list[float]]
    best_epoch: int
    rows_used: np.ndarray  # positions (into the rows given for training) after resampling
    phase_best: list[int] = field(default_factory=list)  # per training phase (wide-and-deep text), when phased


@dataclass
class FoldResult:
    fold: int
    train_positions: np.ndarray
    validation_positions: np.ndarray
    scores: dict[str, float]
    best_epoch: int
    history: dict[str, list[float]]
    rows_used: np.ndarray = field(repr=False)
    preprocessor: object = field(repr=False)
    phase_best: list[int] = field(default_factory=list)
    model: keras.Model | None = field(default=None, repr=False)  # kept for a bagged final model


@dataclass
class FinalModel:
    """The model that is kept, its preprocessor's description, and how it was made."""

    model: keras.Model
    preprocessor: object
    how: str  # "bag" or "refit"
    epochs: int | None = None  # refit: epochs trained (all phases)
    phase_epochs: list[int] | None = None  # refit of a phased model: epochs per phase
    note: str = ""  # why the model kept is not the one asked for (a refit that failed its check)


class EpochProgress(keras.callbacks.Callback):
    """Reports each finished epoch (with its losses) to a progress reporter's "epochs" bar."""

    def __init__(self, progress: Reporter, epochs: int):
        super().__init__()
        self.progress, self.epochs = progress, epochs

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs = logs or {}
        info = ", ".join(f"{k} {logs[k]:.4f}" for k in ("loss", "val_loss") if k in logs)
        self.progress.update("epochs", epoch + 1, self.epochs, info)


class PlateauAfterWarmup(keras.callbacks.ReduceLROnPlateau):
    """Halves the learning rate on a plateau of the validation loss, from ``start_from_epoch`` on
    (as early stopping does: the warm-up's swings are not a plateau)."""

    def __init__(self, start_from_epoch: int, **kwargs):
        super().__init__(**kwargs)
        self.start_from_epoch = start_from_epoch

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if epoch >= self.start_from_epoch:
            super().on_epoch_end(epoch, logs)
        elif logs is not None:  # the rate in every epoch's history, as the parent records it
            logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))


INTERRUPTED_RUN = "an earlier, interrupted run"  # who finished a stored fold, unless its store says otherwise


class FoldCheckpoints(Protocol):
    """Where finished folds are kept between runs (archflow.fold_store.FoldStore)."""

    def load(self, fold: int) -> FoldResult | None: ...

    def save(self, result: FoldResult) -> None: ...


def stored_fold(store: FoldCheckpoints | None, fold: int, folds: int, log: Callable[[str], None]) -> FoldResult | None:
    """The stored result of ``fold`` if an earlier, interrupted run (or the search) finished it (and says so)."""
    stored = store.load(fold) if store else None
    if stored is not None:
        origin = getattr(store, "origin", INTERRUPTED_RUN)
        log(f"fold {fold}/{folds}: finished by {origin}: not retrained (" + ", ".join(f"{k} {v:.4f}" for k, v in stored.scores.items()) + ")")
    return stored


def resume_or_run(store: FoldCheckpoints | None, fold: int, folds: int, log: Callable[[str], None], run: Callable[[], FoldResult], done: Callable[[FoldResult], None] | None = None) -> FoldResult:
    """The stored result of ``fold`` if an earlier run finished it, else ``run()``'s, stored,
    then ``done`` (which says so): a fold reported as finished is always a stored one."""
    stored = stored_fold(store, fold, folds, log)
    if stored is not None:
        return stored
    result = run()
    if store:
        store.save(result)
    if done:
        done(result)
    return result


def encode_labels(series: pd.Series, classes: list[str]) -> np.ndarray:
    """Class indices in the order of ``classes`` (labels compared as strings)."""
    index = {c: i for i, c in enumerate(classes)}
    return series.astype(str).map(index).to_numpy(dtype="int64")


def keras_targets(frame: pd.DataFrame, choice: ArchitectureChoice, target: str) -> np.ndarray:
    if choice.task == "regression":
        return frame[target].to_numpy(dtype="float32").reshape(-1, 1)
    labels = encode_labels(frame[target], choice.classes)
    if choice.task == "binary":
        return labels.astype("float32").reshape(-1, 1)
    return keras.utils.to_categorical(labels, num_classes=len(choice.classes)).astype("float32")


def fit_model(rows: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig, seed: int, validation: pd.DataFrame | None = None, epochs: int | list[int] | None = None, progress: Reporter = SILENT) -> FitResult:
    """Fit preprocessing and a fresh model on ``rows``; early-stop on ``validation`` if given.

    A phased choice (``choice.training["phases"]``, wide-and-deep text) trains its phases in
    turn, each early-stopped on its own; ``epochs`` then gives each phase's count."""
    preprocessor = make_preprocessor(choice.modality, choice.inputs, rows, config.target, config.unseen_categories, config.min_category_count).fit(rows)
    targets = keras_targets(rows, choice, config.target)
    positions = np.arange(len(rows))
    sample_weight = None
    if choice.task != "regression":
        labels = encode_labels(rows[config.target], choice.classes)
        positions = resample_indices(labels, choice.imbalance, seed)
        if choice.imbalance == "class_weight":
            sample_weight = class_weights(labels, len(choice.classes))[labels[positions]]
    inputs = {k: v[positions] for k, v in preprocessor.to_inputs(rows).items()}

    keras.backend.clear_session()
    seed_model(seed)  # Keras draws kept private: the same weights in a Dask worker as here
    target_scale = None
    if choice.task == "regression":
        values = rows[config.target].to_numpy(dtype="float64")
        target_scale = (float(values.mean()), float(values.std()))
    tensors, features = preprocessor.build_encoder()
    hyperparameters = {**choice.hyperparameters, **preprocessor.body_arguments()}
    wide = preprocessor.build_wide(tensors)  # text: the linear TF-IDF path; None for the others
    wide_l2 = 1 / (2 * len(rows))  # the penalty of a logistic regression with C=1, per training row
    model = build_model(tensors, features, choice.architecture, hyperparameters, choice.head, config.learning_rate, target_scale, finish=preprocessor.to_target_units, wide=wide, wide_l2=wide_l2)

    callbacks, validation_data = [], None
    phases = choice.training.get("phases", [])
    budgets = epochs if isinstance(epochs, list) else [epochs or config.epochs] * max(1, len(phases))
    warmup = min(choice.training.get("warmup_epochs", 0), max(min(budgets) - 1, 0))
    if validation is not None:
        validation_data = make_dataset(preprocessor.to_inputs(validation), keras_targets(validation, choice, config.target))
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience, restore_best_weights=True, start_from_epoch=warmup))
        if choice.training.get("plateau_patience"):
            callbacks.append(PlateauAfterWarmup(warmup, monitor="val_loss", factor=0.5, patience=choice.training["plateau_patience"], min_lr=1e-4))
    training_data = make_dataset(inputs, targets[positions], sample_weight, choice.batch_size, shuffle_seed=seed)
    history, phase_best = {}, []
    for phase, budget in zip(phases or [None], budgets):
        if phase is not None:
            train_only(model, phase, config.learning_rate)
        part = model.fit(training_data, validation_data=validation_data, epochs=budget, callbacks=[*callbacks, EpochProgress(progress, budget)], shuffle=False, verbose=0).history
        phase_best.append(best_epoch_after(part.get("val_loss") or part["loss"], warmup))
        history = {k: history.get(k, []) + part.get(k, []) for k in part}
    # best epoch of the main phase (after any warm-up): it sizes the final model's main phase (fine-tuning has its own budget)
    best_epoch = phase_best[0]
    fine_tune_epochs = choice.hyperparameters.get("fine_tune_epochs", 0)
    if fine_tune_epochs:  # transfer learning: after the frozen phase, fine-tune the base's top layers
        unfreeze_top(model, choice.hyperparameters["fine_tune_layers"], config.learning_rate / 10)
        tuned = model.fit(training_data, validation_data=validation_data, epochs=fine_tune_epochs, callbacks=[*callbacks, EpochProgress(progress, fine_tune_epochs)], shuffle=False, verbose=0).history
        history = {k: v + tuned.get(k, []) for k, v in history.items()}
    return FitResult(model, preprocessor, {k: [float(v) for v in vals] for k, vals in history.items()}, best_epoch, positions, phase_best if phases else [])


def best_epoch_after(losses: list[float], warmup: int) -> int:
    """The 1-based epoch of the lowest loss, not counting the first ``warmup`` epochs (as
    Keras' EarlyStopping with ``start_from_epoch`` restores)."""
    start = warmup if len(losses) > warmup else 0
    return start + int(np.argmin(losses[start:])) + 1


def predict_raw(model: keras.Model, preprocessor, frame: pd.DataFrame) -> np.ndarray:
    return predict_inputs(model, preprocessor.to_inputs(frame))


def score_outputs(raw: np.ndarray, frame: pd.DataFrame, target: str, task: str, classes: list[str]) -> tuple[dict, np.ndarray, np.ndarray]:
    """Scores of model outputs against ``frame[target]``, with the actual and predicted values.

    Classification: class indices and (rows, classes) probabilities; regression: values.
    """
    if task == "regression":
        actual = frame[target].to_numpy(dtype="float64")
        return regression_scores(actual, raw), actual, np.asarray(raw).reshape(-1)
    labels, probabilities = encode_labels(frame[target], classes), as_class_probabilities(raw)
    return classification_scores(labels, probabilities), labels, probabilities


def score_frame(fit: FitResult, frame: pd.DataFrame, choice: ArchitectureChoice, target: str) -> dict[str, float]:
    return score_outputs(predict_raw(fit.model, fit.preprocessor, frame), frame, target, choice.task, choice.classes)[0]


def fold_splits(frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig):
    if choice.task == "regression":
        return KFold(config.folds, shuffle=True, random_state=config.seed).split(frame)
    splitter = StratifiedKFold(config.folds, shuffle=True, random_state=config.seed)
    return splitter.split(frame, encode_labels(frame[config.target], choice.classes))


@dataclass(frozen=True)
class Fold:
    """One fold as the loop sees it: what to train on and validate on (rows, windows), their
    positions in the training split, and words for the log ("(from 1958-01)", window counts)."""

    number: int
    train: object
    validation: object
    train_positions: np.ndarray
    validation_positions: np.ndarray
    where: str = ""  # after "fold 2/5", e.g. " (from 1958-01)"
    sizes: str = ""  # before the best epoch, e.g. "96 training / 12 validation windows, "


class FoldFitter(Protocol):
    """Fits a fresh model on a fold's training part (early-stopped on its validation part) and
    scores it; ``final`` fits the model that is kept, on the whole training split."""

    def fit(self, fold: Fold, seed: int, progress: Reporter) -> FitResult: ...

    def score(self, fit: FitResult, fold: Fold) -> dict[str, float]: ...

    def final(self, train_frame: pd.DataFrame, folds: list[FoldResult], progress: Reporter) -> FinalModel: ...


def train_fold(fitter: FoldFitter, fold: Fold, seed: int, progress: Reporter = SILENT) -> FoldResult:
    """One fold: a fresh model fitted on its training rows and scored on its validation rows.
    A plain function of its arguments, so a Dask worker can run it as well as this process."""
    fit = fitter.fit(fold, seed, progress)
    return FoldResult(fold.number, fold.train_positions, fold.validation_positions, fitter.score(fit, fold), fit.best_epoch, fit.history, fit.rows_used, fit.preprocessor, fit.phase_best, fit.model)


def cross_validate_folds(folds, fitter: FoldFitter, config: TrainingConfig, log=print, store: FoldCheckpoints | None = None, progress: Reporter = SILENT, after_fold: Callable[[FoldResult], None] | None = None, runner=None) -> list[FoldResult]:
    """Train and score one fresh model per fold (seeded per fold); folds found in ``store``
    (finished by an interrupted run) are reused, not retrained. ``after_fold`` sees each
    finished fold, in fold order (a search reports it, and may stop a hopeless candidate by
    raising). ``runner`` (archflow.parallel) may train the folds in parallel: the results are
    the same, and each is stored and reported in fold order as it comes back."""

    def report(fold: Fold, result: FoldResult) -> None:
        best = f"best epochs per phase {result.phase_best}" if result.phase_best else f"best epoch {result.best_epoch}"
        log(f"fold {fold.number}/{config.folds}{fold.where}: {fold.sizes}{best}, " + ", ".join(f"{k} {v:.4f}" for k, v in result.scores.items()))
        progress.update("folds", fold.number, config.folds, f"fold {fold.number} done")

    results = []
    if runner is None:
        for fold in folds:

            def run_fold(fold: Fold = fold) -> FoldResult:
                progress.update("folds", fold.number - 1, config.folds, f"training fold {fold.number}")
                return train_fold(fitter, fold, config.seed + fold.number, progress)

            results.append(resume_or_run(store, fold.number, config.folds, log, run_fold, lambda result, fold=fold: report(fold, result)))
            if after_fold:
                after_fold(results[-1])
        return results
    folds = list(folds)
    stored = {fold.number: stored_fold(store, fold.number, config.folds, log) for fold in folds}
    pending = [fold for fold in folds if stored[fold.number] is None]
    progress.update("folds", len(folds) - len(pending), config.folds, f"training {len(pending)} folds in parallel")
    with contextlib.closing(runner.map(train_fold, [(fitter, fold, config.seed + fold.number) for fold in pending])) as trained:
        for fold in folds:
            result = stored[fold.number]
            if result is None:
                result = next(trained)
                if store:
                    store.save(result)
                report(fold, result)
            results.append(result)
            if after_fold:
                after_fold(result)
    return results


@dataclass(frozen=True)
class RowFitter:
    """Rows of a table (tabular, image, text, sequence): fit_model on the fold's rows."""

    choice: ArchitectureChoice
    config: TrainingConfig

    def fit(self, fold: Fold, seed: int, progress: Reporter) -> FitResult:
        return fit_model(fold.train, self.choice, self.config, seed=seed, validation=fold.validation, progress=progress)

    def score(self, fit: FitResult, fold: Fold) -> dict[str, float]:
        return score_frame(fit, fold.validation, self.choice, self.config.target)

    def final(self, train_frame: pd.DataFrame, folds: list[FoldResult], progress: Reporter) -> FinalModel:
        """By default the fold models, averaged (``train.final_model`` refit: one model on every
        training row for the folds' median best epoch, with no rows left to stop it early). A
        refit whose predictions disagree with the fold models' out-of-fold predictions (see
        :func:`refit_disagreement`) is not used: the bag is kept instead, and says why."""
        description = make_preprocessor(self.choice.modality, self.choice.inputs, train_frame, self.config.target, self.config.unseen_categories, self.config.min_category_count).fit(train_frame)
        if self.config.final_model == "refit":
            final = refit(folds, lambda epochs: fit_model(train_frame, self.choice, self.config, seed=self.config.seed, epochs=epochs, progress=progress))
            problem = refit_disagreement(final.model, folds, train_frame, description, self.choice) if self.choice.classes else None
            if problem is None:
                return final
            return FinalModel(bag_of(folds, self.choice.architecture), description, "bag", note=f"the refitted model was not used: {problem}; the fold models averaged instead")
        return FinalModel(bag_of(folds, self.choice.architecture), description, "bag")


MAX_CLASS_SHIFT = 0.25  # total variation between the refit's predicted class shares and the folds' out-of-fold ones


def class_shares(probabilities: np.ndarray, classes: int) -> np.ndarray:
    return np.bincount(as_class_probabilities(probabilities).argmax(axis=1), minlength=classes) / max(len(probabilities), 1)


def refit_disagreement(model: keras.Model, folds: list[FoldResult], train_frame: pd.DataFrame, preprocessor, choice: ArchitectureChoice) -> str | None:
    """Why a refitted classifier cannot be trusted, or None. Its predicted class shares on the
    training rows are compared with the fold models' on their own validation rows (out of
    fold: what the folds' scores rest on); the hold-out is never used. A refit that predicts a
    single class where the folds predicted several, or whose shares move by more than
    ``MAX_CLASS_SHIFT`` (total variation), has landed on an unlucky epoch (issue 12's
    ItalyPowerDemand-like sets: one class for every sequence)."""
    classes = len(choice.classes)
    out_of_fold = np.concatenate([
        predict_inputs(fold.model, preprocessor.to_inputs(train_frame.iloc[fold.validation_positions])) for fold in folds
    ])
    folds_shares = class_shares(out_of_fold, classes)
    refit_shares = class_shares(predict_inputs(model, preprocessor.to_inputs(train_frame)), classes)
    shift = 0.5 * float(np.abs(folds_shares - refit_shares).sum())
    if (refit_shares > 0).sum() == 1 and (folds_shares > 0).sum() > 1:
        return f"it predicts one class for every training row, where the fold models predicted {(folds_shares > 0).sum()} out of fold"
    if shift > MAX_CLASS_SHIFT:
        return f"its predicted class shares {np.round(refit_shares, 2).tolist()} differ from the fold models' out-of-fold {np.round(folds_shares, 2).tolist()} by {shift:.2f} (more than {MAX_CLASS_SHIFT})"
    return None


def row_folds(train_frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig):
    """Stratified (classification) or plain (regression) shuffled k-fold over the training rows."""
    for number, (train_positions, validation_positions) in enumerate(fold_splits(train_frame, choice, config), start=1):
        yield Fold(number, train_frame.iloc[train_positions].reset_index(drop=True), train_frame.iloc[validation_positions].reset_index(drop=True), train_positions, validation_positions)


def cross_validate(train_frame: pd.DataFrame, choice: ArchitectureChoice, config: TrainingConfig, log=print, store: FoldCheckpoints | None = None, progress: Reporter = SILENT) -> list[FoldResult]:
    """k-fold cross-validation over rows (see :func:`cross_validate_folds`)."""
    return cross_validate_folds(row_folds(train_frame, choice, config), RowFitter(choice, config), config, log, store, progress)


def bag_of(folds: list[FoldResult], architecture: str) -> keras.Model:
    """One model that averages the fold models' outputs (probabilities, or values in target
    units). Each fold model was early-stopped on its own validation rows, so nothing is left to
    a fixed epoch count; together they have seen every training row. Each carries its own
    preprocessing, fitted on its fold's training rows, so the bag reads raw inputs."""
    members = [f.model for f in folds]
    if any(m is None for m in members):
        raise ValueError("a bag needs every fold's model")
    first = members[0]
    inputs = {name: keras.Input(shape=tensor.shape[1:], dtype=tensor.dtype, name=name) for name, tensor in first.input.items()}
    outputs = []
    for fold, member in zip(folds, members):
        member.name = f"fold_{fold.fold}"
        outputs.append(member(inputs))
    return keras.Model(inputs, keras.layers.Average(name="bag")(outputs), name=f"archflow_{architecture}_bag")


def refit(folds: list[FoldResult], fit: Callable[[int | list[int]], FitResult]) -> FinalModel:
    """One model fitted on the whole training split for the median of the folds' best epochs
    (per phase, for phased training)."""
    epochs, phase_epochs = final_epoch_count(folds), final_phase_epochs(folds)
    result = fit(phase_epochs or epochs)
    return FinalModel(result.model, result.preprocessor, "refit", sum(phase_epochs) if phase_epochs else epochs, phase_epochs)


def final_phase_epochs(folds: list[FoldResult]) -> list[int] | None:
    """For phased training: the median best epoch of each phase across folds; else None."""
    if not folds[0].phase_best:
        return None
    return [max(1, int(round(float(np.median([f.phase_best[i] for f in folds]))))) for i in range(len(folds[0].phase_best))]


def final_epoch_count(folds: list[FoldResult]) -> int:
    """The median best epoch across folds: how long to train on the whole training split."""
    return max(1, int(round(float(np.median([f.best_epoch for f in folds])))))
