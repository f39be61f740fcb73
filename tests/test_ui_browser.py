"""What a person sees in the Prefect UI, checked in a real headless Chromium against a real
`prefect server start`: one pipeline run with its six stage runs nested under it, the model card
artifact with its three figures rendered, and a validation failure shown as its plain message,
once, with no traceback. Screenshots are kept in test-artifacts/ui/ (or $ARCHFLOW_TEST_ARTIFACTS).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, Browser
from tests.conftest import free_port
from tests.project import ROOT, make_project, set_params, stage_env

STAGES = ["ingest", "validate", "preprocess", "select", "train", "evaluate"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed: `./dev test` installs it from Debian's packages where apt-get can (set ARCHFLOW_NO_BROWSER=1 to skip that)"),
]
SHOTS = Path(os.environ.get("ARCHFLOW_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "ui"


@pytest.fixture
def browser():
    chromium = Browser(free_port())
    yield chromium
    chromium.close()


def archflow_run(project: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flows.pipeline"], cwd=project, env=env, capture_output=True, text=True, timeout=900)


async def latest_pipeline_run(api: str):
    """The newest pipeline run, the card artifact's id, and the validate run's logs (for failures)."""
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey, FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterParentFlowRunId, LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import FlowRunSort

    async with PrefectClient(api) as client:
        runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["archflow-pipeline"])), sort=FlowRunSort.START_TIME_DESC, limit=1)
        children = await client.read_flow_runs(flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[runs[0].id])))
        cards = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["archflow-report"]), flow_run_id=ArtifactFilterFlowRunId(any_=[c.id for c in children])))
        validate = [c for c in children if c.name == "validate"]
        logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[validate[0].id]))) if validate else []
        return runs[0], children, (cards[-1].id if cards else None), [log.message for log in logs]


def test_the_ui_shows_one_run_tree_the_card_figures_and_plain_failures(prefect_server, browser, tmp_path):
    api, server_env, _ = prefect_server
    ui = api.removesuffix("/api")
    env = {**stage_env(api), "PREFECT_HOME": server_env["PREFECT_HOME"]}
    project = make_project(tmp_path)

    done = archflow_run(project, env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    run, children, card_id, _ = asyncio.run(latest_pipeline_run(api))
    assert sorted(c.name for c in children) == sorted(STAGES)

    page = browser.open(f"{ui}/runs/flow-run/{run.id}", lambda html: "Subflow Runs" in html and run.name in html)
    assert run.name in page and "Promoted" in page, "the pipeline run's page did not render with its verdict"
    assert browser.click_text("Subflow Runs")
    page = browser.wait_for(lambda html: all(f"/runs/flow-run/{c.id}" in html for c in children))
    browser.screenshot(SHOTS / "pipeline-run-subflows.png")
    for child in children:  # each stage run is listed under the pipeline run
        assert f"/runs/flow-run/{child.id}" in page, f"stage run {child.name} is not shown under the pipeline run"

    card = browser.open(f"{ui}/artifacts/artifact/{card_id}", lambda html: html.count('src="data:image/png;base64,') >= 3)
    browser.screenshot(SHOTS / "model-card.png")
    browser.evaluate("document.querySelector('img[src^=\"data:image/png\"]').scrollIntoView()")
    browser.screenshot(SHOTS / "model-card-figures.png")
    assert "archflow model card" in card
    assert card.count('src="data:image/png;base64,') >= 3, "the card's confusion matrix, ROC and learning curves render as images"
    sizes = browser.evaluate("[...document.querySelectorAll('img[src^=\"data:image/png\"]')].map(i => i.naturalWidth)")
    assert len(sizes) >= 3 and all(width > 100 for width in sizes), f"figures did not decode: widths {sizes}"

    # the same penguins as a CSV, one body mass in grams written as text: the saved schema fails it
    import pandas as pd

    rows = pd.read_parquet(project / "data/ingested/snapshot.parquet")
    rows["body_mass_g"] = rows["body_mass_g"].astype(object)
    rows.loc[3, "body_mass_g"] = "heavy"
    rows.to_csv(project / "data/raw/penguins.csv", index=False)
    (project / "schemas/penguins.csv.yaml").write_text((project / "schemas/penguins.yaml").read_text())  # as saved by an earlier good run
    set_params(project, {"data": {"source": "data/raw/penguins.csv", "target": "species"}})
    failed = archflow_run(project, env)
    assert failed.returncode == 1, failed.stderr[-3000:]
    run, children, _, logs = asyncio.run(latest_pipeline_run(api))
    stopped = [c for c in children if c.state and c.state.is_failed()]
    assert [c.name for c in stopped] == ["validate"], [(c.name, c.state_type) for c in children]
    message = stopped[0].state.message
    assert "Data validation failed" in message and "body_mass_g" in message, message
    headline = message.splitlines()[0]
    assert failed.stderr.count(headline) == 1 and "Traceback" not in failed.stderr, failed.stderr[-3000:]
    assert not any("Traceback" in log or "NoneType: None" in log or "\\n" in log for log in logs), logs
    page = browser.open(f"{ui}/runs/flow-run/{stopped[0].id}", lambda html: "Data validation failed" in html)
    browser.screenshot(SHOTS / "validate-failed-logs.png")
    assert "Data validation failed" in page and "body_mass_g" in page and "Traceback" not in page and "NoneType: None" not in page
