"""Tables: numeric and categorical columns; imputation, scaling and one-hot inside the model."""

from __future__ import annotations

import math

import pandas as pd

from archflow.column_types import feature_columns
from archflow.modalities.base import Candidate, Modality, rule_candidate
from archflow.selection import DataFacts, class_counts


def measure_tabular(train_frame: pd.DataFrame, target: str, task: str) -> DataFacts:
    numeric, categorical = feature_columns(train_frame, target)
    width = len(numeric) + sum(int(train_frame[c].nunique(dropna=False)) for c in categorical)
    return DataFacts("tabular", task, len(train_frame), len(numeric), len(categorical), width, class_counts(train_frame, target, task))


def tabular_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """An MLP whose depth, width, dropout and L2 follow the number of rows and features."""
    rows, width = facts.examples, facts.encoded_width
    if rows < 1_000:
        layers, dropout, l2 = 1, 0.1, 1e-4
        size = f"{rows} training rows (< 1,000): one hidden layer, dropout 0.1 and L2 1e-4 keep a small model from overfitting"
    elif rows < 20_000:
        layers, dropout, l2 = 2, 0.2, 1e-5
        size = f"{rows} training rows (1,000-20,000): two hidden layers, dropout 0.2, L2 1e-5"
    else:
        layers, dropout, l2 = 3, 0.2, 1e-6
        size = f"{rows} training rows (>= 20,000): three hidden layers, dropout 0.2, L2 1e-6"
    units = int(min(256, max(16, 2 ** math.ceil(math.log2(max(2 * width, 2))))))
    reasons = [
        f"modality tabular ({facts.numeric_features} numeric, {facts.categorical_features} categorical columns): a multilayer perceptron",
        size,
        f"{width} input features after one-hot encoding: {units} units per layer (twice the inputs, rounded to a power of two, within 16-256)",
    ]
    return "mlp", {"hidden_layers": layers, "units": units, "dropout": dropout, "l2": l2}, {}, reasons


class Tabular(Modality):
    name = "tabular"
    precedence = 100  # what every table is when no other modality claims it
    architectures = ("mlp",)

    def detect(self, frame, target, layout, forced):
        return ("modality 'tabular' set in params (data.modality)" if forced else "numeric and categorical columns: tabular data"), {}

    def rules(self, facts, requested):
        return tabular_rules(facts, requested)

    def candidates(self, facts, choice):
        """The rule's MLP, four times as wide, and one layer deeper at twice the width: the rules
        size by row count and inputs, which under-sizes tables whose columns interact."""
        rule = rule_candidate(choice)
        h = rule.hyperparameters
        wider = {**h, "units": min(512, 4 * h["units"])}
        deeper = {**h, "hidden_layers": h["hidden_layers"] + 1, "units": min(512, 2 * h["units"])}
        return [
            rule,
            Candidate("wider", "mlp", wider, {}, f"{wider['units']} units per layer"),
            Candidate("deeper", "mlp", deeper, {}, f"{deeper['hidden_layers']} hidden layers of {deeper['units']} units"),
        ]

    def measure(self, train_frame: pd.DataFrame, target: str, task: str, settings, found: dict) -> DataFacts:
        return measure_tabular(train_frame, target, task)

    # archflow.tabular builds Keras layers: imported where needed, so reading settings (which
    # asks the registry) does not start TensorFlow
    def make_preprocessor(self, inputs, frame, target, unseen, min_category_count):
        from archflow.tabular import TabularPreprocessor

        numeric, categorical = feature_columns(frame, target)
        return TabularPreprocessor(numeric, categorical, unseen, min_category_count)

    def keyed_inputs(self, description, frame):
        from archflow.tabular import rows_to_inputs

        return rows_to_inputs(frame, description["numeric"], description["categorical"]), frame.index

    def input_problems(self, description, frame):
        from archflow.tabular import row_problems

        return row_problems(description, frame)

    def baseline_features(self, inputs, train_frame, test_frame, target):
        from archflow.tabular import baseline_table, linear_transform

        numeric, categorical = feature_columns(train_frame, target)
        return baseline_table(train_frame, numeric, categorical), baseline_table(test_frame, numeric, categorical), linear_transform(numeric, categorical)


    # Tables get a strong baseline beside the linear one: untuned gradient boosting, which the
    # network must beat (or the card says it did not).
    def baseline_classifiers(self, transform, balanced, train_features=None):
        from archflow.tabular import gradient_boosting

        return {**super().baseline_classifiers(transform, balanced), "gradient_boosting": gradient_boosting(train_features, "classification", balanced)}

    def baseline_regressors(self, transform, train_features=None):
        from archflow.tabular import gradient_boosting

        return {**super().baseline_regressors(transform), "gradient_boosting": gradient_boosting(train_features, "regression")}


TABULAR = Tabular()
