"""`dvc repro` end to end in a fresh repository: real GX, real TensorFlow, a real Prefect server."""

import hashlib
import json

import pytest

from tests.conftest import make_table
from tests.project import commit, dvc, make_project, stage_env

pytestmark = pytest.mark.slow
STAGES = ["ingest", "validate", "preprocess", "select", "train", "evaluate"]


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_penguins_repro_metrics_noop_and_experiment(tmp_path, prefect_api):
    # the default path (the search on, with 2 folds to stay cheap), with enough epochs to learn: the floors below
    project = make_project(tmp_path, {"train": {"epochs": 20, "patience": 5}, "select": {"search": True, "folds": 2}})
    env = stage_env(prefect_api)
    first = dvc(project, "repro", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "up to date" in dvc(project, "status", env=env).stdout
    test = json.loads((project / "metrics/test.json").read_text())
    cv = json.loads((project / "metrics/cv.json").read_text())
    # quality floors: two folds of up to 20 epochs reach 0.9855 accuracy and ROC-AUC 1.0 on CPU with the seed
    assert test["test"]["accuracy"] >= 0.95 and test["test"]["roc_auc"] >= 0.99, test["test"]
    assert {"majority", "logistic", "gradient_boosting"} <= set(test["baseline"]) and test["baseline"]["majority"]["accuracy"] < 0.5
    assert {"mean", "std"} <= set(cv["cv"]["accuracy"])
    selection = json.loads((project / "models/selection.json").read_text())
    assert len(selection["candidates"]) >= 3 and (project / "models/search/study.db").exists(), "the search ran and DVC keeps its study"
    assert (project / "models/model/model.keras").exists() and (project / "reports/evaluation/report.md").exists()
    plots = json.loads(dvc(project, "plots", "show", "--json", env=env).stdout)["data"]
    curves = plots["Validation loss per fold"][0]["content"]
    assert curves["encoding"]["color"]["field"] == "fold" and {p["fold"] for p in curves["data"]["values"]} == {"1", "2"}, "one line per fold"
    assert curves["encoding"]["y"]["title"] == "validation loss"
    confusion = json.dumps(plots["Confusion matrix (hold-out)"][0]["content"])
    assert '"x": {"field": "predicted"' in confusion and '"y": {"field": "actual"' in confusion, "the PNG's orientation: predicted across"

    again = dvc(project, "repro", env=env)
    assert again.returncode == 0 and "Running stage" not in again.stdout
    assert sum(f"'{s}' didn't change" in again.stdout for s in STAGES) == len(STAGES)

    commit(project, "baseline run")
    experiment = dvc(project, "exp", "run", "-S", "train.final_model=refit", env=env)  # train and evaluate rerun; the search does not depend on it
    assert experiment.returncode == 0, experiment.stdout + experiment.stderr
    params = json.loads(dvc(project, "params", "diff", "--json", env=env).stdout)
    assert {k: params["params.yaml"]["train.final_model"][k] for k in ("old", "new")} == {"old": "auto", "new": "refit"}
    assert "Running stage 'select'" not in experiment.stdout and "Running stage 'train'" in experiment.stdout
    diff = json.loads(dvc(project, "metrics", "diff", "--json", env=env).stdout)
    assert any(abs(change.get("diff") or 0) > 0 for changes in diff.values() for change in changes.values())


BAD_DATA = {
    "strings in a numeric column": (lambda f: f.assign(x2=f["x2"].astype(object).where(f.index != 3, "twelve")), "column 'x2' should be numeric"),
    "missing target values": (lambda f: f.assign(label=f["label"].where(f.index > 2)), "target column 'label' has 3 missing values"),
    "a single class": (lambda f: f.assign(label="a"), "target column 'label' has 1 class(es)"),
}


def test_bad_user_csv_fails_at_validate_and_keeps_the_last_good_model(tmp_path, prefect_api):
    project = make_project(tmp_path, {"data": {"source": "data/raw/mine.csv", "target": "label"}, "train": {"epochs": 20, "patience": 5}})  # a model that learns, so it is promoted
    env = stage_env(prefect_api)
    good = make_table(rows=120, seed=4)
    good.to_csv(project / "data/raw/mine.csv", index=False)
    assert dvc(project, "repro", env=env).returncode == 0
    assert (project / "schemas/mine.yaml").exists()
    model = project / "models/model/model.keras"
    model_hash, prepared_hash = sha(model), sha(project / "data/prepared/train.parquet")

    for name, (spoil, expected) in BAD_DATA.items():
        spoil(good).to_csv(project / "data/raw/mine.csv", index=False)
        run = dvc(project, "repro", env=env)
        output = run.stdout + run.stderr
        assert run.returncode != 0, name
        assert "archflow validate stopped" in output and "data/raw/mine.csv" in output, name
        assert expected in output, f"{name}: {output[-2000:]}"
        assert "Running stage 'preprocess'" not in output, name
        assert sha(model) == model_hash and sha(project / "data/prepared/train.parquet") == prepared_hash, name
