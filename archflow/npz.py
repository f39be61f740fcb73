"""Reading NPZ files without pickle: an object array could run code when unpickled, so it is
refused with a message that says how to write the file instead."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from archflow.errors import DataError

RAGGED_LAYOUT = (
    "write ragged sequences as flat steps plus lengths: np.savez(path, values=np.concatenate(arrays), "
    "lengths=[len(a) for a in arrays], y=labels) (values: (total steps, channels) floats); "
    "equal-length sequences as x (samples, time[, channels]) floats; images as whole-number x (samples, height, width[, channels])"
)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an NPZ file, loaded with ``allow_pickle=False``."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"{path}: cannot be read as an NPZ archive ({type(error).__name__}: {error})") from None
    with archive:
        arrays = {}
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError:  # numpy refuses object arrays without pickle
                raise DataError(f"{path}: array '{name}' holds Python objects, which archflow never unpickles (unpickling can run code); {RAGGED_LAYOUT}") from None
            except (OSError, EOFError, zipfile.BadZipFile) as error:
                raise DataError(f"{path}: array '{name}' cannot be read ({type(error).__name__}: {error})") from None
    return arrays
