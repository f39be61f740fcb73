from archflow.selection import DataFacts, measure_tabular, select_architecture


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
    assert measured.rows == 60 and measured.encoded_width == 2 + 2
    assert sum(measured.class_counts.values()) == 60
