"""The bad-input matrix: settings, files and prediction rows that a user (or an attacker) can
hand archflow. Each case must stop with a message that names the problem and the key or file,
as a named error (no traceback, no crash state), and leave the last good model, metrics and
prepared data byte-for-byte as they were.

One good run (tiny settings, real Prefect, Great Expectations and TensorFlow) sets the scene;
most cases stop before training, so the matrix is quick.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import make_table

pytestmark = pytest.mark.slow

TINY = {"train": {"folds": 2, "epochs": 3, "patience": 2}, "validate": {"min_rows": 10}, "compute": {"scheduler": "serial"}}
GOOD = {**TINY, "data": {"source": "data/raw/good.csv", "target": "label"}}
KEPT = ("models", "metrics", "data/prepared")
CRASH = ("encountered an exception", "Traceback")


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for folder in KEPT for p in sorted((root / folder).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory, prefect_api):
    """A project folder after one good run on a small table."""
    from archflow.settings import settings_from_dict
    from tests.stages import run_all_stages

    root = tmp_path_factory.mktemp("bad-inputs")
    (root / "data/raw").mkdir(parents=True)
    make_table(rows=120, seed=4).to_csv(root / "data/raw/good.csv", index=False)
    (root / "params.yaml").write_text(yaml.safe_dump(GOOD))
    before = os.getcwd()
    os.chdir(root)
    try:
        run_all_stages(settings_from_dict(GOOD, root))
        assert (root / "models/candidate/model.keras").exists()
        yield root
    finally:
        os.chdir(before)


def merged(base: dict, changes: dict) -> dict:
    result = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for key, value in changes.items():
        result[key] = {**result.get(key, {}), **value} if isinstance(value, dict) else value
    return result


# ---- settings: refused by `archflow run` before any stage starts ----------------------------

SETTINGS = {
    "negative learning rate": ({"train": {"learning_rate": -1}}, "'train.learning_rate' = -1: should be greater than 0"),
    "negative patience": ({"train": {"patience": -5}}, "'train.patience' = -5"),
    "zero batch size": ({"train": {"batch_size": "0"}}, "'train.batch_size' = '0'"),
    "negative seed": ({"seed": -1}, "'seed' = -1"),
    "negative range margin": ({"validate": {"range_margin": -1}}, "'validate.range_margin'"),
    "unknown architecture": ({"model": {"architecture": "nonsense"}}, "'model.architecture' = 'nonsense': should be 'auto', 'mlp'"),
    "architecture for another modality": ({"data": {"modality": "tabular"}, "model": {"architecture": "cnn"}}, "does not suit data.modality tabular"),
    "unknown task": ({"data": {"task": "binry"}}, "'data.task' = 'binry'"),
    "test size above one": ({"split": {"test_size": 1.5}}, "'split.test_size' = 1.5"),
    "one fold": ({"train": {"folds": 1}}, "'train.folds' = 1: should be greater than or equal to 2"),
    "zero epochs": ({"train": {"epochs": 0}}, "'train.epochs' = 0"),
    "source outside the project": ({"data": {"source": "../anything.csv"}}, "outside the project"),
    "source at /etc": ({"data": {"source": "/etc"}}, "'data.source' = '/etc' resolves to /etc, outside the project"),
    "unknown example name": ({"data": {"source": "penguin", "target": "auto"}}, "'data.source' = 'penguin' is neither a bundled example"),
    "misspelt key": ({"train": {"epoch": 3}}, "unknown key 'train.epoch'; known: ['folds', 'epochs'"),
    "switch that is not a boolean": ({"image": {"flip": "no"}}, "'image.flip' = 'no': should be a valid boolean"),
    "image size of one number": ({"image": {"size": [32]}}, "'image.size'"),
    "horizon that is not a number": ({"series": {"horizon": "soon"}}, "'series.horizon' = 'soon'"),
    "negative tolerance": ({"promote": {"tolerance": -1}}, "'promote.tolerance'"),
    "unknown gate metric": ({"promote": {"metric": "speed"}}, "'promote.metric' = 'speed'"),
    "unknown imbalance strategy": ({"train": {"imbalance": "smote"}}, "'train.imbalance' = 'smote'"),
    "learning rate as text": ({"train": {"learning_rate": "fast"}}, "'train.learning_rate' = 'fast': should be a valid number"),
}


@pytest.mark.parametrize("name", SETTINGS)
def test_bad_settings_stop_the_run_naming_the_key(name, project, capsys):
    from flows.pipeline import main

    changes, expected = SETTINGS[name]
    before = digests(project)
    (project / "params.yaml").write_text(yaml.safe_dump(merged(GOOD, changes)))
    try:
        code = main([])
    finally:
        (project / "params.yaml").write_text(yaml.safe_dump(GOOD))
    message = capsys.readouterr().err
    assert code == 1 and expected in message, message
    assert message.startswith("archflow run stopped: params.yaml") and not any(c in message for c in CRASH)
    assert digests(project) == before


def test_params_that_are_not_yaml_are_named(project, capsys):
    from flows.pipeline import main

    (project / "params.yaml").write_text("train: [unclosed\n")
    try:
        code = main([])
    finally:
        (project / "params.yaml").write_text(yaml.safe_dump(GOOD))
    assert code == 1 and "params.yaml is not valid YAML" in capsys.readouterr().err


# ---- data: each stops at a stage with a named error ------------------------------------------


def spoil(column, value, row=3):
    def write(root):
        frame = make_table(rows=120, seed=4)
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
        frame.to_csv(root / "data/raw/good.csv", index=False)

    return write


def table_file(name, frame_or_text):
    def write(root):
        path = root / "data/raw" / name
        if isinstance(frame_or_text, (str, bytes)):
            path.write_bytes(frame_or_text if isinstance(frame_or_text, bytes) else frame_or_text.encode())
        elif name.endswith(".parquet"):
            frame_or_text.to_parquet(path)
        else:
            frame_or_text.to_csv(path, index=False)

    return write


class RunsCode:
    def __reduce__(self):
        return (os.system, ("touch pickle-ran",))


def pickle_npz(root):
    y = np.empty(30, dtype=object)
    y[:] = [RunsCode() for _ in range(30)]
    np.savez(root / "data/raw/evil.npz", x=np.zeros((30, 5), dtype="float32"), y=y)


def object_images_npz(root):
    x = np.empty(30, dtype=object)
    x[:] = [np.zeros((4, 4), dtype="uint8")] * 30
    np.savez(root / "data/raw/objects.npz", x=x, y=np.array(["a", "b"] * 15))


def image_folder(broken: str = "", size: int = 8):
    def write(root):
        from PIL import Image

        rng = np.random.default_rng(0)
        for label in ("a", "b"):
            folder = root / "data/raw/pics" / label
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(12):
                Image.fromarray((rng.random((size, size)) * 255).astype("uint8")).save(folder / f"{i}.png")
        if broken:
            data = (root / "data/raw/pics/a/0.png").read_bytes()
            (root / "data/raw/pics/a/0.png").write_bytes(data[: len(data) // 2])

    return write


def empty_folder(root):
    (root / "data/raw/nothing/a").mkdir(parents=True, exist_ok=True)
    (root / "data/raw/nothing/a/notes.txt").write_text("no images here")


ids = make_table(rows=120, seed=4).assign(label=[f"id-{i}" for i in range(120)])
DATA = {
    "an empty file": (table_file("empty.csv", ""), {"source": "data/raw/empty.csv"}, "ingest", "data/raw/empty.csv: the file is empty"),
    "a header without rows": (table_file("header.csv", "x1,x2,label\n"), {"source": "data/raw/header.csv"}, "ingest", "no data rows"),
    "a file that is not there": (None, {"source": "data/raw/nope.csv"}, "ingest", "data/raw/nope.csv: file not found"),
    "an unsupported file type": (table_file("notes.txt", "a,b\n1,2\n"), {"source": "data/raw/notes.txt"}, "ingest", "unsupported file type '.txt'"),
    "binary garbage named .parquet": (table_file("junk.parquet", b"\x00\x01garbage" * 50), {"source": "data/raw/junk.parquet"}, "ingest", "data/raw/junk.parquet: cannot be read as parquet"),
    "duplicate column names": (table_file("dup.csv", "x1,x1,label\n1,2,a\n3,4,b\n"), {"source": "data/raw/dup.csv"}, "ingest", "column name(s) ['x1'] appear more than once"),
    "a list column in Parquet": (table_file("lists.parquet", pd.DataFrame({"x": [[1, 2], [3]] * 20, "label": ["a", "b"] * 20})), {"source": "data/raw/lists.parquet"}, "ingest", "column(s) ['x'] hold lists or records"),
    "a pickled object in an NPZ": (pickle_npz, {"source": "data/raw/evil.npz"}, "ingest", "array 'y' holds Python objects, which archflow never unpickles"),
    "an object-array NPZ read as images": (object_images_npz, {"source": "data/raw/objects.npz", "modality": "image"}, "ingest", "array 'x' holds Python objects"),
    "an NPZ without labels": (lambda r: np.savez(r / "data/raw/nolabels.npz", x=np.zeros((30, 5), dtype="float32")), {"source": "data/raw/nolabels.npz"}, "ingest", "needs 'y' and either 'x' or 'values' with 'lengths'"),
    "ragged lengths that do not add up": (lambda r: np.savez(r / "data/raw/ragged.npz", values=np.zeros(10), lengths=np.array([3, 3]), y=np.array(["a", "b"])), {"source": "data/raw/ragged.npz"}, "ingest", "add up to the 10 rows of 'values'"),
    "a folder without images": (empty_folder, {"source": "data/raw/nothing", "target": "label"}, "ingest", "no images found"),
    "a truncated image on a first run": (image_folder(broken="a/0.png"), {"source": "data/raw/pics", "target": "label"}, "validate", "1 image(s) cannot be decoded (corrupt or truncated); e.g. a/0.png"),
    "images over the pixel limit": (image_folder(size=16), {"source": "data/raw/pics", "target": "label", "image": {"max_pixels": 100}}, "validate", "have more than image.max_pixels (100) pixels"),
    "text in a numeric column": (spoil("x2", "twelve"), {}, "validate", "column 'x2' should be numeric"),
    "a missing target value": (spoil("label", None), {}, "validate", "target column 'label' has 1 missing values"),
    "an infinite value": (spoil("x1", float("inf")), {}, "validate", "column 'x1' has 1 values outside"),
    "an unseen category": (spoil("colour", "ultraviolet"), {}, "validate", "column 'colour' has 1 values outside the allowed set"),
    "a renamed column": (lambda r: make_table(rows=120, seed=4).rename(columns={"x2": "x_two"}).to_csv(r / "data/raw/good.csv", index=False), {}, "validate", "columns differ from the schema: missing ['x2'], unexpected ['x_two']"),
    "a single class": (lambda r: make_table(rows=120, seed=4).assign(label="a").to_csv(r / "data/raw/good.csv", index=False), {}, "validate", "has 1 class(es)"),
    "too few rows": (lambda r: make_table(rows=120, seed=4).head(6).to_csv(r / "data/raw/good.csv", index=False), {}, "validate", "6 rows; at least 10 are needed"),
    "an all-missing target": (table_file("blank.csv", make_table(rows=40).assign(label=None)), {"source": "data/raw/blank.csv"}, "validate", "target column 'label' (data.target) has no values: all 40 rows are missing"),
    "a target that is not there": (table_file("other.csv", make_table(rows=40)), {"source": "data/raw/other.csv", "target": "species"}, "validate", "target column 'species' (data.target) is missing"),
    "an identifier as the target": (table_file("ids.csv", ids), {"source": "data/raw/ids.csv"}, "validate", "is 'label' an identifier rather than a label?"),
    "a forced binary task on three classes": (table_file("three.csv", make_table(rows=120, seed=5)), {"source": "data/raw/three.csv", "task": "binary"}, "validate", "data/raw/three.csv: data.task is binary but target 'label' has 3 classes"),
    "a forced regression on labels": (table_file("labels.csv", make_table(rows=120, seed=6)), {"source": "data/raw/labels.csv", "task": "regression"}, "validate", "data/raw/labels.csv: data.task is regression but target 'label' is not numeric"),
}


@pytest.mark.parametrize("name", DATA)
def test_bad_data_stops_at_a_stage_with_a_named_error(name, project):
    from archflow.settings import settings_from_dict
    from flows.stages import STAGE_FLOWS

    write, data, stage, expected = DATA[name]
    before = digests(project)
    try:
        if write:
            write(project)
        image = data.pop("image", None) if "image" in data else None
        values = merged(GOOD, {"data": data, **({"image": image} if image else {})})
        settings = settings_from_dict(values, project)
        failed = None
        for current in ("ingest", "validate", "preprocess"):
            state = STAGE_FLOWS[current](settings, return_state=True)
            if not state.is_completed():
                failed = (current, state.message or "")
                break
    finally:
        make_table(rows=120, seed=4).to_csv(project / "data/raw/good.csv", index=False)
        if image:
            data["image"] = image
    assert failed is not None, f"{name}: every stage passed"
    assert failed[0] == stage and expected in failed[1], failed
    assert not any(c in failed[1] for c in CRASH) and "None values" not in failed[1], failed[1]
    assert digests(project) == before, "the last good model, metrics and prepared data are untouched"
    assert not (project / "pickle-ran").exists()


# ---- prediction: rows checked against the model's inputs ------------------------------------

PREDICT = {
    "text in a numeric column": (lambda f: f.assign(x2=f["x2"].astype(object).where(f.index != 1, "deep")), [], 1, "column 'x2' should be numeric but has 1 other value(s), e.g. 'deep' (row 1)"),
    "an unseen category": (lambda f: f.assign(colour=f["colour"].where(f.index != 2, "ultraviolet")), [], 1, "column 'colour' has 1 value(s) the model never saw in training, e.g. 'ultraviolet' (row 2)"),
    "a missing column, even with warn": (lambda f: f.drop(columns="colour"), ["--on-bad-rows", "warn"], 1, "missing input column(s) ['colour']"),
    "an unseen category with warn": (lambda f: f.assign(colour=f["colour"].where(f.index != 2, "ultraviolet")), ["--on-bad-rows", "warn"], 0, "warning: "),
    "an empty rows file": (lambda f: f.head(0), [], 1, "the file has a header but no data rows"),
}


@pytest.mark.parametrize("name", PREDICT)
def test_predict_checks_rows_against_the_model(name, project, capsys):
    from flows.cli import main

    change, flags, code, expected = PREDICT[name]
    change(make_table(rows=6, seed=9).drop(columns="label")).to_csv(project / "rows.csv", index=False)
    assert main(["predict", "rows.csv", "--model", "models/candidate", *flags]) == code
    captured = capsys.readouterr()
    assert expected in captured.err, captured.err
    assert not any(c in captured.err for c in CRASH)


def test_predict_without_a_model_names_the_folder(project, capsys):
    from flows.cli import main

    make_table(rows=3).to_csv(project / "rows.csv", index=False)
    assert main(["predict", "rows.csv", "--model", "models/nothing-here"]) == 1
    assert "no trained model in models/nothing-here/" in capsys.readouterr().err
