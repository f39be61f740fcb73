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
    train = reviews(40)
    validation = pd.DataFrame({"review": ["zyzzyva quokka " * 30], "score": ["great"]})
    prep = TextPreprocessor("review").fit(train)
    assert "zyzzyva" not in prep.vocabulary_ and "wonderful" in prep.vocabulary_
    assert prep.sequence_length_ == max(8, int(np.percentile(train["review"].str.split().str.len(), 95)))
    assert prep.fitted_rows_ == 40 and len(validation) == 1


@pytest.mark.slow
def test_recurrent_network_end_to_end_on_reviews(tmp_path, prefect_api, monkeypatch):
    import keras

    from archflow.predict import load_trained
    from tests.stages import run_all_stages, tiny_settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data/raw").mkdir(parents=True)
    reviews(80).to_csv(tmp_path / "data/raw/reviews.csv", index=False)
    metrics = run_all_stages(tiny_settings(source="data/raw/reviews.csv", target="score"))
    assert 0 <= metrics["test"]["accuracy"] <= 1 and "logistic" in metrics["baseline"]
    trained = load_trained("models/candidate")
    assert trained.metadata["architecture"] in ("bigru", "bilstm", "text_cnn")
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
