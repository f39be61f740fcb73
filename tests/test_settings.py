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
