"""The tabular preprocessor: fitted on a fold's training rows, exported as Keras layers.

Follows scikit-learn's rules: the constructor stores settings; ``fit`` learns the
statistics (attributes ending in ``_``); nothing is fitted on validation or test rows.
"""

from __future__ import annotations

import re

import keras
import numpy as np
import pandas as pd

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from archflow.layers import ImputeStandardize, OneHotCategories
from archflow.preprocessor import Preprocessor

MISSING = "__missing__"


def input_name(column: str) -> str:
    """A Keras-safe input name for a column."""
    return "in_" + re.sub(r"[^0-9A-Za-z_]", "_", column)


def as_category_strings(series: pd.Series) -> np.ndarray:
    return series.astype(object).where(series.notna(), MISSING).astype(str).to_numpy(dtype=str)


def rows_to_inputs(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> dict[str, np.ndarray]:
    """Raw rows as a model's named inputs, each (rows, 1). Learns nothing."""
    missing = [c for c in numeric + categorical if c not in frame.columns]
    if missing:
        raise KeyError(f"rows lack the model's input columns {missing}")
    inputs = {input_name(c): pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype="float32").reshape(-1, 1) for c in numeric}
    inputs.update({input_name(c): as_category_strings(frame[c]).reshape(-1, 1) for c in categorical})
    return inputs


def row_problems(description: dict, frame: pd.DataFrame, shown: int = 3) -> list[str]:
    """What in raw rows a tabular model would silently mistake: missing input columns, text in
    numeric columns (it would become a missing value), categories it never saw in training."""
    numeric, categorical = description["numeric"], description["categorical"]
    missing = [c for c in numeric + categorical if c not in frame.columns]
    problems = [f"missing input column(s) {missing}"] if missing else []
    for column in (c for c in numeric if c in frame.columns):
        values = frame[column]
        bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
        if bad.any():
            problems.append(f"column '{column}' should be numeric but has {int(bad.sum())} other value(s), e.g. " + ", ".join(f"{values[i]!r} (row {i})" for i in values.index[bad][:shown]))
    for column, vocabulary in description.get("vocabularies", {}).items():
        if column not in frame.columns:
            continue
        values = frame[column].dropna().astype(str)
        unseen = values[~values.isin(vocabulary)]
        if len(unseen):
            problems.append(f"column '{column}' has {len(unseen)} value(s) the model never saw in training, e.g. " + ", ".join(f"{v!r} (row {i})" for i, v in unseen.head(shown).items()) + f"; it knows {vocabulary[:10]}")
    return problems


class TabularPreprocessor(Preprocessor):
    """Imputation and standard scaling of numeric columns, one-hot encoding of categories."""

    def __init__(self, numeric: list[str], categorical: list[str], unseen: str = "ignore", min_category_count: int = 1):
        self.numeric = list(numeric)
        self.categorical = list(categorical)
        self.unseen = unseen
        self.min_category_count = min_category_count

    def fit(self, frame: pd.DataFrame) -> TabularPreprocessor:
        """Learn means, standard deviations and vocabularies from these rows only."""
        self.means_ = {c: float(np.nanmean(frame[c].to_numpy(dtype="float64"))) if frame[c].notna().any() else 0.0 for c in self.numeric}
        self.stds_ = {c: float(np.nanstd(frame[c].to_numpy(dtype="float64"))) if frame[c].notna().any() else 1.0 for c in self.numeric}
        self.vocabularies_ = {}
        for column in self.categorical:
            counts = pd.Series(as_category_strings(frame[column])).value_counts()
            self.vocabularies_[column] = sorted(counts[counts >= self.min_category_count].index)
        self.fitted_rows_ = len(frame)
        return self

    def to_inputs(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return rows_to_inputs(frame, self.numeric, self.categorical)

    def describe(self) -> dict:
        description = {"modality": "tabular", "numeric": self.numeric, "categorical": self.categorical}
        if hasattr(self, "vocabularies_"):  # so prediction can name categories the model never saw
            description["vocabularies"] = {c: [v for v in vocabulary if v != MISSING] for c, vocabulary in self.vocabularies_.items()}
        return description


    def build_encoder(self) -> tuple[dict[str, keras.KerasTensor], keras.KerasTensor]:
        """Keras inputs and the encoded feature tensor (batch, features)."""
        inputs, parts = {}, []
        for column in self.numeric:
            tensor = keras.Input(shape=(1,), name=input_name(column), dtype="float32")
            inputs[input_name(column)] = tensor
            parts.append(ImputeStandardize(self.means_[column], self.stds_[column], name=f"scale_{input_name(column)}")(tensor))
        for column in self.categorical:
            tensor = keras.Input(shape=(1,), name=input_name(column), dtype="string")
            inputs[input_name(column)] = tensor
            parts.append(OneHotCategories(self.vocabularies_[column], self.unseen, name=f"onehot_{input_name(column)}")(tensor))
        encoded = parts[0] if len(parts) == 1 else keras.layers.Concatenate(name="features")(parts)
        return inputs, encoded


def baseline_table(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Numeric columns as floats and categorical ones as strings: what the linear baseline reads."""
    table = pd.DataFrame({c: pd.to_numeric(frame[c], errors="coerce").astype("float64") for c in numeric}, index=frame.index)
    for column in categorical:
        table[column] = as_category_strings(frame[column]).astype(object)
    return table


def linear_transform(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    """The linear baseline's preprocessing: mean imputation and scaling, one-hot categories."""
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )


def gradient_boosting(features: pd.DataFrame, kind: str, balanced: bool = False):
    """Untuned histogram gradient boosting on a :func:`baseline_table` (numeric columns as they
    are, missing values included; categories as codes it splits on as categories; a column of
    more categories than it can bin, as plain codes): the strong baseline for tables."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])]
    categorical = [c for c in features.columns if c not in numeric]
    few = [c for c in categorical if features[c].nunique() < 250]
    encode = ColumnTransformer(
        [("numeric", "passthrough", numeric), ("categorical", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan), categorical)]
    )
    as_categories = [len(numeric) + categorical.index(c) for c in few] or None
    if kind == "regression":
        return make_pipeline(encode, HistGradientBoostingRegressor(categorical_features=as_categories, random_state=0))
    return make_pipeline(encode, HistGradientBoostingClassifier(categorical_features=as_categories, class_weight="balanced" if balanced else None, random_state=0))
