"""The promotion gate's decisions, on scores the tests make."""

import pytest

from archflow.handoffs import ModelDescription
from archflow.promotion import decide, fit_problems, gate_metric

MAJORITY = {"majority": {"balanced_accuracy": 1 / 3, "accuracy": 0.45}}


def test_a_candidate_that_predicts_one_class_is_rejected():
    verdict = decide("multiclass", "balanced_accuracy", {"balanced_accuracy": 1 / 3, "accuracy": 0.45}, MAJORITY, None)
    assert not verdict.promoted
    assert verdict.headline.startswith("rejected:") and "majority baseline" in verdict.headline


def test_first_candidate_that_beats_the_baseline_is_promoted():
    verdict = decide("multiclass", "balanced_accuracy", {"balanced_accuracy": 0.9}, MAJORITY, None, "no production model yet in models/model")
    assert verdict.promoted and "no production model yet" in verdict.headline


def test_worse_than_production_is_rejected_and_ties_are_promoted():
    worse = decide("binary", "balanced_accuracy", {"balanced_accuracy": 0.90}, MAJORITY, {"balanced_accuracy": 0.95})
    assert not worse.promoted and "worse than the production model's 0.9500" in worse.headline
    assert worse.production == 0.95 and worse.candidate == 0.90
    tie = decide("binary", "balanced_accuracy", {"balanced_accuracy": 0.95}, MAJORITY, {"balanced_accuracy": 0.95})
    assert tie.promoted


def test_tolerance_is_a_share_of_the_production_score_in_the_metric_direction():
    production = {"rmse": 10.0}
    baselines = {"mean": {"rmse": 20.0}}
    assert decide("regression", "rmse", {"rmse": 10.4}, baselines, production, tolerance=0.05).promoted
    assert not decide("regression", "rmse", {"rmse": 10.6}, baselines, production, tolerance=0.05).promoted
    assert not decide("regression", "rmse", {"rmse": 21.0}, baselines, None).promoted  # worse than predicting the mean


@pytest.mark.parametrize("value", [float("nan"), None, float("inf")])
def test_a_score_that_is_not_finite_is_rejected(value):
    assert not decide("regression", "rmse", {"rmse": value}, {"mean": {"rmse": 2.0}}, None).promoted


def test_gate_metric_defaults_follow_the_task():
    assert gate_metric("multiclass") == "balanced_accuracy" and gate_metric("regression") == "rmse" and gate_metric("forecast") == "mae"
    assert gate_metric("binary", "roc_auc") == "roc_auc"


def described(task: str, target: str, classes: list) -> ModelDescription:
    return ModelDescription(task, target, classes, "tabular", {}, "mlp", 10, None, "CPU", 100, 5, 0.003, 25, 300, 32, 42, [10] * 5)


def test_fit_problems_name_task_target_and_unseen_classes():
    problems = fit_problems(described("binary", "species", ["Adelie", "Gentoo"]), "species", "multiclass", ["Adelie", "Chinstrap", "Gentoo"])
    assert any("binary task but the data is multiclass" in p for p in problems)
    assert any("'Chinstrap'" in p for p in problems)
    assert fit_problems(described("multiclass", "species", ["Adelie", "Gentoo"]), "island", "multiclass", ["Adelie"]) == ["it predicts 'species' but the data's target is 'island'"]
    assert fit_problems(described("regression", "y", []), "y", "regression", None) == []
