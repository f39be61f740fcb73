"""Ingest, validate and preprocess a large synthetic table: seconds and peak memory per stage.

    python bench/big_table.py 1000000            # rows (20 columns: 18 floats, a 4-value string, a binary label)

Writes the table as Parquet under a scratch folder, then runs the three plain stage functions
in one process (no Prefect, no DVC) and prints, after each, its wall seconds and the process's
peak resident memory so far, beside the table's own in-memory size.
"""

from __future__ import annotations

import logging
import resource
import sys
import tempfile
import time
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


def peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sys.path.insert(0, str(ROOT))
    logging.basicConfig(level=logging.WARNING)
    from archflow.settings import settings_from_dict
    from tasks.ingest import ingest
    from tasks.preprocess import preprocess
    from tasks.validate import validate

    scratch = Path(tempfile.mkdtemp(prefix="archflow-big-"))
    size = make_table(rows, scratch / "table.parquet")
    print(f"{rows} rows x 20 columns: {size:.0f} MiB in memory (pandas); peak before the stages {peak_mib()} MiB")
    (scratch / "project").mkdir()
    import os

    os.chdir(scratch / "project")
    settings = settings_from_dict({"data": {"source": str(scratch / "table.parquet"), "target": "label", "allowed_roots": [str(scratch)]}})
    for name, stage in (("ingest", lambda: ingest(settings.data, settings.paths)), ("validate", lambda: validate(settings)), ("preprocess", lambda: preprocess(settings))):
        started = time.perf_counter()
        stage()
        seconds = time.perf_counter() - started
        print(f"{name}: {seconds:.1f} s ({rows / seconds:,.0f} rows/s); peak so far {peak_mib()} MiB ({peak_mib() / size:.1f}x the table)")


if __name__ == "__main__":
    main()
