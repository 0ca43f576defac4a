"""The batch writer's Parquet file: row groups written as parts come, the file written anew when a later
part changes the schema (types a column or widens a type); always the file of all parts unified."""

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


def _write(tmp_path, frames: list[pd.DataFrame]) -> tuple[_TableWriter, list[int]]:
    spool = tmp_path / "spool"
    spool.mkdir()
    writer, written = _TableWriter(tmp_path, "t"), []
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
LATE = [  # each part types one more column: begun anew twice (RESTARTS), then written at the end
    pd.DataFrame({c: [1.0] if k <= i else [None] for k, c in enumerate("abcd")}) for i in range(4)
]


@pytest.mark.parametrize(
    ("frames", "as_they_come"),
    [
        (TYPED, [1, 2]),
        (NULL_FIRST, [1, 2]),
        (PROMOTED, [1, 2]),
        (EMPTY_BETWEEN, [1, 2, 3]),
        (LATE, [1, 2, 3, 3]),
    ],
    ids=["typed", "null-first", "promoted", "empty-between", "typed-late"],
)
def test_parquet_is_the_unified_file_of_all_parts(tmp_path, frames, as_they_come):
    _, written = _write(tmp_path, frames)
    assert written == as_they_come  # parts in the file as each came
    table = pq.read_table(tmp_path / "t.parquet")
    expected = _expected(frames)
    assert table.schema.equals(expected.schema, check_metadata=True)
    assert table.equals(expected)
    assert pq.ParquetFile(tmp_path / "t.parquet").num_row_groups == len(frames)
    rows = "".join(f.to_csv(index=False, header=False) for f in frames)  # each part's CSV, as it is
    header = ",".join(frames[0].columns) + "\n"
    assert (tmp_path / "t.csv").read_bytes() == (header + rows).encode("utf-8-sig")
