"""One Prefect flow per pipeline stage; ``python -m flows.stages <stage>`` is each dvc.yaml command.

The entry point reads params.yaml once and runs the stage's flow with those settings. The
flow run is created first, so that it shows in the UI as it should: its parameters are only
the settings the stage reads (the keys dvc.yaml lists for it, and its paths), and when the
pipeline flow launched it (through ``dvc repro``) it nests under the pipeline run's task for
the stage. Each flow runs its stage task and publishes what a person wants to see (selection,
validation, report, metrics) as artifacts. A bad input ends the flow run Failed with the
task's message, and the command exits 1.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from typing import Any
from uuid import UUID

if __name__ == "__main__":  # a stage command
    from flows.stage_host import hand_over

    handed = hand_over(sys.argv[1:])  # the pipeline flow's warm host runs it, when there is one
    if handed is not None:
        sys.exit(handed)
    from flows.shared_server import share_unless_configured

    share_unless_configured()  # no Prefect API configured: one temporary server shared across the stages (before Prefect is imported: it fixes its settings then)

import yaml  # noqa: E402
from prefect import flow, get_run_logger, tags, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact, create_table_artifact  # noqa: E402
from prefect.states import Failed, State  # noqa: E402

from archflow.errors import ArchflowError  # noqa: E402
from archflow.settings import Settings  # noqa: E402
from flows.api import preflight  # noqa: E402
from flows.logs import UI_ONLY  # noqa: E402

PARENT_TASK_RUN = "ARCHFLOW_PARENT_TASK_RUN"  # env var: the pipeline's task run that launched this stage (its run nests there)

# Each flow imports its own stage module: a stage process loads only what that stage needs
# (TensorFlow for train and evaluate, Great Expectations for validate), which saves seconds.


def as_task(name: str, function, on_error=None):
    """A plain stage function (tasks/) as a Prefect task. A user-facing error (bad data, bad
    settings) is logged once as plain text and ends the task Failed with its message; a bug
    still raises, with its traceback. ``on_error(error)`` runs first (to publish what failed)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ArchflowError as error:
            if on_error:
                on_error(error)
            get_run_logger().error("%s", error, extra=UI_ONLY)  # the command that ran the stage prints it
            return Failed(message=str(error))

    return task(name=name)(run)


def _outcome(state: State):
    """A failed task ends the flow Failed with the task's message; else the task's result."""
    return Failed(message=state.message) if state.is_failed() else state.result()


@flow(name="ingest")
def ingest_flow(settings: Settings):
    from tasks.ingest import ingest

    return _outcome(as_task("ingest", ingest)(settings.data, settings.paths, return_state=True))


@flow(name="validate")
def validate_flow(settings: Settings):
    from archflow.errors import ValidationFailed
    from archflow.validation import validation_markdown
    from tasks.validate import validate

    def publish(summary: dict) -> None:
        create_markdown_artifact(key="archflow-validation", markdown=validation_markdown(summary), description="Great Expectations validation of the ingested data: the checks by kind and any failures, with the Data Docs' location")

    state = as_task("validate", validate, on_error=lambda e: publish(e.summary) if isinstance(e, ValidationFailed) else None)(settings, return_state=True)
    if state.is_completed():
        publish(state.result())
    return _outcome(state)


@flow(name="preprocess")
def preprocess_flow(settings: Settings):
    from tasks.preprocess import preprocess

    return _outcome(as_task("preprocess", preprocess)(settings, return_state=True))


@flow(name="select")
def select_flow(settings: Settings):
    from tasks.select import select

    state = as_task("select", select)(settings, return_state=True)
    if state.is_completed():
        choice = state.result()
        create_markdown_artifact(key="archflow-selection", markdown=f"# Architecture: {choice['architecture']}\n\n" + "\n".join(f"- {r}" for r in choice["reasons"]), description="The architecture the rules chose for this data, and why (modality, target, size)")
    return _outcome(state)


@flow(name="train")
def train_flow(settings: Settings):
    from tasks.train import train

    return _outcome(as_task("train", train)(settings, return_state=True))


@flow(name="evaluate")
def evaluate_flow(settings: Settings):
    from archflow.report import embed_figures, verdict_lines
    from tasks.evaluate import evaluate

    state = as_task("evaluate", evaluate)(settings, return_state=True)
    if state.is_completed():
        result = state.result()
        card = embed_figures(result["report"], settings.paths.evaluation)  # figures as data URIs: they render in the UI
        create_markdown_artifact(key="archflow-report", markdown=card, description="Model card: verdict, data, validation, architecture, CV and test scores, figures")
        create_table_artifact(key="archflow-metrics", table=metrics_rows(result["test"], result["baseline"]), description="Hold-out scores of the network beside its baselines' (scores rounded to 4 decimals, errors of 100 or more to 2)")
        verdict = result["verdict"]
        create_markdown_artifact(key="archflow-promotion", markdown=f"# {verdict['headline']}\n\n" + "\n".join(verdict_lines(verdict)), description="Promotion gate: candidate against the production model and the trivial baseline")
    elif state.message and state.message.startswith("rejected:"):
        create_markdown_artifact(key="archflow-promotion", markdown=f"# {state.message}", description="Promotion gate: the candidate could not be scored")
    return _outcome(state)


def metrics_rows(test: dict, baselines: dict) -> list[dict]:
    """The network's hold-out scores and each baseline's, one row per model, rounded for reading."""
    rounded = lambda scores: {k: (round(v, 4) if abs(v) < 100 else round(v, 2)) if isinstance(v, float) else v for k, v in scores.items() if not isinstance(v, dict)}
    return [{"model": "network", **rounded(test)}] + [{"model": f"baseline: {name}", **rounded(scores)} for name, scores in baselines.items()]


STAGE_FLOWS = {
    "ingest": ingest_flow,
    "validate": validate_flow,
    "preprocess": preprocess_flow,
    "select": select_flow,
    "train": train_flow,
    "evaluate": evaluate_flow,
}


def stage_reads(stage: str, dvc_file: str = "dvc.yaml") -> list[str]:
    """The settings a stage reads: the params dvc.yaml lists for it, and the paths its
    dependencies and outputs are written with (``${paths.x}``)."""
    spec = yaml.safe_load(open(dvc_file))["stages"][stage]
    params = [p for p in spec.get("params", []) if isinstance(p, str)]
    return params + sorted(set(re.findall(r"\$\{(paths\.\w+)\}", yaml.safe_dump(spec))))


def settings_shown(settings: Settings, keys: list[str]) -> dict[str, Any]:
    """The part of ``settings`` under ``keys`` (dotted; a section's name takes all of it), nested as in params.yaml."""
    from pydantic import TypeAdapter

    everything, shown = TypeAdapter(Settings).dump_python(settings, mode="json"), {}
    for key in keys:
        *sections, name = key.split(".")
        source, target = everything, shown
        for section in sections:
            source, target = source[section], target.setdefault(section, {})
        target[name] = source[name]
    return shown


def _run_flow_for_stage(stage: str, settings: Settings) -> State:
    """Create the stage's flow run (parameters: the settings it reads; parent: the pipeline's
    task, when there is one), then run the flow in it with the full settings."""
    from prefect import get_client
    from prefect.flow_engine import run_flow
    from prefect.states import Pending

    stage_flow = STAGE_FLOWS[stage]
    parent = os.environ.get(PARENT_TASK_RUN)
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(
            stage_flow,
            name=stage,
            parameters={"settings": settings_shown(settings, stage_reads(stage))},
            parent_task_run_id=UUID(parent) if parent else None,
            tags=["archflow", f"stage:{stage}"],
            state=Pending(),
        )
    return run_flow(stage_flow, flow_run=run, parameters={"settings": settings}, return_type="state")


def run_stage(stage: str, params_file: str = "params.yaml") -> int:
    """Run one stage flow; a data or settings problem prints its message and returns 1."""
    if stage not in STAGE_FLOWS:
        print(f"unknown stage '{stage}'; stages: {', '.join(STAGE_FLOWS)}", file=sys.stderr)
        return 2
    settings, problem = preflight(params_file)
    if problem:
        print(f"\narchflow {stage} stopped: {problem}", file=sys.stderr)
        return 1
    if stage in ("train", "evaluate"):  # TensorFlow, without its C++ start-up notices
        from flows.logs import tensorflow_startup_quiet

        with tensorflow_startup_quiet():
            import tensorflow

            tensorflow.config.list_physical_devices()
    if os.environ.get(PARENT_TASK_RUN):  # the pipeline draws progress and says the outcome: only warnings here
        from flows.logs import console_for_pipeline

        console_for_pipeline()
    with tags("archflow"):
        state = _run_flow_for_stage(stage, settings)
    if not state.is_completed():
        print(f"\narchflow {stage} stopped: {state.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_stage(sys.argv[1] if len(sys.argv) > 1 else ""))
