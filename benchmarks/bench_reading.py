"""Benchmark reading one large document: time must grow linearly with its size (issue: never quadratic).

A document of each layout (seeds 000 wrapped, 002 self-evaluation, 003 tabbed) is grown to SIZE MB by
repeating its body (headers, projects, unit subtotals, 合计), and `nlp.read_document` reads it in a fresh
process, RUNS times. The median seconds, MB/s and peak memory (the child's maximum resident set, imports
included) are appended to benchmarks/RESULTS.md; a flat MB/s column (and a time ratio near the size
ratio) is what linear looks like.

    python benchmarks/bench_reading.py                    # 1, 4 and 16 MB, 3 runs each
    python benchmarks/bench_reading.py --sizes 2 8 --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from results_table import machine_column, record  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "documents"
LAYOUTS = {"wrapped": "000_*.txt", "selfeval": "002_*.txt", "tabbed": "003_*.txt"}
START, END = "<!-- reading:start -->", "<!-- reading:end -->"
SECTION = [
    START,
    "## Reading one large document (`benchmarks/bench_reading.py`)",
    "",
    "`nlp.read_document` on one seed grown to SIZE MB by repeating its body; median of RUNS fresh",
    "processes. Linear reading shows as a flat MB/s column.",
    "",
    "| date (UTC) | layout | MB | seconds (median) | MB/s | peak MB | projects | machine |",
    "|---|---|---:|---:|---:|---:|---:|---|",
    END,
]
_CHILD = """
import json, resource, sys, time
from nlp.documents import read_document
t = time.perf_counter()
doc = read_document(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": time.perf_counter() - t, "projects": len(doc.projects), "layout": doc.layout,
                  "peak_mb": peak}))
"""


def grow(seed: Path, megabytes: float, folder: Path) -> Path:
    """The seed with its body (after the 8 header lines) repeated up to `megabytes`."""
    lines = seed.read_text(encoding="utf-8").splitlines()
    head, body = "\n".join(lines[:8]) + "\n", "\n".join(lines[8:]) + "\n"
    copies = max(1, round((megabytes * 1e6 - len(head.encode())) / len(body.encode())))
    path = folder / f"{seed.stem}_{megabytes:g}MB.txt"
    path.write_text(head + body * copies, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 4, 16])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--layouts", nargs="+", default=list(LAYOUTS), choices=list(LAYOUTS))
    args = parser.parse_args()
    machine = machine_column()
    with tempfile.TemporaryDirectory() as tmp:
        for layout in args.layouts:
            seed = next(SEEDS.glob(LAYOUTS[layout]))
            for size in args.sizes:
                path = grow(seed, size, Path(tmp))
                mb = path.stat().st_size / 1e6
                runs = [
                    json.loads(subprocess.run([sys.executable, "-c", _CHILD, str(path)], check=True,
                                              capture_output=True, text=True, cwd=ROOT).stdout)
                    for _ in range(args.runs)
                ]  # fmt: skip
                assert all(r["layout"] == layout for r in runs), runs
                seconds = statistics.median(r["seconds"] for r in runs)
                peak = statistics.median(r["peak_mb"] for r in runs)
                cells = [layout, f"{mb:.1f}", f"{seconds:.2f}", f"{mb / seconds:.1f}", f"{peak:,.0f}"]
                record(SECTION, [*cells, f"{runs[0]['projects']:,}"], machine)


if __name__ == "__main__":
    main()
