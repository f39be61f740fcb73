"""The validate stage on bad ordered data: it fails with a message naming the file and the
problem, and nothing downstream is written (real Prefect, Great Expectations, no training)."""

from pathlib import Path

import pytest

from tests.test_forecasting import monthly
from archflow.sequences import arrays_to_long
from tests.test_sequences import waves


def run_until_validate(settings):
    from flows.stages import STAGE_FLOWS

    assert STAGE_FLOWS["ingest"](settings, return_state=True).is_completed()
    return STAGE_FLOWS["validate"](settings, return_state=True)


@pytest.mark.slow
def test_duplicated_timestamps_and_ragged_channels_stop_at_validate(tmp_path, prefect_api, monkeypatch):
    from tests.stages import tiny_settings

    monkeypatch.chdir(tmp_path)
    Path("data/raw").mkdir(parents=True)
    frame = monthly(48)
    frame.loc[20, "month"] = frame.loc[19, "month"]
    frame.to_csv("data/raw/sales.csv", index=False)
    state = run_until_validate(tiny_settings(source="data/raw/sales.csv", target="sales"))
    assert state.is_failed()
    assert "data/raw/sales.csv" in state.message and "duplicated time stamp" in state.message and "row 20 (2001-08)" in state.message

    arrays, labels = waves(30)
    arrays[4] = arrays[4][:, :1]
    arrays_to_long(arrays, labels).to_csv("data/raw/waves.csv", index=False)  # a long table: one row per step
    state = run_until_validate(tiny_settings(source="data/raw/waves.csv", target="label"))
    assert state.is_failed()
    assert "data/raw/waves.csv" in state.message and "inconsistent channel counts" in state.message and "sequence 4" in state.message
    assert not Path("data/prepared").exists() and not Path("models").exists()
    assert not Path("schemas/waves.yaml").exists()  # a schema is kept only from good data
