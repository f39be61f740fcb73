"""Typed, frozen settings read once from params.yaml.

Every stage entry point calls :func:`load_settings` once and hands each function only the
part it uses. Unknown keys are errors, so a typo in params.yaml never passes silently.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from archflow.errors import SettingsError
from archflow.examples import EXAMPLES, get_example
from archflow.images import MAX_PIXELS
from archflow.selection import ARCHITECTURES


@dataclass(frozen=True)
class DataSettings:
    source: str = "penguins"  # a bundled example's name, or a path to a CSV or Parquet file
    target: str = "auto"  # the target column; auto: the bundled example's own target
    task: str = "auto"  # auto | binary | multiclass | regression
    modality: str = "auto"  # auto | tabular | image | text | sequence | timeseries
    drop: tuple[str, ...] = ()  # columns that are not features (ids, free text, leaks)
    allowed_roots: tuple[str, ...] = ()  # folders outside the project that data.source may read from


@dataclass(frozen=True)
class ValidateSettings:
    range_margin: float = 0.5  # inferred numeric ranges are widened by this share of their span
    max_categories: int = 50  # string columns with more distinct values get no value-set check
    min_rows: int = 20


@dataclass(frozen=True)
class SplitSettings:
    test_size: float = 0.2
    column: str = "auto"  # a column of train/test marking a given hold-out; auto: the example's own; "" none


@dataclass(frozen=True)
class ImageSettings:
    size: tuple[int, ...] = ()  # (height, width) to resize every image to; empty: sizes must agree
    flip: bool = False  # horizontal flips in augmentation (off: digits and text are not mirror-symmetric)
    fine_tune_epochs: int = 10  # transfer learning: epochs of fine-tuning after the frozen phase
    pretrained_weights: str = ""  # a local MobileNetV2 (include_top=False) .weights.h5 file: transfer learning for small sets
    max_pixels: int = MAX_PIXELS  # larger images are refused at validation, unread (decompression bombs)


@dataclass(frozen=True)
class SeriesSettings:
    """Forecasting: one or many series in a table with a time column."""

    time_column: str = "auto"  # auto: the example's own, else a column of dates named like time/date; "" none
    id_column: str = ""  # several series in one table: the column naming each series
    horizon: str = "auto"  # steps to forecast; auto: the example's own, else 1
    lookback: str = "auto"  # steps of history the model reads; auto: two seasons, at least twice the horizon
    season: str = "auto"  # seasonal period of the baseline and MASE; auto: from the time step (monthly 12, daily 7, hourly 24)
    max_gap: float = 1.5  # largest allowed gap between time stamps, in typical time steps
    fill: str = "ffill"  # missing values: ffill (last value, past only) | interpolate | none
    cv: str = "expanding"  # time-ordered folds: expanding | sliding


@dataclass(frozen=True)
class SequenceSettings:
    """Sequence classification: long-format tables (one row per time step)."""

    id_column: str = "auto"  # the column naming each sequence; auto: "sequence" when the table has "sequence" and "step"
    step_column: str = "step"  # the column ordering the steps of a sequence


@dataclass(frozen=True)
class PreprocessSettings:
    unseen_categories: str = "ignore"  # ignore: all-zero encoding | bucket: a shared "other" column
    min_category_count: int = 1  # categories rarer than this in training rows go to "other"


@dataclass(frozen=True)
class ModelSettings:
    architecture: str = "auto"  # auto, or a registered builder name such as mlp


@dataclass(frozen=True)
class TrainSettings:
    folds: int = 5
    epochs: int = 300
    batch_size: str = "auto"  # auto (chosen by the select stage from the row count) or a number
    patience: int = 25
    learning_rate: float = 0.003
    imbalance: str = "auto"  # auto | class_weight | oversample | undersample | none


@dataclass(frozen=True)
class PromoteSettings:
    """The gate a candidate passes before it replaces the production model."""

    metric: str = "auto"  # auto: balanced_accuracy (classes), rmse (regression), mae (forecasts)
    tolerance: float = 0.0  # how much worse than production the candidate may score, as a share of production's score


@dataclass(frozen=True)
class Paths:
    raw: str = "data/raw"
    ingested: str = "data/ingested"
    schemas: str = "schemas"
    validation: str = "reports/validation"
    prepared: str = "data/prepared"
    selection: str = "models/selection.json"
    candidate: str = "models/candidate"
    model: str = "models/model"
    cv_metrics: str = "metrics/cv.json"
    training_plots: str = "reports/training"
    evaluation: str = "reports/evaluation"
    test_metrics: str = "metrics/test.json"
    promotion: str = "metrics/promotion.json"
    checkpoints: str = ".archflow/checkpoints"


@dataclass(frozen=True)
class Settings:
    seed: int = 42
    data: DataSettings = field(default_factory=DataSettings)
    validate: ValidateSettings = field(default_factory=ValidateSettings)
    split: SplitSettings = field(default_factory=SplitSettings)
    image: ImageSettings = field(default_factory=ImageSettings)
    series: SeriesSettings = field(default_factory=SeriesSettings)
    sequence: SequenceSettings = field(default_factory=SequenceSettings)
    preprocess: PreprocessSettings = field(default_factory=PreprocessSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    promote: PromoteSettings = field(default_factory=PromoteSettings)
    paths: Paths = field(default_factory=Paths)


CHOICES = {
    ("data", "task"): {"auto", "binary", "multiclass", "regression"},
    ("data", "modality"): {"auto", "tabular", "image", "text", "sequence", "timeseries"},
    ("series", "fill"): {"ffill", "interpolate", "none"},
    ("series", "cv"): {"expanding", "sliding"},
    ("preprocess", "unseen_categories"): {"ignore", "bucket"},
    ("train", "imbalance"): {"auto", "class_weight", "oversample", "undersample", "none"},
    ("promote", "metric"): {"auto", "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "mae", "rmse", "r2", "mape", "mase"},
}

# (group, key) -> (lowest allowed, whether the lowest itself is allowed, what the key means)
LOWER_BOUNDS = {
    ("", "seed"): (0, True, "a whole number, 0 or more"),
    ("train", "folds"): (2, True, "at least 2"),
    ("train", "epochs"): (1, True, "at least 1"),
    ("train", "patience"): (0, True, "0 or more (epochs without improvement before stopping)"),
    ("train", "learning_rate"): (0, False, "above 0"),
    ("validate", "range_margin"): (0, True, "0 or more (a share of each column's span)"),
    ("validate", "max_categories"): (1, True, "at least 1"),
    ("validate", "min_rows"): (1, True, "at least 1"),
    ("image", "fine_tune_epochs"): (0, True, "0 or more"),
    ("image", "max_pixels"): (1, True, "at least 1"),
    ("preprocess", "min_category_count"): (1, True, "at least 1"),
    ("series", "max_gap"): (1, True, "at least 1 (time steps)"),
    ("promote", "tolerance"): (0, True, "0 or more (a share of the production model's score)"),
}


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise SettingsError(f"params.yaml: unknown key(s) {unknown} under '{where}'; known: {sorted(known)}")
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        default = getattr(cls(), name)
        if dataclasses.is_dataclass(default):
            kwargs[name] = _build(type(default), value or {}, f"{where}.{name}".strip("."))
        elif isinstance(default, tuple):
            kwargs[name] = tuple(value or ())
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise SettingsError(f"params.yaml: '{where}.{name}' = {value!r} must be true or false")
            kwargs[name] = value
        elif value is None:
            kwargs[name] = value
        else:
            try:
                kwargs[name] = type(default)(value)
            except (TypeError, ValueError) as exc:
                raise SettingsError(f"params.yaml: '{where}.{name}' = {value!r} is not a {type(default).__name__}") from exc
    return cls(**kwargs)


LABELS_COLUMN = "label"  # the target of an NPZ file or an image folder, as ingest names it


def _source_problem(source: str, root: Path, allowed_roots: tuple[str, ...]) -> str | None:
    """A file source must resolve (symlinks too) inside the project or an allowed root; a bare
    name must be a bundled example. Checked before anything is read."""
    if get_example(source) is not None:
        return None
    path = Path(source).expanduser()
    resolved = (path if path.is_absolute() else root / path).resolve()
    roots = [root.resolve(), *(Path(r).expanduser().resolve() for r in allowed_roots)]
    if not any(resolved == r or r in resolved.parents for r in roots):
        return f"'data.source' = {source!r} resolves to {resolved}, outside the project {root.resolve()}: put the data under data/raw/, or add its folder to 'data.allowed_roots'"
    if not resolved.exists() and not path.suffix and len(path.parts) == 1:
        return f"'data.source' = {source!r} is neither a bundled example ({', '.join(sorted(EXAMPLES))}) nor a file or folder in the project"
    return None


def _problems(settings: Settings, root: Path) -> list[str]:
    """Every out-of-range or inconsistent setting, each naming its key."""
    problems = []
    source = _source_problem(settings.data.source, root, settings.data.allowed_roots)
    if source:
        problems.append(source)
    for (group, key), allowed in CHOICES.items():
        value = getattr(getattr(settings, group), key)
        if value not in allowed:
            problems.append(f"'{group}.{key}' = {value!r}; choose one of {sorted(allowed)}")
    for (group, key), (lowest, inclusive, meaning) in LOWER_BOUNDS.items():
        value = getattr(getattr(settings, group) if group else settings, key)
        if value < lowest or (value == lowest and not inclusive):
            problems.append(f"'{f'{group}.' if group else ''}{key}' = {value!r} must be {meaning}")
    if not 0 < settings.split.test_size < 1:
        problems.append(f"'split.test_size' = {settings.split.test_size!r} must lie between 0 and 1")
    batch = settings.train.batch_size
    if batch != "auto" and not (batch.isdigit() and int(batch) >= 1):
        problems.append(f"'train.batch_size' = {batch!r} must be auto or a positive whole number")
    weights = settings.image.pretrained_weights
    if weights and not (weights.endswith(".weights.h5") and Path(weights).is_file()):
        problems.append(f"'image.pretrained_weights' = {weights!r} must be an existing .weights.h5 file (weights cannot be downloaded here)")
    if len(settings.image.size) not in (0, 2) or any(not (isinstance(v, int) and v >= 1) for v in settings.image.size):
        problems.append(f"'image.size' = {list(settings.image.size)!r} must be empty or [height, width] in whole pixels")
    for key in ("horizon", "lookback", "season"):
        value = getattr(settings.series, key)
        if value != "auto" and not (value.isdigit() and int(value) >= 1):
            problems.append(f"'series.{key}' = {value!r} must be auto or a positive whole number")
    known = sorted({name for names in ARCHITECTURES.values() for name in names})
    if settings.model.architecture not in ("auto", *known):
        problems.append(f"'model.architecture' = {settings.model.architecture!r}; choose auto or one of {known}")
    elif settings.data.modality != "auto" and settings.model.architecture not in ("auto", *ARCHITECTURES[settings.data.modality]):
        problems.append(f"'model.architecture' = {settings.model.architecture!r} does not suit data.modality {settings.data.modality}; choose auto or one of {list(ARCHITECTURES[settings.data.modality])}")
    return problems


def _check(settings: Settings, root: Path) -> None:
    problems = _problems(settings, root)
    if problems:
        raise SettingsError("params.yaml: " + ("; ".join(problems) if len(problems) == 1 else f"{len(problems)} bad settings:\n  - " + "\n  - ".join(problems)))


def _resolve_auto(settings: Settings) -> Settings:
    """``auto`` target and split column mean the bundled example's own; a file needs a target."""
    example = get_example(settings.data.source)
    if settings.data.target == "auto":
        source = Path(settings.data.source)
        if example is not None:
            target = example.target
        elif source.suffix.lower() == ".npz" or source.is_dir():
            target = LABELS_COLUMN  # the labels of an NPZ file or of an image folder's class folders
        else:
            raise SettingsError(f"params.yaml: set 'data.target' to the column to predict in {settings.data.source}")
        settings = dataclasses.replace(settings, data=dataclasses.replace(settings.data, target=target))
    if settings.split.column == "auto":
        column = example.split_column if example else ""
        settings = dataclasses.replace(settings, split=dataclasses.replace(settings.split, column=column))
    series = settings.series
    if series.time_column == "auto" and example is not None:
        series = dataclasses.replace(series, time_column=example.time_column)
    if series.horizon == "auto":
        series = dataclasses.replace(series, horizon=str(example.horizon if example and example.horizon else 1))
    return dataclasses.replace(settings, series=series)


def settings_from_dict(values: dict[str, Any], root: str | Path | None = None) -> Settings:
    """Build and check settings from a params mapping (defaults fill what is absent); file
    sources must lie inside ``root`` (the project: the current folder by default)."""
    settings = _build(Settings, values or {}, "")
    _check(settings, Path(root) if root is not None else Path.cwd())
    return _resolve_auto(settings)


def load_settings(path: str | Path = "params.yaml") -> Settings:
    """Read params.yaml once into frozen settings."""
    path = Path(path)
    if not path.exists():
        raise SettingsError(f"{path} not found: run from the project root")
    try:
        values = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise SettingsError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(values, dict):
        raise SettingsError(f"{path} must be a mapping of settings, not {type(values).__name__}")
    return settings_from_dict(values, path.resolve().parent)
