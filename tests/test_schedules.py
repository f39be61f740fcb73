"""Schedules that fire: a real `prefect server start`, the pipeline deployed on a one-minute cron
schedule the way the README says (`archflow serve`, then `archflow deploy` with a process worker),
and the server's own scheduler creating runs that complete. A scheduled run pushes the promoted
model to the DVC remote.

This is the test that notices a dependency breaking the scheduler (SQLAlchemy 2.1 did: every
scheduler pass failed and no scheduled run was ever created, while deployments looked Ready).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.project import dvc, make_project, stage_env

pytestmark = pytest.mark.slow
EVERY_MINUTE = "* * * * *"
WAIT_SECONDS = 180  # the bar: a completed scheduled run within three minutes



def scheduled_runs(api: str, deployment_name: str) -> list:
    """The flow runs the scheduler created for a deployment, with their state types (asked of
    this server explicitly: the session's test harness overrides the API address in-process)."""
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    async def read():
        async with PrefectClient(api) as client:
            runs = await client.read_flow_runs(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[deployment_name])))
            return [(r.auto_scheduled, r.state.type.value, r.state.name, r.state.message) for r in runs]

    return asyncio.run(read())


def stop(process: subprocess.Popen) -> None:
    """Stop a served process or a worker and any flow run it started (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a worker finishing a flow run may not stop at once
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass


def wait_for_completed_run(api: str, deployment_name: str, process: subprocess.Popen, output: Path) -> tuple:
    deadline = time.time() + WAIT_SECONDS
    while time.time() < deadline:
        runs = scheduled_runs(api, deployment_name)
        done = [r for r in runs if r[0] and r[1] in ("COMPLETED", "FAILED", "CRASHED")]
        if done:
            return done[0]
        assert process.poll() is None, output.read_text()[-3000:]
        time.sleep(3)
    pytest.fail(f"no scheduled run of {deployment_name} finished within {WAIT_SECONDS} s; runs: {runs}\n" + output.read_text()[-3000:])


def test_served_and_worker_deployments_fire_on_a_one_minute_schedule(prefect_server, tmp_path):
    server = prefect_server
    api, server_env, home = server
    project = make_project(tmp_path / "project", {"train": {"folds": 2, "epochs": 2, "patience": 1}})
    remote = tmp_path / "remote"
    env = {**stage_env(api), "PREFECT_HOME": str(home)}
    assert dvc(project, "remote", "add", "-d", "local", str(remote), env=env).returncode == 0

    served_log = tmp_path / "serve.log"
    with open(served_log, "w") as out:
        serve = subprocess.Popen([sys.executable, "-m", "flows.serve", "--cron", EVERY_MINUTE, "--name", "every-minute"], cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            auto, state, name, message = wait_for_completed_run(api, "every-minute", serve, served_log)
        finally:
            stop(serve)
    assert auto and state == "COMPLETED", (state, message, served_log.read_text()[-3000:])
    assert name == "Promoted" and message.startswith("promoted:"), (name, message)
    production = json.loads((project / "metrics/promotion.json").read_text())
    assert production["promoted"]
    cloud = json.loads(dvc(project, "status", "--cloud", "--json", env=env).stdout or "{}")
    assert remote.exists() and not cloud, f"the scheduled run pushed everything to the remote: {cloud}"

    deployed = subprocess.run([sys.executable, "-m", "flows.deploy", "--pool", "archflow-test", "--cron", EVERY_MINUTE, "--name", "worker-every-minute"], cwd=project, env=env, capture_output=True, text=True)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "created the process work pool 'archflow-test'" in deployed.stdout
    worker_log = tmp_path / "worker.log"
    with open(worker_log, "w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", "archflow-test"], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            auto, state, name, message = wait_for_completed_run(api, "worker-every-minute", worker, worker_log)
        finally:
            stop(worker)
    assert auto and state == "COMPLETED", (state, message, worker_log.read_text()[-3000:])
    assert "nothing needed retraining" in message, message
