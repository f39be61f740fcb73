"""Folds on Dask: a cluster of worker processes gives exactly the serial run's results, a
scheduler address switches to another cluster with no code change, and a search that stops a
candidate early cancels the folds not yet trained."""

import json
import os
from pathlib import Path

import pytest

from archflow.parallel import fold_runner, local_cluster_size
from archflow.settings import settings_from_dict
from tasks.ingest import ingest
from tasks.preprocess import preprocess
from tasks.select import select
from tasks.train import train
from tasks.validate import validate

SMALL = {"train": {"folds": 2, "epochs": 6, "patience": 3}, "select": {"search": False}}


def trained(folder: Path, compute: dict) -> tuple[bytes, bytes]:
    """metrics/cv.json and the per-fold details after the train stage with ``compute``."""
    settings = settings_from_dict({**SMALL, "compute": compute})
    train(settings)
    return Path(settings.paths.cv_metrics).read_bytes(), (Path(settings.paths.candidate) / "cv_folds.json").read_bytes()


@pytest.mark.slow
def test_folds_on_a_cluster_match_the_serial_run_and_an_address_needs_no_code_change(tmp_path, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.chdir(tmp_path)
    settings = settings_from_dict({**SMALL, "compute": {"scheduler": "serial"}})
    ingest(settings.data, settings.paths)
    validate(settings)
    preprocess(settings)
    select(settings)
    serial = trained(tmp_path, {"scheduler": "serial"})
    # "a cluster elsewhere", reached by its address: 2 worker processes (the default local
    # cluster's own path runs in tests/test_plain_stages.py)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        elsewhere = trained(tmp_path, {"scheduler": cluster.scheduler_address})
    assert elsewhere == serial  # every fold's scores, best epochs and curves, to the last digit
    folds = json.loads(serial[1])
    assert len(folds) == 2 and all(f["accuracy"] > 0.5 for f in folds)


def test_a_local_cluster_is_sized_to_the_machine_and_the_work(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    compute = settings_from_dict({}).compute
    workers, threads = local_cluster_size(compute, tasks=100)
    assert workers == max(1, (os.cpu_count() or 1) // 2) and threads == 0  # TensorFlow's own pools, as in a serial run: the same sums
    assert local_cluster_size(settings_from_dict({"compute": {"workers": 8}}).compute, tasks=2)[0] == 2  # never more workers than folds
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2")
    assert local_cluster_size(compute, tasks=5) == (3, 0)  # one fold per GPU
    capped = settings_from_dict({"compute": {"threads_per_worker": 1}}).compute
    assert local_cluster_size(capped, tasks=5)[1] == 1


def test_serial_and_single_fold_runs_start_no_cluster():
    for compute, tasks in ((settings_from_dict({"compute": {"scheduler": "serial"}}).compute, 5), (settings_from_dict({}).compute, 1)):
        with fold_runner(compute, tasks, seed=0, log=lambda _: None) as runner:
            assert runner is None  # the fold loop trains in turn, in this process


def test_bad_scheduler_settings_name_the_key():
    from archflow.errors import SettingsError

    with pytest.raises(SettingsError, match=r"compute.scheduler.*'local'.*'serial'.*tcp://"):
        settings_from_dict({"compute": {"scheduler": "dask-please"}})


class ScoreByNumber:
    """A fitter of our own: no model, a score that is the fold's number."""

    def fit(self, fold, seed, progress):
        import numpy as np

        from archflow.training import FitResult

        return FitResult(None, None, {"loss": [1.0]}, 1, np.arange(3))

    def score(self, fit, fold):
        return {"accuracy": float(fold.number)}


class RecordingRunner:
    """Runs in turn in this process, like a runner of folds on a cluster, and records which
    folds it started and whether the caller closed it (what cancels a Dask runner's
    outstanding futures)."""

    def __init__(self):
        self.started, self.closed = [], False

    def map(self, function, argument_lists):
        try:
            for arguments in argument_lists:
                self.started.append(arguments[1].number)
                yield function(*arguments)
        finally:
            self.closed = True


def test_parallel_folds_are_stored_and_reported_in_order_and_a_stop_cancels_the_rest(tmp_path):
    import numpy as np

    from archflow.fold_store import FoldStore
    from archflow.training import Fold, TrainingConfig, cross_validate_folds

    config = TrainingConfig("label", folds=4, epochs=1, patience=1, learning_rate=0.01, unseen_categories="ignore", min_category_count=1, seed=0)
    folds = [Fold(n, None, None, np.arange(3), np.arange(3, 4)) for n in range(1, 5)]
    store = FoldStore(tmp_path, "key")
    seen, lines = [], []
    results = cross_validate_folds(folds, ScoreByNumber(), config, log=lines.append, store=store, after_fold=lambda r: seen.append(r.fold), runner=RecordingRunner())
    assert [r.scores["accuracy"] for r in results] == [1, 2, 3, 4] and seen == [1, 2, 3, 4]
    assert [store.load(n).scores["accuracy"] for n in range(1, 5)] == [1, 2, 3, 4]

    class Stop(Exception):
        pass

    def stop_after_two(result):
        if result.fold == 2:
            raise Stop

    store.clear()
    store.save(results[0])  # fold 1 finished by an earlier, interrupted run
    runner = RecordingRunner()
    with pytest.raises(Stop):
        cross_validate_folds(folds, ScoreByNumber(), config, log=lines.append, store=store, after_fold=stop_after_two, runner=runner)
    assert runner.started == [2] and runner.closed  # fold 1 came from the store; folds 3-4 never started
    assert any("fold 1/4: finished by an earlier, interrupted run" in line for line in lines)


def test_a_models_initial_weights_ignore_other_threads_draws_from_pythons_random():
    """Keras takes layers' default seeds from Python's shared `random`; a Dask worker's event
    loop draws from it too. After seed_model, those draws no longer move a fold's weights."""
    import random

    import keras
    import numpy as np

    from archflow.device import seed_model

    def weights(interfere: bool) -> np.ndarray:
        keras.backend.clear_session()
        seed_model(7)
        if interfere:
            random.random()  # what another thread of the process may do at any moment
        layer = keras.layers.Dense(4)
        layer.build((None, 3))
        return keras.ops.convert_to_numpy(layer.kernel)

    np.testing.assert_array_equal(weights(False), weights(True))
