"""The model card: an honest line against the best baseline, bold only for a real win, the
training settings with a flag when early stopping never fired, figures that render anywhere."""

import base64

from archflow.report import baseline_verdict, embed_figures, scores_table, training_lines

BASELINES = {"majority": {"accuracy": 0.44, "balanced_accuracy": 1 / 3}, "logistic": {"accuracy": 0.9855, "balanced_accuracy": 0.9889}}


def test_a_tie_with_a_baseline_is_said_and_not_bold():
    test = {"accuracy": 0.9855, "balanced_accuracy": 0.9889}
    assert "only ties the best baseline, logistic" in baseline_verdict("balanced_accuracy", test, BASELINES)
    assert "**" not in scores_table(test, BASELINES, {})


def test_a_better_baseline_is_said_plainly_and_a_win_is_bold():
    worse = {"accuracy": 0.90, "balanced_accuracy": 0.91}
    assert baseline_verdict("balanced_accuracy", worse, BASELINES).startswith("**A baseline is better:** logistic scores 0.9889")
    better = {"accuracy": 0.99, "balanced_accuracy": 0.995}
    assert "beats the best baseline, logistic" in baseline_verdict("balanced_accuracy", better, BASELINES)
    assert "| accuracy | **0.9900** |" in scores_table(better, BASELINES, {})
    assert "beats the best baseline, linear, on hold-out rmse: 2.0000 against 2.5000" in baseline_verdict("rmse", {"rmse": 2.0}, {"mean": {"rmse": 3.0}, "linear": {"rmse": 2.5}})


def test_training_settings_flag_a_best_epoch_at_the_cap():
    lines = training_lines({"learning_rate": 0.003, "epochs_cap": 300, "patience": 25, "batch_size": 8, "seed": 42, "best_epochs": [68, 300, 206]})
    assert "learning rate 0.003, up to 300 epochs, patience 25" in lines[0]
    assert "The best epoch hit the cap** (300) in fold(s) [2]" in lines[1]
    assert len(training_lines({"epochs_cap": 300, "best_epochs": [10, 20]})) == 1


def test_figures_are_embedded_as_data_uris(tmp_path):
    (tmp_path / "roc.png").write_bytes(b"\x89PNG fake")
    card = embed_figures("## Figures\n![roc.png](roc.png)\n![missing.png](missing.png)", tmp_path)
    encoded = base64.b64encode(b"\x89PNG fake").decode()
    assert f"![roc.png](data:image/png;base64,{encoded})" in card
    assert "![missing.png](missing.png)" in card


def test_the_cv_verdict_compares_on_the_same_folds_and_says_when_a_baseline_wins():
    from archflow.report import cv_verdict

    cv = {"balanced_accuracy": {"mean": 0.91, "std": 0.02}}
    better = {"majority": {"balanced_accuracy": {"mean": 0.5, "std": 0.0}}, "gradient_boosting": {"balanced_accuracy": {"mean": 0.95, "std": 0.01}}}
    assert cv_verdict("balanced_accuracy", cv, better).startswith("**In cross-validation on the same folds, a baseline is better:** balanced_accuracy 0.91")
    assert "gradient_boosting's 0.95" in cv_verdict("balanced_accuracy", cv, better)
    worse = {"majority": {"balanced_accuracy": {"mean": 0.5, "std": 0.0}}}
    assert "the network beats the best baseline" in cv_verdict("balanced_accuracy", cv, worse)
    assert "beats" in cv_verdict("rmse", {"rmse": {"mean": 1.0, "std": 0.1}}, {"mean": {"rmse": {"mean": 2.0, "std": 0.1}}})
