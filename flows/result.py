"""How a run ends in the terminal (`archflow run`, `archflow report`): the standing result read
from the metrics files. Plain Python: no Prefect, so `archflow report` is quick."""

from __future__ import annotations

import json
from pathlib import Path

from archflow.settings import load_settings


def finished_run_lines(message: str = "", params_file: str = "params.yaml") -> list[str]:
    """The end of a run in the terminal: scores beside the best baseline, the verdict, the paths."""
    from archflow.file_names import REPORT
    from archflow.report import run_summary

    paths = load_settings(params_file).paths
    metrics_file, verdict_file = Path(paths.test_metrics), Path(paths.promotion)
    if not metrics_file.exists():
        return [message]
    verdict = json.loads(verdict_file.read_text()) if verdict_file.exists() else None
    lines = run_summary(json.loads(metrics_file.read_text()), verdict, str(Path(paths.evaluation) / REPORT), paths.model)
    if verdict and message != verdict["headline"]:  # not this run's verdict: say when it was given
        lines = [f"verdict of {verdict.get('decided_at', 'an earlier run')}: {line}" if line == verdict["headline"] else line for line in lines]
        lines = [message, *lines] if message else lines
    return lines
