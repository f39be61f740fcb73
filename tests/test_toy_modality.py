"""Proof of the plug-in: a sixth modality, written here through the contract alone (no file
outside this test changes), is detected, validated, split, chosen for, trained, evaluated,
promoted and predicted with by the six plain stages.

The toy modality is "spectrum": a column of fixed-length vectors written as space-separated
numbers (one reading per row, as some instruments export them). Its network normalises the
vector with training statistics inside the model and reads it with one dense layer."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd

from tests.project import ROOT

NAME, INPUT = "spectrum", "spectrum"


def register_toy() -> None:
    """Register the spectrum modality and its body (called in the process that runs the stages)."""
    import keras

    from archflow.architectures import register as register_body
    from archflow.modalities import register
    from archflow.modalities.base import Modality
    from archflow.preprocessor import Preprocessor
    from archflow.selection import DataFacts, class_counts

    def vectors(column: pd.Series) -> np.ndarray:
        return np.stack([np.asarray(str(v).split(), dtype="float32") for v in column])

    def vector_column(frame: pd.DataFrame, target: str) -> str | None:
        for column in frame.columns:
            values = frame[column].dropna()
            if column != target and len(values) and values.map(lambda v: isinstance(v, str)).all():
                try:
                    widths = {len(np.asarray(v.split(), dtype="float32")) for v in values}
                except ValueError:
                    continue
                if len(widths) == 1 and widths.pop() >= 8:
                    return column
        return None

    class SpectrumPreprocessor(Preprocessor):
        def __init__(self, column: str, length: int):
            self.column, self.length = column, length

        def fit(self, frame):
            values = vectors(frame[self.column])  # training rows only
            self.mean_, self.variance_ = values.mean(axis=0).tolist(), np.maximum(values.var(axis=0), 1e-6).tolist()
            return self

        def to_inputs(self, frame):
            return {INPUT: vectors(frame[self.column])}

        def describe(self):
            return {"modality": NAME, "column": self.column, "length": self.length}

        def build_encoder(self):
            spectrum = keras.Input(shape=(self.length,), name=INPUT)
            return {INPUT: spectrum}, keras.layers.Normalization(mean=self.mean_, variance=self.variance_, name="scale")(spectrum)

    class Spectrum(Modality):
        name, precedence, architectures = NAME, 5, ("toy_dense",)

        def detect(self, frame, target, layout, forced):
            column = vector_column(frame, target)
            return (f"column '{column}' holds fixed-length vectors: spectra", {"column": column}) if column else None

        def measure(self, train_frame, target, task, settings, found):
            length = vectors(train_frame[found["column"]]).shape[1]
            return DataFacts(NAME, task, len(train_frame), length, 0, length, class_counts(train_frame, target, task), {"column": found["column"], "length": length})

        def rules(self, facts, requested):
            return "toy_dense", {"units": 16}, dict(facts.details), [f"spectra of {facts.details['length']} readings: one dense layer of 16 units"]

        def make_preprocessor(self, inputs, frame, target, unseen, min_category_count):
            return SpectrumPreprocessor(inputs["column"], inputs["length"])

        def keyed_inputs(self, description, frame):
            return {INPUT: vectors(frame[description["column"]])}, frame.index

        def baseline_features(self, inputs, train_frame, test_frame, target):
            from sklearn.preprocessing import StandardScaler

            return vectors(train_frame[inputs["column"]]), vectors(test_frame[inputs["column"]]), StandardScaler()

    @register_body("toy_dense")
    def toy_dense(features, units):
        return keras.layers.Dense(units, activation="relu", name="toy_dense")(features)

    register(Spectrum())


def spectra(rows: int = 240, length: int = 16, seed: int = 0) -> pd.DataFrame:
    """Two classes of noisy readings: a peak in the first or the second half of the vector."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(["early", "late"], size=rows)
    grid = np.arange(length)
    peaks = np.where(labels == "early", length // 4, 3 * length // 4) + rng.integers(-1, 2, size=rows)
    values = np.exp(-0.5 * ((grid[None, :] - peaks[:, None]) / 1.5) ** 2) + rng.normal(0, 0.15, size=(rows, length))
    return pd.DataFrame({"signal": [" ".join(f"{v:.4f}" for v in row) for row in values], "label": labels})


SCRIPT = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
from tests.test_toy_modality import register_toy
register_toy()
import pandas as pd
from archflow.predict import load_trained
from archflow.settings import settings_from_dict
from tasks.ingest import ingest
from tasks.validate import validate
from tasks.preprocess import preprocess
from tasks.select import select
from tasks.train import train
from tasks.evaluate import evaluate

settings = settings_from_dict({"data": {"source": "data/raw/spectra.csv", "target": "label"}, "train": {"folds": 3, "epochs": 30, "patience": 5}, "compute": {"scheduler": "serial"}})
ingest(settings.data, settings.paths)
summary = validate(settings)
split = preprocess(settings)
choice = select(settings)
train(settings)
result = evaluate(settings)
fresh = pd.read_csv("data/raw/spectra.csv").drop(columns=["label"]).head(5)
predicted = load_trained(settings.paths.model).predict(fresh)
print(json.dumps({"checks": summary["checks"], "modality": split["modality"], "architecture": choice["architecture"], "promoted": result["verdict"]["promoted"],
                  "accuracy": result["test"]["accuracy"], "baselines": sorted(result["baseline"]), "predicted": len(predicted)}))
"""


def test_a_modality_registered_through_the_contract_runs_every_stage(tmp_path):
    (tmp_path / "data/raw").mkdir(parents=True)
    spectra().to_csv(tmp_path / "data/raw/spectra.csv", index=False)
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["modality"] == NAME and outcome["architecture"] == "toy_dense", outcome
    assert outcome["checks"] > 5 and outcome["promoted"] is True and outcome["predicted"] == 5, outcome
    assert outcome["baselines"] == ["logistic", "majority"], outcome
    assert outcome["accuracy"] >= 0.9, outcome  # the peaks are easy to tell apart
    assert "column 'signal' holds fixed-length vectors: spectra" in done.stderr
