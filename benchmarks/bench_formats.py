"""Benchmark reading structured files: indicator rows per second for each format, and one big sheet.

The corpus is every seed and examples/realdata table rendered into each format by
tests/fixtures/render_formats.py (the rows the text reader finds, with merged cells), read with
`nlp.read_document` (adapter + grid reader; the later pipeline stages are not included). The big
sheet is one .xlsx project with `--big` indicator rows. Each figure is the median of `--runs` runs;
the rows are appended to benchmarks/RESULTS.md.

    python benchmarks/bench_formats.py --runs 3 --big 100000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from results_table import machine_column, record  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
START, END = "<!-- formats:start -->", "<!-- formats:end -->"
SECTION = [
    START,
    "## Reading workbooks, Word, web pages, PDF (`benchmarks/bench_formats.py`)",
    "",
    "`nlp.read_document` on every seed and realdata table rendered into each format",
    "(tests/fixtures/render_formats.py: 32 files, 561 indicator rows, merged level cells), and on one",
    "generated .xlsx sheet with one project of N rows; `txt` is the same 32 tables as the text files",
    "the text readers read. Reading only (adapter + grid reader), median of the runs, one process.",
    "Command: `python benchmarks/bench_formats.py --runs 3 --big 100000`.",
    "Caches warm (the text of every table was read once before timing).",
    "",
    "| date (UTC) | format | files | rows | seconds (median) | rows/s | machine |",
    "|---|---|---:|---:|---:|---:|---|",
    END,
]


def _read_all(paths: list[Path]) -> tuple[float, int]:
    from nlp.documents import read_document

    start = time.perf_counter()
    rows = sum(len(p.indicators) for path in paths for p in read_document(path).projects)
    return time.perf_counter() - start, rows


def _big_sheet(path: Path, n: int) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("绩效目标表")
    sheet.write_row(0, 0, ["项目名称", "大表项目"])
    sheet.write_row(1, 0, ["一级指标", "二级指标", "三级指标", "指标性质", "计量单位", "年度指标值", "分值"])
    levels = (("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益"))
    for i in range(n):
        level1, level2 = levels[i // 1000 % 3]
        sheet.write_row(i + 2, 0, [level1, level2, f"第{i}项服务完成数量", "≥", "个", i % 500, 5])
    book.close()
    return path


def main() -> None:
    """Render the corpus, time reading each format `runs` times, append the medians to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big", type=int, default=100_000, help="rows of the big .xlsx sheet (0: skip)")
    args = parser.parse_args()
    from fixtures.render_formats import FORMATS, render, source_tables

    machine = machine_column()
    tables = source_tables()
    texts = [
        p
        for folder in ("documents", "realdata")
        for p in sorted((ROOT / "examples" / folder).glob("*.txt"))
        if p.stem in {spec.doc for spec, _ in tables}
    ]
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {"txt": texts}
        for fmt in FORMATS:
            corpora[fmt] = [render(spec, fmt, Path(tmp) / fmt) for spec, _ in tables]
        if args.big:
            corpora[f"xlsx, one sheet of {args.big:,} rows"] = [_big_sheet(Path(tmp) / "big.xlsx", args.big)]
        for name, paths in corpora.items():
            runs = [_read_all(paths) for _ in range(args.runs)]
            secs = statistics.median(s for s, _ in runs)
            rows = runs[0][1]
            cells = [name, f"{len(paths)}", f"{rows:,}", f"{secs:.2f}", f"{rows / secs:,.0f}"]
            record(SECTION, cells, machine)


if __name__ == "__main__":
    main()
