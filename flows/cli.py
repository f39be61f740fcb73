"""The ``archflow`` command: run the pipeline or one stage, serve it on a schedule, predict.

    archflow run [--force] [--push]      the pipeline flow (DVC decides what is stale)
    archflow stage validate              one stage's flow, as dvc.yaml runs it
    archflow serve --cron "0 6 * * *"    the pipeline on a schedule, run by this process (needs PREFECT_API_URL)
    archflow deploy --pool archflow       the pipeline on a schedule in a work pool; run by `prefect worker start --pool archflow`
    archflow predict new_rows.csv [-o predictions.csv] [--model models/model]
"""

from __future__ import annotations

import sys


def predict_main(argv: list[str]) -> int:
    import argparse

    from archflow.errors import DataError
    from archflow.predict import load_trained
    from archflow.sources import read_table
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="archflow predict", description="Predict from raw rows with a trained model folder.")
    parser.add_argument("rows", help="CSV or Parquet file of raw rows (the target column may be absent)")
    parser.add_argument("--model", default="models/model", help="trained model folder (default: models/model)")
    parser.add_argument("-o", "--output", help="write predictions here (CSV); default: print them")
    parser.add_argument("--on-bad-rows", choices=["refuse", "warn"], default="refuse", help="rows the model cannot read faithfully (missing columns, text in numeric columns, unseen categories): refuse (default) or warn and predict")
    args = parser.parse_args(argv)
    try:
        trained, rows = load_trained(args.model), read_table(Path(args.rows))
        problems = trained.input_problems(rows)
        if problems and (args.on_bad_rows == "refuse" or any(p.startswith("missing input column") for p in problems)):
            raise DataError(f"{args.rows} does not fit the model in {args.model}:\n  - " + "\n  - ".join(problems) + "\n(--on-bad-rows warn predicts anyway: text in a numeric column counts as missing, an unseen category as none)")
        for problem in problems:
            print(f"archflow predict: warning: {args.rows}: {problem}", file=sys.stderr)
        predictions = trained.predict(rows)
    except (DataError, KeyError) as error:
        print(f"archflow predict: {error}", file=sys.stderr)
        return 1
    keyed = predictions.index.name is not None  # forecasts per series, predictions per sequence
    if args.output:
        predictions.to_csv(args.output, index=keyed)
    else:
        print(predictions.to_csv(index=keyed), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "run":
        from flows.pipeline import main as run_main

        return run_main(rest)
    if command == "stage" and rest:
        from flows.stages import run_stage

        return run_stage(rest[0])
    if command == "serve":
        from flows.serve import main as serve_main

        return serve_main(rest)
    if command == "deploy":
        from flows.deploy import main as deploy_main

        return deploy_main(rest)
    if command == "predict":
        return predict_main(rest)
    if command in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
