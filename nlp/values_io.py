"""Rows in and out of the `jixiao values` command: JSONL or CSV, streamed, bad lines kept with a flag."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from nlp.values import VALUE_FIELDS, normalize_row

FORMATS = ("jsonl", "csv")


@dataclass(frozen=True)
class RowError:
    """A line of the input that could not be read as a row (1-based line number)."""

    line: int
    text: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.why}: {self.text[:80]!r}"


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


def read_rows(lines: Iterable[str], fmt: str) -> Iterator[dict | RowError]:
    """Yield the rows of JSONL or CSV lines; a line that is not a JSON object is yielded as a RowError."""
    if fmt == "csv":
        for record in csv.DictReader(line.lstrip("\ufeff") for line in lines):
            extra = record.pop(None, None)  # more cells than the header has
            row = {k: (v if v != "" else None) for k, v in record.items()}
            if extra:
                row["extra_cells"] = "|".join(extra)
            yield row
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


def write_rows(rows: Iterable[dict], fmt: str, stream: TextIO) -> int:
    """Write rows as JSONL (streamed) or CSV (union of the rows' columns); return the number written."""
    count = 0
    if fmt == "jsonl":
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
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
