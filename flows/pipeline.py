"""The whole pipeline as one Prefect flow, with DVC as the only judge of what is up to date.

For each stage of dvc.yaml, in order, a task asks ``dvc status`` whether the stage changed
and, if so, runs ``dvc repro --single-item`` for it. DVC therefore runs the stage command
(the stage's own flow), and records its outputs in dvc.lock and the cache exactly as a
plain ``dvc repro`` would; stages DVC would skip are skipped. The stage flows report to the
same Prefect server as this flow and carry a ``pipeline-run:<id>`` tag.

The run ends with the promotion gate's verdict: its final state is named Promoted or
Rejected (or Completed when nothing needed retraining), with the verdict as its message.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from prefect import flow, get_client, get_run_logger, task
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from archflow.errors import SettingsError
from archflow.settings import load_settings
from flows.api import preflight
from flows.logs import quiet_failure_logs
from flows.stages import PIPELINE_RUN_TAG

DVC = [sys.executable, "-m", "dvc"]
TF_NATIVE_LOG = re.compile(r"^[EWI]\d{4} |^WARNING: All log messages before absl")  # TensorFlow's C++ logging


def stage_names(dvc_file: str | Path = "dvc.yaml") -> list[str]:
    """The stages of dvc.yaml in the order they are declared (which is dependency order)."""
    return list(yaml.safe_load(Path(dvc_file).read_text())["stages"])


def _split_output(stage: str, output: str) -> tuple[str, str]:
    """A stage command's output under ``dvc repro``: DVC's own lines, and the stage's stop
    message (from ``archflow <stage> stopped:`` on, without DVC's "failed to reproduce" line)."""
    marker = f"archflow {stage} stopped:"
    if marker not in output:
        return output, ""
    before, message = output[: output.index(marker)], output[output.index(marker) :]
    return before, "\n".join(line for line in message.strip().splitlines() if not line.startswith("ERROR: failed to reproduce"))


@task(name="dvc-repro", task_run_name="repro-{stage}")
def reproduce_stage(stage: str, env: dict[str, str], force: bool = False):
    """Run one stage through DVC if DVC says it changed: 'ran' or 'skipped', or a Failed state
    whose message is the stage's own (a stage stopping on bad input is not a crash)."""
    log = get_run_logger()
    if not force:
        status = subprocess.run([*DVC, "status", stage, "--json"], env=env, capture_output=True, text=True)
        if status.returncode == 0 and not json.loads(status.stdout or "{}"):
            log.info("'%s' is up to date according to DVC: skipped", stage)
            return "skipped"
    command = [*DVC, "repro", "--single-item", stage] + (["--force"] if force else [])
    log.info("running: %s", " ".join(command[2:]))
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    output, message = _split_output(stage, done.stdout + done.stderr)
    for line in output.splitlines():  # DVC's own lines; the stage flow logs to Prefect itself
        if line.strip() and " | " not in line and not line.startswith((" ", "Traceback")) and not TF_NATIVE_LOG.match(line):
            log.info("dvc: %s", line)
    if done.returncode != 0:
        message = message or f"stage '{stage}' failed under dvc repro:\n" + "\n".join(output.strip().splitlines()[-25:])
        log.error("%s", message)
        return Failed(message=message)
    return "ran"


def _push(env: dict[str, str]) -> tuple[bool, str]:
    """``dvc push`` to the default remote: whether it worked, and what to say."""
    done = subprocess.run([*DVC, "push"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        return False, "dvc push failed (is a remote configured and reachable? `dvc remote list`):\n" + (done.stdout + done.stderr).strip()[-1500:]
    return True, (done.stdout.strip().splitlines() or ["pushed"])[-1]


@flow(name="archflow-pipeline")
def pipeline(force: bool = False, push: bool = False):
    """Bring every stage up to date, in dependency order; optionally ``dvc push`` after (a
    scheduled run does, so a promoted model reaches the remote)."""
    quiet_failure_logs()
    log = get_run_logger()
    try:
        settings = load_settings()  # a bad setting stops the run here, before any stage touches an output
    except SettingsError as error:  # a scheduled run's message, without a traceback
        log.error("%s", error)
        return Failed(message=str(error))
    env = dict(os.environ)
    env["PREFECT_API_URL"] = str(get_client().api_url).rstrip("/")
    env[PIPELINE_RUN_TAG] = str(flow_run.id)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # `python` in dvc.yaml is this one
    outcome = {}
    for stage in stage_names():
        state = reproduce_stage(stage, env, force, return_state=True)
        if not state.is_completed():  # later stages would only fail on the missing outputs
            return Failed(message=state.message)
        outcome[stage] = state.result()
    if push:
        pushed, said = _push(env)
        if not pushed:
            log.error("%s", said)
            return Failed(message=said)
        log.info("dvc push: %s", said)
    log.info("pipeline: %s", ", ".join(f"{s} {o}" for s, o in outcome.items()))
    verdict_file = Path(settings.paths.promotion)
    if outcome.get("evaluate") != "ran" or not verdict_file.exists():
        return Completed(message=f"nothing needed retraining; the production model in {settings.paths.model} is unchanged", data=outcome)
    verdict = json.loads(verdict_file.read_text())
    log.info("%s", verdict["headline"])
    return Completed(name="Promoted" if verdict["promoted"] else "Rejected", message=verdict["headline"], data=outcome)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="archflow run", description="Run the whole pipeline as one Prefect flow; DVC decides which stages are stale.")
    parser.add_argument("--force", action="store_true", help="run every stage, even those DVC finds up to date")
    parser.add_argument("--push", action="store_true", help="dvc push to the default remote afterwards")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    _, problem = preflight()
    if problem:
        print(f"archflow run stopped: {problem}", file=sys.stderr)
        return 1
    state = pipeline(force=args.force, push=args.push, return_state=True)
    if not state.is_completed():
        print(f"\n{state.message or 'the pipeline failed'}", file=sys.stderr)
        return 1
    print("\n".join(f"{stage:>10}: {result}" for stage, result in state.result().items()))
    print(f"\n{state.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
