"""CSV text of a table with each distinct cell formatted once: `DataFrame.to_csv`'s text, faster.

pandas formats and quotes every cell of every row; the tables of a run repeat the same names, units,
flags and numbers many times, so here each column is factorized, pandas formats only its distinct
values (in the column's dtype, so the same text: floats, nullable integers, missing cells as ""), and
the rows are joined from those texts. The result equals `frame.to_csv(index=False, header=False)`
(tests/test_csv_text.py); a column pandas cannot factorize is formatted cell by cell.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

_PAD = ",0"  # a second column after each value: a lone empty field would be written as "" otherwise
_EMPTY_ROW = '""'  # how csv writes a row whose only field is empty


def _fields(column: pd.Series, end: str) -> list[str]:
    """The CSV field of each cell of a column (quoted where csv would), formatted once per distinct value."""
    codes, values = _distinct(column)
    text = pd.DataFrame({"v": values, "z": 0}).to_csv(index=False, header=False, lineterminator=end)
    fields = _rows(text, end, len(values))
    fields.append("")  # code -1: a missing cell (na_rep "")
    return np.asarray(fields, dtype=object)[codes].tolist()


def _distinct(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes (-1: missing) and the distinct values, where equal values are written alike.

    Floats are told apart by their bits (0.0 and -0.0 are written differently); an object column
    counts as text only if every cell is a string (1, 1.0 and True are equal but written differently);
    anything else is formatted cell by cell.
    """
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        bits = column.to_numpy().view(np.int64 if dtype.itemsize == 8 else np.int32)
        codes, uniques = pd.factorize(bits)
        return codes, pd.Series(np.asarray(uniques).view(dtype))
    types = pd.api.types
    textual = types.is_object_dtype(dtype) and types.infer_dtype(column, skipna=True) in ("string", "empty")
    exact = isinstance(dtype, pd.StringDtype) or types.is_integer_dtype(dtype) or types.is_bool_dtype(dtype)
    if textual or exact:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        return codes, pd.Series(uniques, dtype=dtype)
    return np.arange(len(column)), pd.Series(column.array, dtype=dtype)


def _rows(text: str, end: str, n: int) -> list[str]:
    """The first field of each of the n rows `value,0` (a quoted field may hold the line terminator)."""
    out: list[str] = []
    pending: str | None = None
    for line in text.split(end)[:-1]:
        pending = line if pending is None else f"{pending}{end}{line}"
        if pending.count('"') % 2 == 0:  # the row is complete: quotes inside a field come in pairs
            out.append(pending[: -len(_PAD)])
            pending = None
    if len(out) != n:
        raise ValueError(f"CSV of {n} distinct values split into {len(out)} rows")
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """`frame.to_csv(index=False, header=False)`, with each column's distinct values formatted once."""
    if frame.empty:
        return frame.to_csv(index=False, header=False)
    end = os.linesep  # to_csv's default line terminator, which also decides what is quoted
    columns = [_fields(frame.iloc[:, i], end) for i in range(frame.shape[1])]
    lines = map(",".join, zip(*columns, strict=True))
    return "".join(f"{line or _EMPTY_ROW}{end}" for line in lines)
