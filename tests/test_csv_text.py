"""csv_text writes exactly what DataFrame.to_csv writes, each distinct cell formatted once."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.csv_text import csv_bytes

TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list('ab,"\r\n\t 指标%')), max_size=6))
FLOAT = st.one_of(st.just(np.nan), st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, 1e-7, 1e20]))
INT = st.one_of(st.none(), st.integers(-5, 5))
MIXED = st.one_of(st.none(), st.integers(-3, 3), st.booleans(), st.floats(), st.text(max_size=3))


def _same(frame: pd.DataFrame) -> None:
    assert csv_bytes(frame).to_pybytes() == frame.to_csv(index=False, header=False).encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, FLOAT, INT, MIXED), min_size=1, max_size=12))
def test_random_tables_are_written_as_pandas_writes_them(rows):
    texts, floats, ints, mixed = zip(*rows, strict=True)
    frame = pd.DataFrame(
        {
            "text": pd.Series(texts, dtype="str"),
            "object_text": pd.Series(texts, dtype=object),
            "float": pd.Series(floats, dtype=float),
            "nullable_int": pd.Series(ints, dtype="Int64"),
            "mixed": pd.Series(mixed, dtype=object),  # 1, 1.0 and True are equal but written differently
            "count": pd.Series([i or 0 for i in ints], dtype="int64"),
            "flag": pd.Series([t is None for t in texts], dtype=bool),
        }
    )
    _same(frame)
    _same(frame[["text"]])  # one column: an empty field alone on its line is written as ""


def test_edge_cells():
    frame = pd.DataFrame(
        {
            "a": ["x\ry", "p\nq", "", None, 'a"b', "c,d"],
            "b": [1.0, None, -0.0, 0.0, 3.0, 1e20],
            "c": [[1], [2], None, [1], "x", 3.0],  # unhashable cells
            "d": [True, False, True, True, False, False],
            "e": pd.array([1.5, None, 2, 3, 4, -0.0], dtype="Float64"),
            "f": np.array([1, 2, 3, 4, 5, 6], dtype=np.float32),
            "g": [None] * 6,  # all missing
            "h": pd.Series([None] * 6, dtype="str"),
            "i": pd.array([None, 1, None, -2, 0, None], dtype="Int64"),
            "j": ["指标", "", "完成率,%", "“优”", None, "a\r\nb"],
        }
    )
    _same(frame)
    for column in frame.columns:  # one column: a row with an empty field is written as ""
        _same(frame[[column]])
    _same(frame.iloc[:0])
    _same(pd.DataFrame(index=range(3)))


def test_run_tables():
    """The tables of a real run on the seeds."""
    from nlp.pipeline import run

    result = run(["examples/documents"])
    for frame in (result.tables.projects, result.tables.indicators, result.tables.quality):
        _same(frame)
