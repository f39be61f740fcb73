"""Text: a column of free text; vocabulary, padding and TF-IDF learned inside each fold."""

from __future__ import annotations

from archflow.modalities.base import Modality
from archflow.selection import measure_text
from archflow.text import TextPreprocessor, text_inputs


class Text(Modality):
    name = "text"

    def measure(self, train_frame, target, task, settings, found):
        return measure_text(train_frame, target, task, found["column"])

    def make_preprocessor(self, inputs, frame, target, unseen, min_category_count):
        return TextPreprocessor(inputs["column"], inputs.get("max_tokens", 20_000), inputs.get("length_percentile", 95), inputs.get("wide_tokens", 0))

    def keyed_inputs(self, description, frame):
        return text_inputs(frame, description["column"]), frame.index

    def baseline_features(self, inputs, train_frame, test_frame, target):
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [f[inputs["column"]].fillna("").astype(str) for f in (train_frame, test_frame)]
        return texts[0], texts[1], TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)


TEXT = Text()
