"""Shared fixtures: tiny data made by the tests, and one Prefect test server per session."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DVC_NO_ANALYTICS", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def make_table(rows: int = 60, seed: int = 0, classes=("a", "b", "c")) -> pd.DataFrame:
    """A small, learnable table: two numeric columns, one categorical, a class target."""
    rng = np.random.default_rng(seed)
    label = rng.choice(list(classes), size=rows)
    centre = {c: i * 3.0 for i, c in enumerate(classes)}
    return pd.DataFrame(
        {
            "x1": [centre[c] + rng.normal(0, 0.5) for c in label],
            "x2": rng.normal(10, 2, size=rows),
            "colour": rng.choice(["red", "green"], size=rows),
            "label": label,
        }
    )


@pytest.fixture
def table() -> pd.DataFrame:
    return make_table()


@pytest.fixture(scope="session")
def prefect_api():
    """A real Prefect server for this test session (temporary database); yields its API URL."""
    from prefect import get_client
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(get_client().api_url).rstrip("/")
