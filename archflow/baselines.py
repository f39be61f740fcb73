"""Simple baselines fitted on the training split, so the report shows what the network earns."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from archflow.profiling import feature_columns
from archflow.metrics import classification_scores, regression_scores
from archflow.modalities import raw_inputs
from archflow.tabular import as_category_strings


def _features(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    table = pd.DataFrame({c: pd.to_numeric(frame[c], errors="coerce").astype("float64") for c in numeric}, index=frame.index)
    for column in categorical:
        table[column] = as_category_strings(frame[column]).astype(object)
    return table


def _linear_features(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )


def _modality_features(inputs: dict, train_frame: pd.DataFrame, test_frame: pd.DataFrame, target: str):
    """Training and test features for the linear baseline, and the transform it needs first.

    Tabular: imputation, scaling and one-hot; images: flattened pixels in 0-1; text: TF-IDF
    of words and word pairs. Every transform is fitted on the training split only.
    """
    modality = inputs["modality"]
    if modality == "sequence":
        return (*_sequence_features(train_frame, test_frame), "passthrough")
    if modality == "image":
        flat = [raw_inputs(inputs, f)["image"].reshape(len(f), -1) / 255.0 for f in (train_frame, test_frame)]
        return flat[0], flat[1], "passthrough"
    if modality == "text":
        column = inputs["column"]
        texts = [f[column].fillna("").astype(str) for f in (train_frame, test_frame)]
        return texts[0], texts[1], TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    numeric, categorical = feature_columns(train_frame, target)
    return _features(train_frame, numeric, categorical), _features(test_frame, numeric, categorical), _linear_features(numeric, categorical)


def _sequence_features(train_frame: pd.DataFrame, test_frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Sequences scaled per channel (training statistics), zero-padded to one length, flattened:
    the Euclidean 1-nearest-neighbour baseline of the UCR literature."""
    from archflow.sequences import SequencePreprocessor, padded_array

    channels = int(train_frame["channels"].iloc[0])
    scaler = SequencePreprocessor(channels).fit(train_frame)
    length = int(max(train_frame["length"].max(), test_frame["length"].max()))
    flat = []
    for frame in (train_frame, test_frame):
        scaled = (padded_array(frame, length) - np.asarray(scaler.mean_, dtype="float32")) / np.asarray(scaler.std_, dtype="float32")
        flat.append(np.nan_to_num(scaled, nan=0.0).reshape(len(frame), -1))
    return flat[0], flat[1]


def baseline_scores(train_frame: pd.DataFrame, test_frame: pd.DataFrame, target: str, task: str, classes: list[str], balanced: bool, inputs: dict) -> dict[str, dict[str, float]]:
    """Majority class and logistic regression (classification; 1-nearest-neighbour for
    sequences), or mean and linear regression, on features that suit the modality (``inputs`` is the trained model's input description)."""
    x_train, x_test, transform = _modality_features(inputs, train_frame, test_frame, target)
    if task == "regression":
        y_train, y_test = train_frame[target].to_numpy(dtype="float64"), test_frame[target].to_numpy(dtype="float64")
        models = {"mean": DummyRegressor(strategy="mean"), "linear": make_pipeline(transform, LinearRegression())}
        return {name: regression_scores(y_test, model.fit(x_train, y_train).predict(x_test)) for name, model in models.items()}
    index = {c: i for i, c in enumerate(classes)}
    y_train = train_frame[target].astype(str).map(index).to_numpy()
    y_test = test_frame[target].astype(str).map(index).to_numpy()
    models = {"majority": DummyClassifier(strategy="most_frequent")}
    if inputs["modality"] == "sequence":
        models["nearest_neighbour"] = KNeighborsClassifier(n_neighbors=1)  # Euclidean
    else:
        models["logistic"] = make_pipeline(transform, LogisticRegression(max_iter=5000, class_weight="balanced" if balanced else None))
    scores = {}
    for name, model in models.items():
        model.fit(x_train, y_train)
        probabilities = np.zeros((len(y_test), len(classes)))
        probabilities[:, model.classes_] = model.predict_proba(x_test)
        scores[name] = classification_scores(y_test, probabilities)
    return scores
