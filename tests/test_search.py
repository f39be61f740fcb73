"""Selection by evidence: every modality's rules propose a shortlist around their pick, the search
cross-validates it on the training split with Optuna, the best CV score wins, and the hold-out
rows never reach it."""

import dataclasses
import json
import sqlite3
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from archflow.modalities import REGISTRY, modality_named
from archflow.selection import DataFacts, select_architecture
from tests.project import ROOT
from tests.test_selection import facts as table_facts
from tests.test_selection import forecast_facts, sequence_facts


def facts_for(name: str) -> list[DataFacts]:
    """Representative facts per modality (the shortlist may differ with size and pick)."""
    image = {"size": [28, 28], "channels": 1, "resized": False, "pretrained_weights": "", "fine_tune_epochs": 10}
    text = {"column": "review", "words_p95": 60, "words_median": 30}
    return {
        "tabular": [table_facts(rows=300), table_facts(rows=50_000, width=100, task="regression")],
        "image": [DataFacts("image", "multiclass", 1_500, 0, 0, 784, {"a": 750, "b": 750}, image)],
        "text": [DataFacts("text", "binary", 4_000, 0, 0, 0, {"a": 2_000, "b": 2_000}, text), DataFacts("text", "binary", 400, 0, 0, 0, {"a": 200, "b": 200}, {**text, "words_p95": 400})],
        "sequence": [sequence_facts(150), sequence_facts(24)],
        "timeseries": [forecast_facts(12), forecast_facts(1)],
    }[name]


def test_every_modality_proposes_at_least_three_candidates_with_the_rule_first():
    for name in REGISTRY:
        modality = modality_named(name)
        for facts in facts_for(name):
            choice = select_architecture(facts, "why", "auto", "auto")
            shortlist = modality.shortlist(facts, choice, 0.003)
            assert len(shortlist) >= 4, (name, shortlist)
            assert shortlist[0].label == "rule" and shortlist[0].architecture == choice.architecture and shortlist[0].hyperparameters == choice.hyperparameters
            assert len({(c.architecture, json.dumps(c.hyperparameters, sort_keys=True), json.dumps(c.training, sort_keys=True)) for c in shortlist}) == len(shortlist), f"{name}: two candidates are the same network, trained alike"
            assert all(c.architecture in modality.architectures for c in shortlist)
            slower = [c for c in shortlist if "learning_rate" in c.training]  # the rules size the network; the search also tries its step size
            assert [(c.architecture, c.hyperparameters, c.training["learning_rate"]) for c in slower] == [(choice.architecture, choice.hyperparameters, 0.001)], (name, slower)


def labelled_table(seed: int = 0, rows: int = 160) -> pd.DataFrame:
    """Two numeric columns and a category; the label follows an interaction; the data set's own
    split column marks the last quarter as the hold-out."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 2))
    colour = rng.choice(["red", "blue"], size=rows)
    label = np.where(x[:, 0] * x[:, 1] + (colour == "red") * 0.5 > 0, "yes", "no")
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "colour": colour, "label": label, "split": ["train"] * (rows * 3 // 4) + ["test"] * (rows - rows * 3 // 4)})


SETTINGS = """
from archflow.settings import settings_from_dict
settings = settings_from_dict({"data": {"source": "data/raw/table.csv", "target": "label"}, "split": {"column": "split"},
                               "train": {"folds": 2, "epochs": 8, "patience": 3}, "validate": {"min_rows": 10}, "compute": {"scheduler": "serial"}})
"""
SCRIPT = SETTINGS + """
import json, sys
from tasks.ingest import ingest
from tasks.validate import validate
from tasks.preprocess import preprocess
from tasks.select import select

ingest(settings.data, settings.paths)
validate(settings)
preprocess(settings)
print(json.dumps(select(settings)))
"""


# train after the search, then again without the folds the search handed over
TRAIN_TWICE = SETTINGS + """
import json, shutil
from pathlib import Path
from tasks.train import train

store = Path(settings.paths.checkpoints) / "train"
handed = sorted(p.name for p in store.rglob("*") if p.is_file())
train(settings)
reused = Path(settings.paths.cv_metrics).read_text()
shutil.rmtree(store, ignore_errors=True)
train(settings)
print(json.dumps({"handed": handed, "same": reused == Path(settings.paths.cv_metrics).read_text()}))
"""


def run_script(where, script: str) -> dict:
    done = subprocess.run([sys.executable, "-c", script], cwd=where, env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_select(where, frame: pd.DataFrame) -> dict:
    (where / "data/raw").mkdir(parents=True)
    frame.to_csv(where / "data/raw/table.csv", index=False)
    return run_script(where, SCRIPT)


@pytest.mark.slow
def test_cross_validation_picks_the_best_candidate_and_never_sees_the_hold_out(tmp_path):
    frame = labelled_table()
    choice = run_select(tmp_path / "first", frame)
    table = choice["candidates"]
    assert len(table) >= 3 and sum(row["chosen"] for row in table) == 1
    scored = [row for row in table if row["state"] == "complete"]
    best = next(row for row in table if row["chosen"])
    top = max(row["mean"] for row in scored)
    # the best mean wins, or the rule's pick when it is within one standard error of the best
    assert best["state"] == "complete" and (best["mean"] == top or (best["candidate"] == "rule" and top - best["mean"] <= best["within_one_se_of"]["standard_error"])), table
    assert (choice["architecture"], choice["hyperparameters"]) == (best["architecture"], best["hyperparameters"])
    assert choice["training"].get("learning_rate", 0.003) == best["learning_rate"]  # the winner trains at the rate it was scored at
    assert {row["candidate"]: row["learning_rate"] for row in table}["slower"] == pytest.approx(0.001)
    assert all(row["metric"] == "balanced_accuracy" and row["folds_scored"] >= 1 for row in table)
    assert any("2-fold cross-validation on 120 training rows chose" in reason for reason in choice["reasons"])
    study = tmp_path / "first/models/search/study.db"
    with sqlite3.connect(study) as db:  # the Optuna study, where DVC versions it
        assert db.execute("select count(*) from trials").fetchone()[0] == len(table)

    scrambled = frame.copy()
    held_out = scrambled["split"] == "test"
    scrambled.loc[held_out, "label"] = np.random.default_rng(1).permutation(scrambled.loc[held_out, "label"].to_numpy())[::-1]
    scrambled.loc[held_out, ["a", "b"]] *= -3  # the hold-out's features too
    assert not scrambled.equals(frame)
    again = run_select(tmp_path / "second", scrambled)
    assert again["candidates"] == table and again["architecture"] == choice["architecture"] and again["hyperparameters"] == choice["hyperparameters"]

    # the search scored every training row with the training's own folds: train reuses the
    # winner's folds instead of repeating them, and gets exactly what training them gives
    trained = run_script(tmp_path / "first", TRAIN_TWICE)
    assert trained["handed"] == ["fold-1.json", "fold-1.keras", "fold-2.json", "fold-2.keras", "origin.txt"] and trained["same"], trained


def test_search_off_keeps_the_rule_pick_and_says_so(tmp_path, monkeypatch):
    from archflow.settings import settings_from_dict
    from tasks.select import select

    monkeypatch.chdir(tmp_path)
    settings = settings_from_dict({"select": {"search": False}})
    prepared = tmp_path / settings.paths.prepared
    prepared.mkdir(parents=True)
    frame = labelled_table().drop(columns=["split"])
    frame.to_parquet(prepared / "train.parquet", index=False)
    (prepared / "split.json").write_text(json.dumps({
        "modality": "tabular", "modality_reason": "a table", "modality_inputs": {}, "task": "binary", "task_reason": "two classes", "split": "seeded",
        "train_rows": len(frame), "test_rows": 0, "rows_in": len(frame), "duplicates_dropped": 0, "columns_dropped": [],
    }))
    settings = settings_from_dict({"data": {"target": "label"}, "select": {"search": False}})
    choice = select(settings)
    assert choice["candidates"] == [] and choice["architecture"] == "mlp"
    assert any("no search (select.search is off)" in reason for reason in choice["reasons"])
    assert json.loads((tmp_path / settings.paths.search / "candidates.json").read_text()) == []


def test_the_search_uses_the_trainings_folds_on_small_data_and_three_above():
    from archflow.search import search_folds

    assert search_folds("auto", 67, 5) == 5  # ItalyPowerDemand's 67 sequences: 3 folds of 22 are mostly noise
    assert search_folds("auto", 5000, 5) == 3 and search_folds("auto", 5000, 2) == 2
    assert search_folds("4", 67, 5) == 4


def test_costly_rows_get_a_cheaper_schedule_unless_params_fix_one():
    """`auto` patience and search sample are the modality's: images and text epochs cost seconds."""
    from archflow.modalities.image import image_rules
    from archflow.settings import settings_from_dict
    from archflow.training import TrainingConfig

    defaults, fixed = settings_from_dict({}), settings_from_dict({"train": {"patience": 4}})
    assert TrainingConfig.from_settings(defaults, modality_named("tabular")).patience == 25
    assert TrainingConfig.from_settings(defaults, modality_named("image")).patience == 10
    assert TrainingConfig.from_settings(defaults, modality_named("text")).patience == 10
    assert TrainingConfig.from_settings(fixed, modality_named("image")).patience == 4
    assert modality_named("image").search_rows == 1_000 and modality_named("text").search_rows == 2_000 and modality_named("tabular").search_rows == 5_000
    image = facts_for("image")[0]
    assert image_rules(image)[1]["filters"] == 16  # 1,500 images
    assert image_rules(dataclasses.replace(image, examples=20_000))[1]["filters"] == 32
