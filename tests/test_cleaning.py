import pandas as pd
import pytest

from archflow.cleaning import clean_frame, split_holdout
from archflow.column_types import feature_columns
from archflow.errors import DataError
from archflow.target import detect_task


def test_cleaning_trims_blanks_and_drops_duplicates():
    frame = pd.DataFrame({"x": [1.0, 1.0, 2.0], "c": [" red", " red", "  "], "y": ["a", "a", "b"]})
    cleaned, stats = clean_frame(frame, "y")
    assert stats["duplicates_dropped"] == 1 and len(cleaned) == 2
    assert cleaned.loc[0, "c"] == "red" and pd.isna(cleaned.loc[1, "c"])


def test_drop_columns_are_checked(table):
    assert "colour" not in clean_frame(table, "label", ("colour",))[0].columns
    with pytest.raises(DataError, match="not in the data"):
        clean_frame(table, "label", ("nope",))
    with pytest.raises(DataError, match="target"):
        clean_frame(table, "label", ("label",))


def test_split_is_seeded_stratified_and_disjoint(table):
    train, test = split_holdout(table, "label", "multiclass", 0.25, seed=3)
    again, _ = split_holdout(table, "label", "multiclass", 0.25, seed=3)
    assert len(test) == 15 and train.equals(again)
    shares = train["label"].value_counts(normalize=True) - table["label"].value_counts(normalize=True)
    assert shares.abs().max() < 0.05
    assert set(map(tuple, train.to_numpy())) & set(map(tuple, test.to_numpy())) == set()


def test_task_detection_and_override():
    assert detect_task(pd.Series(["a", "b"]))[0] == "binary"
    assert detect_task(pd.Series([0, 1, 2, 1]))[0] == "multiclass"
    assert detect_task(pd.Series([0.5, 1.7, 2.2]))[0] == "regression"
    assert detect_task(pd.Series(range(100)))[0] == "regression"
    assert detect_task(pd.Series([0, 1]), "regression") == ("regression", "task 'regression' set in params (data.task)")


def test_feature_columns_split_numeric_from_categorical(table):
    assert feature_columns(table, "label") == (["x1", "x2"], ["colour"])


def test_the_hold_out_is_scikit_learns_split_of_the_frame_and_duplicates_are_exact(monkeypatch):
    """The split drawn on row positions and label codes is the rows scikit-learn picks from
    the frame itself (so bundled examples keep their hold-outs), also when it takes the frame's
    columns one by one; the hashed duplicate search, in slices of rows, finds exactly what
    ``DataFrame.duplicated`` finds."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    import archflow.cleaning
    from archflow.cleaning import duplicate_rows, split_holdout

    monkeypatch.setattr(archflow.cleaning, "HASHED_ROWS", 7)  # many slices, duplicates across them

    rng = np.random.default_rng(0)
    for seed in range(10):
        rows = int(rng.integers(40, 400))
        frame = pd.DataFrame({"x": rng.normal(size=rows), "label": rng.choice(["b", "a", "c", "zz"], rows), "n": rng.integers(0, 3, rows)})
        for target, task, stratify in (("label", "multiclass", frame["label"]), ("n", "multiclass", frame["n"]), ("x", "regression", None)):
            train, test = train_test_split(frame, test_size=0.25, random_state=seed, stratify=stratify)
            ours = split_holdout(frame, target, task, 0.25, seed)
            assert ours[0].equals(train.reset_index(drop=True)) and ours[1].equals(test.reset_index(drop=True))
            given = frame.copy()
            taken = split_holdout(given, target, task, 0.25, seed, consume=True)
            assert taken[0].equals(ours[0]) and taken[1].equals(ours[1]) and given.shape[1] == 0
        repeated = pd.concat([frame, frame.sample(frac=0.3, random_state=seed)], ignore_index=True)
        repeated.loc[repeated.sample(frac=0.1, random_state=seed).index, "label"] = None
        assert duplicate_rows(repeated).tolist() == repeated.duplicated().tolist()
