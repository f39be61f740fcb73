"""The preprocessor learns from the rows it is given, and travels inside the saved model."""

import keras
import numpy as np
import pandas as pd
import pytest

from archflow.architectures import build_model
from archflow.feeding import predict_inputs
from archflow.imbalance import class_weights, resample_indices
from archflow.tabular import TabularPreprocessor


@pytest.fixture
def rows():
    return pd.DataFrame({"n": [1.0, 3.0, np.nan, 5.0], "c": ["x", "y", "x", None], "y": ["a", "b", "a", "b"]})


def encoded(preprocessor, frame):
    tensors, features = preprocessor.build_encoder()
    return predict_inputs(keras.Model(tensors, features), preprocessor.to_inputs(frame))


def test_fit_learns_mean_std_and_vocabulary_from_given_rows(rows):
    prep = TabularPreprocessor(["n"], ["c"]).fit(rows)
    assert prep.means_["n"] == pytest.approx(3.0) and prep.stds_["n"] == pytest.approx(np.std([1, 3, 5]))
    assert prep.vocabularies_["c"] == ["__missing__", "x", "y"]


def test_missing_numbers_are_imputed_with_the_training_mean(rows):
    prep = TabularPreprocessor(["n"], []).fit(rows)
    assert encoded(prep, rows)[:, 0] == pytest.approx([-1.2247, 0.0, 0.0, 1.2247], abs=1e-3)


@pytest.mark.parametrize("policy, width, unseen_row", [("ignore", 3, [0, 0, 0]), ("bucket", 4, [1, 0, 0, 0])])
def test_unseen_category_policy(rows, policy, width, unseen_row):
    prep = TabularPreprocessor([], ["c"], unseen=policy).fit(rows)
    out = encoded(prep, pd.DataFrame({"c": ["y", "never-seen"]}))
    assert out.shape == (2, width)
    assert out[1].tolist() == unseen_row and out[0].sum() == 1


def test_rare_categories_go_to_the_bucket(rows):
    prep = TabularPreprocessor([], ["c"], unseen="bucket", min_category_count=2).fit(rows)
    assert prep.vocabularies_["c"] == ["x"]


def test_saved_model_loads_safely_and_takes_raw_rows(rows, tmp_path):
    prep = TabularPreprocessor(["n"], ["c"]).fit(rows)
    tensors, features = prep.build_encoder()
    model = build_model(tensors, features, "mlp", {"hidden_layers": 1, "units": 8, "dropout": 0.0, "l2": 0.0}, {"units": 1, "activation": "sigmoid", "loss": "binary_crossentropy"}, 0.01)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    raw = pd.DataFrame({"n": [2.0, np.nan], "c": ["y", "unheard-of"]})
    assert np.allclose(predict_inputs(loaded, prep.to_inputs(raw)), predict_inputs(model, prep.to_inputs(raw)))


def test_class_weights_and_resampling():
    labels = np.array([0] * 8 + [1] * 2)
    assert class_weights(labels, 2).tolist() == pytest.approx([10 / 16, 10 / 4])
    over = resample_indices(labels, "oversample", seed=0)
    under = resample_indices(labels, "undersample", seed=0)
    assert np.bincount(labels[over]).tolist() == [8, 8] and np.bincount(labels[under]).tolist() == [2, 2]
    assert set(over) <= set(range(10)) and resample_indices(labels, "class_weight", 0).tolist() == list(range(10))
