"""Running every stage flow in this process on a settings object: the whole pipeline's logic
with real Prefect (the session's test server), Great Expectations and TensorFlow, minus DVC."""

from __future__ import annotations

import json
from pathlib import Path

from archflow.settings import Settings, settings_from_dict
from flows.stages import STAGE_FLOWS

# enough epochs for the networks to learn the tiny data sets the tests make (their quality floors
# say so), few enough to stay cheap: each run takes 13-26 s as a whole process
# (the search has its own tests: tests/test_search.py)
TINY = {"train": {"folds": 2, "epochs": 20, "patience": 5}, "validate": {"min_rows": 10}, "select": {"search": False}, "compute": {"scheduler": "serial"}}


def tiny_settings(**data) -> Settings:
    return settings_from_dict({**TINY, "data": data})


def run_all_stages(settings: Settings) -> dict:
    """Run ingest..evaluate in order; fail loudly with the state message of a failed stage."""
    for stage, stage_flow in STAGE_FLOWS.items():
        state = stage_flow(settings, return_state=True)
        assert state.is_completed(), f"{stage}: {state.message}"
    return json.loads(Path(settings.paths.test_metrics).read_text())
