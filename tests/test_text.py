"""Text: blank rows named by validation, vocabulary and length from training rows only, and a
recurrent network end to end on tiny reviews made here."""

import numpy as np
import pandas as pd
import pytest

from archflow.modalities import detect_modality
from archflow.schema import infer_schema
from archflow.text import TextPreprocessor
from archflow.validation import requirements_for, validate_frame

GOOD = ["a truly wonderful tasty snack i loved it", "great flavour and fresh would buy again", "excellent value lovely texture my kids adore it"]
BAD = ["stale bland and overpriced would not buy", "awful taste arrived broken very disappointed", "terrible packaging and the flavour was off"]


def reviews(count: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 2
    texts = [f"{rng.choice(GOOD if label else BAD)} order {i}" for i, label in enumerate(labels)]
    return pd.DataFrame({"review": texts, "score": np.where(labels, "great", "other")})


def test_text_modality_is_detected():
    modality, reason, inputs = detect_modality(reviews(), "score")
    assert modality == "text" and inputs == {"column": "review"} and "free text" in reason


def test_blank_text_rows_fail_validation_naming_the_rows():
    frame = reviews()
    schema = infer_schema(frame, "r", "score", "auto", 0.5, 50)
    assert schema["columns"]["review"]["kind"] == "text"
    frame.loc[[4, 9], "review"] = "   "
    summary = validate_frame(frame, schema, requirements_for(2, 0.2, 10))
    assert any("2 blank rows (first rows: [4, 9])" in f["problem"] for f in summary["failures"])


def test_vocabulary_and_length_come_from_training_rows_only():
    """Through the real fold loop (a fake fitter of ours, no network): each fold's text
    preprocessor, vocabulary, padded length and TF-IDF terms, is fitted on that fold's training
    rows alone, never on its validation rows."""
    from archflow.modalities import make_preprocessor
    from archflow.training import FitResult, TrainingConfig, cross_validate_folds, row_folds

    frame = reviews(40)
    frame.loc[[3, 17, 30], "review"] = [" ".join([f"zyzzyva{i}"] * 300) for i in (3, 17, 30)]  # a word and a length only these rows have
    inputs = {"column": "review", "wide_tokens": 500}

    class PreprocessorOnly:  # fits what goes inside the model, trains nothing
        def fit(self, fold, seed, progress):
            return FitResult(None, make_preprocessor("text", inputs, fold.train, "score").fit(fold.train), {"loss": [0.0]}, 1, np.arange(len(fold.train)))

        def score(self, fit, fold):
            return {"validation_rows": float(len(fold.validation))}

    choice = type("Choice", (), {"task": "binary", "classes": ["great", "other"]})()
    config = TrainingConfig("score", 3, 1, 1, 0.001, "ignore", 1, 0)
    folds = cross_validate_folds(row_folds(frame, choice, config), PreprocessorOnly(), config, log=lambda text: None)
    assert len(folds) == 3
    for fold in folds:
        seen = frame.iloc[fold.train_positions]
        prep = fold.preprocessor
        assert prep.fitted_rows_ == len(seen) == len(frame) - len(fold.validation_positions)
        for row in (3, 17, 30):
            word = f"zyzzyva{row}"
            assert (word in prep.vocabulary_) == (row in fold.train_positions), (fold.fold, word)
            assert (word in prep.wide_vocabulary_) == (row in fold.train_positions), (fold.fold, word)
        expected = int(min(400, max(8, np.percentile(seen["review"].str.split().str.len(), 95))))
        assert prep.sequence_length_ == expected
    assert len({f.preprocessor.sequence_length_ for f in folds}) > 1  # the long rows move it when, and only when, a fold trains on them


@pytest.mark.slow
def test_recurrent_network_end_to_end_on_reviews(tmp_path, prefect_api, monkeypatch):
    import keras

    from archflow.predict import load_trained
    from tests.stages import run_all_stages, tiny_settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data/raw").mkdir(parents=True)
    reviews(80).to_csv(tmp_path / "data/raw/reviews.csv", index=False)
    metrics = run_all_stages(tiny_settings(source="data/raw/reviews.csv", target="score"))
    assert metrics["test"]["accuracy"] >= 0.9 and "logistic" in metrics["baseline"], metrics["test"]  # 1.0 on CPU with the seed
    trained = load_trained("models/candidate")
    assert trained.metadata.architecture in ("bigru", "bilstm", "text_cnn")
    keras.saving.load_model("models/candidate/model.keras", safe_mode=True)
    predicted = trained.predict(pd.DataFrame({"review": ["wonderful tasty snack", "stale and awful"]}))
    assert set(predicted["prediction"]) <= {"great", "other"} and predicted.filter(like="p_").sum(axis=1).round(5).eq(1).all()


def test_wide_and_deep_trains_the_linear_path_first_then_the_network_on_top():
    import keras

    from archflow.architectures import build_model, train_only
    from archflow.feeding import make_dataset

    frame = reviews(40)
    prep = TextPreprocessor("review", wide_tokens=500).fit(frame)
    assert "wonderful" in prep.wide_vocabulary_ and "truly wonderful" in prep.wide_vocabulary_  # words and word pairs
    inputs, ids = prep.build_encoder()
    model = build_model(inputs, ids, "bigru", {"vocabulary_size": len(prep.vocabulary_) + 2, "embedding_dim": 8, "units": 4, "dropout": 0.1},
                        {"units": 1, "activation": "sigmoid", "loss": "binary_crossentropy"}, 0.01, wide=prep.build_wide(inputs), wide_l2=0.01)
    data = make_dataset(prep.to_inputs(frame), (frame["score"] == "great").to_numpy("float32").reshape(-1, 1), batch_size=8)
    weights = lambda name: [w.copy() for w in model.get_layer(name).get_weights()]
    embedding = weights("embedding")
    train_only(model, "wide", 0.01)
    model.fit(data, epochs=2, shuffle=False, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(embedding, weights("embedding")))  # the network waits
    assert not np.any(model.get_layer("deep_logits").get_weights()[0])  # and adds nothing yet: a logistic regression
    wide = weights("wide_logits")
    train_only(model, "deep", 0.01)
    model.fit(data, epochs=2, shuffle=False, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(wide, weights("wide_logits")))  # the linear path stays fixed
    assert not all(np.array_equal(a, b) for a, b in zip(embedding, weights("embedding")))


def test_the_wide_only_candidate_is_the_linear_path_alone_and_saves_and_loads_safely(tmp_path):
    """The search's yardstick for text: TF-IDF through the linear path, no network. It learns
    the reviews, its network part is a constant, and it round-trips through a .keras file."""
    import keras

    from archflow.architectures import build_model, train_only
    from archflow.feeding import make_dataset, predict_inputs

    frame = reviews(60)
    prep = TextPreprocessor("review", wide_tokens=500).fit(frame)
    inputs, ids = prep.build_encoder()
    model = build_model(inputs, ids, "text_linear", {"vocabulary_size": len(prep.vocabulary_) + 2, "embedding_dim": 8, "units": 4, "dropout": 0.1},
                        {"units": 1, "activation": "sigmoid", "loss": "binary_crossentropy"}, 0.05, wide=prep.build_wide(inputs), wide_l2=0.001)
    labels = (frame["score"] == "great").to_numpy("float32").reshape(-1, 1)
    train_only(model, "wide", 0.05)
    model.fit(make_dataset(prep.to_inputs(frame), labels, batch_size=8), epochs=30, shuffle=False, verbose=0)
    predicted = predict_inputs(model, prep.to_inputs(frame))
    assert float(((predicted > 0.5) == labels).mean()) >= 0.95
    trainable = {w.path.split("/")[0] for w in model.trainable_weights}
    assert trainable == {"wide_logits"}, trainable  # nothing but the linear path learns
    model.save(tmp_path / "wide.keras")
    again = keras.saving.load_model(tmp_path / "wide.keras", safe_mode=True)
    np.testing.assert_allclose(predict_inputs(again, prep.to_inputs(frame)), predicted, rtol=1e-5)
