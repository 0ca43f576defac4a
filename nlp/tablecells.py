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
    for a missing cell, else the cell as it is)."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        column_codes, uniques = pd.factorize(column)  # -1 for a missing cell
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + (column_codes + 1))
    _, first = np.unique(codes, return_index=True)  # codes run 0..k-1, so first[i] is a row of code i
    arrays = [column.iloc[first].to_numpy(dtype=object) for column in columns]  # k cells, not all rows
    return codes, [tuple(None if is_missing(v) else v for v in cells) for cells in zip(*arrays, strict=True)]
