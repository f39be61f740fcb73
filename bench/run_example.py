"""Run every stage on one bundled example in a scratch folder and print its scores.

    python bench/run_example.py air_passengers
    python bench/run_example.py fine_foods --set "train: {folds: 2, epochs: 20, patience: 4}"
    python bench/run_example.py /tmp/images/digits28.npz --set "data: {allowed_roots: [/tmp/images]}"

The stages run in this process, in order, as their Prefect flows under a temporary Prefect
server, with params.yaml's values and the example switched in (what
``dvc exp run -S data.source=<name>`` trains, without touching this repository's DVC state).
The figures in bench/results.md come from this command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("example")
    parser.add_argument("--set", default="{}", help="YAML mapping of params groups to override, e.g. 'train: {folds: 2}'")
    parser.add_argument("--workdir", help="where the stages write (default: a new temporary folder)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from prefect.testing.utilities import prefect_test_harness

    from archflow.settings import settings_from_dict
    from flows.stages import STAGE_FLOWS

    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["data"]["source"] = args.example
    for group, values in (yaml.safe_load(args.set) or {}).items():
        params.setdefault(group, {}).update(values)
    os.chdir(args.workdir or tempfile.mkdtemp(prefix=f"archflow-{Path(args.example).stem}-"))  # an example name, or a path to data
    started = time.time()
    with prefect_test_harness(server_startup_timeout=180):
        settings = settings_from_dict(params)
        for stage, stage_flow in STAGE_FLOWS.items():
            state = stage_flow(settings, return_state=True)
            if not state.is_completed():
                print(f"{stage} failed: {state.message}", file=sys.stderr)
                return 1
    test = json.loads(Path(settings.paths.test_metrics).read_text())
    selection = json.loads(Path(settings.paths.selection).read_text())
    result = {
        "example": args.example,
        "architecture": selection["architecture"],
        "test": {k: v for k, v in test["test"].items() if k != "per_class"},
        "baseline": test["baseline"],
        "cv": json.loads(Path(settings.paths.cv_metrics).read_text())["cv"],
        "seconds": round(time.time() - started),
        "workdir": os.getcwd(),
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
