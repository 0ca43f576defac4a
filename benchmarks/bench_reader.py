"""Benchmark the table readers on the labeled text tables of examples/realdata.

Times, in one process, reading every file of examples/realdata (`*.txt`) `rounds` times with the
learned reader alone (tokenize, CRF, decode), the reader as shipped (the learned reading and, where
the text has no table header, the prose reading, the more confident kept) and the rule-based baseline
(nlp/baselines/rule_reader.py, not shipped); the median of `runs` runs is appended to
benchmarks/RESULTS.md in files/s and ms per file, so it can be set against `jixiao normalize`
(bench_normalize.py).

    python benchmarks/bench_reader.py              # 5 rounds, 3 runs
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from results_table import machine_column, record  # benchmarks/ is on sys.path when a script runs

from nlp.baselines.rule_reader import read_indicator_table
from nlp.documents.table.reader import read_learned, read_table

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "examples" / "realdata").glob("*.txt"))
START, END = "<!-- reader:start -->", "<!-- reader:end -->"
SECTION = [
    START,
    "## Table readers (`benchmarks/bench_reader.py`)",
    "",
    "Every `examples/realdata/*.txt` read ROUNDS times in one process (model loaded once, caches warm",
    "after the first round); median of the runs.",
    "",
    "| date (UTC) | reader | files read | seconds (median) | files/s | ms per file | machine |",
    "|---|---|---:|---:|---:|---:|---|",
    END,
]
READERS: dict[str, Callable] = {
    "learned (tokenize + CRF + decode)": read_learned,
    "shipped (learned or prose, more confident kept)": read_table,
    "rule-based baseline (not shipped)": read_indicator_table,
}


def _time(reader: Callable, texts: list[tuple[str, str]], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for path, text in texts:
            reader(path, text)
    return time.perf_counter() - start


def main() -> None:
    """Time each reader and append the medians to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    texts = [(str(f), f.read_text(encoding="utf-8")) for f in FILES]
    machine = machine_column()
    for name, reader in READERS.items():
        _time(reader, texts, 1)  # warm up: model, vocabularies, caches
        secs = statistics.median(_time(reader, texts, args.rounds) for _ in range(args.runs))
        n = len(texts) * args.rounds
        cells = [name, f"{n:,}", f"{secs:.2f}", f"{n / secs:,.0f}", f"{1000 * secs / n:.1f}"]
        record(SECTION, cells, machine)


if __name__ == "__main__":
    main()
