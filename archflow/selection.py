"""Choosing an architecture from the data's modality, task and size, with reasons.

What holds for every modality lives here: the facts selection measures (:class:`DataFacts`),
the choice it hands on (:class:`ArchitectureChoice`), the output layer and loss per task, the
imbalance strategy and the batch size. Each modality's own rules (which network, how deep,
how wide) live in its package (archflow/modalities/) and return the reasons for what they chose.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from archflow.errors import DataError

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
    examples: int  # training examples: rows, images, texts, sequences, or a series' windows
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
    training: dict = field(default_factory=dict)  # how to fit it: warmup_epochs (early stopping waits that long), plateau_patience (the learning rate halves after that many epochs without a better validation loss)
    candidates: list = field(default_factory=list)  # the search's CV table: one row per candidate scored (archflow.search)

    def as_dict(self) -> dict:
        return asdict(self)


def class_counts(train_frame: pd.DataFrame, target: str, task: str) -> dict[str, int]:
    if task == "regression":
        return {}
    return {str(k): int(v) for k, v in train_frame[target].astype(str).value_counts().sort_index().items()}


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
    if facts.examples < 1_000 and ratio >= 3:
        return "oversample", f"majority/minority ratio {ratio:.1f} on only {facts.examples} rows: random over-sampling of the minority in each fold's training rows"
    return "class_weight", f"majority/minority ratio {ratio:.1f}: class weights inversely proportional to class frequency (training rows only)"


def choose_batch_size(rows: int, requested: str) -> tuple[int, str]:
    """About 64 steps per epoch, as a power of two within 32-512, unless params fix it."""
    if requested != "auto":
        return int(requested), f"batch size {requested} set in params (train.batch_size)"
    size = int(min(512, max(32, 2 ** round(math.log2(max(rows / 64, 1))))))
    return size, f"{rows} training rows: batch size {size} (about {math.ceil(rows / size)} steps per epoch)"


def select_architecture(facts: DataFacts, task_reason: str, requested_architecture: str, requested_imbalance: str, requested_batch_size: str = "auto", extra_inputs: dict | None = None, leading_reasons: list[str] | None = None) -> ArchitectureChoice:
    """Apply the modality's rules; params may force the architecture, imbalance and batch size.
    ``extra_inputs`` join the input facts the model carries; ``leading_reasons`` open the reasons."""
    from archflow.modalities import modality_named  # the registry builds on this module's records

    modality = modality_named(facts.modality)
    allowed = modality.architectures
    if requested_architecture not in ("auto", *allowed):
        raise DataError(f"model.architecture '{requested_architecture}' does not suit {facts.modality} data; choose auto or one of {list(allowed)}")
    if requested_architecture == "mobilenet_v2" and not facts.details.get("pretrained_weights"):
        raise DataError("model.architecture 'mobilenet_v2' needs image.pretrained_weights: a local MobileNetV2 .weights.h5 file")
    architecture, hyperparameters, inputs, reasons = modality.rules(facts, requested_architecture)
    training = inputs.pop("training", {})
    if requested_architecture != "auto":
        architecture = requested_architecture
        reasons.append(f"architecture '{requested_architecture}' set in params (model.architecture)")
    head = dict(HEADS[facts.task])
    head["units"] = len(facts.class_counts) if facts.task == "multiclass" else facts.details["spec"]["horizon"] if facts.task == "forecast" else 1
    reasons.insert(1, f"{task_reason}; so a {head['activation']} output with {head['loss']}")
    imbalance, imbalance_reason = choose_imbalance(facts, requested_imbalance)
    reasons.append(imbalance_reason)
    batch_size, batch_reason = choose_batch_size(facts.examples, requested_batch_size)
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
