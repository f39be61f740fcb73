"""The pipeline flow's warm stage host (flows/stage_host.py): a stage command hands its stage to
it, and the stage prints to the command's own streams, stops on bad input with its message and
exits with the command's code; a host started for another Prefect API declines, and the
command runs the stage itself. (tests/test_pipeline_flow.py runs whole pipelines through it.)"""

import asyncio
import os

import pytest

from flows.stage_host import HOST_ENV, hand_over, warm_stages
from tests.project import make_project, set_params


async def _last_run_logs(flow_name: str) -> list[str]:
    """The log lines of the newest flow run of ``flow_name`` on the Prefect API."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import FlowRunSort

    async with get_client() as client:
        runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])), sort=FlowRunSort.START_TIME_DESC, limit=1)
        return [log.message for log in await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[runs[0].id])))]


def test_a_stage_command_runs_in_the_warm_host(tmp_path, prefect_api, monkeypatch, capfd):
    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    with warm_stages(dict(os.environ, PREFECT_API_URL=prefect_api)) as env:
        assert env.get(HOST_ENV), "no host started"
        monkeypatch.setenv(HOST_ENV, env[HOST_ENV])
        monkeypatch.setenv("PREFECT_API_URL", prefect_api)

        assert hand_over(["ingest"]) == 0  # not None: the host ran it
        assert (project / "data/ingested/snapshot.parquet").exists()
        assert "ingested palmer penguins" in capfd.readouterr().err.lower(), "the stage's log reaches the command's own stderr"

        (project / "data/raw/empty.csv").write_text("")
        set_params(project, {"data": {"source": "data/raw/empty.csv", "target": "species"}})
        assert hand_over(["ingest"]) == 1
        assert "archflow ingest stopped: data/raw/empty.csv: the file is empty" in capfd.readouterr().err
        assert "data/raw/empty.csv: the file is empty" in "\n".join(asyncio.run(_last_run_logs("ingest"))), "the stage's logs reach the UI before its process ends"
        assert (project / "data/ingested/snapshot.parquet").exists(), "a stage that stops keeps the last good output"

        assert hand_over(["no-such-stage"]) == 2

        monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
        assert hand_over(["ingest"]) is None, "the host read Prefect's settings for another API: the command must run the stage itself"


@pytest.mark.parametrize("setting", ["0", ""])
def test_no_host_when_turned_off_or_absent(setting, monkeypatch):
    monkeypatch.setenv(HOST_ENV, setting)
    assert hand_over(["ingest"]) is None
    with warm_stages({HOST_ENV: "0"}) as env:
        assert env == {HOST_ENV: "0"}
