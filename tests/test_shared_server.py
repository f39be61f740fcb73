"""A plain `dvc repro` with no Prefect API configured: the stages share one temporary server
instead of starting one each, and it stops by itself once no stage holds it."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.project import make_project


def stage(project: Path, name: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "flows.stages", name], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout + done.stderr


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_stages_share_one_temporary_server_that_stops_when_idle(tmp_path):
    project = make_project(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), ARCHFLOW_SERVER_IDLE_SECONDS="3", PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]))
    first = stage(project, "ingest", env)
    record = json.loads((project / ".archflow/server/server.json").read_text())
    second = stage(project, "ingest", env)  # a second stage process (ingest again: no Great Expectations import to wait for)
    assert json.loads((project / ".archflow/server/server.json").read_text()) == record  # the same server, not a new one
    ports = {int(p) for p in re.findall(r"View at http://127\.0\.0\.1:(\d+)/", first + second)}
    assert ports == {int(record["url"].split(":")[2].split("/")[0])}, ports
    assert "Starting temporary server" not in first + second
    deadline = time.monotonic() + 30
    while alive(record["supervisor"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not alive(record["supervisor"]) and not alive(record["server"]), "the shared server outlived its stages"
    assert not (project / ".archflow/server/server.json").exists()


def test_a_configured_api_is_never_replaced(monkeypatch, tmp_path):
    from flows.shared_server import api_configured

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(tmp_path / "profiles.toml"))
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    assert not api_configured()
    (tmp_path / "profiles.toml").write_text('active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://prefect.internal:4200/api"\n')
    assert api_configured()
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert api_configured()
