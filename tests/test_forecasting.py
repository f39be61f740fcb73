"""Forecasting: time checks, time-ordered folds that never look ahead, and an end-to-end run
on a tiny seasonal series made here."""

import numpy as np
import pandas as pd
import pytest

from archflow.forecasting import ForecastPreprocessor, ForecastSpec, fold_windows, holdout_windows, make_windows, seasonal_naive, time_folds
from archflow.modalities import find_layout
from archflow.schema import infer_schema
from archflow.settings import settings_from_dict
from archflow.timeseries import fill_missing, season_length, split_last_steps, time_numbers
from archflow.validation import requirements_for, validate_frame

DEFAULTS = settings_from_dict({"data": {"source": "data/raw/table.csv", "target": "sales"}})  # layout found by auto-detection


def monthly(months: int = 72, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    values = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, months)
    stamps = pd.period_range("2000-01", periods=months, freq="M").astype(str)
    return pd.DataFrame({"month": stamps, "sales": values})


def spec(lookback: int = 12, horizon: int = 3, cv: str = "expanding") -> ForecastSpec:
    return ForecastSpec("month", "", ["sales"], lookback, horizon, 12, "ratio", cv)


def validate(frame: pd.DataFrame, fill: str = "ffill"):
    layout = find_layout(monthly(), "sales", DEFAULTS)
    schema = infer_schema(monthly(), "m", "sales", "auto", 0.5, 50, layout)
    return validate_frame(frame, schema, requirements_for(2, 0.2, 10), series_policy={"fill": fill, "max_gap": 1.5})


def test_the_time_column_and_season_are_found():
    frame = monthly()
    assert find_layout(frame, "sales", DEFAULTS) == {"kind": "timeseries", "time_column": "month", "id_column": "", "target_may_be_missing": True}
    assert season_length(frame, "month", "", "auto")[0] == 12


def test_a_clean_series_passes_validation():
    summary = validate(monthly())
    assert summary["success"], summary["failures"]


def test_duplicated_timestamps_fail_validation_naming_them():
    frame = monthly()
    frame.loc[10, "month"] = frame.loc[9, "month"]
    problems = [f["problem"] + str(f["examples"]) for f in validate(frame)["failures"]]
    assert any("1 duplicated time stamp(s)" in p and "row 10 (2000-10)" in p for p in problems), problems


def test_unordered_timestamps_fail_validation():
    frame = monthly()
    frame.iloc[[20, 21]] = frame.iloc[[21, 20]].to_numpy()
    problems = [f["problem"] for f in validate(frame)["failures"]]
    assert any("not in order" in p for p in problems), problems


def test_gaps_and_unfilled_missing_targets_fail_validation():
    frame = monthly().drop(index=[30, 31]).reset_index(drop=True)
    frame.loc[0, "sales"] = np.nan  # nothing before it to fill from
    problems = [f["problem"] for f in validate(frame)["failures"]]
    assert any("gap(s) longer than 1.5" in p for p in problems) and any("missing value(s) left after the fill policy 'ffill'" in p for p in problems), problems


def test_forward_fill_uses_only_earlier_steps():
    frame = pd.DataFrame({"k": ["a"] * 4 + ["b"] * 2, "v": [1.0, np.nan, 3.0, np.nan, np.nan, 5.0]})
    filled = fill_missing(frame, ["v"], "k", "ffill")["v"].tolist()
    assert filled[:4] == [1.0, 1.0, 3.0, 3.0] and np.isnan(filled[4]) and filled[5] == 5.0


@pytest.mark.parametrize("cv", ["expanding", "sliding"])
def test_no_window_reaches_past_the_start_of_its_fold(cv):
    frame, s = monthly(), spec(cv=cv)
    windows = make_windows(frame, s)
    blocks = time_folds(frame, s, folds=3)
    assert [b[0] for b in blocks] == sorted(b[0] for b in blocks)
    for start, end in blocks:
        train, validation = fold_windows(windows, start, end, s, blocks[0][0])
        assert len(train) and len(validation)
        assert (windows.last[train] < start).all()  # inputs and targets of training windows
        assert (windows.first[validation] < windows.origin[validation]).all()
        assert (windows.inputs.shape[1] == s.lookback)
        # a validation window's inputs are the steps just before its own origin, never after it
        times = time_numbers(frame["month"])
        for row in validation:
            origin = int(np.searchsorted(times, windows.origin[row]))
            np.testing.assert_array_equal(windows.inputs[row, :, 0], frame["sales"].to_numpy("float32")[origin - s.lookback : origin])
        assert (windows.origin[validation] >= start).all() and (windows.last[validation] <= end).all()
        # the scaling of this fold sees only the training windows' steps
        prep = ForecastPreprocessor(s).fit(windows.take(train))
        assert prep.fitted_until_ < start


def test_holdout_is_the_last_stretch_and_baseline_is_one_season_back():
    frame, s = monthly(), spec(horizon=3)
    train, test = split_last_steps(frame, "month", 3)
    assert test["month"].tolist() == ["2005-10", "2005-11", "2005-12"] and len(train) == 69
    windows = holdout_windows(train, test, s)
    assert len(windows) == 1 and np.allclose(windows.targets[0], test["sales"])
    assert np.allclose(windows.inputs[0, :, 0], train["sales"].to_numpy()[-12:])
    assert np.allclose(seasonal_naive(windows, train, test, s, 12)[0], frame["sales"].to_numpy()[-15:-12])


@pytest.mark.slow
def test_encoder_decoder_end_to_end_on_a_monthly_series(tmp_path, prefect_api, monkeypatch):
    import keras

    from archflow.predict import load_trained
    from tests.stages import run_all_stages, tiny_settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data/raw").mkdir(parents=True)
    monthly(84).to_csv(tmp_path / "data/raw/sales.csv", index=False)
    settings = tiny_settings(source="data/raw/sales.csv", target="sales")
    settings = type(settings)(**{**settings.__dict__, "series": type(settings.series)(time_column="month", horizon="6")})
    metrics = run_all_stages(settings)
    assert set(metrics["test"]) == {"mae", "rmse", "mape", "mase"} and "seasonal_naive" in metrics["baseline"]
    selection = pd.read_json("models/selection.json", typ="series")
    assert selection["architecture"] == "encoder_decoder" and any("horizon 6" in r for r in selection["reasons"])
    trained = load_trained("models/candidate")
    keras.saving.load_model("models/candidate/model.keras", safe_mode=True)
    forecast = trained.predict(monthly(84))
    assert forecast.shape == (1, 6) and np.isfinite(forecast.to_numpy(dtype=float)).all()
    from flows.cli import main

    assert main(["predict", "data/raw/sales.csv", "--model", "models/candidate", "-o", "forecast.csv"]) == 0  # `archflow predict` on the history
    written = pd.read_csv("forecast.csv")
    assert list(written.columns) == ["series"] + [f"step_{h}" for h in range(1, 7)] and np.allclose(written.iloc[0, 1:].to_numpy(float), forecast.iloc[0].to_numpy(float), rtol=1e-5)


def test_windows_of_many_series_stay_within_their_series_and_folds():
    a, b = monthly(48, seed=1).assign(store="a"), monthly(48, seed=2).assign(store="b")
    b["sales"] += 1000  # tells the series apart by level
    frame = pd.concat([a, b], ignore_index=True)
    s = ForecastSpec("month", "store", ["sales"], 12, 3, 12, "ratio")
    windows = make_windows(frame, s)
    assert len(windows) == 2 * (48 - 12 - 3 + 1)
    own = np.where((windows.series == "b")[:, None], windows.inputs[:, :, 0] > 500, windows.inputs[:, :, 0] < 500)
    assert own.all()
    blocks = time_folds(frame, s, folds=2)
    for start, end in blocks:
        train, validation = fold_windows(windows, start, end, s, blocks[0][0])
        assert set(windows.series[validation]) == {"a", "b"} and (windows.last[train] < start).all()


def test_one_step_forecaster_fits_saves_and_reloads(tmp_path):
    import keras

    from archflow.forecast_training import fit_forecaster, forecast
    from archflow.selection import select_architecture
    from archflow.training import TrainingConfig
    from tests.test_selection import forecast_facts

    choice = select_architecture(forecast_facts(1), "forecasting", "auto", "auto")
    assert choice.architecture == "stacked_rnn"
    choice.inputs.update(time_column="month", channels=["sales"], lookback=12)
    windows = make_windows(monthly(), ForecastSpec(**choice.inputs))
    config = TrainingConfig("sales", 2, 1, 1, 0.01, "ignore", 1, 0)
    fit = fit_forecaster(windows, choice, config, seed=0, epochs=1)
    predicted = forecast(fit, windows)
    assert predicted.shape == (len(windows), 1) and np.isfinite(predicted).all()
    fit.model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(reloaded.predict({"window": windows.inputs}, verbose=0), predicted, rtol=1e-5)


def test_interpolation_never_fills_training_steps_from_the_hold_out():
    from archflow.timeseries import fill_split

    frame = monthly(24)
    frame.loc[20, "sales"] = np.nan  # the last training step, next to the hold-out
    train, test = split_last_steps(frame, "month", 3)
    filled_train, filled_test = fill_split(train, test, ["sales"], "", "interpolate")
    assert filled_train["sales"].iloc[-1] == train["sales"].iloc[-2]  # from earlier training steps only
    assert np.allclose(filled_test["sales"], test["sales"])
