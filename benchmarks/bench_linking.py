"""Benchmark project linking on generated names: time and peak memory at 25k, 50k and 100k projects.

Names are the seed project names of training_data/project_pairs.csv (prefix and years set aside)
recombined with the 11 Guangzhou districts, several departments, years 2016-2027 and a few
phase/scope words, written in the seeds' spellings (prefix + year, year range, (23n), bare name).
Each run is a fresh subprocess (cold caches, its own peak RSS); the median of 3 runs is appended
to benchmarks/RESULTS.md.

    python benchmarks/bench_linking.py            # 25k, 50k, 100k
    python benchmarks/bench_linking.py --sizes 100000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results_table import machine_column, record  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- linking:start -->", "<!-- linking:end -->"  # our section; rows are appended inside
SECTION = [
    START,
    "## Project linking (`benchmarks/bench_linking.py`)",
    "",
    "Generated project names (seed names × 11 districts × 10 departments × years 2016-2027 × phase words),",
    "`nlp.linking.link_projects` at the default threshold; median of 3 runs, each a fresh process;",
    "peak memory is the process's maximum resident set (imports and the generated table included).",
    "",
    "| date (UTC) | projects | seconds (median) | projects/s | peak MB | links | families | machine |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    END,
]
DISTRICTS = ("越秀", "海珠", "荔湾", "天河", "白云", "黄埔", "番禺", "花都", "南沙", "从化", "增城")
DEPARTMENTS = (
    "人民代表大会常务委员会办公室", "人大常委会办公室", "人民政府办公室", "财政局", "教育局",
    "卫生健康局", "民政局", "司法局", "政务服务数据管理局", "机关事务管理中心",
)  # fmt: skip
MODIFIERS = ("", "", "", "一期", "二期", "升级改造", "（续建）", "补助")


def generate(n: int, seed: int = 7) -> list[dict[str, object]]:
    """`n` project rows (doc, department, unit, district, project, project_id, year)."""
    import pandas as pd

    from nlp.names import normalize_name

    pairs = pd.read_csv(ROOT / "training_data" / "project_pairs.csv", keep_default_na=False)
    names = sorted({normalize_name(n, d, u).key for s in "ab" for n, d, u in zip(
        pairs[f"name_{s}"], pairs[f"department_{s}"], pairs[f"unit_{s}"], strict=True)})  # fmt: skip
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        district, dept, year = rng.choice(DISTRICTS), rng.choice(DEPARTMENTS), rng.randint(2016, 2027)
        department = f"广州市{district}区{dept}"
        base = rng.choice(names) + rng.choice(MODIFIERS)
        style = rng.randrange(4)
        project = (
            f"{department}{year}年{base}", f"{year}-{year + 1}年度{base}", f"{base}（{year % 100}n）", base
        )[style]  # fmt: skip
        doc = f"{district}-{dept}-{year}"
        rows.append({"doc": doc, "department": department, "unit": department, "district": f"{district}区",
                     "project": project, "project_id": f"{doc}-{i:06d}", "year": year})  # fmt: skip
    return rows


def child(n: int) -> None:
    """One run in this process: generate, link, print seconds and peak RSS as JSON."""
    import pandas as pd

    from nlp.linking import link_projects

    projects = pd.DataFrame(generate(n))
    start = time.perf_counter()
    result = link_projects(projects)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    families = result.family_id.nunique()
    print(
        json.dumps({"seconds": seconds, "peak_mb": peak_mb, "links": len(result.links), "families": families})
    )


def main() -> None:
    """Run each size `runs` times in fresh processes; append the medians to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    machine = machine_column()
    for n in args.sizes:
        runs = []
        for _ in range(args.runs):
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True
            )
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        secs = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        cells = [f"{n:,}", f"{secs:.1f}", f"{n / secs:,.0f}", f"{peak:,.0f}"]
        record(SECTION, [*cells, f"{runs[0]['links']:,}", f"{runs[0]['families']:,}"], machine)


if __name__ == "__main__":
    main()
