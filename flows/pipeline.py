"""The whole pipeline as one Prefect flow, with DVC as the only judge of what is up to date.

For each stage of dvc.yaml, in order, a task asks ``dvc status`` whether the stage changed
and, if so, runs ``dvc repro --single-item`` for it. DVC therefore runs the stage command
(the stage's own flow), and records its outputs in dvc.lock and the cache exactly as a
plain ``dvc repro`` would; stages DVC would skip are skipped. The stage flows report to the
same Prefect server as this flow and carry a ``pipeline-run:<id>`` tag.
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

from flows.stages import PIPELINE_RUN_TAG

DVC = [sys.executable, "-m", "dvc"]
TF_NATIVE_LOG = re.compile(r"^[EWI]\d{4} |^WARNING: All log messages before absl")  # TensorFlow's C++ logging


class StageFailed(RuntimeError):
    """A stage command failed under ``dvc repro``; the message carries its own words."""


def stage_names(dvc_file: str | Path = "dvc.yaml") -> list[str]:
    """The stages of dvc.yaml in the order they are declared (which is dependency order)."""
    return list(yaml.safe_load(Path(dvc_file).read_text())["stages"])


def _stage_message(stage: str, output: str) -> str:
    marker = f"archflow {stage} stopped:"
    if marker in output:
        return output[output.index(marker) :].strip()
    return f"stage '{stage}' failed under dvc repro:\n" + "\n".join(output.strip().splitlines()[-25:])


@task(name="dvc-repro", task_run_name="repro-{stage}")
def reproduce_stage(stage: str, env: dict[str, str], force: bool = False) -> str:
    """Run one stage through DVC if DVC says it changed; return 'ran' or 'skipped'."""
    log = get_run_logger()
    if not force:
        status = subprocess.run([*DVC, "status", stage, "--json"], env=env, capture_output=True, text=True)
        if status.returncode == 0 and not json.loads(status.stdout or "{}"):
            log.info("'%s' is up to date according to DVC: skipped", stage)
            return "skipped"
    command = [*DVC, "repro", "--single-item", stage] + (["--force"] if force else [])
    log.info("running: %s", " ".join(command[2:]))
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    output = done.stdout + done.stderr
    for line in output.splitlines():  # DVC's own lines; the stage flow logs to Prefect itself
        if line.strip() and " | " not in line and not line.startswith((" ", "Traceback")) and not TF_NATIVE_LOG.match(line):
            log.info("dvc: %s", line)
    if done.returncode != 0:
        raise StageFailed(_stage_message(stage, output))
    return "ran"


@flow(name="archflow-pipeline")
def pipeline(force: bool = False, push: bool = False) -> dict[str, str]:
    """Bring every stage up to date, in dependency order; optionally ``dvc push`` after."""
    env = dict(os.environ)
    env["PREFECT_API_URL"] = str(get_client().api_url).rstrip("/")
    env[PIPELINE_RUN_TAG] = str(flow_run.id)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # `python` in dvc.yaml is this one
    outcome = {stage: reproduce_stage(stage, env, force) for stage in stage_names()}
    if push:
        subprocess.run([*DVC, "push"], env=env, check=True)
    get_run_logger().info("pipeline: %s", ", ".join(f"{s} {o}" for s, o in outcome.items()))
    return outcome


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        outcome = pipeline(force="--force" in argv, push="--push" in argv)
    except StageFailed as failure:
        print(f"\n{failure}", file=sys.stderr)
        return 1
    print("\n".join(f"{stage:>10}: {result}" for stage, result in outcome.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
