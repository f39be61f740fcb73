"""One Prefect flow per pipeline stage; ``python -m flows.stages <stage>`` is each dvc.yaml command.

Each flow reads params.yaml once, runs its stage task, and publishes what a person wants
to see in the Prefect UI (validation summary, report, metrics) as artifacts.
"""

from __future__ import annotations

import os
import sys

from prefect import flow, tags
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from archflow.errors import ArchflowError, ValidationFailed
from archflow.settings import load_settings

# Each flow imports its own task module: a stage process loads only what that stage needs
# (TensorFlow for train and evaluate, Great Expectations for validate), which saves seconds.

PIPELINE_RUN_TAG = "ARCHFLOW_PIPELINE_RUN"  # env var: the pipeline flow run that launched this stage


def validation_markdown(summary: dict) -> str:
    status = "passed" if summary["success"] else "FAILED"
    lines = [f"# Data validation {status}", f"{summary['checks'] - summary['failed']}/{summary['checks']} checks passed for `{summary.get('source')}` against `{summary.get('schema')}`", ""]
    lines += [f"- **{f['column'] or 'table'}**: {f['problem']}" + (f" (e.g. {', '.join(f['examples'])})" if f["examples"] else "") for f in summary["failures"]]
    return "\n".join(lines)


@flow(name="ingest")
def ingest_flow(params_file: str = "params.yaml") -> dict:
    from tasks.ingest import ingest

    settings = load_settings(params_file)
    return ingest(settings.data, settings.paths)


@flow(name="validate")
def validate_flow(params_file: str = "params.yaml") -> dict:
    from tasks.validate import validate

    settings = load_settings(params_file)
    try:
        summary = validate(settings)
    except ValidationFailed as failure:
        create_markdown_artifact(key="archflow-validation", markdown=validation_markdown(failure.summary), description="Data validation failed")
        raise
    create_markdown_artifact(key="archflow-validation", markdown=validation_markdown(summary), description="Data validation")
    return summary


@flow(name="preprocess")
def preprocess_flow(params_file: str = "params.yaml") -> dict:
    from tasks.preprocess import preprocess

    return preprocess(load_settings(params_file))


@flow(name="select")
def select_flow(params_file: str = "params.yaml") -> dict:
    from tasks.select import select

    choice = select(load_settings(params_file))
    create_markdown_artifact(key="archflow-selection", markdown="# Architecture: " + choice["architecture"] + "\n\n" + "\n".join(f"- {r}" for r in choice["reasons"]))
    return choice


@flow(name="train")
def train_flow(params_file: str = "params.yaml") -> dict:
    from archflow.device import make_deterministic
    from tasks.train import train

    settings = load_settings(params_file)
    make_deterministic(settings.seed)
    return train(settings)


@flow(name="evaluate")
def evaluate_flow(params_file: str = "params.yaml") -> dict:
    from archflow.device import make_deterministic
    from tasks.evaluate import evaluate

    settings = load_settings(params_file)
    make_deterministic(settings.seed)
    result = evaluate(settings)
    create_markdown_artifact(key="archflow-report", markdown=result["report"], description="Model card: data, validation, architecture, CV and test scores")
    rows = [{"model": "network", **{k: v for k, v in result["test"].items() if not isinstance(v, dict)}}]
    rows += [{"model": name, **scores} for name, scores in result["baseline"].items()]
    create_table_artifact(key="archflow-metrics", table=rows, description="Hold-out scores beside baselines")
    return result


STAGE_FLOWS = {
    "ingest": ingest_flow,
    "validate": validate_flow,
    "preprocess": preprocess_flow,
    "select": select_flow,
    "train": train_flow,
    "evaluate": evaluate_flow,
}


def run_stage(stage: str, params_file: str = "params.yaml") -> int:
    """Run one stage flow; a data or settings problem prints its message and returns 1."""
    if stage not in STAGE_FLOWS:
        print(f"unknown stage '{stage}'; stages: {', '.join(STAGE_FLOWS)}", file=sys.stderr)
        return 2
    run_tags = ["archflow", f"stage:{stage}"]
    if os.environ.get(PIPELINE_RUN_TAG):
        run_tags.append(f"pipeline-run:{os.environ[PIPELINE_RUN_TAG]}")
    try:
        with tags(*run_tags):
            STAGE_FLOWS[stage](params_file)
    except ArchflowError as error:
        print(f"\narchflow {stage} stopped: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_stage(*sys.argv[1:2]) if len(sys.argv) > 1 else run_stage(""))
