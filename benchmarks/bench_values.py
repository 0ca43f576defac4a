"""Benchmark the value normalizer on a large corpus resampled from the seeds (a script, not a test).

    python benchmarks/bench_values.py [--rows 1000000] [--runs 3]

Builds ROWS (name, value) rows by resampling the (name, value) pairs of the seed documents
(examples/documents, read with a plain regex so the script does not depend on the reader), then times:
  1. `jixiao values --in corpus.jsonl --out out.jsonl` end to end (a fresh process per run);
  2. `parse_value` over all rows with a warm cache, and over the unique pairs with a cold cache;
  3. `add_value_columns` on an indicators-shaped DataFrame of ROWS rows.
Reports the median of RUNS runs and peak memory (resource.getrusage), and writes the table between
the `values` markers of benchmarks/RESULTS.md (other benchmarks keep their own sections there).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- values:start -->", "<!-- values:end -->"
PAIR = re.compile(r"([^；;：:。\t、，]+?)[；;：:，,]\s*(?:实施周期|年度)指标值[:：]([^；。\t]*)")


def seed_pairs() -> list[tuple[str, str]]:
    """All (name, value) pairs of the seeds' indicator lists, repeats included."""
    pairs = []
    for path in sorted((ROOT / "examples" / "documents").glob("*")):
        text = path.read_text(encoding="utf-8")
        pairs += [(m.group(1).strip(), m.group(2).strip()) for m in PAIR.finditer(text)]
    return pairs


def peak_mb(who: int) -> float:
    """Peak resident memory in MB of this process or of its waited-for children (Linux: ru_maxrss in KB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def timed(fn, runs: int) -> float:
    """Median wall time of `runs` calls of fn()."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print the table, leave RESULTS.md alone")
    args = parser.parse_args()

    pairs = seed_pairs()
    rng = random.Random(20261124)
    corpus = rng.choices(pairs, k=args.rows)
    rows: list[tuple[str, str, float, float]] = []

    with tempfile.TemporaryDirectory() as tmp:
        src, dest = Path(tmp) / "corpus.jsonl", Path(tmp) / "out.jsonl"
        with src.open("w", encoding="utf-8") as stream:
            for i, (name, value) in enumerate(corpus):
                stream.write(json.dumps({"id": i, "name": name, "value": value}, ensure_ascii=False) + "\n")
        command = [sys.executable, "-m", "nlp.cli", "values", "--in", str(src), "--out", str(dest)]
        seconds = timed(lambda: subprocess.run(command, check=True, capture_output=True), args.runs)
        rows.append(
            (
                "`jixiao values --in corpus.jsonl --out out.jsonl` (end to end)",
                seconds,
                peak_mb(resource.RUSAGE_CHILDREN),
            )
        )

    from nlp.textnorm import fold
    from nlp.values import _name_hint, add_value_columns, parse_value  # after the child runs: own peak below

    def clear_caches() -> None:
        for cached in (parse_value, fold, _name_hint):
            cached.cache_clear()

    def parse_all() -> None:
        for name, value in corpus:
            parse_value(value, name=name)

    unique = list(dict.fromkeys(corpus))
    cold = timed(lambda: (clear_caches(), [parse_value(v, name=n) for n, v in unique]), args.runs)
    parse_all()  # warm the cache
    warm = timed(parse_all, args.runs)
    rows.append(
        (
            f"`parse_value`, cold cache, {len(unique)} unique (name, value) pairs",
            cold * args.rows / len(unique),
            peak_mb(resource.RUSAGE_SELF),
        )
    )
    rows.append(("`parse_value`, warm cache (one core)", warm, peak_mb(resource.RUSAGE_SELF)))

    import pandas as pd

    names, values = zip(*corpus, strict=True)
    table = pd.DataFrame({"name": names, "period_value": values, "annual_value": values})
    frame_seconds = timed(lambda: add_value_columns(table), args.runs)
    rows.append(
        (
            "`add_value_columns` (period + annual, 2 values per row)",
            frame_seconds,
            peak_mb(resource.RUSAGE_SELF),
        )
    )

    write(rows, args, len(pairs), len(set(pairs)))


def write(
    rows: list[tuple[str, float, float]], args: argparse.Namespace, n_pairs: int, n_unique: int
) -> None:
    """Print the results table and put it between the values markers of RESULTS.md."""
    lines = [
        START,
        "## Value normalizer (`benchmarks/bench_values.py`)",
        "",
        f"Command: `python benchmarks/bench_values.py --rows {args.rows} --runs {args.runs}`  ",
        f"Machine: {os.cpu_count()} cores (`nproc`), {cpu_model()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}  ",
        f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC  ",
        f"Corpus: {args.rows:,} rows resampled from the seeds' {n_pairs} (name, value) pairs "
        f"({n_unique} unique).",
        "Times are the median of the runs; peak memory is the process's maximum resident set so far.",
        "",
        "| what | rows | seconds (median) | rows/s | peak MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for what, seconds, peak in rows:
        lines.append(f"| {what} | {args.rows:,} | {seconds:.2f} | {args.rows / seconds:,.0f} | {peak:,.0f} |")
    lines.append("")
    lines.append(
        "The cold-cache row parses each unique pair once with every cache cleared (parse_value, fold, "
        "name hints) and scales that time to the corpus size: the rate when every value is new."
    )
    lines.append(END)
    block = "\n".join(lines)
    print(block)
    if args.no_write:
        return
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if START in old and END in old:
        new = old[: old.index(START)] + block + old[old.index(END) + len(END) :]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
