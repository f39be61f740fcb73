"""Text as data: a vocabulary and a padded length learned from training rows only."""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_LENGTH, MIN_LENGTH = 400, 8


def text_inputs(frame: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Raw strings as the model's ``text`` input, (rows, 1); missing text becomes ""."""
    return {"text": frame[column].fillna("").astype(str).to_numpy(dtype=str).reshape(-1, 1)}


def word_counts(texts: pd.Series) -> np.ndarray:
    return texts.fillna("").astype(str).str.split().str.len().to_numpy()


class TextPreprocessor:
    """Raw strings -> token ids inside the model (``TextVectorization``), padded or truncated
    to the 95th percentile of the training rows' word counts; id 0 is padding (masked)."""

    def __init__(self, column: str, max_tokens: int = 20_000, length_percentile: float = 95):
        self.column, self.max_tokens, self.length_percentile = column, max_tokens, length_percentile

    def fit(self, frame: pd.DataFrame) -> TextPreprocessor:
        import keras

        texts = frame[self.column].fillna("").astype(str)
        length = int(np.percentile(word_counts(texts), self.length_percentile))
        self.sequence_length_ = int(min(MAX_LENGTH, max(MIN_LENGTH, length)))
        vectorizer = keras.layers.TextVectorization(max_tokens=self.max_tokens)
        vectorizer.adapt(texts.to_numpy(dtype=str))
        self.vocabulary_ = [t for t in vectorizer.get_vocabulary() if t not in ("", "[UNK]")]
        self.fitted_rows_ = len(frame)
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
