"""The modalities behind one contract, found by name: each one's knowledge in one module.

A modality (``tabular``, ``image``, ``text``, ``sequence``, ``timeseries``) says, for the stages
that ask the registry instead of branching on its name:

- ``claims_arrays`` and ``frame_from_arrays``: whether an NPZ file holds its data, and the rows;
- ``find_layout``: how its rows are ordered (sequences' id and step columns, a series' time column);
- ``detect``: whether a table holds its data, and why (asked in rising ``precedence``);
- ``validation_suites``: Great Expectations checks on facts derived from the rows;
- ``architectures`` and ``rules``: what may be forced, and the rule of thumb with its reasons;
- ``hold_out`` and ``training``: the hold-out split, the folds of cross-validation and their fitter;
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

A new modality is a subclass of :class:`Modality` passed to :func:`register`; nothing outside
its own module changes (tests/test_toy_modality.py registers one and runs every stage on it).
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


def register(modality: Modality) -> Modality:
    """Add ``modality`` to the registry (settings, detection and every stage then know it)."""
    if not modality.name or modality.name == "auto":
        raise ValueError(f"a modality needs a name other than 'auto', not {modality.name!r}")
    REGISTRY[modality.name] = modality
    return modality


def by_precedence() -> list[Modality]:
    """The modalities in the order detection asks them."""
    return sorted(REGISTRY.values(), key=lambda m: m.precedence)


def architecture_names() -> list[str]:
    """Every architecture some modality's rules may choose (what `model.architecture` may force)."""
    return [name for m in REGISTRY.values() for name in m.architectures]


def find_layout(frame: pd.DataFrame, target: str, settings) -> dict | None:
    """How the rows are ordered (``{"kind": <modality>, ...}``), or None for unordered rows;
    validation and preprocessing both call this, so they agree on it."""
    wanted = settings.data.modality
    for modality in by_precedence():
        if wanted in ("auto", modality.name):
            layout = modality.find_layout(frame, target, settings)
            if layout:
                return layout
    return None


def detect_modality(frame: pd.DataFrame, target: str, override: str = "auto", layout: dict | None = None) -> tuple[str, str, dict]:
    """The modality, why, and what detection found (the text column, the time column): the
    one params name (data.modality), else the first in precedence that claims the table."""
    if override != "auto":
        reason, found = modality_named(override).detect(frame, target, layout, forced=True)
        return override, reason, found
    for modality in by_precedence():
        claimed = modality.detect(frame, target, layout, forced=False)
        if claimed:
            return modality.name, *claimed
    raise ValueError(f"no registered modality claims the table; registered: {sorted(REGISTRY)}")


def frame_from_arrays(arrays: dict, path, override: str = "auto") -> tuple[pd.DataFrame, str]:
    """The rows of an NPZ file, read by the modality params name or the first that claims them."""
    if override != "auto":
        return modality_named(override).frame_from_arrays(arrays, path)
    modality = next(m for m in by_precedence() if m.claims_arrays(arrays))  # images claim what nothing else does
    return modality.frame_from_arrays(arrays, path)


def validation_suites(frame: pd.DataFrame, schema: dict, requirements, policy: dict) -> list:
    """The derived suites the schema's layout calls for (none for unordered rows)."""
    kind = schema.get("layout", {}).get("kind")
    return modality_named(kind).validation_suites(frame, schema, requirements, policy) if kind else []


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
