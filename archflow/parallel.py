"""Where the folds train: one after another in this process, or as independent tasks on Dask.

Each fold is one task that is handed its rows and returns its result: a Dask ``LocalCluster``
of worker processes on this machine, or a cluster elsewhere by its scheduler address, runs the
same code. A fold is seeded by its number, so the folds give the same results wherever they
run. A worker hands its fold model back as ``.keras`` bytes, loaded here with
``safe_mode=True``, so no pickled model crosses between processes.

This module knows nothing of Prefect or DVC: the stage entry points open a runner from the
settings (``compute.*``) and hand it to the fold loop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archflow.settings import ComputeSettings

SERIAL, LOCAL = "serial", "local"
CORES_PER_WORKER = 2  # without GPUs, a local cluster has one worker per this many cores


def gpu_count() -> int:
    """GPUs visible to this process, without importing TensorFlow (CUDA_VISIBLE_DEVICES, nvidia-smi)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return len([d for d in visible.split(",") if d.strip() and d.strip() != "-1"])
    import shutil
    import subprocess

    if not shutil.which("nvidia-smi"):
        return 0
    done = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
    return sum(1 for line in done.stdout.splitlines() if line.startswith("GPU ")) if done.returncode == 0 else 0


def local_cluster_size(compute: ComputeSettings, tasks: int) -> tuple[int, int]:
    """(workers, TensorFlow threads each; 0: TensorFlow's own default) for a LocalCluster: one
    fold per GPU when there are GPUs, else one per two cores; never more workers than tasks.
    One worker means the folds train in turn in the stage's process.

    Two cores make one worker: TensorFlow's pools already use every core from one process, so a
    second worker mostly competes for them. Measured on 2 cores, 2 workers against in turn:
    penguins' train stage 0.86x (slower: starting the workers costs more than it saves), its
    search 1.05x, GunPoint's train stage 1.07x.

    By default each worker keeps TensorFlow's thread pools as a serial run has them (sized to
    the machine's cores), because a convolution's sums depend on the thread count: measured on
    GunPoint's FCN, workers capped at one thread each gave other best epochs and fold scores than
    the serial run, while with the default pools every fold matched to the last digit. A
    number in ``compute.threads_per_worker`` caps them (less oversubscription, at that price)."""
    cores = os.cpu_count() or 1
    workers = compute.workers or (gpu_count() or cores // CORES_PER_WORKER)
    return max(1, min(workers, tasks)), compute.threads_per_worker


def model_bytes(model) -> bytes | None:
    """A Keras model as the bytes of its ``.keras`` file."""
    if model is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def model_from_bytes(data: bytes | None):
    """The model of :func:`model_bytes`, loaded with ``safe_mode=True``."""
    if data is None:
        return None
    import keras

    import archflow.layers  # noqa: F401  (the custom layers, for loading)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        path.write_bytes(data)
        return keras.saving.load_model(path, safe_mode=True)


def _worker_number() -> int:
    """This worker's number in a LocalCluster (its name: 0, 1, ...), else 0."""
    from distributed import get_worker

    try:
        return int(get_worker().name)
    except (ValueError, TypeError):
        return 0


def _in_worker(function: Callable, threads: int, seed: int, one_gpu_each: bool, *arguments):
    """Run ``function(*arguments)`` in a worker process: TensorFlow's threads capped at
    ``threads`` when it is set (before TensorFlow starts; 0 keeps its default), one GPU per
    worker (by its number) when there are GPUs, ops deterministic; the result's model comes
    back as ``.keras`` bytes."""
    import keras

    if keras.config.backend() == "tensorflow":
        import tensorflow as tf

        with contextlib.suppress(RuntimeError):  # already set by an earlier task in this worker
            if threads:
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
            gpus = tf.config.list_physical_devices("GPU") if one_gpu_each else []
            if gpus:
                tf.config.set_visible_devices(gpus[_worker_number() % len(gpus)], "GPU")
    from archflow.device import make_deterministic

    make_deterministic(seed)
    result = function(*arguments)
    return dataclasses.replace(result, model=None), model_bytes(result.model)


class DaskRunner:
    """Tasks on a Dask cluster; results come back in the order the tasks were given, and the
    ones not yet started are cancelled when the caller stops early (a pruned candidate)."""

    def __init__(self, client, threads: int, seed: int, gpus: int):
        self.client, self.threads, self.seed, self.gpus = client, threads, seed, gpus

    def map(self, function: Callable, argument_lists: list[tuple]) -> Iterator:
        futures = [
            self.client.submit(_in_worker, function, self.threads, self.seed, self.gpus > 0, *arguments, pure=False)
            for arguments in argument_lists
        ]
        try:
            for future in futures:
                result, data = future.result()
                yield dataclasses.replace(result, model=model_from_bytes(data))
        finally:
            for future in futures:
                future.cancel()


@contextlib.contextmanager
def fold_runner(compute: ComputeSettings, tasks: int, seed: int, log: Callable[[str], None] = print):
    """A runner for ``tasks`` independent folds on a LocalCluster sized to this machine or the
    cluster at ``compute.scheduler``, closed (the local cluster stopped) on exit; None when the
    folds train in turn in this process."""
    if compute.scheduler == SERIAL or tasks <= 1:
        yield None
        return
    import logging

    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)  # its routine lines would drown the run's log
    if compute.scheduler == LOCAL:
        workers, threads = local_cluster_size(compute, tasks)
        if workers <= 1:
            if not compute.workers:
                log(f"folds in turn in this process: {os.cpu_count()} core(s) make one worker (one per {CORES_PER_WORKER} cores; compute.workers sets more)")
            yield None
            return
        gpus = gpu_count()
        environment = {"TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"), **({"OMP_NUM_THREADS": str(threads)} if threads else {})}
        try:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, env=environment)
        except Exception as error:  # noqa: BLE001  (the folds still train, in turn: say why, once)
            log(
                f"could not start a local Dask cluster ({type(error).__name__}: {error}); the folds train in turn in this process. "
                "A script that calls archflow's stages needs `if __name__ == '__main__':` around them, as Python's multiprocessing requires; "
                "compute.scheduler: serial skips the cluster"
            )
            yield None
            return
        with cluster, Client(cluster) as client:
            log(f"folds in parallel: a local Dask cluster of {workers} worker processes" + (f", {threads} TensorFlow thread(s) each" if threads else "") + (f", one GPU each ({gpus} GPUs)" if gpus else ""))
            yield DaskRunner(client, threads, seed, gpus)
        return
    with Client(compute.scheduler, timeout="30s") as client:
        threads = compute.threads_per_worker
        log(f"folds in parallel on the Dask cluster at {compute.scheduler} ({len(client.scheduler_info()['workers'])} workers)")
        yield DaskRunner(client, threads, seed, 0)
