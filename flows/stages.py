"""One Prefect flow per pipeline stage; ``python -m flows.stages <stage>`` is each dvc.yaml command.

The entry point reads params.yaml once and passes the settings to the stage's flow (so
they show as the flow run's parameters in the UI). Each flow runs its stage task and
publishes what a person wants to see (selection, report, metrics) as artifacts. A bad
input ends the flow run Failed with the task's message, and the command exits 1.
"""

from __future__ import annotations

import os
import sys

from prefect import flow, tags
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Failed, State

from archflow.settings import Settings
from flows.api import preflight

PIPELINE_RUN_TAG = "ARCHFLOW_PIPELINE_RUN"  # env var: the pipeline flow run that launched this stage

# Each flow imports its own task module: a stage process loads only what that stage needs
# (TensorFlow for train and evaluate, Great Expectations for validate), which saves seconds.


def _outcome(state: State):
    """A failed task ends the flow Failed with the task's message; else the task's result."""
    return Failed(message=state.message) if state.is_failed() else state.result()


@flow(name="ingest")
def ingest_flow(settings: Settings):
    from tasks.ingest import ingest

    return _outcome(ingest(settings.data, settings.paths, return_state=True))


@flow(name="validate")
def validate_flow(settings: Settings):
    from tasks.validate import validate

    return _outcome(validate(settings, return_state=True))


@flow(name="preprocess")
def preprocess_flow(settings: Settings):
    from tasks.preprocess import preprocess

    return _outcome(preprocess(settings, return_state=True))


@flow(name="select")
def select_flow(settings: Settings):
    from tasks.select import select

    state = select(settings, return_state=True)
    if state.is_completed():
        choice = state.result()
        create_markdown_artifact(key="archflow-selection", markdown=f"# Architecture: {choice['architecture']}\n\n" + "\n".join(f"- {r}" for r in choice["reasons"]))
    return _outcome(state)


@flow(name="train")
def train_flow(settings: Settings):
    from archflow.device import make_deterministic
    from tasks.train import train

    make_deterministic(settings.seed)
    return _outcome(train(settings, return_state=True))


@flow(name="evaluate")
def evaluate_flow(settings: Settings):
    from archflow.device import make_deterministic
    from archflow.report import embed_figures, verdict_lines
    from tasks.evaluate import evaluate

    make_deterministic(settings.seed)
    state = evaluate(settings, return_state=True)
    if state.is_completed():
        result = state.result()
        card = embed_figures(result["report"], settings.paths.evaluation)  # figures as data URIs: they render in the UI
        create_markdown_artifact(key="archflow-report", markdown=card, description="Model card: verdict, data, validation, architecture, CV and test scores, figures")
        rows = [{"model": "network", **{k: v for k, v in result["test"].items() if not isinstance(v, dict)}}]
        rows += [{"model": name, **scores} for name, scores in result["baseline"].items()]
        create_table_artifact(key="archflow-metrics", table=rows, description="Hold-out scores beside baselines")
        verdict = result["verdict"]
        create_markdown_artifact(key="archflow-promotion", markdown=f"# {verdict['headline']}\n\n" + "\n".join(verdict_lines(verdict)), description="Promotion gate: candidate against the production model and the trivial baseline")
    elif state.message and state.message.startswith("rejected:"):
        create_markdown_artifact(key="archflow-promotion", markdown=f"# {state.message}", description="Promotion gate: the candidate could not be scored")
    return _outcome(state)


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
    settings, problem = preflight(params_file)
    if problem:
        print(f"\narchflow {stage} stopped: {problem}", file=sys.stderr)
        return 1
    run_tags = ["archflow", f"stage:{stage}"]
    if os.environ.get(PIPELINE_RUN_TAG):
        run_tags.append(f"pipeline-run:{os.environ[PIPELINE_RUN_TAG]}")
    with tags(*run_tags):
        state = STAGE_FLOWS[stage](settings, return_state=True)
    if not state.is_completed():
        print(f"\narchflow {stage} stopped: {state.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_stage(sys.argv[1] if len(sys.argv) > 1 else ""))
