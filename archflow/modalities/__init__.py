"""The modalities behind one contract, found by name: each one's knowledge in one module.

A modality (``tabular``, ``image``, ``text``, ``sequence``, ``timeseries``) says, for the stages
that ask the registry instead of branching on its name:

- ``measure``: what selection looks at, measured on the training split (:class:`DataFacts`);
- ``choice_inputs``: settings the trained model must carry (image flips, a sequence table's layout);
- ``make_preprocessor``: the unfitted preprocessor that goes inside the model (see below);
- ``keyed_inputs``: a saved model's named inputs from raw rows, and what each input stands for;
- ``input_problems``: what is wrong with raw rows before predicting from them;
- ``baseline_features`` and ``baseline_classifiers``: what the hold-out baselines see and are.

Every preprocessor has the same small contract: ``fit(frame)`` learns from training rows
only; ``to_inputs(frame)`` turns raw rows into the model's named inputs; ``build_encoder()``
returns the Keras inputs and the encoded tensor; ``describe()`` is saved with the model;
``body_arguments()`` passes what the architecture needs (a vocabulary size).

Still outside the registry (issue "one home per modality"): detection's order of checks
(archflow/detection.py), the preprocess stage's per-modality rows and splits, and forecasting's
own training loop (archflow/forecast_training.py), so the time-series modality has no
``make_preprocessor``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from archflow.modalities.base import Modality
from archflow.modalities.image import IMAGE
from archflow.modalities.sequence import SEQUENCE
from archflow.modalities.tabular import TABULAR
from archflow.modalities.text import TEXT
from archflow.modalities.timeseries import TIMESERIES

REGISTRY: dict[str, Modality] = {m.name: m for m in (TABULAR, IMAGE, TEXT, SEQUENCE, TIMESERIES)}


def modality_named(name: str) -> Modality:
    """The registered modality called ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown modality '{name}'; registered: {sorted(REGISTRY)}") from None


def make_preprocessor(modality: str, inputs: dict, frame: pd.DataFrame, target: str, unseen: str = "ignore", min_category_count: int = 1) -> Any:
    """An unfitted preprocessor for ``modality``; ``inputs`` holds the select stage's input facts."""
    return modality_named(modality).make_preprocessor(inputs, frame, target, unseen, min_category_count)


def keyed_inputs(description: dict, frame: pd.DataFrame) -> tuple[dict, pd.Index]:
    """A saved model's named inputs from raw rows, using the description stored with it, and
    what each input row stands for: the frame's rows, or a named key (a series, a sequence)."""
    return modality_named(description["modality"]).keyed_inputs(description, frame)


def raw_inputs(description: dict, frame: pd.DataFrame) -> dict:
    """A saved model's named inputs from raw rows (see :func:`keyed_inputs`)."""
    return keyed_inputs(description, frame)[0]


def input_problems(description: dict, frame: pd.DataFrame) -> list[str]:
    """What is wrong with raw rows for a saved model, before it predicts from them."""
    return modality_named(description["modality"]).input_problems(description, frame)
