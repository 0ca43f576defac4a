"""Cells of the pipeline's pandas tables as plain values: the one rule for a missing cell.

A cell is missing when it is None, NaN or pd.NA (a column read from Parquet or CSV may hold any of
them). `unique_rows` gives the distinct rows of some columns, so that a string rule runs once per
distinct value rather than once per row (the values and quality stages both do this).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def is_missing(value: object) -> bool:
    """None, NaN or pd.NA.

    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, "", 0)]
    [True, True, True, False, False]
    """
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def cell_text(value: object) -> str:
    """A cell as a string, '' when missing."""
    return "" if is_missing(value) else str(value)


def unique_rows(columns: tuple[pd.Series, ...] | list[pd.Series]) -> tuple[np.ndarray, list[tuple]]:
    """Factorize rows over several columns: per-row codes 0..k-1 and each distinct row's cells (None
    for a missing cell, else the cell as it is).

    Codes are numbered in order of first appearance, so the first row of each code is where the
    running maximum of the codes grows (no sort); a first column without missing cells is its own codes.
    """
    codes: np.ndarray | None = None
    for column in columns:
        column_codes, uniques = pd.factorize(column)  # -1 for a missing cell
        if codes is None and column_codes.min(initial=0) >= 0:
            codes = column_codes
            continue
        base = np.zeros(len(column), dtype=np.int64) if codes is None else codes
        codes, _ = pd.factorize(base * (len(uniques) + 1) + (column_codes + 1))
    assert codes is not None
    seen = np.maximum.accumulate(codes) if len(codes) else codes
    first = np.flatnonzero(np.r_[True, seen[1:] > seen[:-1]]) if len(codes) else codes
    arrays = [column.iloc[first].to_numpy(dtype=object) for column in columns]  # k cells, not all rows
    return codes, [tuple(None if is_missing(v) else v for v in cells) for cells in zip(*arrays, strict=True)]


def taken(distinct: np.ndarray, codes: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """`distinct[codes]` as a column: text converted to pandas' string array once per distinct value.

    pandas infers a column's dtype from the types of its values, which the distinct values all show,
    so the column is the one `frame[name] = distinct[codes]` makes, without converting every row.
    """
    if distinct.dtype != object or not len(distinct):
        return distinct[codes]
    inferred = pd.Series(distinct).array  # the dtype pandas gives the whole column (str, or object)
    if isinstance(inferred, pd.arrays.NumpyExtensionArray):
        return distinct[codes]
    return inferred.take(codes)
