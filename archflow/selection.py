"""Choosing an architecture from the data's modality, task and size, with reasons.

All the rules live here. A rule set is registered per modality; later modalities (images,
text, sequences) add their own function to ``RULES``. Each returns an
:class:`ArchitectureChoice` whose ``reasons`` say what was seen and what followed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pandas as pd

from archflow.profiling import feature_columns

HEADS = {
    "binary": {"activation": "sigmoid", "loss": "binary_crossentropy"},
    "multiclass": {"activation": "softmax", "loss": "categorical_crossentropy"},
    "regression": {"activation": "linear", "loss": "mean_squared_error"},
}


@dataclass(frozen=True)
class DataFacts:
    """What selection looks at: measured on the training split only."""

    modality: str
    task: str
    rows: int
    numeric_features: int
    categorical_features: int
    encoded_width: int  # features after one-hot encoding
    class_counts: dict[str, int] = field(default_factory=dict)

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
    imbalance: str
    classes: list[str]
    reasons: list[str]
    facts: dict

    def as_dict(self) -> dict:
        return asdict(self)


def measure_tabular(train_frame: pd.DataFrame, target: str, task: str) -> DataFacts:
    numeric, categorical = feature_columns(train_frame, target)
    width = len(numeric) + sum(int(train_frame[c].nunique(dropna=False)) for c in categorical)
    counts = {}
    if task != "regression":
        counts = {str(k): int(v) for k, v in train_frame[target].value_counts().sort_index().items()}
    return DataFacts("tabular", task, len(train_frame), len(numeric), len(categorical), width, counts)


def choose_imbalance(facts: DataFacts, requested: str) -> tuple[str, str]:
    """Class weights by default when classes are uneven; resampling only when asked."""
    if facts.task == "regression":
        return "none", "regression: no class imbalance handling"
    ratio = facts.imbalance_ratio
    if requested != "auto":
        return requested, f"imbalance strategy '{requested}' set in params (train.imbalance); majority/minority ratio {ratio:.1f}"
    if ratio < 1.5:
        return "none", f"classes are balanced (majority/minority ratio {ratio:.1f} < 1.5): no reweighting"
    return "class_weight", f"majority/minority ratio {ratio:.1f} >= 1.5: class weights inversely proportional to class frequency (training rows only)"


def tabular_rules(facts: DataFacts) -> tuple[str, dict, list[str]]:
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
    return "mlp", {"hidden_layers": layers, "units": units, "dropout": dropout, "l2": l2}, reasons


RULES: dict[str, Callable[[DataFacts], tuple[str, dict, list[str]]]] = {"tabular": tabular_rules}


def select_architecture(facts: DataFacts, task_reason: str, requested_architecture: str, requested_imbalance: str) -> ArchitectureChoice:
    """Apply the modality's rules; params may force the architecture by name."""
    architecture, hyperparameters, reasons = RULES[facts.modality](facts)
    if requested_architecture != "auto":
        architecture = requested_architecture
        reasons.append(f"architecture '{requested_architecture}' set in params (model.architecture)")
    head = dict(HEADS[facts.task])
    head["units"] = len(facts.class_counts) if facts.task == "multiclass" else 1
    reasons.insert(1, f"{task_reason}; so a {head['activation']} output with {head['loss']}")
    imbalance, imbalance_reason = choose_imbalance(facts, requested_imbalance)
    reasons.append(imbalance_reason)
    return ArchitectureChoice(
        architecture=architecture,
        task=facts.task,
        modality=facts.modality,
        head=head,
        hyperparameters=hyperparameters,
        imbalance=imbalance,
        classes=list(facts.class_counts),
        reasons=reasons,
        facts=asdict(facts),
    )
