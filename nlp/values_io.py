"""Rows in and out of the `jixiao values` command: JSONL or CSV, streamed, bad lines kept with a flag."""

from __future__ import annotations

import csv
import difflib
import itertools
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TextIO

from nlp.values import VALUE_FIELDS, normalize_row
from nlp.vocab import rows

FORMATS = ("jsonl", "csv")
# characters str.splitlines() breaks on that JSON leaves raw: escaped, so one row stays one line
_LINE_BREAKS = {ch: f"\\u{ord(ch):04x}" for ch in "\x85\u2028\u2029"}


@dataclass(frozen=True)
class RowError:
    """A line of the input that could not be read as a row (1-based line number)."""

    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.why}: {self.text[:80]!r}"


class MissingColumn(ValueError):
    """A CSV without the column a command needs; the message names the closest column it has."""


def _titles(role: str) -> set[str]:
    """Column titles of documents (nlp/data/table_headers.tsv) that head a column of this role."""
    return {title.strip() for title, found in rows("table_headers.tsv") if found == role}


def _check_column(columns: list[str], required: str) -> None:
    """Raise MissingColumn, suggesting `Value`, `指标值` or the closest spelling, if `required` is absent."""
    if required in columns:
        return
    titles = _titles(required)
    close = [c for c in columns if c.strip().lower() == required or c.strip() in titles]
    close = close or difflib.get_close_matches(required, columns, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    raise MissingColumn(f"no `{required}` column (columns: {', '.join(columns) or 'none'}){hint}")


def _read_csv(lines: Iterator[tuple[int, str]], required: str) -> Iterator[dict | RowError]:
    """CSV rows; a record cut by a stray or unterminated quote is a RowError and reading resumes after it."""
    fieldnames: list[str] | None = None
    while True:
        pending: list[tuple[int, str]] = []  # lines of the record being read, to start again after a bad one

        def feed(source: Iterator[tuple[int, str]], pending: list = pending) -> Iterator[str]:
            for lineno, line in source:
                pending.append((lineno, line))
                yield line.lstrip("\ufeff")

        reader = csv.DictReader(feed(lines), fieldnames=fieldnames, strict=True)
        try:
            if fieldnames is None and reader.fieldnames:
                _check_column(list(reader.fieldnames), required)
            fieldnames = list(reader.fieldnames or [])
            pending.clear()
            for record in reader:
                pending.clear()
                extra = record.pop(None, None)  # more cells than the header has
                row = {k: (v if v != "" else None) for k, v in record.items()}
                if extra:
                    row["extra_cells"] = "|".join(extra)
                yield row
            return
        except csv.Error as err:
            (lineno, bad), rest = pending[0], pending[1:]
            why = "unterminated quote" if "end of data" in str(err) else f"bad CSV ({err})"
            yield RowError(lineno, bad.rstrip("\r\n"), why)
            lines = itertools.chain(rest, lines)


def sniff_format(first_line: str) -> str:
    """Guess jsonl or csv from the first non-empty line.

    >>> sniff_format('{"value": "≥95%"}'), sniff_format("id,name,value")
    ('jsonl', 'csv')
    """
    return "jsonl" if first_line.lstrip("\ufeff \t").startswith("{") else "csv"


def format_of_path(path: str | None) -> str | None:
    """jsonl or csv from a file name's extension, None when it says neither.

    >>> format_of_path("a.CSV"), format_of_path("b.jsonl"), format_of_path(None)
    ('csv', 'jsonl', None)
    """
    if not path:
        return None
    lower = path.lower()
    if lower.endswith(".csv"):
        return "csv"
    return "jsonl" if lower.endswith((".jsonl", ".json", ".ndjson")) else None


def read_rows(lines: Iterable[str], fmt: str, required: str = "value") -> Iterator[dict | RowError]:
    """Yield the rows of JSONL or CSV lines; a line that is not a JSON object is yielded as a RowError.

    A CSV must have the `required` column (MissingColumn otherwise)."""
    if fmt == "csv":
        yield from _read_csv(enumerate(lines, 1), required)
        return
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield RowError(lineno, line.rstrip("\n"), f"not valid JSON ({err.msg})")
            continue
        yield record if isinstance(record, dict) else RowError(lineno, line.rstrip("\n"), "not a JSON object")


def normalize_rows(rows: Iterable[dict | RowError]) -> Iterator[dict]:
    """Normalize rows; a RowError becomes a row with its line, raw text and the flag `unreadable_row`."""
    for row in rows:
        if isinstance(row, RowError):
            yield {
                "line": row.line,
                "raw": row.text,
                **dict.fromkeys(VALUE_FIELDS),
                "flags": "unreadable_row",
            }
        else:
            yield normalize_row(row)


def _finite(value: object) -> object:
    """The value with every NaN/Infinity (at any depth) as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def strict_json(row: dict) -> dict:
    """The row with NaN/Infinity numbers (JSON input may hold them) as text, flagged `non_finite_number`."""
    values = row.values()
    if all(math.isfinite(v) if isinstance(v, float) else not isinstance(v, list | dict) for v in values):
        return row  # the common case, checked without copying
    fixed = _finite(row)
    assert isinstance(fixed, dict)  # _finite keeps the shape: a dict stays a dict
    if fixed == row:  # no NaN or Infinity anywhere (those became text, so the copy differs)
        return row
    flags = [f for f in str(row.get("flags") or "").split(";") if f] + ["non_finite_number"]
    return {**fixed, "flags": ";".join(flags)}


def write_rows(rows: Iterable[dict], fmt: str, stream: TextIO | IO[str]) -> int:
    """Write rows as JSONL (streamed) or CSV (union of the rows' columns); return the number written."""
    count = 0
    if fmt == "jsonl":
        for row in rows:
            line = json.dumps(strict_json(row), ensure_ascii=False, allow_nan=False)
            if any(ch in line for ch in _LINE_BREAKS):
                line = "".join(_LINE_BREAKS.get(ch, ch) for ch in line)
            stream.write(line + "\n")
            count += 1
        return count
    rows = list(rows)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    writer = csv.DictWriter(stream, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return len(rows)
