"""Typed, frozen settings read once from params.yaml, checked by pydantic.

Every stage entry point calls :func:`load_settings` once and hands each function only the
part it uses. Types, ranges, choices and unknown keys are checked by pydantic in one pass
(every bad key in one message); rules that span keys or touch the file system (a source
inside the project, an architecture that suits the modality) are checked after it.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, ConfigDict, Field, StrictBool, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from archflow.errors import SettingsError
from archflow.examples import EXAMPLES, get_example
from archflow.limits import MAX_PIXELS

# unknown keys are errors; numbers in text fields (batch_size: 64) are read as text
STRICT = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
AutoOrCount = Annotated[str, Field(pattern=r"^(auto|[1-9][0-9]*)$", description="auto or a positive whole number")]
Share = Annotated[float, Field(gt=0, lt=1)]


def _one_of(choices: list[str], value: str) -> str:
    if value not in choices:
        raise ValueError("should be " + ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}")
    return value


def _registered_modality(value: str) -> str:
    if value == "auto":  # the default needs no registry, whose modules import pandas (0.4 s of the pipeline flow's start)
        return value
    from archflow.modalities import REGISTRY  # the registry, not a list written here: a new modality needs no edit

    return _one_of(["auto", *REGISTRY], value)


def _registered_architecture(value: str) -> str:
    if value == "auto":
        return value
    from archflow.modalities import architecture_names

    return _one_of(["auto", *architecture_names()], value)


ModalityName = Annotated[str, AfterValidator(_registered_modality)]
ArchitectureName = Annotated[str, AfterValidator(_registered_architecture)]


@dataclass(frozen=True, config=STRICT)
class DataSettings:
    source: str = "penguins"  # a bundled example's name, or a path to a CSV or Parquet file
    target: str = "auto"  # the target column; auto: the bundled example's own target
    task: Literal["auto", "binary", "multiclass", "regression"] = "auto"
    modality: ModalityName = "auto"  # auto, or a registered modality (archflow/modalities/)
    drop: tuple[str, ...] = ()  # columns that are not features (ids, free text, leaks)
    allowed_roots: tuple[str, ...] = ()  # folders outside the project that data.source may read from


@dataclass(frozen=True, config=STRICT)
class ValidateSettings:
    range_margin: Annotated[float, Field(ge=0)] = 0.5  # inferred numeric ranges are widened by this share of their span
    max_categories: Annotated[int, Field(ge=1)] = 50  # string columns with more distinct values get no value-set check
    min_rows: Annotated[int, Field(ge=1)] = 20


@dataclass(frozen=True, config=STRICT)
class SplitSettings:
    test_size: Share = 0.2
    column: str = "auto"  # a column of train/test marking a given hold-out; auto: the example's own; "" none


@dataclass(frozen=True, config=STRICT)
class ImageSettings:
    size: Annotated[tuple[Annotated[int, Field(ge=1)], ...], Field(max_length=2)] = ()  # (height, width) to resize every image to; empty: sizes must agree
    flip: StrictBool = False  # horizontal flips in augmentation (off: digits and text are not mirror-symmetric)
    fine_tune_epochs: Annotated[int, Field(ge=0)] = 10  # transfer learning: epochs of fine-tuning after the frozen phase
    pretrained_weights: str = ""  # a local MobileNetV2 (include_top=False) .weights.h5 file: transfer learning for small sets
    max_pixels: Annotated[int, Field(ge=1)] = MAX_PIXELS  # larger images are refused at validation, unread (decompression bombs)


@dataclass(frozen=True, config=STRICT)
class SeriesSettings:
    """Forecasting: one or many series in a table with a time column."""

    time_column: str = "auto"  # auto: the example's own, else a column of dates named like time/date; "" none
    id_column: str = ""  # several series in one table: the column naming each series
    horizon: AutoOrCount = "auto"  # steps to forecast; auto: the example's own, else 1
    lookback: AutoOrCount = "auto"  # steps of history the model reads; auto: two seasons, at least twice the horizon
    season: AutoOrCount = "auto"  # seasonal period of the baseline and MASE; auto: from the time step (monthly 12, daily 7, hourly 24)
    max_gap: Annotated[float, Field(ge=1)] = 1.5  # largest allowed gap between time stamps, in typical time steps
    fill: Literal["ffill", "interpolate", "none"] = "ffill"  # missing values: ffill (last value, past only) | interpolate | none
    cv: Literal["expanding", "sliding"] = "expanding"  # time-ordered folds


@dataclass(frozen=True, config=STRICT)
class SequenceSettings:
    """Sequence classification: long-format tables (one row per time step)."""

    id_column: str = "auto"  # the column naming each sequence; auto: "sequence" when the table has "sequence" and "step"
    step_column: str = "step"  # the column ordering the steps of a sequence


@dataclass(frozen=True, config=STRICT)
class PreprocessSettings:
    unseen_categories: Literal["ignore", "bucket"] = "ignore"  # ignore: all-zero encoding | bucket: a shared "other" column
    min_category_count: Annotated[int, Field(ge=1)] = 1  # categories rarer than this in training rows go to "other"


@dataclass(frozen=True, config=STRICT)
class ModelSettings:
    architecture: ArchitectureName = "auto"  # auto, or one of the registered builders that suits the modality


@dataclass(frozen=True, config=STRICT)
class SelectSettings:
    """The search: the rules propose a shortlist around their pick, cross-validation decides."""

    search: StrictBool = True  # false: the rule of thumb's pick alone, unchecked
    trials: Annotated[int, Field(ge=1)] = 6  # candidates scored at most (the rule's own pick first)
    folds: Annotated[str, Field(pattern=r"^(auto|[2-9]|[1-9][0-9]+)$", description="auto or a whole number of at least 2")] = "auto"  # folds of the search's cross-validation; auto: train.folds up to 1,000 training rows, 3 above
    max_rows: Annotated[str, Field(pattern=r"^(auto|[5-9][0-9]|[1-9][0-9]{2,})$", description="auto or a whole number of at least 50")] = "auto"  # a larger training split is searched on a seeded sample of this many rows; auto: 5,000 rows, 2,000 texts, 1,000 images
    minutes: Annotated[float, Field(ge=0)] = 0  # stop starting candidates after this long (0: no limit; the rule's pick is always scored)


@dataclass(frozen=True, config=STRICT)
class TrainSettings:
    folds: Annotated[int, Field(ge=2)] = 5
    epochs: Annotated[int, Field(ge=1)] = 300
    batch_size: AutoOrCount = "auto"  # auto (chosen by the select stage from the row count) or a number
    patience: Annotated[str, Field(pattern=r"^(auto|0|[1-9][0-9]*)$", description="auto or a whole number")] = "auto"  # auto: 25 epochs, 10 for images and text (costly epochs)
    learning_rate: Annotated[float, Field(gt=0)] = 0.003
    imbalance: Literal["auto", "class_weight", "oversample", "undersample", "none"] = "auto"
    # the model that is kept: auto (bag for rows, refit for forecasts) | bag: the fold models
    # averaged, each early-stopped on its own fold | refit: one model on the whole training split
    # for the folds' median best epoch
    final_model: Literal["auto", "bag", "refit"] = "auto"


@dataclass(frozen=True, config=STRICT)
class PromoteSettings:
    """The gate a candidate passes before it replaces the production model."""

    metric: Literal["auto", "accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "mae", "rmse", "r2", "mape", "mase"] = "auto"  # auto: balanced_accuracy (classes), rmse (regression), mae (forecasts)
    tolerance: Annotated[float, Field(ge=0)] = 0.0  # how much worse than production the candidate may score, as a share of production's score


@dataclass(frozen=True, config=STRICT)
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
    search: str = "models/search"  # the search's Optuna study (SQLite), versioned by DVC


def _scheduler(value: str) -> str:
    import re

    if value in ("local", "serial") or re.fullmatch(r"(tcp|tls|ucx|inproc)://[^\s]+", value):
        return value
    raise ValueError("should be 'local' (a Dask cluster of processes on this machine), 'serial' (one fold after another in the stage's process) or a Dask scheduler address such as 'tcp://10.0.0.5:8786'")


@dataclass(frozen=True, config=STRICT)
class ComputeSettings:
    """Where the folds of cross-validation (training and the search) run. Results do not
    depend on it (each fold is seeded by its number), so DVC does not track these keys."""

    scheduler: Annotated[str, AfterValidator(_scheduler)] = "local"
    workers: Annotated[int, Field(ge=0)] = 0  # local cluster size; 0: one per GPU, else one per two cores (at most the folds; one: in turn)
    threads_per_worker: Annotated[int, Field(ge=0)] = 0  # TensorFlow threads per worker; 0: its default, as in a serial run (the same sums)


@dataclass(frozen=True, config=STRICT)
class Settings:
    seed: Annotated[int, Field(ge=0)] = 42
    data: DataSettings = field(default_factory=DataSettings)
    validate: ValidateSettings = field(default_factory=ValidateSettings)
    split: SplitSettings = field(default_factory=SplitSettings)
    image: ImageSettings = field(default_factory=ImageSettings)
    series: SeriesSettings = field(default_factory=SeriesSettings)
    sequence: SequenceSettings = field(default_factory=SequenceSettings)
    preprocess: PreprocessSettings = field(default_factory=PreprocessSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    select: SelectSettings = field(default_factory=SelectSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    promote: PromoteSettings = field(default_factory=PromoteSettings)
    compute: ComputeSettings = field(default_factory=ComputeSettings)
    paths: Paths = field(default_factory=Paths)


def _where(location: tuple) -> str:
    return ".".join(str(part) for part in location if not isinstance(part, int)) or "params.yaml"


def _known_keys(location: tuple) -> list[str]:
    """The keys allowed beside an unknown one."""
    group: Any = Settings
    for part in location[:-1]:
        group = typing.get_type_hints(group).get(part)
        if not dataclasses.is_dataclass(group):
            return []
    return [f.name for f in dataclasses.fields(group)]


def _describe_error(error: dict) -> str:
    """One pydantic error as 'key' = value: what is wrong."""
    key = _where(error["loc"])
    if error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        known = _known_keys(error["loc"])
        return f"unknown key '{key}'" + (f"; known: {known}" if known else "")
    message = error["msg"].replace("Input should be", "should be").replace("Value error, ", "").replace("String should match pattern '^(auto|[1-9][0-9]*)$'", "should be auto or a positive whole number")
    return f"'{key}' = {error['input']!r}: {message}"


def _build(values: dict[str, Any]) -> Settings:
    """Settings from a params mapping; every type, range, choice and unknown key in one error."""
    try:
        return TypeAdapter(Settings).validate_python(values)
    except ValidationError as error:
        problems = [_describe_error(e) for e in error.errors()]
        raise SettingsError(_listing(problems)) from None


def _listing(problems: list[str]) -> str:
    return "params.yaml: " + (problems[0] if len(problems) == 1 else f"{len(problems)} bad settings:\n  - " + "\n  - ".join(problems))


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
    """Rules that span keys or touch the file system, each naming its key."""
    problems = []
    source = _source_problem(settings.data.source, root, settings.data.allowed_roots)
    if source:
        problems.append(source)
    weights = settings.image.pretrained_weights
    if weights and not (weights.endswith(".weights.h5") and Path(weights).is_file()):
        problems.append(f"'image.pretrained_weights' = {weights!r} must be an existing .weights.h5 file (weights cannot be downloaded here)")
    if len(settings.image.size) == 1:
        problems.append(f"'image.size' = {list(settings.image.size)!r} must be empty or [height, width]")
    modality, architecture = settings.data.modality, settings.model.architecture
    if modality != "auto" and architecture != "auto":
        from archflow.modalities import modality_named

        suited = modality_named(modality).architectures
        if architecture not in suited:
            problems.append(f"'model.architecture' = {architecture!r} does not suit data.modality {modality}; choose auto or one of {list(suited)}")
    return problems


def _check(settings: Settings, root: Path) -> None:
    problems = _problems(settings, root)
    if problems:
        raise SettingsError(_listing(problems))


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
    settings = _build(values or {})
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
