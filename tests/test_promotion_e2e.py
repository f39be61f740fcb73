"""The promotion gate and resumable training under `dvc repro` in a fresh repository, with real
TensorFlow, DVC and a Prefect server: only a better candidate goes live, a failed stage loses
nothing, and a killed training resumes where it stopped."""

import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest
import yaml

from tests.project import dvc, make_project, set_params, stage_env

pytestmark = pytest.mark.slow
KEPT = ["models/model/model.keras", "models/model/metadata.json", "metrics/cv.json", "metrics/test.json"]


def digests(project, names=KEPT):
    return {name: hashlib.sha256((project / name).read_bytes()).hexdigest() for name in names}


def verdict(project):
    return json.loads((project / "metrics/promotion.json").read_text())


@pytest.fixture(scope="module")
def project(tmp_path_factory, prefect_api):
    """Penguins with a good production model from a first `dvc repro`."""
    where = make_project(tmp_path_factory.mktemp("gate"), {"train": {"folds": 2, "epochs": 3, "patience": 2}})
    env = stage_env(prefect_api)
    run = dvc(where, "repro", env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert verdict(where)["promoted"] and "no production model yet" in verdict(where)["headline"]
    return where, env, yaml.safe_load((where / "params.yaml").read_text())


def restore(where, params):
    (where / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def test_a_worse_candidate_is_rejected_and_production_stays_byte_for_byte(project):
    where, env, params = project
    before = digests(where)
    set_params(where, {"train": {"epochs": 1, "learning_rate": 0.00001}})
    run = dvc(where, "repro", env=env)
    restore(where, params)
    assert run.returncode == 0, run.stdout + run.stderr
    gate = verdict(where)
    assert not gate["promoted"] and gate["headline"].startswith("rejected:"), gate
    assert "rejected:" in run.stdout + run.stderr
    assert digests(where, KEPT[:2]) == {k: before[k] for k in KEPT[:2]}
    assert (where / "models/candidate/model.keras").exists(), "the rejected candidate is kept for inspection"
    assert "rejected:" in (where / "reports/evaluation/report.md").read_text()


def test_a_broken_candidate_is_rejected_and_loses_nothing(project):
    import keras
    import numpy as np

    import archflow.layers  # noqa: F401  (registers the preprocessing layers)

    where, env, params = project
    before = digests(where)
    model_file = where / "models/candidate/model.keras"
    model = keras.saving.load_model(model_file, safe_mode=True)
    for layer in model.layers:  # weights gone bad: every output NaN
        layer.set_weights([np.full_like(w, np.nan) for w in layer.get_weights()])
    model.save(model_file)
    broken = subprocess.run([sys.executable, "-m", "flows.stages", "evaluate"], cwd=where, env=env, capture_output=True, text=True)
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0 and "archflow evaluate stopped: rejected: its outputs are not finite" in output, output[-3000:]
    assert "Traceback" not in output
    assert digests(where) == before

    model_file.write_bytes(b"not a zip")  # a truncated or corrupt candidate
    corrupt = subprocess.run([sys.executable, "-m", "flows.stages", "evaluate"], cwd=where, env=env, capture_output=True, text=True)
    assert corrupt.returncode != 0 and "rejected: the candidate in models/candidate cannot be loaded" in corrupt.stdout + corrupt.stderr
    assert digests(where) == before


def test_a_killed_training_loses_nothing_and_resumes_without_retraining_finished_folds(project):
    where, env, params = project
    before = digests(where)
    set_params(where, {"train": {"folds": 3, "epochs": 40, "patience": 40}})
    repro = [sys.executable, "-m", "dvc", "repro"]
    killed = subprocess.Popen(repro, cwd=where, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in killed.stdout:
        if "fold 2/3:" in line:  # the train stage is in its third fold: kill -9 it
            stage = subprocess.run(["pgrep", "-f", "flows.stages train"], capture_output=True, text=True).stdout.split()
            for pid in stage:
                os.kill(int(pid), signal.SIGKILL)
            break
    killed.communicate(timeout=120)
    assert killed.returncode != 0
    assert digests(where) == before, "a failed train keeps cv.json, test.json and the production model"

    resumed = dvc(where, "repro", env=env)
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-3000:]
    assert "fold 1/3: finished by an earlier, interrupted run: not retrained" in output
    assert "fold 2/3: finished by an earlier, interrupted run: not retrained" in output
    assert "fold 3/3: best epoch" in output
    assert not any((where / ".archflow/checkpoints/train").iterdir()), "checkpoints are removed once training ends"
    gate = verdict(where)  # longer training: a better candidate replaces the production model
    assert gate["promoted"] and "at least as good as the production model" in gate["headline"], gate
    assert digests(where, KEPT[:1]) != {k: before[k] for k in KEPT[:1]}
    resumed_results = {name: (where / name).read_text() for name in ("metrics/cv.json", "metrics/test.json", "models/candidate/cv_folds.json")}

    whole = dvc(where, "repro", "--force", "--single-item", "train", env=env)  # the same training, uninterrupted
    assert whole.returncode == 0 and "not retrained" not in whole.stdout + whole.stderr
    assert dvc(where, "repro", "--force", "--single-item", "evaluate", env=env).returncode == 0
    restore(where, params)
    assert {name: (where / name).read_text() for name in resumed_results} == resumed_results
