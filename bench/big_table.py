"""Ingest, validate and preprocess a large synthetic table: seconds and peak memory per stage.

    python bench/big_table.py 1000000            # rows (20 columns: 18 floats, a 4-value string, a binary label)

Writes the table as Parquet under a scratch folder, then runs the three plain stage functions,
each in its own process as `dvc repro` runs them (no Prefect, no DVC), and prints each one's
seconds of stage work (imports not counted) and its process's peak resident memory (imports
included: about 190 MiB before any data), beside the table's own in-memory size.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def make_table(rows: int, path: Path) -> float:
    rng = np.random.default_rng(0)
    columns = {f"x{i}": rng.normal(size=rows) for i in range(18)}
    columns["colour"] = rng.choice(np.array(["red", "green", "blue", "grey"]), rows)
    columns["label"] = np.where(columns["x0"] + columns["x1"] * columns["x2"] + rng.normal(0, 0.5, rows) > 0, "yes", "no")
    frame = pd.DataFrame(columns)
    frame.to_parquet(path, index=False)
    return frame.memory_usage(deep=True).sum() / 2**20


STAGE = """
import logging, sys, time
logging.basicConfig(level=logging.WARNING)
sys.path.insert(0, {root!r})
from archflow.settings import settings_from_dict
settings = settings_from_dict({{"data": {{"source": {source!r}, "target": "label", "allowed_roots": [{scratch!r}]}}}})
started = time.perf_counter()
if {stage!r} == "ingest":
    from tasks.ingest import ingest
    ingest(settings.data, settings.paths)
else:
    import importlib
    getattr(importlib.import_module("tasks." + {stage!r}), {stage!r})(settings)
# the peak resident memory of this process alone: VmHWM starts afresh at exec, whereas
# getrusage's ru_maxrss keeps the parent's peak across exec (the table built above, on Linux)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(time.perf_counter() - started, peak // 1024)
"""


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    logging.basicConfig(level=logging.WARNING)
    scratch = Path(tempfile.mkdtemp(prefix="archflow-big-"))
    size = make_table(rows, scratch / "table.parquet")
    (scratch / "project").mkdir()
    print(f"{rows:,} rows x 20 columns: {size:.0f} MiB in memory (pandas)")
    for stage in ("ingest", "validate", "preprocess"):  # each in its own process, as `dvc repro` runs it
        code = STAGE.format(root=str(ROOT), source=str(scratch / "table.parquet"), scratch=str(scratch), stage=stage)
        done = subprocess.run([sys.executable, "-c", code], cwd=scratch / "project", capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        if done.returncode != 0:
            sys.exit(f"{stage} failed:\n{done.stderr[-3000:]}")
        seconds, peak = done.stdout.split()[-2:]
        seconds, peak = float(seconds), int(peak)
        print(f"{stage}: {seconds:.1f} s of stage work ({rows / seconds:,.0f} rows/s); the process's peak memory {peak} MiB ({peak / size:.1f}x the table)")


if __name__ == "__main__":
    main()
