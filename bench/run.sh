#!/usr/bin/env bash
# Whole-run timings of the default pipeline (penguins, params.yaml as committed) and of what it is
# measured against. Run from the repository root after ./dev setup; prints Markdown rows for
# bench/results.md. Interleave the first two (or run this twice) when the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
echo "| command | runs | median s | min s | max s | peak MiB (largest process) |"
echo "|---|---|---|---|---|---|"
# the whole default run, every stage doing its work (--force), temporary Prefect server included,
# interleaved with the hand-written script that does the same job (the search's candidates x the
# same folds, the best mean wins, its fold models averaged)
python bench/time_runs.py --runs "${RUNS:-3}" --versus "python bench/script_penguins.py --search" -- python -m flows.pipeline --force
# the hand-written script of issue 13: the same split, folds, preprocessing, MLP and early stopping, nothing else
python bench/time_runs.py --runs "${RUNS:-3}" -- python bench/script_penguins.py
# a dvc repro with nothing to do
python bench/time_runs.py --runs 5 --warmup 1 -- dvc repro
# the pipeline flow with nothing to do (a temporary Prefect server, one dvc status)
python bench/time_runs.py --runs 3 -- python -m flows.pipeline
# the same against a running server (what a scheduled run that finds no new data pays), if one is configured
if [ -n "${PREFECT_API_URL:-}" ]; then python bench/time_runs.py --runs 5 -- python -m flows.pipeline; fi
# ingest, validate and preprocess of a million-row table, each stage in its own process (seconds and peak memory)
python bench/big_table.py "${BIG_ROWS:-1000000}"
