"""The whole pipeline as one Prefect flow, with DVC as the only judge of what is up to date.

One ``dvc status`` says which stages changed; for each stage of dvc.yaml, in order, a task
skips a stage DVC called up to date (unless one before it ran) and otherwise runs
``dvc repro --single-item`` for it, which skips it again if its inputs did not change. DVC
therefore stays the only judge of what is up to date, and runs the stage command
(the stage's own flow), and records its outputs in dvc.lock and the cache exactly as a
plain ``dvc repro`` would; stages DVC would skip are skipped. The stage commands hand their
stages to a warm host started for this run (flows/stage_host.py), so that each does not
import Prefect, Great Expectations and TensorFlow again. Each stage's flow run reports
to the same Prefect server and nests under this run's task for the stage, so the UI shows
one run tree. The stage's progress (folds, epochs) comes back as events and is drawn here.

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
from prefect.states import Completed, Failed

from archflow.errors import SettingsError
from archflow.settings import load_settings
from flows.api import preflight
from flows.logs import UI_ONLY, quiet_failure_logs
from flows.result import finished_run_lines
from flows.stage_host import warm_stages
from flows.stages import PARENT_TASK_RUN

DVC = [sys.executable, "-m", "dvc"]
TF_NATIVE_LOG = re.compile(r"^[EWI]\d{4} |^WARNING: All log messages before absl")  # TensorFlow's C++ logging
# DVC's lines that say nothing a person needs after each stage (the run ends with what matters)
DVC_ROUTINE = re.compile(r"^(Running stage |> |Updating lock file|Use `dvc push`|To track the changes with git|\s*git add |To enable auto staging|\s*dvc config core.autostage)")
PREFECT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} \| (\w+)\s*\| ")  # a line of Prefect's console log


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


def _stream(command: list[str], env: dict[str, str], bars) -> tuple[int, str]:
    """Run ``command``, drawing its progress events and echoing its warnings as they come;
    returns its exit code and the rest of its output."""
    kept = []
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1) as process:
        for line in process.stdout:
            if bars.replay(line.rstrip("\n")):
                continue
            level = PREFECT_LINE.match(line)
            if level and level.group(1) == "WARNING":  # errors end in the stage's stop message, printed once at the end
                bars.note(line.rstrip())
            kept.append(line)
    return process.returncode, "".join(kept)


def stale_stages(env: dict[str, str]) -> set[str] | None:
    """The stages DVC says changed, from one ``dvc status`` for the whole pipeline (None when
    it could not tell: then each stage is handed to ``dvc repro``, which decides)."""
    status = subprocess.run([*DVC, "status", "--json"], env=env, capture_output=True, text=True)
    if status.returncode != 0:
        return None
    try:
        return {name.rsplit(":", 1)[-1] for name in json.loads(status.stdout or "{}")}
    except json.JSONDecodeError:
        return None


@task(name="dvc-repro", task_run_name="{stage}")
def reproduce_stage(stage: str, env: dict[str, str], force: bool = False, position: tuple[int, int] = (1, 1), up_to_date: bool = False):
    """Run one stage through ``dvc repro --single-item`` unless DVC already said it is up to
    date (``up_to_date``, from the pipeline's one ``dvc status``); DVC still skips a stage whose
    inputs did not change. 'ran' or 'skipped', or a Failed state whose message is the stage's
    own (a stage stopping on bad input is not a crash)."""
    from prefect.runtime import task_run

    from archflow.progress import PROGRESS_ENV, LiveBars

    log = get_run_logger()
    if up_to_date and not force:
        log.info("%s: up to date according to DVC, skipped", stage)
        return "skipped"
    command = [*DVC, "repro", "--single-item", stage] + (["--force"] if force else [])
    log.info("%s: running (%s)", stage, " ".join(command[2:]))
    env = {**env, PARENT_TASK_RUN: str(task_run.id), PROGRESS_ENV: "events"}
    bars = LiveBars()
    try:
        bars.update("stages", position[0] - 1, position[1], stage)
        code, output = _stream(command, env, bars)
    finally:
        bars.close()
    output, message = _split_output(stage, output)
    for line in output.splitlines():  # DVC's own lines; the stage flow logs to Prefect itself
        if line.strip() and not PREFECT_LINE.match(line) and not line.startswith((" ", "Traceback")) and not TF_NATIVE_LOG.match(line) and not DVC_ROUTINE.match(line):
            log.info("dvc: %s", line)
    if code != 0:
        message = message or f"stage '{stage}' failed under dvc repro:\n" + "\n".join(output.strip().splitlines()[-25:])
        log.error("%s", message, extra=UI_ONLY)  # `archflow run` prints it once at the end
        return Failed(message=message)
    if f"Stage '{stage}' didn't change, skipping" in output:
        log.info("%s: up to date according to DVC, skipped", stage)
        return "skipped"
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
        log.error("%s", error, extra=UI_ONLY)
        return Failed(message=str(error))
    env = dict(os.environ)
    env["PREFECT_API_URL"] = str(get_client().api_url).rstrip("/")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # `python` in dvc.yaml is this one
    outcome, stages = {}, stage_names()
    stale = None if force else stale_stages(env)  # asked once; a stage after one that ran is left to `dvc repro` to judge
    with warm_stages(env, wanted=stale is None or bool(stale)) as stage_env:  # stage commands run in one warm process, forked per stage
        for number, stage in enumerate(stages, start=1):
            up_to_date = stale is not None and stage not in stale and "ran" not in outcome.values()
            state = reproduce_stage(stage, stage_env, force, (number, len(stages)), up_to_date, return_state=True)
            if not state.is_completed():  # later stages would only fail on the missing outputs
                return Failed(message=state.message)
            outcome[stage] = state.result()
    if push:
        pushed, said = _push(env)
        if not pushed:
            log.error("%s", said, extra=UI_ONLY)
            return Failed(message=said)
        log.info("dvc push: %s", said)
    log.info("pipeline: %s", ", ".join(f"{s} {o}" for s, o in outcome.items()))
    verdict_file = Path(settings.paths.promotion)
    if outcome.get("evaluate") != "ran" or not verdict_file.exists():
        return Completed(message=f"nothing needed retraining; the production model in {settings.paths.model} is unchanged", data=outcome)
    verdict = json.loads(verdict_file.read_text())
    log.info("%s", verdict["headline"])
    return Completed(name="Promoted" if verdict["promoted"] else "Rejected", message=verdict["headline"], data=outcome)


def run(force: bool = False, push: bool = False) -> int:
    """``archflow run``: check the settings and the API, run the pipeline, say how it ended."""
    _, problem = preflight()
    if problem:
        print(f"archflow run stopped: {problem}", file=sys.stderr)
        return 1
    state = pipeline(force=force, push=push, return_state=True)
    if not state.is_completed():
        print(f"\n{state.message or 'the pipeline failed'}", file=sys.stderr)
        return 1
    print("\n".join(f"{stage:>10}: {result}" for stage, result in state.result().items()))
    print()
    print("\n".join(finished_run_lines(state.message)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m flows.pipeline [--force] [--push]``: the same as ``archflow run``."""
    from flows.cli import main as cli_main

    return cli_main(["run", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
