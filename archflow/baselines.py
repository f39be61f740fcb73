"""Simple baselines fitted on the training split, so the report shows what the network earns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.dummy import DummyClassifier, DummyRegressor

from archflow.metrics import classification_scores, regression_scores, summarise_folds
from archflow.modalities import modality_named


def baseline_scores(train_frame: pd.DataFrame, test_frame: pd.DataFrame, target: str, task: str, classes: list[str], balanced: bool, inputs: dict) -> dict[str, dict[str, float]]:
    """The trivial baseline (majority class, or the training mean) and the modality's own
    (logistic or linear regression on features that suit it; gradient boosting too for tables;
    1-nearest-neighbour for sequences), fitted on the training split; ``inputs`` is the trained
    model's input description."""
    modality = modality_named(inputs["modality"])
    x_train, x_test, transform = modality.baseline_features(inputs, train_frame, test_frame, target)
    if task == "regression":
        y_train, y_test = train_frame[target].to_numpy(dtype="float64"), test_frame[target].to_numpy(dtype="float64")
        models = {"mean": DummyRegressor(strategy="mean"), **modality.baseline_regressors(transform, x_train)}
        return {name: regression_scores(y_test, model.fit(x_train, y_train).predict(x_test)) for name, model in models.items()}
    index = {c: i for i, c in enumerate(classes)}
    y_train = train_frame[target].astype(str).map(index).to_numpy()
    y_test = test_frame[target].astype(str).map(index).to_numpy()
    models = {"majority": DummyClassifier(strategy="most_frequent"), **modality.baseline_classifiers(transform, balanced, x_train)}
    scores = {}
    for name, model in models.items():
        model.fit(x_train, y_train)
        probabilities = np.zeros((len(y_test), len(classes)))
        probabilities[:, model.classes_] = model.predict_proba(x_test)
        scores[name] = classification_scores(y_test, probabilities)
    return scores


def baseline_cv(train_frame: pd.DataFrame, folds: list, target: str, task: str, classes: list[str], balanced: bool, inputs: dict) -> dict[str, dict[str, dict[str, float]]]:
    """The baselines cross-validated on the network's own folds (fitted on each fold's training
    rows, scored on its validation rows): mean and spread per baseline and score, so the card
    compares like with like before the hold-out does."""
    per_fold = [
        baseline_scores(train_frame.iloc[f.train_positions].reset_index(drop=True), train_frame.iloc[f.validation_positions].reset_index(drop=True), target, task, classes, balanced, inputs)
        for f in folds
    ]
    return {name: summarise_folds([fold[name] for fold in per_fold]) for name in per_fold[0]}
