"""Resumable training: finished folds are stored, reused only under the same key, and a
resumed cross-validation gives exactly the uninterrupted one's results."""

import math

import numpy as np

from archflow.fold_store import FoldStore, inputs_key
from archflow.modalities.tabular import measure_tabular
from archflow.selection import select_architecture
from archflow.training import FoldResult, TrainingConfig, cross_validate, resume_or_run
from tests.conftest import make_table


def fold(number: int, accuracy: float = 0.5) -> FoldResult:
    return FoldResult(number, np.arange(4), np.arange(4, 6), {"accuracy": accuracy, "roc_auc": float("nan")}, 3, {"loss": [0.9, 0.5, 0.25]}, np.array([0, 1, 1, 3]), None, [2, 3])


def test_a_stored_fold_round_trips(tmp_path):
    store = FoldStore(tmp_path, "k1")
    store.save(fold(2, 0.75))
    loaded = FoldStore(tmp_path, "k1").load(2)
    assert loaded.fold == 2 and loaded.scores["accuracy"] == 0.75 and math.isnan(loaded.scores["roc_auc"])
    assert loaded.best_epoch == 3 and loaded.phase_best == [2, 3] and loaded.history == {"loss": [0.9, 0.5, 0.25]}
    assert loaded.rows_used.tolist() == [0, 1, 1, 3] and loaded.validation_positions.tolist() == [4, 5]
    assert FoldStore(tmp_path, "k1").load(1) is None


def test_another_key_discards_stale_folds(tmp_path):
    FoldStore(tmp_path, "old").save(fold(1))
    assert FoldStore(tmp_path, "new").load(1) is None
    assert not (tmp_path / "old").exists()
    assert inputs_key([b"rows", b"settings"]) != inputs_key([b"rows", b"settings2"])


def test_resume_or_run_skips_a_stored_fold_and_says_so(tmp_path):
    store, said, calls = FoldStore(tmp_path, "k"), [], []
    store.save(fold(1))
    resume_or_run(store, 1, 3, said.append, lambda: calls.append(1) or fold(1))
    resume_or_run(store, 2, 3, said.append, lambda: calls.append(2) or fold(2))
    assert calls == [2] and "not retrained" in said[0]
    assert store.load(2) is not None


def test_resumed_cross_validation_equals_the_uninterrupted_one(tmp_path):
    frame = make_table(rows=60, seed=3)
    choice = select_architecture(measure_tabular(frame, "label", "multiclass"), "why", "auto", "auto")
    config = TrainingConfig("label", folds=3, epochs=3, patience=2, learning_rate=0.01, unseen_categories="ignore", min_category_count=1, seed=7)
    whole = cross_validate(frame, choice, config, log=lambda _: None)
    store = FoldStore(tmp_path, "run")
    store.save(whole[0])  # as if the run was killed during fold 2
    said = []
    resumed = cross_validate(frame, choice, config, log=said.append, store=store)
    assert "fold 1/3: finished by an earlier, interrupted run: not retrained" in said[0]
    assert [f.scores for f in resumed] == [f.scores for f in whole]
    assert [f.history for f in resumed] == [f.history for f in whole]
