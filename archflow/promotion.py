"""The promotion gate: a trained candidate replaces the production model only when it deserves to.

Three checks, decided after evaluation on the same hold-out rows:

1. the candidate fits the data (task, classes, inputs) and its outputs are finite;
2. it scores strictly better than its own trivial baseline (majority class, mean, seasonal
   naive), so a model that predicts one class for every row does not pass;
3. it is not worse than the production model by more than ``tolerance`` (a share of the
   production model's score), when the production model accepts this data; otherwise the
   verdict says so and the first two checks decide.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from archflow.handoffs import ModelDescription

HIGHER_IS_BETTER = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "r2"}
LOWER_IS_BETTER = {"mae", "rmse", "mape", "mase"}
DEFAULT_METRIC = {"binary": "balanced_accuracy", "multiclass": "balanced_accuracy", "regression": "rmse", "forecast": "mae"}
TRIVIAL_BASELINE = {"binary": "majority", "multiclass": "majority", "regression": "mean", "forecast": "seasonal_naive"}


@dataclass(frozen=True)
class Verdict:
    """What the gate decided and why; ``headline`` is the one line a person reads first."""

    promoted: bool
    metric: str
    candidate: float | None
    baseline_name: str
    baseline: float | None
    production: float | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return f"{'promoted' if self.promoted else 'rejected'}: {'; '.join(self.reasons)}"

    def as_dict(self) -> dict:
        return {**asdict(self), "headline": self.headline}


def gate_metric(task: str, requested: str = "auto") -> str:
    """The metric the gate compares: the setting, or the task's default."""
    return DEFAULT_METRIC[task] if requested == "auto" else requested


def _better(metric: str, value: float, reference: float) -> bool:
    return value > reference if metric in HIGHER_IS_BETTER else value < reference


def _within(metric: str, value: float, reference: float, tolerance: float) -> bool:
    """``value`` is at least as good as ``reference``, less ``tolerance`` of its size."""
    slack = abs(reference) * tolerance
    return value >= reference - slack if metric in HIGHER_IS_BETTER else value <= reference + slack


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def decide(task: str, metric: str, candidate: dict, baselines: dict, production: dict | None, production_note: str = "", tolerance: float = 0.0) -> Verdict:
    """Decide on a candidate from hold-out scores: its own, the baselines' and, when the
    production model could be scored on the same rows, the production model's."""
    baseline_name = TRIVIAL_BASELINE[task]
    value, floor = candidate.get(metric), baselines.get(baseline_name, {}).get(metric)
    current = production.get(metric) if production else None
    verdict = dict(metric=metric, candidate=value, baseline_name=baseline_name, baseline=floor, production=current)
    if not _finite(value):
        return Verdict(False, reasons=[f"the candidate's hold-out {metric} is not a finite number ({value})"], **verdict)
    reasons = []
    if _finite(floor) and not _better(metric, value, floor):
        return Verdict(False, reasons=[f"{metric} {value:.4f} does not beat the trivial {baseline_name} baseline ({floor:.4f})"], **verdict)
    reasons.append(f"{metric} {value:.4f} beats the trivial {baseline_name} baseline ({floor:.4f})" if _finite(floor) else f"{metric} {value:.4f}; no trivial baseline score to compare")
    if current is None:
        reasons.append(production_note or "no production model yet")
        return Verdict(True, reasons=reasons, **verdict)
    allowed = f" (tolerance {tolerance:.1%})" if tolerance else ""
    if not _finite(current) or _within(metric, value, current, tolerance):
        reasons.append(f"at least as good as the production model ({metric} {current:.4f}){allowed}")
        return Verdict(True, reasons=reasons, **verdict)
    return Verdict(False, reasons=[f"{metric} {value:.4f} is worse than the production model's {current:.4f}{allowed}"], **verdict)


def fit_problems(metadata: ModelDescription, target: str, task: str, labels: list[str] | None) -> list[str]:
    """Why a trained model (its metadata) does not fit the data it is evaluated on: the target,
    the task, and for classes, hold-out labels it has never seen."""
    problems = []
    if metadata.target != target:
        problems.append(f"it predicts '{metadata.target}' but the data's target is '{target}'")
    if metadata.task != task:
        problems.append(f"it was trained for a {metadata.task} task but the data is {task}")
    classes = metadata.classes or []
    if metadata.task == "binary" and len(classes) != 2:
        problems.append(f"it is a binary model with {len(classes)} classes {classes}")
    unseen = sorted(set(labels or []) - {str(c) for c in classes}) if classes else []
    if unseen:
        problems.append(f"the hold-out has classes it was not trained for: {unseen[:5]}")
    return problems
