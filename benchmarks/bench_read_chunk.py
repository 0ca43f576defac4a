"""Benchmark pass 1 of `jixiao normalize` on its own: CPU seconds of `nlp.batch.read_chunk` per chunk.

The corpus is benchmarks/bench_normalize.py's (the five seeds copied COPIES times, files ordered by
seed). CHUNKS chunks of nlp.batch.CHUNK_DOCUMENTS documents, spread evenly over the corpus (the
default 5 takes one chunk of each seed's copies), are read RUNS times in one process, as a worker
reads them: after one warm-up chunk, with the objects made so far frozen and the collector's
thresholds of a run (nlp.batch.GC_THRESHOLDS). CPU seconds (time.process_time) are taken per chunk;
the median of the runs of each chunk, their sum and the CPU microseconds per indicator are appended
to benchmarks/RESULTS.md. CPU time, unlike wall time, is little inflated by other processes.

    python benchmarks/bench_read_chunk.py --copies 2800 --corpus /tmp/corpora --runs 5
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_scale import _corpus  # benchmarks/ is on sys.path when a script runs
from results_table import machine_column, record

from nlp import batch
from nlp.documents.discovery import discover

START, END = "<!-- read-chunk:start -->", "<!-- read-chunk:end -->"
SECTION = [
    START,
    "## Pass 1 per chunk: reading and tables (`benchmarks/bench_read_chunk.py`)",
    "",
    "`nlp.batch.read_chunk` (read the documents, build the projects and indicators tables, park them in",
    "the spool, the compact summary) on CHUNKS chunks spread over the bench_normalize corpus, in one",
    "process with a run's garbage-collector settings; CPU seconds per chunk are the median of the runs.",
    "",
    "| date (UTC) | corpus documents | chunks | indicators | CPU s per chunk (median) | CPU s all chunks "
    "| CPU µs per indicator | runs | machine |",
    "|---|---:|---:|---:|---|---:|---:|---:|---|",
    END,
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2800)
    parser.add_argument("--chunks", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, help="keep the generated corpus here, to reuse")
    parser.add_argument("--note", default="", help="added to the machine column (e.g. shared, load 6)")
    args = parser.parse_args()
    corpus = _corpus(args.copies, args.corpus)
    found = discover([corpus])
    sources = [(s.path, s.doc_id) for s in found.sources]
    chunks = batch._chunks(sources, batch.CHUNK_DOCUMENTS)
    step = max(1, len(chunks) // args.chunks)
    picked = [chunks[step // 2 + k * step] for k in range(min(args.chunks, len(chunks)))]
    with tempfile.TemporaryDirectory() as spool:
        batch.read_chunk(0, chunks[0][:50], spool)  # warm-up: imports, vocabularies, models of the readers
        gc.freeze()
        gc.set_threshold(*batch.GC_THRESHOLDS)
        times: list[list[float]] = [[] for _ in picked]
        for _ in range(args.runs):
            for i, chunk in enumerate(picked):
                start = time.process_time()
                batch.read_chunk(i + 1, chunk, spool)
                times[i].append(time.process_time() - start)
        parked = [pd.read_pickle(batch._spool_file(Path(spool), i + 1)) for i in range(len(picked))]
    indicators = sum(len(frames[1]) for frames in parked)
    medians = [statistics.median(t) for t in times]
    machine = machine_column(args.note)
    cells = [
        f"{len(sources):,}",
        f"{len(picked)}",
        f"{indicators:,}",
        " / ".join(f"{m:.3f}" for m in medians),
        f"{sum(medians):.3f}",
        f"{1e6 * sum(medians) / indicators:.1f}",
        f"{args.runs}",
    ]
    record(SECTION, cells, machine)


if __name__ == "__main__":
    main()
