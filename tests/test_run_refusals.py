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
    assert helped.returncode == 0 and "--push" in helped.stdout
