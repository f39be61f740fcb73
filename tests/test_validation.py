"""Great Expectations validation: the schema is inferred once, then each kind of bad data fails
with a message that names the column and the problem."""

import numpy as np
import pytest

from archflow.schema import dump_schema, infer_schema, parse_schema
from archflow.validation import failure_message, requirements_for, validate_frame
from tests.conftest import make_table

REQUIREMENTS = requirements_for(folds=2, test_size=0.2, min_rows=10)


@pytest.fixture(scope="module")
def schema():
    return infer_schema(make_table(), "tiny", "label", "auto", margin=0.5, max_categories=50)


def problems(summary) -> str:
    return "\n".join(f["problem"] + " " + " ".join(f["examples"]) for f in summary["failures"])


def test_schema_round_trips_as_readable_yaml(schema):
    text = dump_schema(schema)
    assert text.startswith("# archflow data schema")
    assert parse_schema(text, "x.yaml") == schema
    assert schema["task"] == "multiclass"
    assert schema["columns"]["label"]["values"] == ["a", "b", "c"]
    assert schema["columns"]["x1"]["kind"] == "numeric" and schema["columns"]["colour"]["kind"] == "categorical"


def test_good_data_passes_and_writes_data_docs(schema, tmp_path):
    summary = validate_frame(make_table(seed=1), schema, REQUIREMENTS, tmp_path / "docs")
    assert summary["success"], problems(summary)
    assert summary["checks"] >= 15
    assert (tmp_path / "docs" / "index.html").exists()


def test_strings_in_a_numeric_column(schema):
    frame = make_table(seed=1)
    frame["x2"] = frame["x2"].astype(object)
    frame.loc[3, "x2"] = "twelve"
    summary = validate_frame(frame, schema, REQUIREMENTS)
    assert not summary["success"]
    assert "column 'x2' should be numeric" in problems(summary) and "twelve" in problems(summary)


def test_missing_target_values(schema):
    frame = make_table(seed=1)
    frame.loc[[2, 5], "label"] = None
    summary = validate_frame(frame, schema, REQUIREMENTS)
    assert "target column 'label' has 2 missing values" in problems(summary)


def test_single_class_target(schema):
    frame = make_table(seed=1)
    frame["label"] = "a"
    summary = validate_frame(frame, schema, REQUIREMENTS)
    assert "target column 'label' has 1 class(es)" in problems(summary)


def test_too_few_rows_in_a_class_for_the_folds(schema):
    frame = make_table(seed=1)
    keep = frame.index[frame["label"] != "c"].tolist() + frame.index[frame["label"] == "c"].tolist()[:1]
    summary = validate_frame(frame.loc[keep], schema, requirements_for(folds=5, test_size=0.2, min_rows=10))
    assert "too few rows in 1 class(es): 'c': 1" in problems(summary)


def test_infinite_and_out_of_range_values(schema):
    frame = make_table(seed=1)
    frame.loc[0, "x1"] = np.inf
    summary = validate_frame(frame, schema, REQUIREMENTS)
    assert "column 'x1' has 1 values outside" in problems(summary) and "inf" in problems(summary)


def test_missing_column_and_unknown_category(schema):
    frame = make_table(seed=1).drop(columns=["x2"])
    frame.loc[0, "colour"] = "purple"
    summary = validate_frame(frame, schema, REQUIREMENTS)
    text = problems(summary)
    assert "column 'x2' is missing" in text
    assert "column 'colour' has 1 values outside the allowed set" in text and "purple" in text


def test_failure_message_names_source_schema_and_docs(schema):
    frame = make_table(seed=1)
    frame["label"] = "a"
    message = failure_message(validate_frame(frame, schema, REQUIREMENTS), "data/raw/t.csv", "schemas/t.yaml", "reports/x/index.html")
    assert "data/raw/t.csv" in message and "schemas/t.yaml" in message and "index.html" in message


def test_schema_file_errors_are_readable():
    from archflow.errors import DataError

    with pytest.raises(DataError, match="needs 'target'"):
        parse_schema("columns: {}", "schemas/x.yaml")
