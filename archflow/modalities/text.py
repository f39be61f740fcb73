"""Text: a column of free text; vocabulary, padding and TF-IDF learned inside each fold."""

from __future__ import annotations

import numpy as np
import pandas as pd

from archflow.column_types import is_text_column
from archflow.modalities.base import Candidate, Modality, rule_candidate
from archflow.selection import DataFacts, class_counts
from archflow.text import TextPreprocessor, text_inputs


WIDE_TOKENS = 40_000


def measure_text(train_frame: pd.DataFrame, target: str, task: str, column: str) -> DataFacts:
    """Word counts of the training texts (the 95th percentile sets the padded length)."""
    from archflow.text import word_counts

    words = word_counts(train_frame[column])
    details = {"column": column, "words_p95": int(np.percentile(words, 95)), "words_median": int(np.median(words))}
    return DataFacts("text", task, len(train_frame), 0, 0, 0, class_counts(train_frame, target, task), details)


def text_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """Embedding plus a bidirectional GRU (small data) or LSTM, or a 1-D CNN for long texts."""
    length, rows = facts.details["words_p95"], facts.examples
    reasons = [f"modality text (column '{facts.details['column']}'; median {facts.details['words_median']} words, 95th percentile {length}): token embedding with masking of padded steps"]
    if length >= 300:
        architecture = "text_cnn"
        reasons.append(f"long texts (95th percentile {length} >= 300 words): a 1-D convolutional network, faster than recurrence over long sequences")
    elif rows < 10_000:
        architecture = "bigru"
        reasons.append(f"{rows} training texts (< 10,000) of moderate length: a bidirectional GRU (fewer weights than an LSTM)")
    else:
        architecture = "bilstm"
        reasons.append(f"{rows} training texts (>= 10,000): a bidirectional LSTM")
    embedding = 64 if rows < 10_000 else 128
    hyperparameters = {"embedding_dim": embedding, "units": 32 if rows < 10_000 else 64, "dropout": 0.4}
    reasons.append(f"padding/truncation to the 95th percentile of training lengths ({length} words), fitted with the vocabulary inside each fold")
    reasons.append(
        f"wide and deep: a linear path over TF-IDF of words and word pairs (up to {WIDE_TOKENS:,}, fitted inside each fold; L2 as a logistic regression with C=1) "
        "adds its logits to the network's. It trains first, alone; then the network trains on top of it with the linear path fixed, "
        "so the embedding learns what the n-grams miss instead of relearning them from a few thousand texts. Each phase early-stops on its own"
    )
    phases = ["wide"] if requested == "text_linear" else ["wide", "deep"]  # the linear path alone has no network to train
    inputs = {"column": facts.details["column"], "wide_tokens": WIDE_TOKENS, "training": {"phases": phases}}
    return architecture, hyperparameters, inputs, reasons


class Text(Modality):
    name = "text"
    precedence = 40
    architectures = ("bigru", "bilstm", "text_cnn", "text_linear")
    patience = 10  # an epoch of a recurrent network over a thousand reviews costs seconds, as an image set's does
    # fine_foods' search on all 3,980 training reviews (5 candidates x 3 folds) took 17 of the
    # default run's 26 minutes; a sample of 2,000 halves that, and the winner still trains on all
    search_rows = 2_000

    def detect(self, frame, target, layout, forced):
        features = [c for c in frame.columns if c != target]
        texts = [c for c in features if is_text_column(frame[c])]
        if not texts:
            return ("modality 'text' set in params (data.modality)", {"column": features[0]}) if forced else None
        column = max(texts, key=lambda c: frame[c].astype(str).str.len().mean())
        others = [c for c in features if c != column]
        ignored = f"; other columns {others} are not used" if others else ""
        return f"column '{column}' holds free text (several words per row, mostly distinct): text data{ignored}", {"column": column}

    def rules(self, facts, requested):
        return text_rules(facts, requested)

    def candidates(self, facts, choice):
        """The rule's pick, the TF-IDF linear path alone (wide only: is the network worth it?),
        then the other deep paths beside the same wide path: bidirectional GRU, LSTM, and a 1-D
        convolutional network."""
        rule = rule_candidate(choice)
        wide_only = Candidate("wide-only", "text_linear", dict(choice.hyperparameters), {**choice.training, "phases": ["wide"]}, "the TF-IDF linear path alone, no network")
        others = [a for a in self.architectures if a not in (choice.architecture, "text_linear")]
        why = {"bigru": "a bidirectional GRU", "bilstm": "a bidirectional LSTM", "text_cnn": "a 1-D convolutional network"}
        return [rule, wide_only, *(Candidate(a, a, dict(choice.hyperparameters), dict(choice.training), why[a]) for a in others)]

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
