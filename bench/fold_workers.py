"""The train stage's 5-fold CV on 1, 2 and 4 local Dask workers: seconds, and whether the metrics match.

    python bench/fold_workers.py                 # penguins
    python bench/fold_workers.py gunpoint

Prepares the example once in a scratch folder (ingest, validate, preprocess, select with the
search off: the rule's pick), then runs the train stage in a fresh process per setting:
``compute.scheduler: serial`` (one after another in the stage's process), then local clusters of
2 and 4 worker processes (``compute.workers``; 4 on a 2-core machine simulates a bigger one).
Prints each run's whole-process seconds and whether ``metrics/cv.json`` equals the serial run's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PREPARE = """
from archflow.settings import settings_from_dict
from tasks.ingest import ingest
from tasks.validate import validate
from tasks.preprocess import preprocess
from tasks.select import select
settings = settings_from_dict({{"data": {{"source": {example!r}}}, "select": {{"search": False}}}})
ingest(settings.data, settings.paths)
validate(settings)
preprocess(settings)
select(settings)
"""

TRAIN = """
if __name__ == "__main__":
    from archflow.settings import settings_from_dict
    from tasks.train import train
    settings = settings_from_dict({{"data": {{"source": {example!r}}}, "select": {{"search": False}}, "compute": {compute!r}}})
    train(settings)
"""


def main() -> None:
    example = sys.argv[1] if len(sys.argv) > 1 else "penguins"
    scratch = Path(tempfile.mkdtemp(prefix=f"archflow-workers-{example}-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run([sys.executable, "-c", PREPARE.format(example=example)], cwd=scratch, env=env, check=True, capture_output=True)
    serial = None
    for label, compute in (("in turn (serial)", {"scheduler": "serial"}), ("2 workers", {"workers": 2}), ("4 workers", {"workers": 4})):
        script = scratch / "train_once.py"
        script.write_text(TRAIN.format(example=example, compute=compute))
        started = time.perf_counter()
        subprocess.run([sys.executable, str(script)], cwd=scratch, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        cv = json.loads((scratch / "metrics/cv.json").read_text())
        serial = serial or cv
        print(f"{example} train, {label}: {seconds:.1f} s; cv.json {'equals' if cv == serial else 'DIFFERS from'} the serial run's")


if __name__ == "__main__":
    main()
