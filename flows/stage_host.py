"""A warm process that runs the pipeline flow's stage commands, so that each stage does not
import Prefect, Great Expectations and TensorFlow again (about 2 s a stage, plus 3 s for
validate and 4 s for each of select, train and evaluate on a 2-core machine).

The pipeline flow starts one host for its run (:func:`warm_stages`) and tells ``dvc repro`` its
address in ``ARCHFLOW_STAGE_HOST``. DVC still decides which stages run and records them in
dvc.lock: it runs each stage's command as always (``python -m flows.stages <stage>``), and that
command, finding the address, hands its stage to the host (:func:`hand_over`) instead of
importing everything itself. The host forks a child for the stage, and the child takes the
command's working folder, environment and standard streams (passed over the socket), so it
prints, fails and exits as the command itself would; the command exits with the child's code.
Each stage still runs in a process of its own, which gives its memory back when it ends.
While a stage runs, the host imports what the later stages need, on the other core.

Without the address (a plain ``dvc repro``, ``archflow stage``), or where the host cannot take
the stage (no ``fork``, a different Prefect API), the command runs the stage itself.

    python -m flows.stage_host SOCKET   # the host (started by warm_stages)
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST_ENV = "ARCHFLOW_STAGE_HOST"  # the host's socket; "0" in the environment turns the host off
# imported by the host while the first stages run, in the order the stages need them
PRELOAD = ("tasks.ingest", "great_expectations", "tasks.validate", "tasks.preprocess", "tensorflow", "keras", "optuna", "tasks.select", "tasks.train", "matplotlib.pyplot", "tasks.evaluate", "archflow.report")
START_SECONDS = 30.0


def _message(connection: socket.socket, data: bytes = b"") -> dict | None:
    """One JSON line from ``connection``, after what was already read of it (``data``); None
    if the connection closed first."""
    while b"\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    return json.loads(data.split(b"\n", 1)[0])


def _send(connection: socket.socket, message: dict) -> None:
    connection.sendall(json.dumps(message).encode() + b"\n")


# --- the stage command's side -------------------------------------------------------------


def hand_over(argv: list[str]) -> int | None:
    """Run this stage command in the warm host named in the environment: its exit code, or
    None when there is no host or it declined (then the command runs the stage itself)."""
    address = os.environ.get(HOST_ENV, "")
    if not address or address == "0" or not hasattr(socket, "send_fds"):
        return None
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(address)
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        sys.stdout.flush()
        sys.stderr.flush()
        socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    except OSError:
        return None  # no host after all (it ended, or never started): run the stage here
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the stage too, which stops and says its code
    try:
        reply = _message(connection)
    except OSError:
        reply = None
    finally:
        signal.signal(signal.SIGINT, interrupt)
        connection.close()
    if reply is None:
        print(f"archflow: the warm stage host at {address} ended while running {' '.join(argv)}", file=sys.stderr)
        return 1
    if "declined" in reply:
        return None
    return int(reply["code"])


# --- the host's side ----------------------------------------------------------------------


def _run_child(request: dict, streams: list[int], connection: socket.socket) -> None:
    """In the forked child: become the stage command, run the stage, run the exit handlers a
    normal exit would (Prefect's log and event queues drain there), tell the command its exit
    code (the host may be busy importing) and exit with it."""
    code = 1
    try:
        for target, fd in zip((0, 1, 2), streams):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ.pop(HOST_ENV, None)
        sys.argv = [sys.argv[0], *request["argv"]]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        from flows.stages import run_stage

        code = run_stage(request["argv"][0] if request["argv"] else "")
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):  # what a normal exit runs: Prefect sends its queued logs and events, logging flushes
            atexit._run_exitfuncs()
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
            _send(connection, {"code": code})
        os._exit(code)


def _preload_one(pending: list[str]) -> None:
    name = pending.pop(0)
    try:
        importlib.import_module(name)
    except Exception as error:  # a stage that needs it will say what is wrong, in its own output
        print(f"stage host: could not import {name} ({error})", file=sys.stderr, flush=True)


def _wait(pid: int, connection: socket.socket, pending: list[str]) -> int:
    """Wait for the stage's child, importing what later stages need meanwhile (the child tells
    its command its exit code itself, so an import here does not hold the command up); the
    child is stopped if its command goes away (its connection closes)."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if pending:
            _preload_one(pending)
            continue
        readable, _, _ = select.select([connection], [], [], 0.2)
        if readable and not connection.recv(1, socket.MSG_PEEK):  # the command has its code, or was killed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # a child that already said its code is on its way out anyway
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def serve(address: str) -> None:
    """Accept stage commands one at a time until the pipeline that started this host ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the stage (its own child), not the host
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parent, api = os.getppid(), os.environ.get("PREFECT_API_URL", "")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen()
    listener.settimeout(1.0)
    import flows.stages  # noqa: F401  what every stage needs: Prefect, pydantic, the settings

    pending = list(PRELOAD)
    while os.getppid() == parent:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            if pending:
                _preload_one(pending)
            continue
        with connection:
            connection.settimeout(None)
            data, streams, _, _ = socket.recv_fds(connection, 65536, 3)
            request = _message(connection, data)  # None: the command went away before it finished asking
            if request is None or request["env"].get("PREFECT_API_URL", "") != api or len(streams) != 3:
                if request is not None:
                    _send(connection, {"declined": "another Prefect API"})  # Prefect read its settings here at import
                for fd in streams:
                    os.close(fd)
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                listener.close()
                _run_child(request, streams, connection)
            for fd in streams:
                os.close(fd)
            code = _wait(pid, connection, pending)
            with contextlib.suppress(OSError):  # the child said it already, unless it was killed
                _send(connection, {"code": code if code >= 0 else 128 - code})


@contextlib.contextmanager
def warm_stages(env: dict[str, str], wanted: bool = True, log_file: Path = Path(".archflow/stage_host.log")):
    """Start a host for this pipeline run and yield ``env`` with its address added (unchanged
    when no stage is to run, or where a host cannot: no ``fork``, or ``ARCHFLOW_STAGE_HOST=0``);
    the host stops after."""
    if not wanted or env.get(HOST_ENV) == "0" or not hasattr(os, "fork") or not hasattr(socket, "send_fds"):
        yield env
        return
    folder = tempfile.mkdtemp(prefix="archflow-host-")  # private (0700): only this user can connect
    address = os.path.join(folder, "socket")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "wb") as log:  # the host's own output (import notices), for this run only
        host = subprocess.Popen([sys.executable, "-m", "flows.stage_host", address], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not os.path.exists(address) and host.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        yield {**env, HOST_ENV: address} if os.path.exists(address) else env
    finally:
        host.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            host.wait(timeout=10)
        if host.poll() is None:
            host.kill()
        with contextlib.suppress(OSError):
            os.unlink(address)
            os.rmdir(folder)


if __name__ == "__main__":
    serve(sys.argv[1])
