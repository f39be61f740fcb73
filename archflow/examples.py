"""Bundled example data sets that ship inside installed packages and load offline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Example:
    name: str
    target: str
    description: str
    load: Callable[[], pd.DataFrame]


def _penguins() -> pd.DataFrame:
    import palmerpenguins

    return palmerpenguins.load_penguins()


EXAMPLES: dict[str, Example] = {
    "penguins": Example(
        "penguins",
        "species",
        "Palmer penguins (palmerpenguins package): 344 rows, 3 species, categorical and missing values",
        _penguins,
    ),
}


def get_example(name: str) -> Example | None:
    """The bundled example called ``name``, or None when it is not a bundled name."""
    return EXAMPLES.get(name)
