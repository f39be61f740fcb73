"""The contract every modality implements (see archflow/modalities/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from archflow.selection import DataFacts


@dataclass(frozen=True)
class Candidate:
    """One network the search scores: its architecture, hyperparameters, how it is fitted
    (``training``: warm-up epochs, phases) and what it varies from the rule's pick."""

    label: str
    architecture: str
    hyperparameters: dict
    training: dict
    varies: str


def rule_candidate(choice) -> Candidate:
    return Candidate("rule", choice.architecture, dict(choice.hyperparameters), dict(choice.training), "the rule of thumb's pick")


SLOWER_LEARNING = 3  # the shortlist's learning-rate candidate: the rule's pick at a third of train.learning_rate


def slower_candidate(rule: Candidate, learning_rate: float) -> Candidate:
    """The rule's pick at a third of the learning rate (0.001 from the default 0.003: Adam's own
    default, and the rate of the published FCN, ResNet and InceptionTime recipes)."""
    rate = learning_rate / SLOWER_LEARNING
    return Candidate("slower", rule.architecture, dict(rule.hyperparameters), {**rule.training, "learning_rate": rate}, f"learning rate {rate:.2g} (a third of train.learning_rate)")


def _registered() -> list:
    from archflow.modalities import REGISTRY

    return list(REGISTRY.values())


class Modality:
    """Defaults suit modalities whose rows are the model's rows and whose linear baseline is a
    logistic regression; each modality overrides what differs."""

    name: str = ""
    unit: str = "rows"  # what one row of the prepared data is
    precedence: int = 50  # detection asks modalities in rising precedence; the first to claim the data wins
    architectures: tuple[str, ...] = ()  # what `model.architecture` may force; the first is the usual pick
    rows_are_independent: bool = True  # a sample of rows is still data of this kind (not so for a series' time steps)
    # the training schedule `auto` means (train.patience, select.max_rows): a table's epoch costs
    # milliseconds, an image set's seconds, so costly rows get less patience and a smaller search sample
    patience: int = 25  # epochs without a better validation loss before a fold stops
    search_rows: int = 5_000  # the search's seeded sample of the training split, at most

    # -- reading and detecting --------------------------------------------------------------

    def claims_arrays(self, arrays: dict) -> bool:
        """Whether the arrays of an NPZ file hold this modality's data."""
        return False

    def frame_from_arrays(self, arrays: dict, path) -> tuple[pd.DataFrame, str]:
        """The rows an NPZ file's arrays hold, and a few words on what was read."""
        from archflow.errors import DataError

        readers = sorted(m.name for m in _registered() if type(m).frame_from_arrays is not Modality.frame_from_arrays)
        raise DataError(f"data.modality is '{self.name}' but {path} is an NPZ file, which holds {' or '.join(readers)} data: set data.modality to auto or one of those")

    def find_layout(self, frame: pd.DataFrame, target: str, settings) -> dict | None:
        """How the rows are ordered, when this modality's data orders them (the id and step
        columns of sequences, the time column of a series); validation and preprocessing agree on it."""
        return None

    def detect(self, frame: pd.DataFrame, target: str, layout: dict | None, forced: bool) -> tuple[str, dict] | None:
        """Why the table holds this modality's data and what detection found (the text column,
        the time column), or None when it does not; ``forced``: params name this modality, so
        say what is missing instead of returning None."""
        raise NotImplementedError

    def validation_suites(self, frame: pd.DataFrame, schema: dict, requirements, policy: dict) -> list:
        """Great Expectations suites on facts derived from the rows (per sequence, per series)."""
        return []

    # -- choosing -----------------------------------------------------------------------------

    def rules(self, facts: DataFacts, requested: str) -> tuple[str, dict, dict, list[str]]:
        """The rule of thumb: architecture, hyperparameters, input facts and the reasons."""
        raise NotImplementedError

    def candidates(self, facts: DataFacts, choice) -> list[Candidate]:
        """The shortlist cross-validation chooses from: the rule's own pick first, then variants
        around it (wider, deeper, other families). A modality with none to offer keeps its pick."""
        return [rule_candidate(choice)]

    def shortlist(self, facts: DataFacts, choice, learning_rate: float) -> list[Candidate]:
        """What the search scores: the modality's candidates, and the rule's pick at a slower
        learning rate (the rules size the network, not its step size)."""
        candidates = self.candidates(facts, choice)
        return [*candidates, slower_candidate(candidates[0], learning_rate)]

    def kept_columns(self, snapshot: pd.DataFrame) -> tuple[str, ...]:
        """Columns that are not features but stay with the rows (an image's file name)."""
        return ()

    def model_rows(self, frame: pd.DataFrame, found: dict, target: str, split_column: str) -> tuple[pd.DataFrame, dict]:
        """The cleaned table as the model's rows, and ``found`` with what reading them needs."""
        return frame, found

    def hold_out(self, frame: pd.DataFrame, found: dict, settings) -> tuple[pd.DataFrame, pd.DataFrame, str, str, str]:
        """The training and hold-out rows, the task and why, and how the hold-out was made:
        the task from the target, and a stratified seeded split (or the data set's own). The
        parts take ``frame``'s columns (it is left without any), so a big table is held once."""
        from archflow.cleaning import split_holdout
        from archflow.target import detect_task

        target, split = settings.data.target, settings.split
        task, task_reason = detect_task(frame[target], settings.data.task)
        train_frame, test_frame = split_holdout(frame, target, task, split.test_size, settings.seed, split.column, consume=True)
        how = f"the data set's own split (column '{split.column}')" if split.column else f"a seeded split (seed {settings.seed}, {split.test_size:.0%} held out)"
        return train_frame, test_frame, task, task_reason, how

    def measure(self, train_frame: pd.DataFrame, target: str, task: str, settings, found: dict) -> DataFacts:
        """What selection looks at; ``found`` is what detection recorded (the text column, the time column)."""
        raise NotImplementedError

    def choice_inputs(self, settings, found: dict) -> dict:
        """Input facts the trained model must carry beyond what selection measured."""
        return {}

    def training(self, train_frame: pd.DataFrame, choice, config) -> tuple[Any, Any]:
        """The folds of cross-validation and the fitter for them (archflow.training): k-fold over rows."""
        from archflow.training import RowFitter, row_folds

        return row_folds(train_frame, choice, config), RowFitter(choice, config)

    def make_preprocessor(self, inputs: dict, frame: pd.DataFrame, target: str, unseen: str, min_category_count: int) -> Any:
        raise NotImplementedError(f"the {self.name} modality has no preprocessor inside the model")

    def keyed_inputs(self, description: dict, frame: pd.DataFrame) -> tuple[dict, pd.Index]:
        raise NotImplementedError

    def holdout(self, trained, train_frame: pd.DataFrame, test_frame: pd.DataFrame, balanced: bool, baselines: bool = True):
        """The trained model's hold-out scores beside the baselines (archflow.evaluation.Holdout):
        rows scored one by one."""
        from archflow.evaluation import row_holdout

        return row_holdout(trained, train_frame, test_frame, balanced, baselines)

    def input_problems(self, description: dict, frame: pd.DataFrame) -> list[str]:
        """Problems of raw rows found before predicting (others are named while reading inputs)."""
        return []

    def baseline_features(self, inputs: dict, train_frame: pd.DataFrame, test_frame: pd.DataFrame, target: str) -> tuple[Any, Any, Any]:
        """Training and test features for the linear baseline, and the transform it needs first
        (fitted on the training split only)."""
        raise NotImplementedError

    def baseline_classifiers(self, transform, balanced: bool, train_features=None) -> dict[str, Any]:
        """The non-trivial classification baselines (the majority class is always there)."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        return {"logistic": make_pipeline(transform, LogisticRegression(max_iter=5000, class_weight="balanced" if balanced else None))}

    def baseline_regressors(self, transform, train_features=None) -> dict[str, Any]:
        """The non-trivial regression baselines (the training mean is always there)."""
        from sklearn.linear_model import LinearRegression
        from sklearn.pipeline import make_pipeline

        return {"linear": make_pipeline(transform, LinearRegression())}
