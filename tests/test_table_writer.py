"""The batch writer's Parquet file: row groups written as parts come (held back while a column has no
type, for up to half the parts expected), the file written anew when a later part changes the schema
(types a column or widens a type); always the file of all parts unified."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nlp.batch import _TableWriter, _unified, write_part


def _expected(frames: list[pd.DataFrame]) -> pa.Table:
    tables = [pa.Table.from_pandas(f, preserve_index=False) for f in frames]
    schema = _unified([t.schema for t in tables if t.num_rows] or [t.schema for t in tables])
    return pa.concat_tables([t.select(schema.names).cast(schema) for t in tables])


def _write(tmp_path, frames: list[pd.DataFrame], expected: int) -> tuple[_TableWriter, list[int]]:
    spool = tmp_path / "spool"
    spool.mkdir()
    writer, written = _TableWriter(tmp_path, "t", expected), []
    for i, frame in enumerate(frames):
        writer.add(write_part(frame, spool, "t", i))
        written.append(writer.written)
    writer.close()
    assert not list(spool.iterdir()), "parts left in the spool"
    return writer, written


TYPED = [pd.DataFrame({"a": ["x", "y"], "n": [1, 2]}), pd.DataFrame({"a": ["z"], "n": [3]})]
NULL_FIRST = [pd.DataFrame({"a": [None, None], "n": [1, 2]}), pd.DataFrame({"a": ["z"], "n": [3]})]
PROMOTED = [pd.DataFrame({"a": ["x"], "n": [1]}), pd.DataFrame({"a": ["z"], "n": [2.5]})]
EMPTY_BETWEEN = [TYPED[0], pd.DataFrame({"a": [], "n": []}), TYPED[1]]
LATE = [  # each part types one more column
    pd.DataFrame({c: [1.0] if k <= i else [None] for k, c in enumerate("abcd")}) for i in range(4)
]


@pytest.mark.parametrize(
    ("frames", "expected", "as_they_come", "restarts"),
    [
        (TYPED, 2, [1, 2], 0),
        (NULL_FIRST, 2, [1, 2], 1),  # no part held back (half of 2): written again
        (NULL_FIRST, 4, [0, 2], 0),  # held back until the second part types the column
        (PROMOTED, 2, [1, 2], 1),
        (EMPTY_BETWEEN, 3, [1, 2, 3], 0),
        (LATE, 1, [1, 2, 3, 3], 3),  # begun anew twice (RESTARTS), then written at the end
        (LATE, 4, [0, 2, 3, 4], 2),  # held back for two parts (half of 4), then begun anew twice
    ],
    ids=[
        "typed",
        "null-first",
        "null-first-held",
        "promoted",
        "empty-between",
        "typed-late",
        "typed-late-held",
    ],
)
def test_parquet_is_the_unified_file_of_all_parts(tmp_path, frames, expected, as_they_come, restarts):
    writer, written = _write(tmp_path, frames, expected)
    assert written == as_they_come  # parts in the file as each came
    assert writer.restarts == restarts
    table = pq.read_table(tmp_path / "t.parquet")
    expected = _expected(frames)
    assert table.schema.equals(expected.schema, check_metadata=True)
    assert table.equals(expected)
    assert pq.ParquetFile(tmp_path / "t.parquet").num_row_groups == len(frames)
    rows = "".join(f.to_csv(index=False, header=False) for f in frames)  # each part's CSV, as it is
    header = ",".join(frames[0].columns) + "\n"
    assert (tmp_path / "t.csv").read_bytes() == (header + rows).encode("utf-8-sig")
