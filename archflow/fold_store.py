"""Finished folds of a cross-validation, kept on disk so that a killed training resumes.

A fold's result (positions, scores, best epoch, history) is written as JSON when the fold
ends. The store is keyed by everything that decides the result (the training rows, the
selection, the training settings and archflow's code), so a resumed run reuses a fold only
when an uninterrupted run would have computed exactly the same one. It lives outside DVC's
outputs and is removed once the training it belongs to has finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from archflow.training import INTERRUPTED_RUN, FoldResult

ORIGIN = "origin.txt"


def inputs_key(parts: Iterable[bytes]) -> str:
    """A short digest of the bytes that decide a training run."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


def code_bytes(package_dir: Path) -> bytes:
    """The source of a package, in a stable order: a code change invalidates stored folds."""
    return b"".join(path.read_bytes() for path in sorted(Path(package_dir).rglob("*.py")))


class FoldStore:
    """Stored folds under ``root/<key>``; other keys' folders are stale and removed on open."""

    def __init__(self, root: str | Path, key: str):
        self.root, self.folder = Path(root), Path(root) / key
        if self.root.exists():
            for stale in self.root.iterdir():
                if stale != self.folder:
                    shutil.rmtree(stale, ignore_errors=True)

    def _file(self, fold: int) -> Path:
        return self.folder / f"fold-{fold}.json"

    def _model_file(self, fold: int) -> Path:
        return self.folder / f"fold-{fold}.keras"

    def load(self, fold: int) -> FoldResult | None:
        path = self._file(fold)
        if not path.exists():
            return None
        record = json.loads(path.read_text())
        arrays = {k: np.asarray(record[k], dtype="int64") for k in ("train_positions", "validation_positions", "rows_used")}
        model = None
        if self._model_file(fold).exists():  # written by this run's code: safe_mode all the same
            import keras

            import archflow.layers  # noqa: F401  (the preprocessing layers, for loading)

            model = keras.saving.load_model(self._model_file(fold), safe_mode=True)
        return FoldResult(record["fold"], scores=record["scores"], best_epoch=record["best_epoch"], history=record["history"], preprocessor=None, phase_best=record["phase_best"], model=model, **arrays)

    def save(self, result: FoldResult) -> None:
        """Write one finished fold whole (temp file, then rename)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {
            "fold": result.fold,
            "train_positions": np.asarray(result.train_positions).tolist(),
            "validation_positions": np.asarray(result.validation_positions).tolist(),
            "rows_used": np.asarray(result.rows_used).tolist(),
            "scores": {k: float(v) for k, v in result.scores.items()},
            "best_epoch": int(result.best_epoch),
            "history": {k: [float(v) for v in values] for k, values in result.history.items()},
            "phase_best": [int(v) for v in result.phase_best],
        }
        if result.model is not None:  # the model first: a fold counts as finished once its JSON is there
            staged = self.folder / f"fold-{result.fold}.tmp.keras"
            result.model.save(staged)
            os.replace(staged, self._model_file(result.fold))
        tmp = self._file(result.fold).with_suffix(".tmp")
        tmp.write_text(json.dumps(record))  # NaN scores round-trip as JSON NaN
        os.replace(tmp, self._file(result.fold))

    def mark_origin(self, origin: str) -> None:
        """Say who trained the stored folds (the search, for its winner), for the log."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ORIGIN).write_text(origin)

    @property
    def origin(self) -> str:
        marked = self.folder / ORIGIN
        return marked.read_text() if marked.exists() else INTERRUPTED_RUN

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

