"""Great Expectations validation of a snapshot against its schema and the run's needs.

The suite is built from the schema file (column set, types, nullability, ranges, value
sets) and from what training needs (rows, at least two classes, enough rows per class for
the folds). Class counts are checked by a second expectation suite on a derived
(class, rows) table so that every check is a real GX expectation. A failed checkpoint
raises nothing in GX; :func:`validate_frame` returns the summary and the caller fails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from archflow.column_types import is_numeric, is_string_column
from archflow.images import image_facts
from archflow.limits import MAX_PIXELS
from archflow.schema import ID_COLUMN, IMAGE_COLUMN, NUMERIC_COLUMN, TEXT_COLUMN, TIME_COLUMN
from archflow.target import is_classification

NUMERIC_TYPES = [
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "Int8", "Int16", "Int32", "Int64", "Float32", "Float64",
    "int", "float",
]
CATEGORICAL_TYPES = ["str", "string", "object", "category", "bool", "boolean"]
EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class Requirements:
    """What the training run needs of the data, beyond its schema."""

    min_rows: int
    min_rows_per_class: int
    folds: int
    test_size: float
    max_pixels: int = MAX_PIXELS


def requirements_for(folds: int, test_size: float, min_rows: int, max_pixels: int = MAX_PIXELS) -> Requirements:
    """Stratified folds on the training split need ``folds`` rows of each class there."""
    per_class = max(2, math.ceil(folds / (1 - test_size)))
    return Requirements(min_rows=min_rows, min_rows_per_class=per_class, folds=folds, test_size=test_size, max_pixels=max_pixels)


TIME_TYPES = CATEGORICAL_TYPES + NUMERIC_TYPES + ["Timestamp", "datetime64[ns]", "datetime64[us]", "datetime64[ms]", "datetime64[s]"]


def _column_expectations(gxe, name: str, entry: dict) -> list:
    types = {NUMERIC_COLUMN: NUMERIC_TYPES, IMAGE_COLUMN: ["bytes"], TIME_COLUMN: TIME_TYPES, ID_COLUMN: CATEGORICAL_TYPES + NUMERIC_TYPES}.get(entry["kind"], CATEGORICAL_TYPES)
    expectations = [gxe.ExpectColumnValuesToBeInTypeList(column=name, type_list=types)]
    if entry["kind"] == TEXT_COLUMN:
        expectations.append(gxe.ExpectColumnValuesToMatchRegex(column=name, regex=r"\S"))  # not blank
        expectations.append(gxe.ExpectColumnValueLengthsToBeBetween(column=name, min_value=1, max_value=entry.get("max_chars")))
    if not entry.get("nullable", True):
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=name))
    if entry["kind"] == NUMERIC_COLUMN and "min" in entry and "max" in entry:
        # also rejects +-inf, which lies outside any finite range
        expectations.append(gxe.ExpectColumnValuesToBeBetween(column=name, min_value=entry["min"], max_value=entry["max"]))
    if entry.get("values") is not None:
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=list(entry["values"])))
    return expectations


def build_expectations(schema: dict, present: list[str], requirements: Requirements) -> list:
    """The snapshot's expectations; column checks only for columns that exist."""
    import great_expectations.expectations as gxe

    target = schema["target"]
    expectations = [
        gxe.ExpectTableColumnsToMatchSet(column_set=list(schema["columns"]), exact_match=True),
        gxe.ExpectTableRowCountToBeBetween(min_value=requirements.min_rows),
    ]
    for name, entry in schema["columns"].items():
        expectations.append(gxe.ExpectColumnToExist(column=name))
        if name in present:
            expectations.extend(_column_expectations(gxe, name, entry))
    if target in present and is_classification(schema.get("task", "")):
        expectations.append(gxe.ExpectColumnUniqueValueCountToBeBetween(column=target, min_value=2))
    return expectations


def image_expectations(gxe, entry: dict, resize: bool, max_pixels: int) -> list:
    """Checks on the per-image facts table (file, pixels, decodes, height, width, channels)."""
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(column="pixels", max_value=max_pixels),
        gxe.ExpectColumnValuesToBeInSet(column="decodes", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="channels", value_set=entry["channels"]),
    ]
    if entry.get("size") and not resize:
        expectations += [gxe.ExpectColumnValuesToBeInSet(column="height", value_set=[entry["size"][0]]), gxe.ExpectColumnValuesToBeInSet(column="width", value_set=[entry["size"][1]])]
    elif not resize:
        expectations += [gxe.ExpectColumnUniqueValueCountToBeBetween(column=c, max_value=1) for c in ("height", "width")]
    return expectations


def _describe_images(facts: pd.DataFrame, column: str, entry: dict, max_pixels: int) -> tuple[str, list] | None:
    """The failure in words, or None when only undecodable images (reported once) caused it."""
    if column == "pixels":
        big = facts.loc[facts["pixels"] > max_pixels, "file"].tolist()
        return f"{len(big)} image(s) have more than image.max_pixels ({max_pixels:,}) pixels and were not decoded (a decompression bomb, or photos to shrink first; raise image.max_pixels if they are genuine)", big[:EXAMPLES_SHOWN]
    if column == "decodes":
        bad = facts.loc[~facts["decodes"], "file"].tolist()
        return f"{len(bad)} image(s) cannot be decoded (corrupt or truncated)", bad[:EXAMPLES_SHOWN]
    decoded = facts[facts["decodes"] & (facts["pixels"] <= max_pixels)]
    if column == "channels":
        odd = decoded.loc[~decoded["channels"].isin(entry["channels"]), "file"].tolist()
        return (f"{len(odd)} image(s) have a channel count other than {entry['channels']}", odd[:EXAMPLES_SHOWN]) if odd else None
    expected = entry["size"][0 if column == "height" else 1] if entry.get("size") else decoded[column].mode().iloc[0]
    odd = decoded.loc[decoded[column] != expected, "file"].tolist()
    return (f"{len(odd)} image(s) differ in {column} from {expected} (set image.size in params to resize them)", odd[:EXAMPLES_SHOWN]) if odd else None


def class_count_frame(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    counts = frame[target].dropna().value_counts()
    return pd.DataFrame({"class": [str(c) for c in counts.index], "rows": counts.to_numpy(dtype="int64")})


def _suite_result(context, name: str, frame: pd.DataFrame, expectations: list, docs: bool):
    import great_expectations as gx

    asset = context.data_sources.get("archflow").add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["archflow"])] if docs else []
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name=name, validation_definitions=[definition], actions=actions, result_format={"result_format": "SUMMARY"})
    )
    result = checkpoint.run(batch_parameters={"dataframe": frame})
    return next(iter(result.run_results.values()))


def _describe(frame: pd.DataFrame, schema: dict, requirements: Requirements, kind: str, column, result: dict) -> tuple[str, list]:
    """A sentence for one failed expectation, plus a few offending values."""
    examples = list(result.get("partial_unexpected_list") or [])[:EXAMPLES_SHOWN]
    entry = schema["columns"].get(column, {}) if column else {}
    if kind == "expect_table_columns_to_match_set":
        missing = [c for c in schema["columns"] if c not in frame.columns]
        extra = [c for c in frame.columns if c not in schema["columns"]]
        return f"columns differ from the schema: missing {missing}, unexpected {extra}", []
    if kind == "expect_table_row_count_to_be_between":
        return f"{len(frame)} rows; at least {requirements.min_rows} are needed", []
    if kind == "expect_column_to_exist":
        role = " (the target)" if column == schema["target"] else ""
        return f"column '{column}'{role} is missing", []
    if kind == "expect_column_values_to_be_in_type_list":
        if entry.get("kind") == NUMERIC_COLUMN:
            series = frame[column]
            bad = series[series.notna() & pd.to_numeric(series, errors="coerce").isna()]
            return f"column '{column}' should be numeric but holds {series.dtype} values", bad.head(EXAMPLES_SHOWN).tolist()
        return f"column '{column}' should hold categories (strings) but is {frame[column].dtype}", examples
    if kind == "expect_column_values_to_not_be_null":
        rows = frame.index[frame[column].isna()].tolist()[:EXAMPLES_SHOWN]
        role = "target " if column == schema["target"] else ""
        return f"{role}column '{column}' has {result.get('unexpected_count')} missing values (first rows: {rows})", []
    if kind == "expect_column_values_to_be_between":
        return f"column '{column}' has {result.get('unexpected_count')} values outside [{entry.get('min')}, {entry.get('max')}] (infinite values included)", examples
    if kind == "expect_column_values_to_be_in_set":
        return f"column '{column}' has {result.get('unexpected_count')} values outside the allowed set", examples
    if kind == "expect_column_values_to_match_regex":
        rows = frame.index[frame[column].astype(str).str.strip() == ""].tolist()[:EXAMPLES_SHOWN]
        return f"text column '{column}' has {result.get('unexpected_count')} blank rows (first rows: {rows})", []
    if kind == "expect_column_value_lengths_to_be_between":
        lengths = frame[column].astype(str).str.len()
        rows = frame.index[(lengths < 1) | (lengths > (entry.get("max_chars") or 1e18))].tolist()[:EXAMPLES_SHOWN]
        return f"text column '{column}' has {result.get('unexpected_count')} rows that are empty or longer than {entry.get('max_chars')} characters (first rows: {rows})", []
    if kind == "expect_column_unique_value_count_to_be_between":
        classes = frame[column].dropna().unique().tolist()[:EXAMPLES_SHOWN]
        return f"target column '{column}' has {result.get('observed_value')} class(es) {classes}; at least 2 are needed", []
    return f"{kind} failed on {column or 'the table'}", examples


def _describe_counts(counts: pd.DataFrame, target: str, requirements: Requirements) -> tuple[str, list]:
    low = counts[counts["rows"] < requirements.min_rows_per_class]
    listing = ", ".join(f"'{c}': {n}" for c, n in zip(low["class"].head(EXAMPLES_SHOWN), low["rows"].head(EXAMPLES_SHOWN)))
    more = f" and {len(low) - EXAMPLES_SHOWN} more" if len(low) > EXAMPLES_SHOWN else ""
    sentence = (
        f"target column '{target}' has too few rows in {len(low)} class(es): {listing}{more}; each class needs at least "
        f"{requirements.min_rows_per_class} for {requirements.folds} folds with a {requirements.test_size:.0%} hold-out"
    )
    singletons = int((counts["rows"] == 1).sum())
    if singletons > len(counts) / 2:
        sentence += f". {singletons} of {len(counts)} classes have a single row: is '{target}' an identifier rather than a label? Set data.target to the column to predict"
    return sentence, []


def as_objects(series: pd.Series) -> pd.Series:
    """``series.astype(object)``, with each distinct string one shared Python object: a column
    of 10 M strings of a few values is then 80 MB of references, not 600 MB of strings."""
    if not is_string_column(series):
        return series.astype(object)
    codes, distinct = pd.factorize(series)  # a missing value's code is -1: the NaN appended last
    values = np.append(np.asarray(distinct, dtype=object), np.nan)
    return pd.Series(values[codes], index=series.index, name=series.name, dtype=object)


def validate_frame(frame: pd.DataFrame, schema: dict, requirements: Requirements, docs_dir: Path | None = None, resize: bool = False, series_policy: dict | None = None) -> dict:
    """Run the expectation suites; return a JSON-ready summary with ``success`` and ``failures``.

    ``series_policy`` (fill, max_gap) applies to time series, whose schema has a layout."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name="archflow",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(Path(docs_dir).resolve())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    context.data_sources.add_pandas("archflow")
    target = schema["target"]
    # GX matches extension dtypes (pandas 3's str) by equality and misses them; as object
    # columns it checks each value's Python type instead, and lists the offending values.
    checked = frame.assign(**{c: as_objects(frame[c]) for c in frame.columns if not is_numeric(frame[c])})
    runs = [("snapshot", checked, build_expectations(schema, list(frame.columns), requirements))]
    counts = None
    layout = schema.get("layout", {})
    from archflow.modalities import validation_suites

    ordered = validation_suites(frame, schema, requirements, series_policy or {}) if layout and all(c in frame.columns for c in (target, layout.get("time_column") or layout["id_column"])) else []
    runs += [(name, table, expectations) for name, table, expectations, _ in ordered]
    describers = {name: describe for name, _, _, describe in ordered}
    if target in frame.columns and is_classification(schema.get("task", "")):
        per_item = frame.drop_duplicates(layout["id_column"]) if layout.get("step_column") and layout["id_column"] in frame.columns else frame  # one label per sequence
        counts = class_count_frame(per_item, target)
        runs.append(("target-class-counts", counts, [gxe.ExpectColumnValuesToBeBetween(column="rows", min_value=requirements.min_rows_per_class)]))

    image_column = next((c for c, e in schema["columns"].items() if e["kind"] == IMAGE_COLUMN and c in frame.columns), None)
    image_table = None
    if image_column:
        names = frame["file"] if "file" in frame.columns else pd.Series(frame.index.astype(str))
        image_table = image_facts(frame[image_column], names, requirements.max_pixels)
        runs.append(("image-facts", image_table, image_expectations(gxe, schema["columns"][image_column], resize, requirements.max_pixels)))

    checks, failures, by_check = 0, [], {}
    for name, data, expectations in runs:
        outcome = _suite_result(context, name, data, expectations, docs=docs_dir is not None)
        # a column of the wrong type cannot be range- or set-checked meaningfully: report its type alone
        mistyped = {r.expectation_config.kwargs.get("column") for r in outcome.results if not r.success and r.expectation_config.type == "expect_column_values_to_be_in_type_list"}
        for item in outcome.results:
            checks += 1
            tally = by_check.setdefault(item.expectation_config.type, {"checks": 0, "passed": 0})
            tally["checks"] += 1
            tally["passed"] += bool(item.success)
            if item.success:
                continue
            config = item.expectation_config
            column = config.kwargs.get("column")
            if column in mistyped and config.type != "expect_column_values_to_be_in_type_list":
                continue
            if name in describers:
                described = describers[name](column, config.type, item.result)
                if described is None:
                    continue
                problem, examples, column = described
            elif name == "target-class-counts":
                problem, examples = _describe_counts(counts, target, requirements)
                column = target
            elif name == "image-facts":
                described = _describe_images(image_table, column, schema["columns"][image_column], requirements.max_pixels)
                if described is None:
                    continue
                (problem, examples), column = described, image_column
            else:
                problem, examples = _describe(frame, schema, requirements, config.type, column, item.result)
            failures.append({"expectation": config.type, "column": column, "problem": problem, "examples": [str(e) for e in examples]})
    return {"success": not failures, "checks": checks, "failed": len(failures), "failures": failures, "by_check": by_check}


def failure_text(failure: dict) -> str:
    """One failed check in words, with a few offending values."""
    examples = f"; e.g. {', '.join(failure['examples'])}" if failure["examples"] else ""
    return failure["problem"] + examples


def failure_message(summary: dict, source: str, schema_path: str, docs_path: str) -> str:
    """A readable multi-line account of a failed validation."""
    lines = [f"Data validation failed for {source} ({summary['failed']} of {summary['checks']} checks, schema {schema_path}):"]
    lines += [f"  - {failure_text(f)}" for f in summary["failures"]]
    lines.append(f"Data Docs: {docs_path}")
    return "\n".join(lines)


def validation_markdown(summary: dict) -> str:
    """The validation result for the UI: what failed, a table of the checks by kind, where the Data Docs are."""
    status = "passed" if summary["success"] else "FAILED"
    lines = [f"# Data validation {status}", f"{summary['checks'] - summary['failed']}/{summary['checks']} checks passed for `{summary['source']}` against `{summary['schema']}`", ""]
    lines += [f"- **{f['column'] or 'table'}**: {failure_text(f)}" for f in summary["failures"]]
    if summary.get("by_check"):
        lines += ["", "| Great Expectations check | passed |", "|---|---|"]
        lines += [f"| {kind.removeprefix('expect_').replace('_', ' ')} | {t['passed']}/{t['checks']} |" for kind, t in sorted(summary["by_check"].items())]
    if summary.get("data_docs"):
        docs = Path(summary["data_docs"])
        lines += ["", f"Full Data Docs (every expectation, with observed values): [{docs}]({docs.resolve().as_uri()}) (open the file on the machine that ran the stage)"]
    return "\n".join(lines)
