"""`archflow run` refuses bad settings and unknown flags before any stage starts."""

import subprocess
import sys

from tests.project import make_project


def run(project, *args):
    return subprocess.run([sys.executable, "-m", "flows.pipeline", *args], cwd=project, capture_output=True, text=True, timeout=120)


def test_bad_settings_stop_the_run_before_any_stage(tmp_path):
    project = make_project(tmp_path, {"seed": -1, "train": {"learning_rate": -1, "patience": -5, "batch_size": "0"}})
    done = run(project)
    assert done.returncode == 1
    assert done.stderr.startswith("archflow run stopped: params.yaml: 4 bad settings")
    for key in ("'seed'", "'train.learning_rate'", "'train.patience'", "'train.batch_size'"):
        assert key in done.stderr
    assert "Traceback" not in done.stderr and not (project / "data/ingested").exists()


def test_unknown_flags_are_errors_and_help_is_help(tmp_path):
    assert run(tmp_path, "--bogus").returncode == 2
    helped = run(tmp_path, "--help")
    assert helped.returncode == 0 and "--push" in helped.stdout and not (tmp_path / "data").exists()


def test_every_archflow_command_has_help_and_refuses_unknown_flags(capsys):
    from flows.cli import main

    assert main(["--help"]) == 0
    listing = capsys.readouterr().out
    assert all(c in listing for c in ("run", "stage", "serve", "deploy", "predict", "report")), listing
    for command in ("run", "stage", "serve", "deploy", "predict", "report"):
        assert main([command, "--help"]) == 0, command
        assert main([command, "--bogus"]) == 2, command
    assert main(["stage", "fit"]) == 2  # not a stage
    assert main(["serve", "--cron", "* * * * *", "--interval", "60"]) == 2  # one schedule, not two
    assert "not both" in capsys.readouterr().err


def test_report_before_any_run_says_what_to_do(tmp_path):
    project = make_project(tmp_path)
    done = subprocess.run([sys.executable, "-m", "flows.cli", "report"], cwd=project, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "no model card yet" in done.stderr, done.stderr


def test_a_stopped_stage_gives_its_message_once_without_dvc_noise():
    from flows.pipeline import _split_output

    output = "Running stage 'validate':\n> python -m flows.stages validate\n\narchflow validate stopped: bad column 'x'\n  - e.g. deep\nERROR: failed to reproduce 'validate': failed to run\n"
    dvc_lines, message = _split_output("validate", output)
    assert message == "archflow validate stopped: bad column 'x'\n  - e.g. deep"
    assert "stopped" not in dvc_lines and "Running stage 'validate'" in dvc_lines
    assert _split_output("train", "Traceback ...") == ("Traceback ...", "")


def test_prefect_logs_no_empty_traceback():
    import logging

    from flows.logs import NoEmptyTraceback

    record = logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1, "failed", None, (None, None, None))
    assert NoEmptyTraceback().filter(record) and record.exc_info is None
    real = (ValueError, ValueError("x"), None)
    record = logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1, "failed", None, real)
    assert NoEmptyTraceback().filter(record) and record.exc_info == real


def test_tensorflow_start_up_notices_are_dropped_and_real_warnings_kept(capfd):
    import os

    from flows.logs import tensorflow_startup_quiet

    with tensorflow_startup_quiet():
        os.write(2, b"I0000 00:00:1 port.cc:153] oneDNN custom operations are on. You may see ...\n")
        os.write(2, b"E0000 00:00:2 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n")
        os.write(2, b"W0000 00:00:3 something.cc:1] a real warning\n")
    err = capfd.readouterr().err
    assert "a real warning" in err and "oneDNN" not in err and "cuInit" not in err
