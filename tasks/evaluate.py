"""Evaluate: hold-out scores beside baselines, DVC metrics and plots, the report, and the
promotion gate that decides whether the candidate replaces the production model."""

import dataclasses
import logging
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from archflow.device import make_deterministic
from archflow.errors import DataError
from archflow.evaluation import NotFinite, holdout_labels, production_scores
from archflow.file_names import (
    LEARNING_CURVES_PNG, PROFILE, REPORT, SOURCE, SPLIT_INFO, TEST_SPLIT, TRAIN_SPLIT, VALIDATION_SUMMARY,
)
from archflow.handoffs import SplitInfo, load_record
from archflow.modalities import modality_named
from archflow.outputs import atomic_dir, read_json, write_json
from archflow.parquet import read_frame
from archflow.predict import load_trained
from archflow.promotion import decide, fit_problems, gate_metric
from archflow.report import render_report
from archflow.settings import Settings

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


class CandidateRejected(DataError):
    """The candidate is broken or made for other data: it cannot even be scored."""


def _load_candidate(settings: Settings, task: str, test_frame: pd.DataFrame):
    paths = settings.paths
    kept = f"The candidate stays in {paths.candidate} for inspection; the production model in {paths.model} is unchanged."
    try:
        candidate = load_trained(paths.candidate)
    except Exception as error:
        raise CandidateRejected(f"rejected: the candidate in {paths.candidate} cannot be loaded ({type(error).__name__}: {error}). {kept}") from None
    problems = fit_problems(candidate.metadata, settings.data.target, task, holdout_labels(test_frame, settings.data.target, task))
    if problems:
        raise CandidateRejected(f"rejected: the candidate does not fit this data: {'; '.join(problems)}. {kept}")
    return candidate, kept


def code_version() -> str:
    """The git commit of the code that ran (with a mark when the checkout has changes)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=10)
        # the code and settings only: dvc.lock and metrics change during every run
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "archflow", "tasks", "flows", "dvc.yaml", "params.yaml", "pyproject.toml"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (git not available)"
    if commit.returncode != 0:
        return "unknown (not a git checkout)"
    return commit.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def promote(candidate_dir: str, production_dir: str, record: dict) -> None:
    """Replace the production model folder with the candidate's files, in one swap."""
    with atomic_dir(production_dir) as out:
        for item in Path(candidate_dir).iterdir():
            shutil.copy2(item, out / item.name)
        write_json(out / "promotion.json", record)


def evaluate(settings: Settings) -> dict:
    make_deterministic(settings.seed)
    paths = settings.paths
    prepared = Path(paths.prepared)
    train_frame, test_frame = read_frame(prepared / TRAIN_SPLIT), read_frame(prepared / TEST_SPLIT)
    task = load_record(SplitInfo, prepared / SPLIT_INFO).task
    trained, kept = _load_candidate(settings, task, test_frame)
    meta = trained.metadata
    selection = read_json(paths.selection)
    try:
        holdout = modality_named(meta.modality).holdout(trained, train_frame, test_frame, balanced=selection["imbalance"] != "none")
    except NotFinite as error:
        raise CandidateRejected(f"rejected: {error}. {kept}") from None
    test, baselines = holdout.scores, holdout.baselines
    current, note = production_scores(paths.model, meta.target, task, train_frame, test_frame)
    verdict = decide(task, gate_metric(task, settings.promote.metric), test, baselines, current, note, settings.promote.tolerance)
    cv_metrics = read_json(paths.cv_metrics)
    cv, baseline_cv = cv_metrics["cv"], cv_metrics.get("baseline_cv", {})
    record = {**verdict.as_dict(), "decided_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "candidate_path": paths.candidate, "production_path": paths.model}
    with atomic_dir(paths.evaluation) as out:
        figures = holdout.write_figures(out)
        learning_curves = Path(paths.training_plots) / LEARNING_CURVES_PNG
        (out / LEARNING_CURVES_PNG).write_bytes(learning_curves.read_bytes())
        report = render_report(
            source=read_json(Path(paths.ingested) / SOURCE),
            profile=read_json(Path(paths.ingested) / PROFILE),
            validation=read_json(Path(paths.validation) / VALIDATION_SUMMARY),
            selection=selection,
            training={**dataclasses.asdict(meta), "test_rows": len(test_frame)},
            test=test,
            baselines=baselines,
            cv=cv,
            baseline_cv=baseline_cv,
            figures=[*figures, LEARNING_CURVES_PNG],
            verdict=record,
            provenance={"date": record["decided_at"], "commit": code_version()},
        )
        (out / REPORT).write_text(report)
    write_json(paths.test_metrics, {"test": test, "baseline": baselines})
    if verdict.promoted:
        promote(paths.candidate, paths.model, record)
    else:
        Path(paths.model).mkdir(parents=True, exist_ok=True)  # DVC's output, even before any model has passed
    write_json(paths.promotion, record)
    headline = {k: v for k, v in test.items() if not isinstance(v, dict)}
    log.info("hold-out: %s", ", ".join(f"{k} {v:.4f}" for k, v in headline.items()))
    log.info("%s%s", verdict.headline, "" if verdict.promoted else f". {kept}")
    return {"test": test, "baseline": baselines, "cv": cv, "report": report, "verdict": record}
