"""Benchmark the whole batch, `jixiao normalize`, on generated corpora of growing size.

The corpus is the five seed documents copied COPIES times, each copy moved to another Guangzhou
district and shifted by whole years (so names, years and places vary as in a real collection and
linking has work to do); `generate(..., vary=True)` also changes each copy's indicator names and
values (see `vary_copy`; bench_scale.py --vary). Each size runs the real command in a fresh
process, `runs` times; the median wall time and peak memory (maximum resident set of the child) are
appended to benchmarks/RESULTS.md, with rows/s per indicator so that linear scaling shows as a flat column.

    python benchmarks/bench_normalize.py                      # 25, 100, 400 copies, 3 runs each
    python benchmarks/bench_normalize.py --copies 1600 --runs 1
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_table import machine_column, record  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "documents"
START, END = "<!-- normalize:start -->", "<!-- normalize:end -->"
SECTION = [
    START,
    "## The whole batch (`benchmarks/bench_normalize.py`)",
    "",
    "`jixiao normalize CORPUS --out OUT --quiet` (read → values → classifiers → linking → quality → write",
    "CSV + Parquet), on the five seeds copied COPIES times with districts and years changed; median of",
    "the runs, each a fresh process; peak MB is the child's maximum resident set.",
    "",
    "| date (UTC) | copies | documents | projects | indicators | seconds (median) | indicators/s | peak MB "
    "| machine |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    END,
]
DISTRICTS = (
    "越秀区",
    "海珠区",
    "荔湾区",
    "天河区",
    "白云区",
    "黄埔区",
    "番禺区",
    "花都区",
    "南沙区",
    "从化区",
    "增城区",
)
YEAR = re.compile(r"20(1\d|2\d)")
# A target or actual value: the whole number after "值:" (possibly after a few words such as 支付 or ≥),
# not a year or the integer part of a decimal.
VALUE = re.compile(r"(值[:：，,]\s*[^\d\n；;。，,、]{0,8}?)(\d+)(?![\d.年])")
# An indicator name in a packed cell: after a separator (and a list number such as "1、"), not one
# after "值" (that is a value), just before "；实施周期指标值" or "，年度指标值"; names wrapped over
# lines are left alone.
NAME = re.compile(r"((?<!值)[；：:]\s*(?:\d+、)?)([^；;：:，,。、\n]+?)(?=[；，,](?:实施周期|年度)指标值)")


def _places() -> list[str]:
    """The place names the project ships (nlp/data/places.txt), in file order."""
    lines = (ROOT / "nlp" / "data" / "places.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line and not line.startswith("#")]


def vary_copy(text: str, k: int, places: list[str]) -> str:
    """Copy k's own indicators: values shifted by 1 + k % 7 (kept within 0-100 when they were), and every
    second indicator name prefixed with a town named from two places, as real names name their object."""
    delta, n = 1 + k % 7, len(places)
    town = f"{places[k % n]}{places[(k + 1 + k // n) % n]}镇"

    def value(m: re.Match[str]) -> str:
        v = int(m.group(2))
        return m.group(1) + str(v + delta if v + delta <= 100 or v > 100 else v - delta)

    count = itertools.count()
    text = NAME.sub(lambda m: m.group(1) + (town if (next(count) + k) % 2 == 0 else "") + m.group(2), text)
    return VALUE.sub(value, text)


def generate(copies: int, folder: Path, vary: bool = False) -> int:
    """Write `copies` moved copies of each seed into folder (with `vary`, each copy's indicator
    names and values changed too, see `vary_copy`); return the number of files."""
    seeds = sorted(SEEDS.glob("*.txt"))
    places = _places()
    for k in range(copies):
        place, other, shift = DISTRICTS[k % 11], DISTRICTS[(k + 3) % 11], (k // 11) % 8
        for seed in seeds:
            text = seed.read_text(encoding="utf-8").replace("增城区", place).replace("天河区", other)
            text = YEAR.sub(lambda m, s=shift: str(2000 + int(m.group(1)) + s), text)
            text = vary_copy(text, k, places) if vary else text
            (folder / f"{seed.stem}_{k:05d}.txt").write_text(text, encoding="utf-8")
    return copies * len(seeds)


def child(corpus: Path) -> None:
    """Run `jixiao normalize` once as this process's only child; print seconds, its peak MB, counts."""
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    jixiao = Path(sys.executable).with_name("jixiao")
    start = time.perf_counter()
    subprocess.run([str(jixiao), "normalize", str(corpus), "--out", str(out), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    shutil.rmtree(out)
    counts = {k: report[k]["written"] for k in ("projects", "indicators")}
    print(
        json.dumps({"seconds": seconds, "peak_mb": peak, "documents": report["documents"]["read"], **counts})
    )


def run_once(corpus: Path) -> dict[str, float]:
    """One measured run in a fresh intermediate process (so the peak memory is this run's alone)."""
    proc = subprocess.run([sys.executable, __file__, "--child", str(corpus)], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    """Generate each corpus, time the command `runs` times, append the medians to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[25, 100, 400])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    machine = machine_column()
    for copies in args.copies:
        corpus = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
        try:
            generate(copies, corpus)
            runs = [run_once(corpus) for _ in range(args.runs)]
        finally:
            shutil.rmtree(corpus)
        secs = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        r = runs[0]
        counts = [f"{copies:,}", f"{r['documents']:,}", f"{r['projects']:,}", f"{r['indicators']:,}"]
        speed = [f"{secs:.1f}", f"{r['indicators'] / secs:,.0f}", f"{peak:,.0f}"]
        record(SECTION, [*counts, *speed], machine)


if __name__ == "__main__":
    main()
