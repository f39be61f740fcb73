"""A throwaway copy of the pipeline in a fresh git + DVC repository, for end-to-end tests."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["dvc.yaml", "params.yaml", "archflow", "tasks", "flows", "data/raw/README.md", "schemas/README.md", "schemas/penguins.yaml"]
# the search is off here: its own tests (tests/test_search.py) and the default-path test in
# tests/test_e2e_dvc.py run it; every other project test would pay for it in each repro
SMALL = {"train": {"folds": 2, "epochs": 2, "patience": 1}, "select": {"search": False}, "compute": {"scheduler": "serial"}}


def _merge(base: dict, changes: dict) -> dict:
    for key, value in changes.items():
        base[key] = _merge(base.get(key, {}), value) if isinstance(value, dict) else value
    return base


def make_project(where: Path, params: dict | None = None) -> Path:
    """Copy the pipeline into ``where``, set small params, then git init, dvc init and commit."""
    for name in COPIED:
        source, target = ROOT / name, where / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    settings = _merge(yaml.safe_load((where / "params.yaml").read_text()), _merge(copy.deepcopy(SMALL), copy.deepcopy(params or {})))
    (where / "params.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    for command in (["git", "init", "-q"], ["git", "config", "user.email", "t@example.com"], ["git", "config", "user.name", "t"], [sys.executable, "-m", "dvc", "init", "-q"]):
        subprocess.run(command, cwd=where, check=True)
    shutil.copytree(ROOT / ".dvc/plots", where / ".dvc/plots")  # the plot templates dvc.yaml names
    commit(where, "project")
    return where


def commit(where: Path, message: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=where, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=where, check=True)


def stage_env(prefect_api: str) -> dict[str, str]:
    """Environment for stage commands: this interpreter's `python`, the session's Prefect server."""
    env = dict(os.environ, PREFECT_API_URL=prefect_api, DVC_NO_ANALYTICS="1", TF_CPP_MIN_LOG_LEVEL="2")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def dvc(where: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dvc", *args], cwd=where, env=env, capture_output=True, text=True)


def set_params(where: Path, changes: dict) -> None:
    """Merge ``changes`` into the project's params.yaml (as `dvc exp run -S` would)."""
    path = where / "params.yaml"
    path.write_text(yaml.safe_dump(_merge(yaml.safe_load(path.read_text()), changes), sort_keys=False))
