"""Append a row to one benchmark's section of benchmarks/RESULTS.md, leaving the other sections alone."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine_column(note: str = "") -> str:
    """The machine column: cores and Python version, then `note` (e.g. shared, load 3) if given."""
    described = f"{os.cpu_count()} cores, Python {platform.python_version()}"
    return f"{described}, {note}" if note else described


def append_row(section: list[str], line: str, results: Path = RESULTS) -> None:
    """Insert `line` at the end of `section` (first and last lines: the markers); create it if missing."""
    start, end = section[0], section[-1]
    old = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    if start not in old or end not in old:
        old = old.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    cut = old.index(end)
    results.write_text(old[:cut] + line + "\n" + old[cut:], encoding="utf-8")


def record(section: list[str], cells: list[str], machine: str, results: Path = RESULTS) -> str:
    """One results row — the time (UTC), `cells`, the machine — appended to `section` and printed."""
    line = "| " + " | ".join([f"{datetime.now(UTC):%Y-%m-%d %H:%M}", *cells, machine]) + " |"
    append_row(section, line, results)
    print(line, flush=True)
    return line
