"""The modality registry: one module per modality behind one contract, and the stages that ask it
(selection, baselines, prediction) never branch on a modality's name."""

import ast
import typing
from pathlib import Path

from archflow.modalities import REGISTRY, modality_named
from archflow.modalities.base import Modality
from archflow.selection import ARCHITECTURES
from archflow.settings import DataSettings

ROOT = Path(__file__).resolve().parents[1]
ASKS_THE_REGISTRY = ["tasks/select.py", "tasks/preprocess.py", "archflow/baselines.py", "archflow/predict.py", "archflow/modalities/__init__.py", "archflow/modalities/base.py"]


def test_every_modality_is_registered_once_with_its_rules_and_its_setting():
    settable = set(typing.get_args(typing.get_type_hints(DataSettings)["modality"])) - {"auto"}
    assert set(REGISTRY) == set(ARCHITECTURES) == settable
    for name, modality in REGISTRY.items():
        assert modality.name == name and modality_named(name) is modality
        assert type(modality).measure is not Modality.measure and type(modality).keyed_inputs is not Modality.keyed_inputs, name


def test_stages_that_ask_the_registry_never_compare_a_modality_name():
    for path in ASKS_THE_REGISTRY:
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if isinstance(node, ast.Compare):
                constants = [c.value for c in [node.left, *node.comparators] if isinstance(c, ast.Constant)]
                assert not set(constants) & set(REGISTRY), f"{path}:{node.lineno} compares a modality name: ask archflow.modalities instead"


def test_an_unknown_modality_is_named():
    try:
        modality_named("audio")
    except ValueError as error:
        assert "audio" in str(error) and "tabular" in str(error)
    else:
        raise AssertionError("an unknown modality was accepted")


def test_hand_offs_round_trip_and_refuse_a_foreign_file(tmp_path):
    from archflow.handoffs import SplitInfo, load_record, save_record
    from archflow.selection import ArchitectureChoice

    split = SplitInfo("text", "a free-text column", {"column": "review"}, "binary", "two classes", "a seeded split", 80, 20, 101, 1, ["id"])
    save_record(split, tmp_path / "split.json")
    assert load_record(SplitInfo, tmp_path / "split.json") == split
    choice = ArchitectureChoice("bigru", "binary", "text", {"units": 1}, {"units": 32}, {"column": "review"}, "none", 32, ["no", "yes"], ["why"], {"rows": 80}, {"warmup_epochs": 0})
    save_record(choice, tmp_path / "selection.json")
    assert load_record(ArchitectureChoice, tmp_path / "selection.json") == choice
    try:
        load_record(ArchitectureChoice, tmp_path / "split.json")
    except ValueError as error:
        assert "does not hold ArchitectureChoice" in str(error)
    else:
        raise AssertionError("a split was read as a selection")


def test_tables_get_a_strong_baseline_that_a_linear_one_misses():
    import numpy as np
    import pandas as pd

    from archflow.baselines import baseline_scores

    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(600, 4))
    frame = pd.DataFrame(x, columns=["a", "b", "c", "d"]).assign(colour=rng.choice(["red", "green", None], 600))
    frame["y"] = x[:, 0] * x[:, 1] + np.sin(3 * x[:, 2]) * x[:, 3]  # interactions only
    frame.loc[::7, "a"] = np.nan
    train, test = frame.iloc[:500], frame.iloc[500:].assign(colour="blue")  # a category never seen in training
    scores = baseline_scores(train, test, "y", "regression", [], False, {"modality": "tabular"})
    assert set(scores) == {"mean", "linear", "gradient_boosting"}
    assert scores["gradient_boosting"]["rmse"] < 0.7 * scores["linear"]["rmse"], scores

    labels = frame.assign(y=np.where(frame["y"] > 0, "up", "down"))
    classes = baseline_scores(labels.iloc[:500], labels.iloc[500:], "y", "binary", ["down", "up"], True, {"modality": "tabular"})
    assert set(classes) == {"majority", "logistic", "gradient_boosting"}
    assert classes["gradient_boosting"]["balanced_accuracy"] > classes["logistic"]["balanced_accuracy"] + 0.1, classes
