"""CSV text of a table with each distinct cell formatted once: `DataFrame.to_csv`'s text, faster.

pandas formats and quotes every cell of every row; the tables of a run repeat the same names, units,
flags and numbers many times, so here each column is factorized and only its distinct values are
formatted: strings without a comma, quote or line break are written as they are, the numbers of all
columns by one `to_csv` call (in each column's dtype, so the same text), anything else by `to_csv` of
that column; missing cells are "". The rows are put together from those texts by Arrow, in UTF-8
bytes, never as Python strings. The result equals `frame.to_csv(index=False, header=False)` encoded
in UTF-8 (tests/test_csv_text.py); a column pandas cannot factorize is formatted cell by cell.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
import pyarrow as pa

_PAD = ",0"  # a second column after each value: a lone empty field would be written as "" otherwise
_EMPTY_ROW = '""'  # how csv writes a row whose only field is empty
_SPECIAL = re.compile('[,"\r\n]')  # a string with none of these is written as it is (QUOTE_MINIMAL)


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


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_object_dtype(values.dtype)


def _plain(values: pd.Series) -> bool:
    """Strings that no CSV writer quotes: none holds a comma, a quote or a line break."""
    if not (isinstance(values.dtype, pd.StringDtype) or pd.api.types.is_object_dtype(values.dtype)):
        return False
    return all(type(v) is str and not _SPECIAL.search(v) for v in values.tolist())


def _texts(values: list[pd.Series], end: str) -> list[list[str]]:
    """The CSV text of each distinct value of each column."""
    out: list[list[str] | None] = [None] * len(values)
    numeric = [i for i, v in enumerate(values) if len(v) and _numeric(v)]
    for i, texts in zip(numeric, _numbers([values[i] for i in numeric], end), strict=True):
        out[i] = texts
    for i, v in enumerate(values):
        if out[i] is None:
            out[i] = v.tolist() if _plain(v) else _one_column(v, end)
    return [texts or [] for texts in out]


def _numbers(values: list[pd.Series], end: str) -> list[list[str]]:
    """Numbers of several columns written by one `to_csv` (a number holds no comma, quote or line break)."""
    if not values:
        return []
    width = max(len(v) for v in values)
    frame = pd.DataFrame({i: _padded(v, width) for i, v in enumerate(values)}).assign(z=0)
    text = frame.to_csv(index=False, header=False, lineterminator=end)
    rows = [line.split(",") for line in text.split(end)[:-1]]
    if len(rows) != width or any(len(row) != len(values) + 1 for row in rows):
        raise ValueError("numbers written with a comma or a line break")
    return [[row[j] for row in rows[: len(v)]] for j, v in enumerate(values)]


def _padded(values: pd.Series, width: int) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """The values, then their first value repeated up to `width` (the dtype, so the text, unchanged)."""
    at = np.r_[np.arange(len(values)), np.zeros(width - len(values), dtype=np.intp)]
    return values.array.take(at)


def _one_column(values: pd.Series, end: str) -> list[str]:
    """The CSV text of each value of one column, by `to_csv` (with the quoting it decides)."""
    text = pd.DataFrame({"v": values, "z": 0}).to_csv(index=False, header=False, lineterminator=end)
    return _rows(text, end, len(values))


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


def csv_bytes(frame: pd.DataFrame) -> pa.Buffer:
    """`frame.to_csv(index=False, header=False)` in UTF-8, each column's distinct values formatted once.

    The rows are put together by one Arrow `take`: the texts of all columns, each followed by its comma
    (the last column's by the line terminator), taken row by row, so the result's data is the whole text.
    """
    if frame.empty:
        return pa.py_buffer(frame.to_csv(index=False, header=False).encode("utf-8"))
    end = os.linesep  # to_csv's default line terminator, which also decides what is quoted
    distinct = [_distinct(frame.iloc[:, i]) for i in range(frame.shape[1])]
    texts = [["", *t] for t in _texts([values for _, values in distinct], end)]  # first a missing cell: ""
    if len(texts) == 1:
        texts[0] = [t or _EMPTY_ROW for t in texts[0]]
    cells: list[str] = []
    at = np.empty((len(frame), len(texts)), dtype=np.int64)  # each cell's text: its index in `cells`
    for j, ((codes, _), t) in enumerate(zip(distinct, texts, strict=True)):
        after = end if j == len(texts) - 1 else ","
        np.add(codes, len(cells) + 1, out=at[:, j])  # code -1 (missing) to the column's first text
        cells += [f"{text}{after}" for text in t]
    return _data(pa.array(cells, pa.large_string()).take(at.ravel()))


def _data(text: pa.LargeStringArray) -> pa.Buffer:
    """The bytes of all strings of an array, one after the other (no copy)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)
    start, stop = offsets[text.offset], offsets[text.offset + len(text)]
    return text.buffers()[2].slice(int(start), int(stop - start))
