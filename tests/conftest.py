"""Shared fixtures: tiny data made by the tests, and one Prefect test server per session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DVC_NO_ANALYTICS", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def make_table(rows: int = 60, seed: int = 0, classes=("a", "b", "c")) -> pd.DataFrame:
    """A small, learnable table: two numeric columns, one categorical, a class target."""
    rng = np.random.default_rng(seed)
    label = rng.choice(list(classes), size=rows)
    centre = {c: i * 3.0 for i, c in enumerate(classes)}
    return pd.DataFrame(
        {
            "x1": [centre[c] + rng.normal(0, 0.5) for c in label],
            "x2": rng.normal(10, 2, size=rows),
            "colour": rng.choice(["red", "green"], size=rows),
            "label": label,
        }
    )


@pytest.fixture
def table() -> pd.DataFrame:
    return make_table()


@pytest.fixture(scope="session")
def prefect_api():
    """A real Prefect server for this test session (temporary database); yields its API URL."""
    from prefect import get_client
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(get_client().api_url).rstrip("/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """A real `prefect server start` (own SQLite database, UI included), as `./dev server` starts
    one; yields its API URL, the environment that points at it, and its home folder."""
    import httpx

    home, port = tmp_path_factory.mktemp("prefect-home"), free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_API_URL=api, PREFECT_UI_API_URL=api, PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5", PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    log = open(home / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(1)
    else:
        process.kill()
        pytest.fail("prefect server start did not come up: " + (home / "server.log").read_text()[-2000:])
    yield api, env, home
    process.terminate()
    process.wait(timeout=30)
    log.close()
    assert "bulk DML" not in (home / "server.log").read_text(), "the scheduler failed (SQLAlchemy 2.1?)"
