"""Choosing an architecture from the data's modality, task and size, with reasons.

All the rules live here. A rule set is registered per modality; later modalities (images,
text, sequences) add their own function to ``RULES``. Each returns an
:class:`ArchitectureChoice` whose ``reasons`` say what was seen and what followed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from archflow.errors import DataError
from archflow.profiling import feature_columns

HEADS = {
    "binary": {"activation": "sigmoid", "loss": "binary_crossentropy"},
    "multiclass": {"activation": "softmax", "loss": "categorical_crossentropy"},
    "regression": {"activation": "linear", "loss": "mean_squared_error"},
    "forecast": {"activation": "linear", "loss": "mean_squared_error"},
}


@dataclass(frozen=True)
class DataFacts:
    """What selection looks at: measured on the training split only."""

    modality: str
    task: str
    rows: int
    numeric_features: int
    categorical_features: int
    encoded_width: int  # features after one-hot encoding (tabular)
    class_counts: dict[str, int] = field(default_factory=dict)
    details: dict = field(default_factory=dict)  # image size and channels; text column and length

    @property
    def imbalance_ratio(self) -> float:
        if not self.class_counts:
            return 1.0
        counts = list(self.class_counts.values())
        return max(counts) / max(min(counts), 1)


@dataclass(frozen=True)
class ArchitectureChoice:
    architecture: str
    task: str
    modality: str
    head: dict
    hyperparameters: dict
    inputs: dict  # what the modality's preprocessor needs (image size, text column, ...)
    imbalance: str
    batch_size: int
    classes: list[str]
    reasons: list[str]
    facts: dict
    training: dict = field(default_factory=dict)  # how to fit it: warmup_epochs (early stopping waits that long)

    def as_dict(self) -> dict:
        return asdict(self)


def _class_counts(train_frame: pd.DataFrame, target: str, task: str) -> dict[str, int]:
    if task == "regression":
        return {}
    return {str(k): int(v) for k, v in train_frame[target].astype(str).value_counts().sort_index().items()}


def measure_tabular(train_frame: pd.DataFrame, target: str, task: str) -> DataFacts:
    numeric, categorical = feature_columns(train_frame, target)
    width = len(numeric) + sum(int(train_frame[c].nunique(dropna=False)) for c in categorical)
    return DataFacts("tabular", task, len(train_frame), len(numeric), len(categorical), width, _class_counts(train_frame, target, task))


def measure_images(train_frame: pd.DataFrame, target: str, task: str, size: list[int] | None, pretrained_weights: str = "", fine_tune_epochs: int = 10) -> DataFacts:
    """Image size (the configured one, else the most common), channel count, and the local
    pretrained weights file when params name one."""
    from archflow.images import IMAGE_COLUMN, decode_image

    shapes = pd.Series([decode_image(b).shape for b in train_frame[IMAGE_COLUMN]])
    height, width, channels = shapes.mode().iloc[0]
    if size:
        height, width = size
    details = {"size": [int(height), int(width)], "channels": int(channels), "resized": bool(size), "pretrained_weights": pretrained_weights, "fine_tune_epochs": fine_tune_epochs}
    return DataFacts("image", task, len(train_frame), 0, 0, int(height * width * channels), _class_counts(train_frame, target, task), details)


def measure_text(train_frame: pd.DataFrame, target: str, task: str, column: str) -> DataFacts:
    """Word counts of the training texts (the 95th percentile sets the padded length)."""
    from archflow.text import word_counts

    words = word_counts(train_frame[column])
    details = {"column": column, "words_p95": int(np.percentile(words, 95)), "words_median": int(np.median(words))}
    return DataFacts("text", task, len(train_frame), 0, 0, 0, _class_counts(train_frame, target, task), details)


def measure_sequences(train_frame: pd.DataFrame, target: str, task: str) -> DataFacts:
    """Sequence lengths and channel count of the training sequences (one row each)."""
    from archflow.sequences import CHANNELS, LENGTH

    lengths = train_frame[LENGTH].to_numpy()
    details = {"length_max": int(lengths.max()), "length_median": int(np.median(lengths)), "length_min": int(lengths.min()), "channels": int(train_frame[CHANNELS].iloc[0])}
    return DataFacts("sequence", task, len(train_frame), 0, 0, 0, _class_counts(train_frame, target, task), details)


def measure_timeseries(train_frame: pd.DataFrame, target: str, series_settings) -> DataFacts:
    """Series count and length, the horizon, the look-back, the season and the window count."""
    from archflow.forecasting import ForecastSpec, make_windows
    from archflow.timeseries import season_length, series_keys, value_columns

    time_column, id_column = series_settings.time_column, series_settings.id_column
    channels = value_columns(train_frame, time_column, id_column)
    horizon = int(series_settings.horizon)
    season, season_reason = season_length(train_frame, time_column, id_column, series_settings.season)
    lookback = int(series_settings.lookback) if series_settings.lookback != "auto" else max(2 * season, 2 * horizon, 8)
    positive = bool((train_frame[target] > 0).all())
    spec = ForecastSpec(time_column, id_column, [target] + [c for c in channels if c != target], lookback, horizon, season, "ratio" if positive else "difference", series_settings.cv)
    lengths = series_keys(train_frame, id_column).value_counts()
    windows = len(make_windows(train_frame, spec))
    details = {
        "spec": asdict(spec), "series": int(len(lengths)), "steps_min": int(lengths.min()), "steps_max": int(lengths.max()),
        "season_reason": season_reason, "lookback_set": series_settings.lookback != "auto", "positive": positive,
    }
    return DataFacts("timeseries", "forecast", windows, len(spec.channels), 0, lookback * len(spec.channels), {}, details)


def choose_imbalance(facts: DataFacts, requested: str) -> tuple[str, str]:
    """Pick the imbalance strategy from the majority/minority ratio and the data size.

    Balanced classes need nothing. With plenty of minority rows, under-sampling the
    majority loses little and trains faster; with few rows and a strong skew,
    over-sampling gives the minority more gradient steps; otherwise class weights.
    """
    if facts.task in ("regression", "forecast"):
        return "none", f"{facts.task}: no class imbalance handling"
    ratio = facts.imbalance_ratio
    minority = min(facts.class_counts.values()) if facts.class_counts else 0
    if requested != "auto":
        return requested, f"imbalance strategy '{requested}' set in params (train.imbalance); majority/minority ratio {ratio:.1f}"
    if ratio < 1.5:
        return "none", f"classes are balanced (majority/minority ratio {ratio:.1f} < 1.5): no reweighting"
    if minority >= 5_000:
        return "undersample", f"majority/minority ratio {ratio:.1f} with {minority} minority rows (>= 5,000): random under-sampling of the other classes in each fold's training rows"
    if facts.rows < 1_000 and ratio >= 3:
        return "oversample", f"majority/minority ratio {ratio:.1f} on only {facts.rows} rows: random over-sampling of the minority in each fold's training rows"
    return "class_weight", f"majority/minority ratio {ratio:.1f}: class weights inversely proportional to class frequency (training rows only)"


def tabular_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """An MLP whose depth, width, dropout and L2 follow the number of rows and features."""
    rows, width = facts.rows, facts.encoded_width
    if rows < 1_000:
        layers, dropout, l2 = 1, 0.1, 1e-4
        size = f"{rows} training rows (< 1,000): one hidden layer, dropout 0.1 and L2 1e-4 keep a small model from overfitting"
    elif rows < 20_000:
        layers, dropout, l2 = 2, 0.2, 1e-5
        size = f"{rows} training rows (1,000-20,000): two hidden layers, dropout 0.2, L2 1e-5"
    else:
        layers, dropout, l2 = 3, 0.2, 1e-6
        size = f"{rows} training rows (>= 20,000): three hidden layers, dropout 0.2, L2 1e-6"
    units = int(min(256, max(16, 2 ** math.ceil(math.log2(max(2 * width, 2))))))
    reasons = [
        f"modality tabular ({facts.numeric_features} numeric, {facts.categorical_features} categorical columns): a multilayer perceptron",
        size,
        f"{width} input features after one-hot encoding: {units} units per layer (twice the inputs, rounded to a power of two, within 16-256)",
    ]
    return "mlp", {"hidden_layers": layers, "units": units, "dropout": dropout, "l2": l2}, {}, reasons


TRANSFER_MAX_IMAGES = 2_000


def image_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """A CNN whose number of convolution blocks follows the image size; dropout the data size."""
    height, width = facts.details["size"]
    side = min(height, width)
    blocks = 2 if side <= 16 else 3 if side <= 64 else 4
    dropout = 0.25 if facts.rows >= 2_000 else 0.4
    reasons = [
        f"modality image ({height}x{width}, {facts.details['channels']} channel(s)): a convolutional network",
        f"images of {side} pixels on the short side: {blocks} convolution blocks (conv, batch normalisation, ReLU, max pooling), 32 filters doubling per block",
        f"{facts.rows} training images: dropout {dropout}; augmentation (small rotations and shifts) on training batches only",
    ]
    if facts.details.get("resized"):
        reasons.append(f"images resized to {height}x{width} (image.size in params)")
    inputs = {"size": [height, width], "channels": facts.details["channels"]}
    weights = facts.details.get("pretrained_weights")
    if weights and facts.rows < TRANSFER_MAX_IMAGES:
        reasons[0] = f"modality image ({height}x{width}, {facts.details['channels']} channel(s)) and only {facts.rows} training images (< {TRANSFER_MAX_IMAGES}) with pretrained weights at hand: transfer learning"
        tune = facts.details["fine_tune_epochs"]
        reasons[1] = f"MobileNetV2 from {weights}: trained frozen, then its top 20 layers fine-tuned for up to {tune} epochs at a tenth of the learning rate"
        return "mobilenet_v2", {"weights": weights, "dropout": 0.2, "fine_tune_layers": 20, "fine_tune_epochs": tune}, inputs, reasons
    return "cnn", {"blocks": blocks, "filters": 32, "dropout": dropout, "dense_units": 128}, inputs, reasons


WIDE_TOKENS = 40_000


def text_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """Embedding plus a bidirectional GRU (small data) or LSTM, or a 1-D CNN for long texts."""
    length, rows = facts.details["words_p95"], facts.rows
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
    inputs = {"column": facts.details["column"], "wide_tokens": WIDE_TOKENS, "training": {"phases": ["wide", "deep"]}}
    return architecture, hyperparameters, inputs, reasons


FCN_MIN_LENGTH = 64
FCN_WARMUP = 50


def sequence_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """A fully convolutional network for long series, a bidirectional GRU or LSTM otherwise
    (``requested``: params force one of the two)."""
    d = facts.details
    length, channels, rows = d["length_max"], d["channels"], facts.rows
    varying = f"lengths {d['length_min']}-{length}, padded with masking" if d["length_min"] != length else f"all {length} steps long"
    reasons = [f"modality sequence ({rows} training sequences, {channels} channel(s), {varying}): per-channel scaling fitted on training folds"]
    inputs = {"channels": channels}
    if (length >= FCN_MIN_LENGTH and requested == "auto") or requested == "fcn":
        filters = 128 if rows >= 1_000 else 64
        reasons.append(f"long sequences ({length} >= {FCN_MIN_LENGTH} steps): the fully convolutional network of the UCR literature (three Conv1D blocks, global average pooling over real steps), {filters} filters")
        reasons.append(f"early stopping starts after {FCN_WARMUP} epochs: batch-norm statistics of a convolutional network swing in its first epochs, and an early dip in validation loss is not the best model")
        return "fcn", {"filters": filters, "dropout": 0.2}, {**inputs, "training": {"warmup_epochs": FCN_WARMUP}}, reasons
    cell = "gru" if rows < 10_000 else "lstm"
    layers = 1 if rows < 1_000 else 2
    units = 64 if channels <= 8 else 128
    reasons.append(
        f"short sequences ({length} < {FCN_MIN_LENGTH} steps) seen whole: {layers} bidirectional {cell.upper()} layer(s) of {units} units "
        f"({'a GRU has fewer weights for ' + str(rows) + ' sequences' if cell == 'gru' else str(rows) + ' sequences: an LSTM'})"
    )
    return "sequence_rnn", {"cell": cell, "layers": layers, "units": units, "bidirectional": True, "dropout": 0.2}, inputs, reasons


def timeseries_rules(facts: DataFacts, requested: str = "auto") -> tuple[str, dict, dict, list[str]]:
    """An encoder-decoder for multi-step horizons; stacked GRU or LSTM layers for one step
    (``requested``: params force one of the two)."""
    d, spec = facts.details, facts.details["spec"]
    horizon, lookback, windows = spec["horizon"], spec["lookback"], facts.rows
    how = "set in params (series.lookback)" if d["lookback_set"] else f"two seasons, at least twice the horizon and 8 steps"
    reasons = [
        f"modality timeseries ({d['series']} series of {d['steps_min']}-{d['steps_max']} training steps, {len(spec['channels'])} channel(s): {', '.join(spec['channels'])}): forecasting '{spec['channels'][0]}'",
        f"{d['season_reason']}; look-back {lookback} steps ({how}); horizon {horizon} step(s); {windows} training windows",
        f"time-ordered {spec['cv']} folds; scaling fitted on the steps before each fold; "
        + ("positive target: each window is divided by its mean level (ratio scaling), so trend and level changes carry over" if spec["normalization"] == "ratio" else "each window is standardised and centred on its mean level"),
    ]
    units = 64 if windows < 5_000 else 128
    cell = "lstm"
    if (horizon > 1 and requested == "auto") or requested == "encoder_decoder":
        reasons.append(f"multi-step horizon ({horizon} steps): an encoder-decoder (sequence to sequence): an {cell.upper()} encoder reads the look-back, an {cell.upper()} decoder unrolls {horizon} steps, {units} units")
        return "encoder_decoder", {"cell": cell, "units": units, "horizon": horizon, "dropout": 0.1}, spec, reasons
    cell = "gru" if windows < 10_000 else "lstm"
    reasons.append(f"one-step horizon: two stacked {cell.upper()} layers of {units} units ({windows} windows)")
    return "stacked_rnn", {"cell": cell, "layers": 2, "units": units, "dropout": 0.1}, spec, reasons


# the architectures `model.architecture` may force, per modality (each rule knows their hyperparameters)
ARCHITECTURES = {
    "tabular": ("mlp",), "image": ("cnn", "mobilenet_v2"), "text": ("bigru", "bilstm", "text_cnn"),
    "sequence": ("fcn", "sequence_rnn"), "timeseries": ("encoder_decoder", "stacked_rnn"),
}

RULES: dict[str, Callable[[DataFacts, str], tuple[str, dict, dict, list[str]]]] = {
    "tabular": tabular_rules, "image": image_rules, "text": text_rules, "sequence": sequence_rules, "timeseries": timeseries_rules,
}


def choose_batch_size(rows: int, requested: str) -> tuple[int, str]:
    """About 64 steps per epoch, as a power of two within 32-512, unless params fix it."""
    if requested != "auto":
        return int(requested), f"batch size {requested} set in params (train.batch_size)"
    size = int(min(512, max(32, 2 ** round(math.log2(max(rows / 64, 1))))))
    return size, f"{rows} training rows: batch size {size} (about {math.ceil(rows / size)} steps per epoch)"


def select_architecture(facts: DataFacts, task_reason: str, requested_architecture: str, requested_imbalance: str, requested_batch_size: str = "auto", extra_inputs: dict | None = None, leading_reasons: list[str] | None = None) -> ArchitectureChoice:
    """Apply the modality's rules; params may force the architecture, imbalance and batch size.
    ``extra_inputs`` join the input facts the model carries; ``leading_reasons`` open the reasons."""
    allowed = ARCHITECTURES[facts.modality]
    if requested_architecture not in ("auto", *allowed):
        raise DataError(f"model.architecture '{requested_architecture}' does not suit {facts.modality} data; choose auto or one of {list(allowed)}")
    if requested_architecture == "mobilenet_v2" and not facts.details.get("pretrained_weights"):
        raise DataError("model.architecture 'mobilenet_v2' needs image.pretrained_weights: a local MobileNetV2 .weights.h5 file")
    architecture, hyperparameters, inputs, reasons = RULES[facts.modality](facts, requested_architecture)
    training = inputs.pop("training", {})
    if requested_architecture != "auto":
        architecture = requested_architecture
        reasons.append(f"architecture '{requested_architecture}' set in params (model.architecture)")
    head = dict(HEADS[facts.task])
    head["units"] = len(facts.class_counts) if facts.task == "multiclass" else facts.details["spec"]["horizon"] if facts.task == "forecast" else 1
    reasons.insert(1, f"{task_reason}; so a {head['activation']} output with {head['loss']}")
    imbalance, imbalance_reason = choose_imbalance(facts, requested_imbalance)
    reasons.append(imbalance_reason)
    batch_size, batch_reason = choose_batch_size(facts.rows, requested_batch_size)
    reasons.append(batch_reason)
    inputs.update(extra_inputs or {})
    reasons = [*(leading_reasons or []), *reasons]
    return ArchitectureChoice(
        architecture=architecture,
        task=facts.task,
        modality=facts.modality,
        head=head,
        hyperparameters=hyperparameters,
        inputs=inputs,
        imbalance=imbalance,
        batch_size=batch_size,
        classes=list(facts.class_counts),
        reasons=reasons,
        facts=asdict(facts),
        training=training,
    )
