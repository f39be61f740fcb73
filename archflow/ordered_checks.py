"""Great Expectations suites for ordered data, run on derived tables.

Time series: one row per time step (does the stamp parse, repeat, go back in time, leave a
gap; is the target still missing after the fill policy). Sequences: one row per sequence
(length, channel count, channels with holes, repeated steps, labels). Each suite comes with
a function that turns a failed expectation into a sentence naming rows, stamps or sequences.
The time-series and sequence modalities (archflow/modalities/) ask for their suite.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from archflow.sequences import channel_columns, sequence_facts
from archflow.timeseries import time_facts

SHOWN = 5
Describe = Callable[[str, str, dict], "tuple[str, list, str] | None"]


def time_suite(gxe, frame: pd.DataFrame, schema: dict, policy: dict) -> tuple[str, pd.DataFrame, list, Describe]:
    layout, target = schema["layout"], schema["target"]
    time_column, id_column = layout["time_column"], layout.get("id_column", "")
    fill, max_gap = policy.get("fill", "ffill"), float(policy.get("max_gap", 1.5))
    facts = time_facts(frame, time_column, id_column, target, fill)
    expectations = [
        gxe.ExpectColumnValuesToBeInSet(column="parses", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="repeated", value_set=[False]),
        gxe.ExpectColumnValuesToBeInSet(column="backwards", value_set=[False]),
        gxe.ExpectColumnValuesToBeBetween(column="gap", min_value=0, max_value=max_gap),
        gxe.ExpectColumnValuesToBeInSet(column="missing_after_fill", value_set=[False]),
    ]

    def where(rows: pd.DataFrame) -> list[str]:
        label = (lambda r: f"row {r.row} ({r.time})") if not id_column else (lambda r: f"row {r.row} (series {r.series}, {r.time})")
        return [label(r) for r in rows.head(SHOWN).itertuples()]

    def describe(column: str, kind: str, result: dict):
        if column == "parses":
            bad = facts[~facts["parses"]]
            return f"time column '{time_column}': {len(bad)} time stamp(s) cannot be parsed as dates", where(bad), time_column
        if column == "repeated":
            bad = facts[facts["repeated"]]
            return f"time column '{time_column}': {len(bad)} duplicated time stamp(s) (each step needs its own)", where(bad), time_column
        if column == "backwards":
            bad = facts[facts["backwards"]]
            return f"time column '{time_column}': time stamps are not in order; {len(bad)} step(s) go back in time (sort the rows by time)", where(bad), time_column
        if column == "gap":
            bad = facts[facts["gap"] > max_gap]
            return f"time column '{time_column}': {len(bad)} gap(s) longer than {max_gap:g} typical time steps (series.max_gap)", where(bad), time_column
        bad = facts[facts["missing_after_fill"]]
        return f"target '{target}' has {len(bad)} missing value(s) left after the fill policy '{fill}' (series.fill)", where(bad), target

    return "time-steps", facts, expectations, describe


def sequence_suite(gxe, frame: pd.DataFrame, schema: dict, min_rows: int) -> tuple[str, pd.DataFrame, list, Describe]:
    layout, target = schema["layout"], schema["target"]
    id_column, step_column = layout["id_column"], layout["step_column"]
    channels = [c for c in channel_columns(frame, id_column, step_column, target) if c in schema["columns"]]
    facts = sequence_facts(frame, id_column, step_column, channels, target)
    expectations = [
        gxe.ExpectTableRowCountToBeBetween(min_value=min_rows),
        gxe.ExpectColumnValuesToBeInSet(column="channels", value_set=[layout["channels"]]),
        gxe.ExpectColumnValuesToBeInSet(column="channels_with_gaps", value_set=[0]),
        gxe.ExpectColumnValuesToBeInSet(column="repeated_steps", value_set=[0]),
        gxe.ExpectColumnValuesToBeInSet(column="labels", value_set=[1]),
    ]

    def named(rows: pd.DataFrame) -> list[str]:
        return [f"sequence {r.sequence}" for r in rows.head(SHOWN).itertuples()]

    def describe(column: str, kind: str, result: dict):
        if kind == "expect_table_row_count_to_be_between":
            return f"{len(facts)} sequences; at least {min_rows} are needed", [], id_column
        if column == "channels":
            counts = facts["channels"].value_counts().sort_index()
            listing = ", ".join(f"{n} sequence(s) with {c}" for c, n in counts.items())
            bad = facts[facts["channels"] != layout["channels"]]
            return f"inconsistent channel counts: every sequence needs {layout['channels']} channel(s) with a value at each step; found {listing}", named(bad), id_column
        if column == "channels_with_gaps":
            bad = facts[facts["channels_with_gaps"] > 0]
            return f"{len(bad)} sequence(s) have missing values inside a channel", named(bad), id_column
        if column == "repeated_steps":
            bad = facts[facts["repeated_steps"] > 0]
            return f"{len(bad)} sequence(s) repeat a step number in '{step_column}'", named(bad), id_column
        bad = facts[facts["labels"] != 1]
        return f"{len(bad)} sequence(s) have other than exactly one label in '{target}'", named(bad), target

    return "sequences", facts, expectations, describe

