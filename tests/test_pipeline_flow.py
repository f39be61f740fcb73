"""The pipeline flow under a real Prefect server: stage runs nested under it, DVC skipping, the report artifact."""

import asyncio

import pytest

from tests.project import make_project, set_params

pytestmark = pytest.mark.slow


async def _runs_and_artifact(pipeline_run_id: str):
    """The flow runs nested under the pipeline run (through its tasks), with their parameters, and the card artifact."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey, FlowRunFilter, FlowRunFilterParentFlowRunId

    async with get_client() as client:
        runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[pipeline_run_id])))
        artifacts = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["archflow-report"]), flow_run_id=ArtifactFilterFlowRunId(any_=[r.id for r in runs])))
        names = {run.id: (await client.read_flow(run.flow_id)).name for run in runs}
        return [(names[r.id], r.state.type.value) for r in runs], {names[r.id]: r.parameters for r in runs}, artifacts


def test_pipeline_flow_runs_every_stage_then_skips_them(tmp_path, prefect_api, monkeypatch):
    from flows.pipeline import pipeline

    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    state = pipeline(return_state=True)
    assert state.is_completed(), state.message
    assert state.result() == dict.fromkeys(["ingest", "validate", "preprocess", "select", "train", "evaluate"], "ran")
    assert state.name == "Promoted" and state.message.startswith("promoted: balanced_accuracy"), (state.name, state.message)

    stage_runs, parameters, artifacts = asyncio.run(_runs_and_artifact(str(state.state_details.flow_run_id)))
    assert sorted(stage_runs) == sorted((s, "COMPLETED") for s in ["ingest", "validate", "preprocess", "select", "train", "evaluate"])
    # each stage shows only the settings it reads: ingest knows nothing of training, train nothing of validation
    assert set(parameters["ingest"]["settings"]) == {"data", "paths"} and "train" not in parameters["ingest"]["settings"]
    assert {"train", "preprocess", "seed"} <= set(parameters["train"]["settings"]) and "validate" not in parameters["train"]["settings"]
    card = artifacts[0].data
    assert "archflow model card" in card and card.count("](data:image/png;base64,") >= 3, "the card's figures are embedded so they render in the UI"

    second = pipeline(return_state=True)
    assert second.is_completed() and set(second.result().values()) == {"skipped"}
    assert "nothing needed retraining" in second.message

    (project / "data/raw/empty.csv").write_text("")
    set_params(project, {"data": {"source": "data/raw/empty.csv", "target": "species"}})
    model = (project / "models/model/model.keras").read_bytes()
    stopped = pipeline(return_state=True)  # a stage that stops on bad input fails the run with its message alone
    assert stopped.is_failed() and stopped.message == "archflow ingest stopped: data/raw/empty.csv: the file is empty", stopped.message
    assert (project / "models/model/model.keras").read_bytes() == model
