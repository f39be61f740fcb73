"""The network learns: a separable table is fitted, a linear target is regressed."""

import numpy as np
import pandas as pd

from archflow.metrics import summarise_folds
from archflow.modalities.tabular import measure_tabular
from archflow.selection import select_architecture
from archflow.training import TrainingConfig, final_epoch_count, fit_model, score_frame
from tests.conftest import make_table


def config(target, epochs):
    return TrainingConfig(target, folds=2, epochs=epochs, patience=5, learning_rate=0.02, unseen_categories="ignore", min_category_count=1, seed=0)


def test_overfits_a_small_separable_table():
    frame = make_table(rows=60, seed=2)
    choice = select_architecture(measure_tabular(frame, "label", "multiclass"), "why", "auto", "auto")
    fit = fit_model(frame, choice, config("label", 60), seed=0)
    assert fit.history["loss"][-1] < fit.history["loss"][0]
    assert score_frame(fit, frame, choice, "label")["accuracy"] >= 0.95


def test_regression_learns_a_linear_target_in_its_units():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=120), "z": rng.normal(size=120)})
    frame["y"] = 100 + 30 * frame["x"] + rng.normal(0, 1, size=120)
    choice = select_architecture(measure_tabular(frame, "y", "regression"), "why", "auto", "auto")
    fit = fit_model(frame, choice, config("y", 80), seed=0)
    scores = score_frame(fit, frame, choice, "y")
    assert scores["r2"] > 0.9 and scores["mae"] < 10


def test_fold_summary_and_final_epochs():
    summary = summarise_folds([{"accuracy": 0.8}, {"accuracy": 1.0}])
    assert summary["accuracy"]["mean"] == 0.9 and round(summary["accuracy"]["std"], 6) == 0.1

    class Fold:
        def __init__(self, best):
            self.best_epoch = best

    assert final_epoch_count([Fold(3), Fold(9), Fold(5)]) == 5


def test_best_epoch_skips_the_warm_up():
    from archflow.training import best_epoch_after

    losses = [0.5, 0.9, 0.8, 0.7, 0.6, 0.55, 0.52]
    assert best_epoch_after(losses, 0) == 1
    assert best_epoch_after(losses, 3) == 7  # the dip at epoch 1 lies inside the warm-up
    assert best_epoch_after(losses[:2], 5) == 1  # fewer epochs than the warm-up: all count


def test_the_learning_rate_halves_on_a_plateau_only_after_the_warm_up():
    """Convolutional sequence networks halve their learning rate when the validation loss stops
    improving (the published recipes), but not during the warm-up, whose swings are not a plateau."""
    import keras

    from archflow.modalities.sequence import PLATEAU_PATIENCE, sequence_rules
    from archflow.selection import DataFacts
    from archflow.training import PlateauAfterWarmup

    facts = DataFacts("sequence", "binary", 50, 0, 0, 0, {"a": 25, "b": 25}, {"length_max": 150, "length_median": 150, "length_min": 150, "channels": 1})
    architecture, _, inputs, _ = sequence_rules(facts)
    assert architecture == "fcn" and inputs["training"]["plateau_patience"] == PLATEAU_PATIENCE

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, trainable=False)])  # a loss that never improves
    model.compile(keras.optimizers.Adam(0.004), "mse")
    x, y = np.random.default_rng(0).random((64, 3)), np.zeros(64)
    history = model.fit(x, y, validation_data=(x, y), epochs=8, verbose=0, callbacks=[PlateauAfterWarmup(3, monitor="val_loss", factor=0.5, patience=1, min_lr=1e-4)])
    assert np.allclose(history.history["learning_rate"], [0.004] * 5 + [0.002, 0.001, 0.0005])
