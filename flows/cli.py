"""The ``archflow`` command (typer): run the pipeline or one stage, schedule it, predict, report.

    archflow run [--force] [--push]       the pipeline flow (DVC decides what is stale)
    archflow stage validate               one stage's flow, as dvc.yaml runs it
    archflow serve --cron "0 6 * * *"     the pipeline on a schedule, run by this process (needs PREFECT_API_URL)
    archflow deploy --pool archflow       the pipeline on a schedule in a work pool; run by `prefect worker start --pool archflow`
    archflow predict new_rows.csv [-o predictions.csv] [--model models/model]
    archflow report [--card]              the standing results: scores, baseline, verdict, paths

Each command imports only what it needs, so ``--help`` is quick.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="archflow",
    help="Validated data to a promoted Keras model: DVC stages run as Prefect flows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

STAGES = ("ingest", "validate", "preprocess", "select", "train", "evaluate")
Stage = Enum("Stage", {name: name for name in STAGES}, type=str)


class BadRows(str, Enum):
    refuse = "refuse"
    warn = "warn"


Cron = Annotated[Optional[str], typer.Option(help='cron schedule, e.g. "0 6 * * *" (the default: daily at 06:00) or "* * * * *" (every minute)')]
Interval = Annotated[Optional[float], typer.Option(min=1, help="run every this many seconds instead of on a cron schedule")]
Push = Annotated[bool, typer.Option("--push/--no-push", help="`dvc push` after each scheduled run, so a promoted model reaches the DVC remote")]
DeploymentName = Annotated[str, typer.Option("--name", help="deployment name shown in the UI")]


def _done(code: int) -> None:
    raise typer.Exit(code)


def _one_schedule(cron: str | None, interval: float | None) -> None:
    if cron and interval:
        raise typer.BadParameter("give --cron or --interval, not both")


@app.command()
def run(
    force: Annotated[bool, typer.Option(help="run every stage, even those DVC finds up to date")] = False,
    push: Annotated[bool, typer.Option(help="dvc push to the default remote afterwards")] = False,
) -> None:
    """Run the whole pipeline as one Prefect flow; DVC decides which stages are stale."""
    from flows.pipeline import run as run_pipeline

    _done(run_pipeline(force=force, push=push))


@app.command()
def stage(name: Annotated[Stage, typer.Argument(help="the dvc.yaml stage to run")]) -> None:
    """Run one stage's flow, as dvc.yaml's command for it does."""
    from flows.stages import run_stage

    _done(run_stage(name.value))


@app.command()
def serve(
    cron: Cron = None,
    interval: Interval = None,
    name: DeploymentName = "archflow-scheduled",
    push: Push = True,
) -> None:
    """Serve the pipeline on a schedule from this process, against a running Prefect server."""
    _one_schedule(cron, interval)
    from flows.serve import serve as serve_pipeline

    _done(serve_pipeline(name=name, push=push, cron=cron, interval=interval))


@app.command()
def deploy(
    cron: Cron = None,
    interval: Interval = None,
    name: DeploymentName = "archflow-production",
    push: Push = True,
    pool: Annotated[str, typer.Option(help="work pool name (created if missing)")] = "archflow",
    pool_type: Annotated[str, typer.Option(help="type of a pool created here; other types are Prefect settings of the pool")] = "process",
) -> None:
    """Deploy the pipeline on a schedule to a work pool; `prefect worker start --pool NAME` runs it."""
    _one_schedule(cron, interval)
    from flows.deploy import deploy as deploy_pipeline

    _done(deploy_pipeline(name=name, push=push, cron=cron, interval=interval, pool=pool, pool_type=pool_type))


@app.command()
def predict(
    rows: Annotated[Path, typer.Argument(help="CSV or Parquet file of raw rows (the target column may be absent)")],
    model: Annotated[Path, typer.Option(help="trained model folder")] = Path("models/model"),
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="write predictions here (CSV); default: print them")] = None,
    on_bad_rows: Annotated[BadRows, typer.Option(help="rows the model cannot read faithfully (missing columns, text in numeric columns, unseen categories): refuse, or warn and predict")] = BadRows.refuse,
) -> None:
    """Predict from raw rows with a trained model folder (loaded with safe_mode)."""
    from archflow.errors import DataError
    from archflow.predict import load_trained
    from archflow.sources import read_table

    try:
        trained, table = load_trained(str(model)), read_table(rows)
        problems = trained.input_problems(table)
        if problems and (on_bad_rows is BadRows.refuse or any(p.startswith("missing input column") for p in problems)):
            raise DataError(f"{rows} does not fit the model in {model}:\n  - " + "\n  - ".join(problems) + "\n(--on-bad-rows warn predicts anyway: text in a numeric column counts as missing, an unseen category as none)")
        for problem in problems:
            print(f"archflow predict: warning: {rows}: {problem}", file=sys.stderr)
        predictions = trained.predict(table)
    except (DataError, KeyError) as error:
        print(f"archflow predict: {error}", file=sys.stderr)
        _done(1)
    keyed = predictions.index.name is not None  # forecasts per series, predictions per sequence
    if output:
        predictions.to_csv(output, index=keyed)
    else:
        print(predictions.to_csv(index=keyed), end="")


@app.command()
def report(
    card: Annotated[bool, typer.Option(help="print the whole model card (markdown) as well")] = False,
    params: Annotated[Path, typer.Option(help="the params file that names the paths")] = Path("params.yaml"),
) -> None:
    """The standing results: hold-out scores beside the best baseline, the verdict, the card and model paths."""
    from archflow.errors import SettingsError
    from archflow.file_names import REPORT
    from archflow.settings import load_settings
    from flows.result import finished_run_lines

    try:
        paths = load_settings(params).paths
    except SettingsError as error:
        print(f"archflow report: {error}", file=sys.stderr)
        _done(1)
    card_file = Path(paths.evaluation) / REPORT
    if not card_file.exists():
        print(f"archflow report: no model card yet ({card_file}): run `archflow run` first", file=sys.stderr)
        _done(1)
    print("\n".join(finished_run_lines(params_file=str(params))))
    if card:
        print("\n" + card_file.read_text())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return its exit code (2 for a usage error, such as an unknown flag)."""
    try:
        app(args=sys.argv[1:] if argv is None else argv, prog_name="archflow", standalone_mode=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
