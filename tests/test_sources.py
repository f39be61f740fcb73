import pytest

from archflow.errors import DataError
from archflow.profiling import profile_frame
from archflow.sources import load_source, source_name


def test_csv_and_parquet_load_with_a_content_hash(tmp_path, table):
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_parquet(tmp_path / "t.parquet", index=False)
    from_csv, info = load_source(str(tmp_path / "t.csv"))
    from_parquet, _ = load_source(str(tmp_path / "t.parquet"))
    assert from_csv.shape == from_parquet.shape == table.shape
    assert info.kind == "file" and len(info.sha256) == 64


def test_bundled_example_loads_offline():
    frame, info = load_source("penguins")
    assert info.kind == "example" and len(frame) == 344 and "species" in frame.columns
    assert source_name("penguins") == "penguins" and source_name("data/raw/churn.csv") == "churn"


@pytest.mark.parametrize(
    "name, content, problem",
    [("bad.csv", "", "empty"), ("bad.csv", "a,b,label\n", "no data rows"), ("bad.parquet", "not parquet at all", "cannot be read")],
)
def test_bad_files_name_the_file_and_problem(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DataError, match=problem) as raised:
        load_source(str(path))
    assert name in str(raised.value)


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_source(str(tmp_path / "nope.csv"))
    (tmp_path / "data.xlsx").write_text("x")
    with pytest.raises(DataError, match="unsupported file type"):
        load_source(str(tmp_path / "data.xlsx"))


def test_profile_counts_missing_values_and_classes(table):
    table.loc[0, "x1"] = None
    profile = profile_frame(table, "label")
    assert profile["rows"] == 60 and profile["column_profiles"]["x1"]["missing"] == 1
    assert sum(profile["target_counts"].values()) == 60
