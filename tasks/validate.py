"""Validate: check the snapshot against its saved schema (inferred from the first good data)."""

from pathlib import Path

import pandas as pd
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from archflow.detection import settings_layout
from archflow.errors import DataError, ValidationFailed
from archflow.layout import DATA_DOCS, SNAPSHOT, SOURCE, VALIDATION_SUMMARY
from archflow.outputs import atomic_dir, read_json, write_json
from archflow.schema import dump_schema, infer_schema, parse_schema
from tasks.stage_task import stage_task
from archflow.settings import Settings
from archflow.sources import source_name
from archflow.validation import failure_message, failure_text, requirements_for, validate_frame


def validation_markdown(summary: dict, docs: Path) -> str:
    """The validation result for the UI: what failed, a table of the checks by kind, where the Data Docs are."""
    status = "passed" if summary["success"] else "FAILED"
    lines = [f"# Data validation {status}", f"{summary['checks'] - summary['failed']}/{summary['checks']} checks passed for `{summary['source']}` against `{summary['schema']}`", ""]
    lines += [f"- **{f['column'] or 'table'}**: {failure_text(f)}" for f in summary["failures"]]
    if summary.get("by_check"):
        lines += ["", "| Great Expectations check | passed |", "|---|---|"]
        lines += [f"| {kind.removeprefix('expect_').replace('_', ' ')} | {t['passed']}/{t['checks']} |" for kind, t in sorted(summary["by_check"].items())]
    lines += ["", f"Full Data Docs (every expectation, with observed values): [{docs}]({docs.resolve().as_uri()}) (open the file on the machine that ran the stage)"]
    return "\n".join(lines)


def schema_path(settings: Settings) -> Path:
    return Path(settings.paths.schemas) / f"{source_name(settings.data.source)}.yaml"


@stage_task("validate")
def validate(settings: Settings) -> dict:
    log = get_run_logger()
    frame = pd.read_parquet(Path(settings.paths.ingested) / SNAPSHOT)
    source = read_json(Path(settings.paths.ingested) / SOURCE)["source"]
    path = schema_path(settings)
    inferred = not path.exists()
    if settings.data.target in frame.columns and frame[settings.data.target].isna().all():
        raise DataError(f"{source}: target column '{settings.data.target}' (data.target) has no values: all {len(frame)} rows are missing")
    if inferred:
        if settings.data.target not in frame.columns:
            raise DataError(f"{source}: target column '{settings.data.target}' (data.target) is missing; columns are {list(frame.columns)}")
        v = settings.validate
        try:
            schema = infer_schema(frame, source_name(settings.data.source), settings.data.target, settings.data.task, v.range_margin, v.max_categories, settings_layout(frame, settings))
        except DataError as error:  # name the file the problem was found in
            raise DataError(f"{source}: {error}") from None
        log.info("no schema at %s yet: inferred one from this data", path)
    else:
        schema = parse_schema(path.read_text(), str(path))
        if schema["target"] != settings.data.target:
            raise DataError(f"{path} was made for target '{schema['target']}' but data.target is '{settings.data.target}': fix one, or delete the schema to infer it again")
    requirements = requirements_for(settings.train.folds, settings.split.test_size, settings.validate.min_rows, settings.image.max_pixels)
    with atomic_dir(settings.paths.validation) as out:
        policy = {"fill": settings.series.fill, "max_gap": settings.series.max_gap}
        summary = validate_frame(frame, schema, requirements, out / DATA_DOCS, resize=bool(settings.image.size), series_policy=policy)
        summary.update({"source": source, "schema": str(path), "schema_inferred": inferred})
        write_json(out / VALIDATION_SUMMARY, summary)
    docs = Path(settings.paths.validation) / DATA_DOCS / "index.html"
    create_markdown_artifact(key="archflow-validation", markdown=validation_markdown(summary, docs), description="Great Expectations validation of the ingested data: the checks by kind and any failures, with the Data Docs' location")
    if not summary["success"]:
        raise ValidationFailed(failure_message(summary, source, str(path), str(docs)), summary)
    if inferred:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(schema))
        log.info("saved the schema to %s: later runs are validated against it", path)
    log.info("validation passed: %d checks; Data Docs at %s", summary["checks"], docs)
    return summary
