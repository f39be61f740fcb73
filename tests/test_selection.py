from archflow.modalities.tabular import measure_tabular
from archflow.selection import DataFacts, select_architecture


def facts(rows=300, width=10, task="multiclass", counts=None):
    counts = counts if counts is not None else ({"a": 100, "b": 100, "c": 100} if task != "regression" else {})
    return DataFacts("tabular", task, rows, width, 0, width, counts)


def test_head_and_loss_follow_the_task():
    heads = {t: select_architecture(facts(task=t, counts={"a": 5, "b": 5} if t == "binary" else None), "why", "auto", "auto").head for t in ("binary", "multiclass", "regression")}
    assert heads["binary"] == {"activation": "sigmoid", "loss": "binary_crossentropy", "units": 1}
    assert heads["multiclass"] == {"activation": "softmax", "loss": "categorical_crossentropy", "units": 3}
    assert heads["regression"] == {"activation": "linear", "loss": "mean_squared_error", "units": 1}


def test_depth_and_regularisation_follow_data_size():
    small = select_architecture(facts(rows=300), "why", "auto", "auto")
    large = select_architecture(facts(rows=50_000, width=100), "why", "auto", "auto")
    assert small.architecture == large.architecture == "mlp"
    assert small.hyperparameters["hidden_layers"] < large.hyperparameters["hidden_layers"]
    assert small.hyperparameters["dropout"] <= large.hyperparameters["dropout"] or small.hyperparameters["l2"] > large.hyperparameters["l2"]
    assert large.hyperparameters["units"] == 256 and small.hyperparameters["units"] == 32
    assert any("300 training rows" in r for r in small.reasons)


def test_imbalance_strategy_follows_ratio_and_size():
    def strategy(rows, counts):
        return select_architecture(facts(rows=rows, counts=counts, task="binary"), "why", "auto", "auto").imbalance

    assert strategy(50_000, {"a": 40_000, "b": 10_000}) == "undersample"
    assert strategy(500, {"a": 450, "b": 50}) == "oversample"
    assert strategy(8_000, {"a": 7_700, "b": 300}) == "class_weight"


def test_imbalance_strategy_by_ratio_or_params():
    balanced = select_architecture(facts(), "why", "auto", "auto")
    skewed = select_architecture(facts(rows=3000, counts={"a": 2700, "b": 300}, task="binary"), "why", "auto", "auto")
    forced = select_architecture(facts(counts={"a": 90, "b": 10}, task="binary"), "why", "auto", "undersample")
    assert (balanced.imbalance, skewed.imbalance, forced.imbalance) == ("none", "class_weight", "undersample")
    assert any("ratio 9.0" in r for r in skewed.reasons)


def test_measured_on_training_rows(table):
    measured = measure_tabular(table, "label", "multiclass")
    assert measured.examples == 60 and measured.encoded_width == 2 + 2
    assert sum(measured.class_counts.values()) == 60


def sequence_facts(length, rows=100, channels=1):
    details = {"length_max": length, "length_median": length, "length_min": length // 2, "channels": channels}
    return DataFacts("sequence", "binary", rows, 0, 0, 0, {"a": rows // 2, "b": rows // 2}, details)


def test_sequence_architecture_follows_length_and_reasons_name_length_and_channels():
    long = select_architecture(sequence_facts(150, channels=3), "why", "auto", "auto")
    short = select_architecture(sequence_facts(24), "why", "auto", "auto")
    assert long.architecture == "fcn" and short.architecture == "sequence_rnn" and short.hyperparameters["bidirectional"]
    assert any("150 >= 64 steps" in r for r in long.reasons) and any("3 channel(s)" in r for r in long.reasons)
    forced = select_architecture(sequence_facts(150), "why", "sequence_rnn", "auto")
    assert forced.architecture == "sequence_rnn" and "cell" in forced.hyperparameters


def forecast_facts(horizon):
    spec = {"time_column": "t", "id_column": "", "channels": ["y"], "lookback": 24, "horizon": horizon, "season": 12, "normalization": "ratio", "cv": "expanding"}
    details = {"spec": spec, "series": 1, "steps_min": 132, "steps_max": 132, "season_reason": "monthly time stamps: seasonal period 12", "lookback_set": False, "positive": True}
    return DataFacts("timeseries", "forecast", 97, 1, 0, 24, {}, details)


def test_multi_step_horizons_get_the_encoder_decoder_and_one_step_a_stacked_rnn():
    multi = select_architecture(forecast_facts(12), "forecasting", "auto", "auto")
    one = select_architecture(forecast_facts(1), "forecasting", "auto", "auto")
    assert multi.architecture == "encoder_decoder" and multi.hyperparameters["horizon"] == 12 and multi.head["units"] == 12
    assert one.architecture == "stacked_rnn" and one.head == {"activation": "linear", "loss": "mean_squared_error", "units": 1}
    assert any("horizon 12" in r for r in multi.reasons) and any("look-back 24" in r for r in multi.reasons) and any("1 channel(s)" in r for r in multi.reasons)
    assert multi.imbalance == "none"
