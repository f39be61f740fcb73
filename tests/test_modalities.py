"""The modality registry: one module per modality behind one contract, and the stages that ask it
(selection, baselines, prediction) never branch on a modality's name."""

import ast
from pathlib import Path

from archflow.modalities import REGISTRY, architecture_names, modality_named
from archflow.modalities.base import Modality
from archflow.settings import settings_from_dict

ROOT = Path(__file__).resolve().parents[1]
MODALITY_MODULES = {f"archflow/modalities/{name}.py" for name in ("tabular", "image", "text", "sequence", "timeseries")}
OUTSIDE_THE_MODALITIES = sorted(
    str(path.relative_to(ROOT)) for folder in ("archflow", "tasks", "flows") for path in (ROOT / folder).rglob("*.py") if str(path.relative_to(ROOT)) not in MODALITY_MODULES
)


def compared_constants(node: ast.Compare) -> list:
    """The literal values a comparison tests against, inside tuples, lists and sets too."""
    found = []
    for side in [node.left, *node.comparators]:
        items = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
        found += [item.value for item in items if isinstance(item, ast.Constant)]
    return found


def test_every_modality_is_registered_once_with_its_rules_and_its_setting():
    assert set(REGISTRY) == {"tabular", "image", "text", "sequence", "timeseries"}
    for name, modality in REGISTRY.items():
        assert modality.name == name and modality_named(name) is modality
        for method in ("measure", "keyed_inputs", "detect", "rules"):
            assert getattr(type(modality), method) is not getattr(Modality, method), f"{name} lacks {method}"
        assert settings_from_dict({"data": {"modality": name}, "model": {"architecture": modality.architectures[0]}}).data.modality == name
    names = architecture_names()
    assert len(names) == len(set(names)), "two modalities claim one architecture name"


def test_no_code_outside_the_modality_modules_compares_a_modality_name():
    assert len(OUTSIDE_THE_MODALITIES) > 40 and "tasks/select.py" in OUTSIDE_THE_MODALITIES and "archflow/modalities/__init__.py" in OUTSIDE_THE_MODALITIES
    for path in OUTSIDE_THE_MODALITIES:
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if isinstance(node, ast.Compare):
                named = set(compared_constants(node)) & set(REGISTRY)
                assert not named, f"{path}:{node.lineno} compares the modality name(s) {sorted(named)}: ask archflow.modalities instead"


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


def test_a_model_description_from_before_bags_still_loads(tmp_path):
    """A production model saved before `final_model` existed stays readable (and comparable)."""
    import dataclasses
    import json

    from archflow.handoffs import ModelDescription, load_record

    old = {"task": "binary", "target": "y", "classes": ["a", "b"], "modality": "tabular", "inputs": {}, "architecture": "mlp", "final_epochs": 12, "phase_epochs": None,
           "device": "CPU", "train_rows": 100, "folds": 5, "learning_rate": 0.003, "patience": 25, "epochs_cap": 300, "batch_size": 32, "seed": 42, "best_epochs": [12] * 5}
    (tmp_path / "metadata.json").write_text(json.dumps(old))
    described = load_record(ModelDescription, tmp_path / "metadata.json")
    assert described.final_model == "refit" and dataclasses.asdict(described) == {**old, "final_model": "refit", "final_note": ""}
