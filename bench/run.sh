#!/usr/bin/env bash
# Whole-run timings of the default pipeline (penguins, params.yaml as committed).
# Run from the repository root after ./dev setup; prints Markdown rows for bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
echo "| command | runs | median s | min s | max s | peak MiB (largest process) |"
echo "|---|---|---|---|---|---|"
# the whole default run, every stage doing its work (--force), temporary Prefect server included
python bench/time_runs.py --runs "${RUNS:-3}" -- python -m flows.pipeline --force
# a dvc repro with nothing to do
python bench/time_runs.py --runs 5 --warmup 1 -- dvc repro
# the pipeline flow with nothing to do (temporary Prefect server + dvc status per stage)
python bench/time_runs.py --runs 3 -- python -m flows.pipeline
