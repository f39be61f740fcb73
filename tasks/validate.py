"""Validate: check the snapshot against its saved schema (inferred from the first good data)."""

import logging
from pathlib import Path


from archflow.errors import DataError, ValidationFailed
from archflow.file_names import DATA_DOCS, SNAPSHOT, SOURCE, VALIDATION_SUMMARY
from archflow.modalities import find_layout
from archflow.outputs import atomic_dir, read_json, write_json
from archflow.parquet import read_frame
from archflow.schema import dump_schema, infer_schema, parse_schema
from archflow.settings import Settings
from archflow.sources import source_name
from archflow.validation import failure_message, requirements_for, validate_frame

log = logging.getLogger(__name__)  # Prefect captures it (PREFECT_LOGGING_EXTRA_LOGGERS, flows/__init__.py)


def schema_path(settings: Settings) -> Path:
    return Path(settings.paths.schemas) / f"{source_name(settings.data.source)}.yaml"


def validate(settings: Settings) -> dict:
    frame = read_frame(Path(settings.paths.ingested) / SNAPSHOT)
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
            schema = infer_schema(frame, source_name(settings.data.source), settings.data.target, settings.data.task, v.range_margin, v.max_categories, find_layout(frame, settings.data.target, settings))
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
    summary["data_docs"] = str(docs)
    if not summary["success"]:
        raise ValidationFailed(failure_message(summary, source, str(path), str(docs)), summary)
    if inferred:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_schema(schema))
        log.info("saved the schema to %s: later runs are validated against it", path)
    log.info("validation passed: %d checks; Data Docs at %s", summary["checks"], docs)
    return summary
