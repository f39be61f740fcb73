"""The train stage's 5-fold CV (or the select stage's search) on 1, 2 and 4 local Dask workers:
seconds, and whether the results match.

    python bench/fold_workers.py                 # penguins
    python bench/fold_workers.py gunpoint
    python bench/fold_workers.py penguins select # the search: 3 candidates x 5 folds

Prepares the example once in a scratch folder (ingest, validate, preprocess, select with the
search off: the rule's pick), then runs the train stage in a fresh process per setting:
``compute.scheduler: serial`` (one after another in the stage's process), then local clusters of
2 and 4 worker processes (``compute.workers``; 4 on a 2-core machine simulates a bigger one).
Prints each run's whole-process seconds and whether ``metrics/cv.json`` equals the serial run's.
With ``select``, the preparation stops before the select stage, which then runs with the search
on in each setting; its candidates' CV table (``models/search/candidates.json``) is compared.
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
if {train!r}:
    select(settings)
"""

TRAIN = """
if __name__ == "__main__":
    from archflow.settings import settings_from_dict
    from tasks.train import train
    settings = settings_from_dict({{"data": {{"source": {example!r}}}, "select": {{"search": False}}, "compute": {compute!r}}})
    train(settings)
"""

SELECT = """
if __name__ == "__main__":
    from archflow.settings import settings_from_dict
    from tasks.select import select
    settings = settings_from_dict({{"data": {{"source": {example!r}}}, "compute": {compute!r}}})
    select(settings)
"""


def main() -> None:
    example = sys.argv[1] if len(sys.argv) > 1 else "penguins"
    stage = sys.argv[2] if len(sys.argv) > 2 else "train"
    if stage not in ("train", "select"):
        sys.exit(f"the stage is train or select, not {stage!r}")
    code, result = (TRAIN, "metrics/cv.json") if stage == "train" else (SELECT, "models/search/candidates.json")
    scratch = Path(tempfile.mkdtemp(prefix=f"archflow-workers-{example}-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run([sys.executable, "-c", PREPARE.format(example=example, train=stage == "train")], cwd=scratch, env=env, check=True, capture_output=True)
    serial = None
    for label, compute in (("in turn (serial)", {"scheduler": "serial"}), ("2 workers", {"workers": 2}), ("4 workers", {"workers": 4})):
        script = scratch / f"{stage}_once.py"
        script.write_text(code.format(example=example, compute=compute))
        started = time.perf_counter()
        subprocess.run([sys.executable, str(script)], cwd=scratch, env=env, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        cv = json.loads((scratch / result).read_text())
        serial = serial or cv
        print(f"{example} {stage}, {label}: {seconds:.1f} s; {Path(result).name} {'equals' if cv == serial else 'DIFFERS from'} the serial run's")


if __name__ == "__main__":
    main()
