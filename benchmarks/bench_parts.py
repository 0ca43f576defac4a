"""Benchmark the chunk parts a worker writes into the spool: CSV bytes and Arrow file per table.

The tables are those of `nlp.batch.normalize_to` on the bench_normalize corpus of COPIES copies (one
process), read back from their Parquet files (which keep the pandas dtypes) and cut into as many
chunks as the run had (`CHUNK_DOCUMENTS` documents each). Timed, in CPU seconds over all chunks of the
three tables, median of the runs: `to_csv(index=False, header=False)` encoded in UTF-8 (the bytes that
must be written), `nlp.csv_text.csv_bytes` (the same bytes), and `nlp.batch.write_part` (CSV file and
Arrow IPC file). The row is appended to benchmarks/RESULTS.md.

    python benchmarks/bench_parts.py --copies 280 --runs 5 --corpus /tmp/corpora
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from bench_scale import _corpus  # benchmarks/ is on sys.path when a script runs
from results_table import machine_column, record

from nlp.batch import CHUNK_DOCUMENTS, normalize_to, write_part
from nlp.csv_text import csv_bytes

START, END = "<!-- parts:start -->", "<!-- parts:end -->"
SECTION = [
    START,
    "## Writing the chunk parts (`benchmarks/bench_parts.py`)",
    "",
    "The three tables of a normalize run on the bench_normalize corpus, cut into the run's chunks; CPU",
    "seconds over all chunks, median of the runs, one process: `to_csv` + UTF-8 encoding, `csv_bytes`",
    "(the same bytes) and `write_part` (CSV and Arrow IPC file of each chunk).",
    "Command: `python benchmarks/bench_parts.py --copies 280 --runs 5`.",
    "",
    "| date (UTC) | copies | indicators | chunks | to_csv s | csv_bytes s | write_part s | machine |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    END,
]


def chunks(corpus: Path) -> tuple[int, list[tuple[str, pd.DataFrame]]]:
    """The indicator count and (table name, chunk) of a normalize run over `corpus`."""
    with tempfile.TemporaryDirectory() as out:
        report = normalize_to([corpus], out)
        names = ("projects", "indicators", "quality")
        tables = {name: pd.read_parquet(Path(out) / f"{name}.parquet") for name in names}
    n = math.ceil(report["documents"]["read"] / CHUNK_DOCUMENTS)
    parts = [
        (name, table.iloc[rows].reset_index(drop=True))
        for name, table in tables.items()
        for rows in np.array_split(np.arange(len(table)), n)
    ]
    return len(tables["indicators"]), parts


def cpu(
    way: Callable[[str, pd.DataFrame, int], object], parts: list[tuple[str, pd.DataFrame]], runs: int
) -> float:
    """Median CPU seconds of `way` over all (name, chunk, index) of `parts`, over `runs` runs."""
    seconds = []
    for _ in range(runs):
        start = time.process_time()
        for i, (name, frame) in enumerate(parts):
            way(name, frame, i)
        seconds.append(time.process_time() - start)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=280)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, help="keep the generated corpus here, to reuse")
    parser.add_argument("--note", default="", help="added to the machine column (e.g. load 3)")
    args = parser.parse_args()
    corpus = _corpus(args.copies, args.corpus)
    try:
        indicators, parts = chunks(corpus)
    finally:
        if args.corpus is None:
            shutil.rmtree(corpus)
    with tempfile.TemporaryDirectory() as spool:
        ways: list[Callable[[str, pd.DataFrame, int], object]] = [
            lambda _, frame, i: frame.to_csv(index=False, header=False).encode("utf-8"),
            lambda _, frame, i: csv_bytes(frame),
            lambda name, frame, i: write_part(frame, Path(spool), name, i),
        ]
        seconds = [cpu(way, parts, args.runs) for way in ways]
    machine = machine_column(args.note)
    cells = [f"{args.copies:,}", f"{indicators:,}", f"{len(parts) // 3}", *(f"{s:.2f}" for s in seconds)]
    record(SECTION, cells, machine)


if __name__ == "__main__":
    main()
