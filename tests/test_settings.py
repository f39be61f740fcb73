import pytest

from archflow.errors import SettingsError
from archflow.settings import load_settings, settings_from_dict


def test_project_params_load_with_documented_names():
    settings = load_settings("params.yaml")
    assert settings.data.source == "penguins"
    assert settings.data.target == "species"  # auto: the bundled example's own target
    assert settings.train.folds >= 2 and settings.train.epochs >= 1
    assert isinstance(settings.seed, int)


def test_unknown_key_is_an_error_naming_it():
    with pytest.raises(SettingsError, match="epoch"):
        settings_from_dict({"train": {"epoch": 3}})


def test_bad_choice_and_ranges_are_errors():
    with pytest.raises(SettingsError, match="train.imbalance"):
        settings_from_dict({"train": {"imbalance": "smote"}})
    with pytest.raises(SettingsError, match="folds"):
        settings_from_dict({"train": {"folds": 1}})
    with pytest.raises(SettingsError, match="test_size"):
        settings_from_dict({"split": {"test_size": 1.5}})


def test_target_auto_resolves_for_examples_and_is_required_for_files():
    assert settings_from_dict({"data": {"source": "diabetes"}}).data.target == "progression"
    assert settings_from_dict({"data": {"source": "x.csv", "target": "y"}}).data.target == "y"
    with pytest.raises(SettingsError, match="data.target"):
        settings_from_dict({"data": {"source": "data/raw/x.csv"}})


def test_settings_are_frozen():
    settings = settings_from_dict({})
    with pytest.raises(Exception):
        settings.seed = 3  # type: ignore[misc]


def test_every_bad_setting_is_named_in_one_message():
    bad = {"seed": -1, "train": {"learning_rate": -1, "patience": -5, "batch_size": "0", "epochs": 0}, "validate": {"range_margin": -1}, "promote": {"tolerance": -0.1, "metric": "speed"}}
    with pytest.raises(SettingsError) as error:
        settings_from_dict(bad)
    message = str(error.value)
    assert "8 bad settings" in message, message
    for key in ("'seed'", "'train.learning_rate'", "'train.patience'", "'train.batch_size'", "'train.epochs'", "'validate.range_margin'", "'promote.tolerance'", "'promote.metric'"):
        assert key in message


def test_switches_must_be_true_or_false_and_image_size_two_numbers():
    with pytest.raises(SettingsError, match="image.flip"):
        settings_from_dict({"image": {"flip": "no"}})
    with pytest.raises(SettingsError, match="image.size"):
        settings_from_dict({"image": {"size": [32]}})


def test_the_defaults_in_code_are_the_defaults_in_params_yaml():
    import yaml

    from archflow.settings import Settings, _build

    assert _build(yaml.safe_load(open("params.yaml"))) == Settings()


def test_a_forced_task_must_fit_the_target():
    import pandas as pd

    from archflow.target import detect_task
    from archflow.errors import DataError

    with pytest.raises(DataError, match="data.task is binary but target 'species' has 3 classes"):
        detect_task(pd.Series(["a", "b", "c"], name="species"), "binary")
    with pytest.raises(DataError, match="regression"):
        detect_task(pd.Series(["a", "b"], name="y"), "regression")
    assert detect_task(pd.Series([1.5, 2.5, 3.0], name="y"), "regression")[0] == "regression"
