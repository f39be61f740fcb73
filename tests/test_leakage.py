"""No leakage: inside each fold, preprocessing, vocabularies and resampling see training rows only."""

import numpy as np
import pytest

from archflow.modalities.tabular import measure_tabular
from archflow.selection import select_architecture
from archflow.training import TrainingConfig, cross_validate, encode_labels
from tests.conftest import make_table


@pytest.fixture(scope="module")
def folds_and_frame():
    frame = make_table(rows=80, seed=5)
    # a category in one row only: the fold that validates on it must not know it
    frame.loc[1, "colour"] = "ultraviolet"
    choice = select_architecture(measure_tabular(frame, "label", "multiclass"), "why", "auto", "oversample")
    config = TrainingConfig("label", folds=2, epochs=1, patience=1, learning_rate=0.01, unseen_categories="ignore", min_category_count=1, seed=0)
    return cross_validate(frame, choice, config, log=lambda _: None), frame, choice


def test_folds_partition_the_training_split(folds_and_frame):
    folds, frame, _ = folds_and_frame
    assert len(folds) == 2
    for fold in folds:
        assert set(fold.train_positions).isdisjoint(fold.validation_positions)
        assert len(fold.train_positions) + len(fold.validation_positions) == len(frame)


def test_scaling_statistics_come_from_fold_training_rows_only(folds_and_frame):
    folds, frame, _ = folds_and_frame
    for fold in folds:
        train_rows = frame.iloc[fold.train_positions]
        assert fold.preprocessor.fitted_rows_ == len(train_rows)
        assert fold.preprocessor.means_["x2"] == pytest.approx(train_rows["x2"].mean())
        assert fold.preprocessor.means_["x2"] != pytest.approx(frame["x2"].mean(), abs=1e-9)


def test_vocabulary_never_learns_validation_only_categories(folds_and_frame):
    folds, frame, _ = folds_and_frame
    for fold in folds:
        seen_in_training = set(frame.iloc[fold.train_positions]["colour"])
        assert set(fold.preprocessor.vocabularies_["colour"]) == seen_in_training
    assert sum("ultraviolet" in f.preprocessor.vocabularies_["colour"] for f in folds) == 1


def test_resampling_draws_only_from_fold_training_rows(folds_and_frame):
    folds, frame, choice = folds_and_frame
    for fold in folds:
        used = fold.rows_used  # positions into the fold's training rows
        assert used.max() < len(fold.train_positions)
        labels = encode_labels(frame.iloc[fold.train_positions]["label"], choice.classes)
        counts = np.bincount(labels[used])
        assert counts.min() == counts.max() == np.bincount(labels).max()
