"""Text as data: a vocabulary and a padded length learned from training rows only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from archflow.preprocessor import Preprocessor

MAX_LENGTH, MIN_LENGTH = 400, 8


def text_inputs(frame: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Raw strings as the model's ``text`` input, (rows, 1); missing text becomes ""."""
    return {"text": frame[column].fillna("").astype(str).to_numpy(dtype=str).reshape(-1, 1)}


def word_counts(texts: pd.Series) -> np.ndarray:
    return texts.fillna("").astype(str).str.split().str.len().to_numpy()


class TextPreprocessor(Preprocessor):
    """Raw strings -> token ids inside the model (``TextVectorization``), padded or truncated
    to the 95th percentile of the training rows' word counts; id 0 is padding (masked).

    With ``wide_tokens``, also TF-IDF of words and word pairs (vocabulary and IDF weights from
    the training rows) for the linear path of a wide-and-deep model."""

    def __init__(self, column: str, max_tokens: int = 20_000, length_percentile: float = 95, wide_tokens: int = 0):
        self.column, self.max_tokens, self.length_percentile, self.wide_tokens = column, max_tokens, length_percentile, wide_tokens

    def fit(self, frame: pd.DataFrame) -> TextPreprocessor:
        import keras

        texts = frame[self.column].fillna("").astype(str)
        strings = texts.to_numpy(dtype=str)
        length = int(np.percentile(word_counts(texts), self.length_percentile))
        self.sequence_length_ = int(min(MAX_LENGTH, max(MIN_LENGTH, length)))
        vectorizer = keras.layers.TextVectorization(max_tokens=self.max_tokens)
        vectorizer.adapt(strings)
        self.vocabulary_ = [t for t in vectorizer.get_vocabulary() if t not in ("", "[UNK]")]
        self.fitted_rows_ = len(frame)
        if self.wide_tokens:
            bag = keras.layers.TextVectorization(max_tokens=self.wide_tokens, ngrams=2, output_mode="multi_hot")
            bag.adapt(strings)
            documents = np.asarray(bag(strings.reshape(-1, 1))).sum(axis=0)[1:]  # per word or pair, without [UNK]
            self.wide_vocabulary_ = [str(t) for t in bag.get_vocabulary()[1:]]
            self.wide_idf_ = np.log1p(len(strings) / (1 + documents)).astype(float).tolist()  # Keras' own IDF formula
        return self

    def describe(self) -> dict:
        return {"modality": "text", "column": self.column, "sequence_length": self.sequence_length_}

    def body_arguments(self) -> dict:
        return {"vocabulary_size": len(self.vocabulary_) + 2}  # + padding and out-of-vocabulary ids

    def to_inputs(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return text_inputs(frame, self.column)

    def build_encoder(self):
        import keras

        text = keras.Input(shape=(1,), dtype="string", name="text")
        vectorize = keras.layers.TextVectorization(vocabulary=self.vocabulary_, output_sequence_length=self.sequence_length_, name="vectorize")
        ids = keras.layers.Reshape((self.sequence_length_,), name="token_ids")(vectorize(text))  # (batch, time)
        return {"text": text}, ids

    def build_wide(self, inputs: dict):
        """The TF-IDF features of the wide path, or None without one."""
        if not self.wide_tokens:
            return None
        import keras

        bag = keras.layers.TextVectorization(ngrams=2, output_mode="tf_idf", vocabulary=self.wide_vocabulary_, idf_weights=self.wide_idf_, name="word_pairs_tfidf")
        width = len(self.wide_vocabulary_) + 1  # + out-of-vocabulary
        return keras.layers.Reshape((width,), name="tfidf")(bag(inputs["text"]))  # (batch, width)
