"""Parquet in and out of pandas without a second whole copy of the table in memory.

``pd.read_parquet`` holds the Arrow table and the pandas frame built from it at once (about
twice the table at its peak), and ``DataFrame.to_parquet`` converts the whole frame to Arrow
before writing (the same again). Reading here converts one column at a time; writing converts
and writes a slice of rows at a time. The frames and files are the same as
pandas' own (the same dtypes; the file's pandas metadata), so every stage reads them alike.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROWS_PER_GROUP = 1_000_000  # rows converted to Arrow and written at a time (one row group each)


def read_frame(path: str | Path) -> pd.DataFrame:
    """A Parquet file as pandas reads it, one column at a time: the peak is the frame and one
    column's Arrow copy (10 M rows x 20 columns: 1.17x the frame, against 2.3x for the whole
    table converted at once)."""
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    names = file.schema_arrow.names
    stored_index = [c for c in (file.schema_arrow.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)]
    if stored_index or len(set(names)) != len(names) or file.metadata.num_rows == 0:
        return pd.read_parquet(path)  # a stored index, repeated names or no rows: pandas' own handling
    columns = {name: file.read(columns=[name], use_pandas_metadata=True).to_pandas(self_destruct=True)[name] for name in names}
    return pd.DataFrame(columns, copy=False)  # (a dict of columns is copied unless told not to)


def write_frame(frame: pd.DataFrame, path: str | Path, rows_per_group: int = ROWS_PER_GROUP) -> None:
    """Write ``frame`` (without its index) as Parquet, converting a slice of rows at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if len(frame) <= rows_per_group:
        frame.to_parquet(path, index=False)
        return
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(frame), rows_per_group):
            writer.write_table(pa.Table.from_pandas(frame.iloc[start : start + rows_per_group], schema=schema, preserve_index=False))


def give_back_freed_columns() -> None:
    """Return to the system what Arrow's allocator holds from freed columns. The columns read
    here live in Arrow's buffers, and its allocator (mimalloc) keeps what is freed for its own
    reuse, so a column dropped as a split takes the table apart would still count against the
    process while numpy allocates the parts elsewhere."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
