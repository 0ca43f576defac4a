"""Benchmark the review page on large tables: start-up (loading OUT_DIR) and one page of each view.

The seeds are normalized once; their indicators and projects tables are copied N / 360 times (doc and
project ids made distinct) into a temporary OUT_DIR. Each run is a fresh subprocess that loads the
store and renders, through Flask's test client, the first HTML page (50 rows), the "next" queue, a
search, a flag filter sorted by number, and a page deep into the table. The median of the runs is
appended to benchmarks/RESULTS.md.

    python benchmarks/bench_review.py                       # 10k, 50k, 100k indicators
    python benchmarks/bench_review.py --sizes 50000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_table import machine_column, record  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- review:start -->", "<!-- review:end -->"
SECTION = [
    START,
    "## Review page (`benchmarks/bench_review.py`)",
    "",
    "The seeds' tables copied to N indicators; each run a fresh process: load OUT_DIR (`Store`), then",
    "render one HTML page of each view through Flask's test client (50 rows a page); median of the runs,",
    "in seconds; peak memory is the process's maximum resident set.",
    "",
    "| date (UTC) | indicators | load | first page | next queue | search | flag + sort | page 500 | peak MB "
    "| machine |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    END,
]
VIEWS = {
    "first page": "/",
    "next queue": "/next",
    "search": "/?q=满意度",
    "flag + sort": "/?flag=vague&sort=annual_number&desc=1",
    "page 500": "/?page=500",
}


def build(out: Path, size: int) -> None:
    """Normalize the seeds into a scratch folder and copy their tables to `size` indicators in `out`."""
    import pandas as pd

    seeds = out.parent / "seeds"
    if not (seeds / "indicators.parquet").exists():
        subprocess.run(
            [sys.executable, "-m", "nlp.cli", "normalize", str(ROOT / "examples" / "documents"), "--out",
             str(seeds), "--quiet"], check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    ind, proj = pd.read_parquet(seeds / "indicators.parquet"), pd.read_parquet(seeds / "projects.parquet")
    copies = -(-size // len(ind))

    def copy(frame: pd.DataFrame, k: int) -> pd.DataFrame:
        return frame.assign(doc=frame["doc"] + f"-{k}", project_id=frame["project_id"] + f"-{k}")

    out.mkdir(parents=True, exist_ok=True)
    pd.concat([copy(ind, k) for k in range(copies)], ignore_index=True).head(size).to_parquet(
        out / "indicators.parquet"
    )
    pd.concat([copy(proj, k) for k in range(copies)], ignore_index=True).to_parquet(out / "projects.parquet")


def one_run(out: Path) -> dict[str, float]:
    """Load and render each view once (run in a fresh process)."""
    from nlp.review.app import create_app
    from nlp.review.store import Store

    times = {}
    start = time.perf_counter()
    store = Store(out)
    times["load"] = time.perf_counter() - start
    client = create_app(store).test_client()
    for view, url in VIEWS.items():
        start = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times[view] = time.perf_counter() - start
    times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-run", help=argparse.SUPPRESS)  # internal: a single measured run
    args = parser.parse_args()
    if args.one_run:
        print(json.dumps(one_run(Path(args.one_run))))
        return
    machine = machine_column()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            out = Path(tmp) / f"out-{size}"
            build(out, size)
            runs = [
                json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--one-run", str(out)],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                )
                for _ in range(args.runs)
            ]
            median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            cells = [f"{median[k]:.2f}" for k in ("load", *VIEWS)]
            record(SECTION, [f"{size:,}", *cells, f"{median['peak_mb']:,.0f}"], machine)


if __name__ == "__main__":
    main()
