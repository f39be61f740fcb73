"""Tables: numeric and categorical columns; imputation, scaling and one-hot inside the model."""

from __future__ import annotations

import pandas as pd

from archflow.modalities.base import Modality
from archflow.profiling import feature_columns
from archflow.selection import DataFacts, measure_tabular
from archflow.tabular import TabularPreprocessor, baseline_table, gradient_boosting, linear_transform, row_problems, rows_to_inputs


class Tabular(Modality):
    name = "tabular"

    def measure(self, train_frame: pd.DataFrame, target: str, task: str, settings, found: dict) -> DataFacts:
        return measure_tabular(train_frame, target, task)

    def make_preprocessor(self, inputs, frame, target, unseen, min_category_count):
        numeric, categorical = feature_columns(frame, target)
        return TabularPreprocessor(numeric, categorical, unseen, min_category_count)

    def keyed_inputs(self, description, frame):
        return rows_to_inputs(frame, description["numeric"], description["categorical"]), frame.index

    def input_problems(self, description, frame):
        return row_problems(description, frame)

    def baseline_features(self, inputs, train_frame, test_frame, target):
        numeric, categorical = feature_columns(train_frame, target)
        return baseline_table(train_frame, numeric, categorical), baseline_table(test_frame, numeric, categorical), linear_transform(numeric, categorical)


    # Tables get a strong baseline beside the linear one: untuned gradient boosting, which the
    # network must beat (or the card says it did not).
    def baseline_classifiers(self, transform, balanced, train_features=None):
        return {**super().baseline_classifiers(transform, balanced), "gradient_boosting": gradient_boosting(train_features, "classification", balanced)}

    def baseline_regressors(self, transform, train_features=None):
        return {**super().baseline_regressors(transform), "gradient_boosting": gradient_boosting(train_features, "regression")}


TABULAR = Tabular()
