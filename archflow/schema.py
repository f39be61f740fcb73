"""The data schema: inferred from the first good data, then kept as an editable YAML file.

Later runs are validated against the saved file (as TFX's SchemaGen and ExampleValidator
do), so fresh data that drifts from it fails instead of silently retraining.
"""

from __future__ import annotations

import math

import pandas as pd
import yaml

from archflow.column_types import is_bytes, is_numeric, is_text_column
from archflow.errors import DataError
from archflow.target import detect_task, is_classification

HEADER = """\
# archflow data schema for '{source}', inferred from its first good data.
# Later runs are validated against this file: edit it to accept a deliberate change
# (a wider range, a new category), or delete it to infer it again on the next run.
# kind: numeric | categorical | text | image | time | id; nullable: missing values allowed; min/max: allowed
# range; values: allowed values (absent: any value); max_chars: longest text allowed;
# size/channels: the images' height x width (null: any, resized by image.size) and channel counts.
# layout (time series and sequences): which columns order the rows, and the channel count.
"""


# what a schema entry may say a column holds (a column kind, not a modality: a table may hold a text column)
COLUMN_KINDS = NUMERIC_COLUMN, CATEGORICAL_COLUMN, TEXT_COLUMN, IMAGE_COLUMN, TIME_COLUMN, ID_COLUMN = ("numeric", "categorical", "text", "image", "time", "id")

def _plain(value):
    """YAML-friendly python scalar."""
    return value.item() if hasattr(value, "item") else value


def infer_column(series: pd.Series, margin: float, max_categories: int, keep_values: bool) -> dict:
    """The schema entry of one column."""
    entry: dict = {"nullable": bool(series.isna().any())}
    values = series.dropna()
    if is_bytes(series):
        from archflow.images import image_header

        # headers only: undecodable or oversized images are for validation to name, not to crash on
        shapes = {shape for shape in map(image_header, values) if shape is not None}
        entry.update(kind=IMAGE_COLUMN, channels=sorted({int(s[2]) for s in shapes}))
        sizes = {(int(s[0]), int(s[1])) for s in shapes}
        entry["size"] = list(next(iter(sizes))) if len(sizes) == 1 else None  # None: any size (image.size resizes)
        return entry
    if is_text_column(series):
        entry.update(kind=TEXT_COLUMN, max_chars=int(values.astype(str).str.len().max() * 2))
        return entry
    if is_numeric(series):
        entry["kind"] = NUMERIC_COLUMN
        low, high = float(values.min()), float(values.max())
        pad = margin * (high - low) if high > low else margin * max(abs(high), 1.0)
        entry["min"], entry["max"] = round(low - pad, 6), round(high + pad, 6)
        if keep_values:
            entry["values"] = sorted(_plain(v) for v in values.unique())
    else:
        entry["kind"] = CATEGORICAL_COLUMN
        distinct = values.unique()
        if keep_values or len(distinct) <= max_categories:
            entry["values"] = sorted((_plain(v) for v in distinct), key=str)
    return entry


def infer_schema(frame: pd.DataFrame, source: str, target: str, task_override: str, margin: float, max_categories: int, layout: dict | None = None) -> dict:
    """Infer the schema of a frame whose target column is present.

    ``layout`` marks ordered data (archflow.modalities.find_layout): ``{"kind": "timeseries",
    "time_column", "id_column", "target_may_be_missing"}`` or ``{"kind": "sequence", "id_column",
    "step_column", "channels"}``. Time and id columns get
    their own kinds (no ranges: later data may run on), and a forecast target may hold gaps
    that the fill policy closes (checked with the time steps)."""
    if target not in frame.columns:
        raise DataError(f"target column '{target}' is not in the data; columns are {list(frame.columns)}")
    task, _ = detect_task(frame[target], task_override)
    layout = layout or {}
    special = {layout.get("time_column"): TIME_COLUMN, layout.get("id_column"): ID_COLUMN}
    columns = {}
    for name in frame.columns:
        is_target = name == target
        if name in special:
            columns[str(name)] = {"kind": special[name], "nullable": bool(frame[name].isna().any())}
            continue
        columns[str(name)] = infer_column(frame[name], margin, max_categories, keep_values=is_target and is_classification(task))
        if is_target:
            columns[str(name)]["nullable"] = bool(layout.get("target_may_be_missing"))  # a series' gaps, closed by the fill policy
    schema = {"source": source, "target": target, "task": task, "columns": columns}
    if layout:
        schema["layout"] = {k: v for k, v in layout.items() if v is not None}
    return schema


def dump_schema(schema: dict) -> str:
    return HEADER.format(source=schema["source"]) + yaml.safe_dump(schema, sort_keys=False, allow_unicode=True)


def parse_schema(text: str, where: str) -> dict:
    """Load a schema file, checking the few keys every later step relies on."""
    try:
        schema = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(f"{where}: not valid YAML ({exc})") from exc
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), dict) or "target" not in schema:
        raise DataError(f"{where}: a schema needs 'target' and a 'columns' mapping")
    for name, entry in schema["columns"].items():
        if entry.get("kind") not in COLUMN_KINDS:
            raise DataError(f"{where}: column '{name}' needs kind numeric, categorical, text, image, time or id")
        for bound in ("min", "max"):
            if bound in entry and not math.isfinite(float(entry[bound])):
                raise DataError(f"{where}: column '{name}' {bound} must be finite")
    return schema
