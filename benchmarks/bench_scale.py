"""Benchmark `jixiao normalize` at scale: time per step and peak memory, one machine or a Dask cluster.

The corpus is benchmarks/bench_normalize.py's (the five seeds copied COPIES times with districts and
years changed; 360 indicators per copy). Each run is a fresh process that imports jixiao and runs
`nlp.batch.normalize_to` (what `jixiao normalize` runs) with the given --workers, or on a local Dask
cluster of --dask-workers processes; the medians of the runs are appended to benchmarks/RESULTS.md.

Peak memory: the largest resident set (RSS) of any one process (the main one or a worker), and the
largest sum over the process tree of the proportional set sizes (PSS: pages shared by forked workers
counted once in all), sampled every 0.2 s. psutil comes with the `dask` extra.

    python benchmarks/bench_scale.py --copies 280 2800 --workers 2 --runs 3
    python benchmarks/bench_scale.py --copies 2800 --dask-workers 2 --runs 1
    python benchmarks/bench_scale.py --copies 28000 --dask-workers 2 --runs 1 --progress --corpus /tmp/corpora

`--progress` shows the bars of the run and, every minute, the CPU seconds so far and the peak resident
set of the main process and of the largest other (a worker): what a run too long to finish still
measured. `--corpus DIR` generates each corpus once into DIR and keeps it. `--vary` shifts each copy's
target values and prefixes every second indicator name with a town (bench_normalize.vary_copy), so
that names, cells and values repeat far less, as in a real province's corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from bench_normalize import generate  # benchmarks/ is on sys.path when a script runs
from results_table import machine_column, record

START, END = "<!-- scale:start -->", "<!-- scale:end -->"
SECTION = [
    START,
    "## At scale: chunks, processes, Dask (`benchmarks/bench_scale.py`)",
    "",
    "`nlp.batch.normalize_to` (what `jixiao normalize` runs) on the bench_normalize corpus, each run a",
    "fresh process (imports and model loading included); median of the runs. Steps: 1 = read and build",
    "tables per chunk, 2 = linking and boilerplate (global), 3 = values, classifiers, quality, CSV per",
    "chunk, 4 = department scores, Parquet and links. Peak MB: the largest single process (RSS) / the",
    "largest sum over the process tree (PSS, shared pages counted once). CPU s: user + system time of",
    "the run and its worker processes (Dask: the local cluster's workers), which a busy machine does not",
    "inflate the way it inflates wall time.",
    "",
    "| date (UTC) | indicators | run on | seconds (median) | 1 read | 2 link | 3 normalize | 4 write "
    "| indicators/s | CPU s | indicators per CPU s | peak MB one process | peak MB all processes | runs "
    "| machine |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    END,
]


class _Peak:
    """Samples the resident set of this process and its descendants every 0.2 s; with `report`, prints
    the run so far (seconds, CPU seconds, peak RSS of this process and of the largest other) every 60 s."""

    def __init__(self, report: bool = False) -> None:
        self.total = self.single = self.main = self.other = 0.0
        self.report, self.cpu, self.start = report, 0.0, time.perf_counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        me = psutil.Process()
        cpu: dict[int, float] = {}  # CPU seconds of each process seen (those that ended keep their last)
        last = time.perf_counter()
        while not self.stop.is_set():
            rss, pss = [], []
            for proc in [me, *me.children(recursive=True)]:
                try:
                    info = proc.memory_full_info()
                    times = proc.cpu_times()
                except psutil.Error:
                    continue
                rss.append(info.rss / 2**20)
                pss.append(info.pss / 2**20)
                cpu[proc.pid] = times.user + times.system
            self.total, self.single = max(self.total, sum(pss)), max(self.single, max(rss, default=0.0))
            self.main, self.other = max(self.main, rss[0] if rss else 0.0), max(self.other, *rss[1:], 0.0)
            if self.report and time.perf_counter() - last >= 60:
                last = time.perf_counter()
                status = (f"[{last - self.start:.0f} s] CPU {sum(cpu.values()):.0f} s; peak RSS: this "
                          f"process {self.main:,.0f} MB, largest other {self.other:,.0f} MB")  # fmt: skip
                print(status, file=sys.stderr, flush=True)
            time.sleep(0.2)

    def done(self) -> tuple[float, float]:
        self.stop.set()
        self.thread.join()
        return self.single, self.total


def child(corpus: Path, workers: int, dask_workers: int, progress: bool = False) -> None:
    """One measured run in this fresh process; prints a JSON line (with `progress`: bars and status)."""
    peak = _Peak(report=progress)
    start = time.perf_counter()
    from nlp.batch import normalize_to

    out = Path(tempfile.mkdtemp(prefix="bench-scale-out-"))
    timings: dict[str, float] = {}
    worker_mb = 0.0
    if dask_workers:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True,
                          memory_limit="2GiB", dashboard_address=None) as cluster:  # fmt: skip
            report = normalize_to(
                [corpus], out, scheduler=cluster.scheduler_address, timings=timings, progress=progress
            )
            with Client(cluster) as client:  # each worker's own peak resident set (ru_maxrss, KiB)
                peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            worker_mb = max(peaks.values()) / 1024
    else:
        report = normalize_to([corpus], out, workers=workers, timings=timings, progress=progress)
    seconds = time.perf_counter() - start
    single, total = peak.done()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    shutil.rmtree(out)
    n = report["indicators"]["written"]
    steps = list(timings.values())
    print(json.dumps({"seconds": seconds, "steps": steps, "single_mb": single, "total_mb": total, "cpu": cpu,
                      "worker_mb": worker_mb, "client_mb": peak.main, "indicators": n}))  # fmt: skip


def run_once(corpus: Path, workers: int, dask_workers: int, progress: bool = False) -> dict:
    cmd = [sys.executable, __file__, "--child", str(corpus), "--workers", str(workers),
           "--dask-workers", str(dask_workers)] + (["--progress"] if progress else [])  # fmt: skip
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=None if progress else subprocess.PIPE,
                          text=True, check=True)  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _corpus(copies: int, keep: Path | None, vary: bool = False) -> Path:
    """The corpus of `copies` copies: generated in a temporary folder, or once into `keep`/copies-N
    (copies-N-varied with `vary`)."""
    if keep is None:
        corpus = Path(tempfile.mkdtemp(prefix="bench-scale-corpus-"))
        generate(copies, corpus, vary=vary)
        return corpus
    name = f"copies-{copies}" + ("-varied" if vary else "")
    corpus, done = keep / name, keep / f"{name}.done"
    if not done.exists():
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir(parents=True)
        generate(copies, corpus, vary=vary)
        done.touch()
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[280])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dask-workers", type=int, default=0, help="run on a local Dask cluster instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--note", default="", help="added to the machine column (e.g. shared, load 6)")
    parser.add_argument("--progress", action="store_true", help="progress bars and a status line a minute")
    parser.add_argument("--corpus", type=Path, help="keep the generated corpora here, to reuse")
    parser.add_argument("--vary", action="store_true", help="each copy's indicator names and values varied")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workers, args.dask_workers, args.progress)
        return
    machine = machine_column(args.note)
    where = (
        f"Dask LocalCluster, {args.dask_workers} workers"
        if args.dask_workers
        else f"--workers {args.workers}"
    )
    for copies in args.copies:
        corpus = _corpus(copies, args.corpus, args.vary)
        try:
            runs = [
                run_once(corpus, args.workers, args.dask_workers, args.progress) for _ in range(args.runs)
            ]
        finally:
            if args.corpus is None:
                shutil.rmtree(corpus)
        keys = ("seconds", "single_mb", "total_mb", "cpu", "worker_mb", "client_mb")
        med = {key: statistics.median(r[key] for r in runs) for key in keys}
        if args.dask_workers:
            peaks = f"peak {med['worker_mb']:,.0f} MB per worker, {med['client_mb']:,.0f} MB the client"
            where = f"Dask LocalCluster, {args.dask_workers} workers ({peaks} with the scheduler)"
        steps = [statistics.median(r["steps"][i] for r in runs) for i in range(4)]
        n = runs[0]["indicators"]
        cells = [f"{n:,}", where, f"{med['seconds']:.1f}", *(f"{s:.1f}" for s in steps)]
        cells += [f"{n / med['seconds']:,.0f}", f"{med['cpu']:.0f}", f"{n / med['cpu']:,.0f}"]
        cells += [f"{med['single_mb']:,.0f}", f"{med['total_mb']:,.0f}", f"{args.runs}"]
        record(SECTION, cells, machine)


if __name__ == "__main__":
    main()
