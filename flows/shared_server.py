"""One temporary Prefect server shared by the stages of a plain ``dvc repro``.

With no Prefect API configured, each stage process would start its own temporary server (7-20 s
each, six times a run). Instead, the first stage starts one in a small detached supervisor
process; the stages after it find it through ``.archflow/server/server.json`` and reuse it. Each
stage holds a lease (a file named by its process id) while it runs; the supervisor stops the
server once no live stage has held one for ``ARCHFLOW_SERVER_IDLE_SECONDS`` (30 by default),
so nothing is left running after the pipeline. The server keeps Prefect's usual local SQLite
database, so the runs show later in ``./dev server``'s UI, as before.

A configured server (``PREFECT_API_URL``) is always used as it is; this module is only for the
default, nothing-configured case.

    python -m flows.shared_server FOLDER   # the supervisor (started by ensure_server)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

FOLDER = Path(".archflow/server")
IDLE_SECONDS = float(os.environ.get("ARCHFLOW_SERVER_IDLE_SECONDS", "30"))
START_SECONDS = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError, ValueError):
        return False
    return True


def _healthy(url: str, timeout: float = 2.0) -> bool:
    from flows.api import api_problem

    return api_problem(url, timeout) is None


def _running(folder: Path) -> str | None:
    """The shared server's API address if one is up and answering."""
    try:
        record = json.loads((folder / "server.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return record["url"] if _alive(int(record.get("supervisor", 0))) and _healthy(record["url"]) else None


@contextlib.contextmanager
def _locked(folder: Path):
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_server(folder: Path = FOLDER) -> str:
    """The shared server's API address, started (detached) if none is running; this process
    takes a lease on it until it exits."""
    folder = folder.resolve()
    with _locked(folder):
        url = _running(folder)
        if url is None:
            (folder / "server.json").unlink(missing_ok=True)
            log = open(folder / "server.log", "ab")
            subprocess.Popen([sys.executable, "-m", "flows.shared_server", str(folder)], stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
            deadline = time.monotonic() + START_SECONDS
            while url is None and time.monotonic() < deadline:
                time.sleep(0.2)
                url = _running(folder)
            if url is None:
                raise RuntimeError(f"the shared Prefect server did not start within {START_SECONDS:g} s (see {folder / 'server.log'})")
        leases = folder / "leases"
        leases.mkdir(exist_ok=True)
        (leases / str(os.getpid())).touch()
    return url


def api_configured() -> bool:
    """Whether a Prefect API is configured (environment, or the active profile's
    PREFECT_API_URL), read without importing Prefect: this runs before Prefect's settings are
    fixed at its import."""
    import tomllib

    if os.environ.get("PREFECT_API_URL"):
        return True
    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    return bool(profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL"))


def share_unless_configured() -> None:
    """Point this stage process at the shared server (started if need be) when no Prefect API
    is configured; ``ARCHFLOW_SHARED_SERVER=0`` keeps Prefect's own temporary server per
    process. Must run before Prefect is imported."""
    if api_configured() or os.environ.get("ARCHFLOW_SHARED_SERVER", "1") == "0":
        return
    try:
        url = ensure_server()
    except (RuntimeError, OSError) as error:
        print(f"archflow: {error}; this stage starts its own temporary Prefect server", file=sys.stderr)
        return
    os.environ["PREFECT_API_URL"] = url


def _live_leases(folder: Path) -> int:
    live = 0
    for lease in (folder / "leases").glob("*"):
        if lease.name.isdigit() and _alive(int(lease.name)):
            live += 1
        else:
            lease.unlink(missing_ok=True)  # a stage that ended (or was killed) without releasing
    return live


def supervise(folder: Path) -> None:
    """Start the server (Prefect's own temporary-server launcher), publish its address, and
    stop it once no stage has held a lease for the idle time."""
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    try:
        server.start(timeout=START_SECONDS)
        staged = folder / "server.json.tmp"
        staged.write_text(json.dumps({"url": server.api_url, "supervisor": os.getpid(), "server": server.server_process.pid}))
        os.replace(staged, folder / "server.json")
        idle_since = time.monotonic()
        while server.server_process.poll() is None:
            time.sleep(1.0)
            if _live_leases(folder):
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > IDLE_SECONDS:
                break
    finally:
        with contextlib.suppress(OSError, json.JSONDecodeError):
            record = json.loads((folder / "server.json").read_text())
            if record.get("supervisor") == os.getpid():
                (folder / "server.json").unlink()
        server.stop()


if __name__ == "__main__":
    supervise(Path(sys.argv[1]).resolve())
