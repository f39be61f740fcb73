"""The stages are plain functions: all six run, in order, in a process that never imports Prefect
(or DVC), logging with the standard logging module; flows/ only wraps them. The settings are
the defaults' but for 2 workers (2 cores alone make one, and the folds would train in turn), so the
folds train on a local Dask cluster."""

import subprocess
import sys

from tests.project import ROOT

SCRIPT = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
from archflow.settings import settings_from_dict
from tasks.ingest import ingest
from tasks.validate import validate
from tasks.preprocess import preprocess
from tasks.select import select
from tasks.train import train
from tasks.evaluate import evaluate

settings = settings_from_dict({"train": {"folds": 2, "epochs": 20, "patience": 5}, "select": {"search": False}, "compute": {"workers": 2}})
ingest(settings.data, settings.paths)
summary = validate(settings)
preprocess(settings)
choice = select(settings)
train(settings)
result = evaluate(settings)
print(json.dumps({"checks": summary["checks"], "architecture": choice["architecture"], "promoted": result["verdict"]["promoted"],
                  "accuracy": result["test"]["accuracy"], "imported": sorted(m for m in ("prefect", "dvc") if m in sys.modules)}))
"""


def test_every_stage_runs_without_prefect(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    import json

    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["imported"] == [], "a stage imported Prefect or DVC"
    assert outcome["checks"] > 10 and outcome["architecture"] == "mlp" and outcome["promoted"] is True
    assert outcome["accuracy"] >= 0.95  # two folds of up to 20 epochs: 0.9855 on CPU with the seed (the majority class: 0.435)
    assert "tasks.train: fold 1/2:" in done.stderr and "tasks.evaluate: promoted:" in done.stderr, "stages log with the standard logging module"
    assert (tmp_path / "models/model/model.keras").exists() and (tmp_path / "schemas/penguins.yaml").exists()
    baseline_cv = json.loads((tmp_path / "metrics/cv.json").read_text())["baseline_cv"]  # the baselines on the network's own folds
    assert set(baseline_cv) == {"majority", "logistic", "gradient_boosting"} and baseline_cv["logistic"]["balanced_accuracy"]["mean"] > 0.9
    assert "In cross-validation on the same folds," in (tmp_path / "reports/evaluation/report.md").read_text()  # (logistic regression is better there: 0.9966 against 0.9877)
