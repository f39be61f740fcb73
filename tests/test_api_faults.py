"""A Prefect server that is down or stalled ends a stage with one line, not a hang or tracebacks."""

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from tests.project import ROOT


@pytest.fixture
def stalled_api():
    """A port that accepts connections and reads requests but never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/api"
    listener.close()
    for connection in held:
        connection.close()


def closed_port_api() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/api"  # nothing listens once closed


def run_stage(api: str) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, PREFECT_API_URL=api, ARCHFLOW_API_CHECK_SECONDS="5")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "flows.stages", "ingest"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    return done, time.monotonic() - started


def test_a_stalled_server_ends_the_stage_with_one_line(stalled_api):
    done, seconds = run_stage(stalled_api)
    assert done.returncode == 1 and seconds < 60
    message = done.stderr.strip()
    assert message == f"archflow ingest stopped: the Prefect API at {stalled_api} did not answer within 5 s: start it with `./dev server`, or unset PREFECT_API_URL to run with a temporary local server"
    assert "Traceback" not in done.stdout + done.stderr


def test_a_server_that_is_down_is_named_too():
    api = closed_port_api()
    done, _ = run_stage(api)
    assert done.returncode == 1 and f"cannot reach the Prefect API at {api} (ConnectError)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
