"""CPU seconds of the quality stage alone (`nlp.assess`) on the bench_normalize corpus.

Tables are built by the stages before it (read, values, classifiers, linking), then `assess` runs
three times; the median of its CPU time (time.process_time) is printed. Whichever `nlp` is on the
path is measured, so an older version can be compared on the same corpus:

    python benchmarks/bench_quality.py --copies 100
    git archive OLD nlp | tar -x -C /tmp/old && \\
        JIXIAO_MODELS=models PYTHONPATH=/tmp/old python benchmarks/bench_quality.py --copies 100
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench_normalize import generate  # benchmarks/ is on sys.path when a script runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()
    import nlp.quality
    from nlp.pipeline import Options, _classify, _link, _read, _tables, _values

    corpus = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    try:
        generate(args.copies, corpus)
        projects, indicators = _tables(_read([corpus], False))
    finally:
        shutil.rmtree(corpus)
    indicators, _ = _classify(_values(indicators), Options().model_dir)
    projects, _, _ = _link(projects, indicators, Options())
    times = []
    for _ in range(3):
        start = time.process_time()
        nlp.quality.assess(projects, indicators)
        times.append(time.process_time() - start)
    median = statistics.median(times)
    print(f"{nlp.quality.__file__}: {len(indicators):,} indicators, assess {median:.2f} CPU s (median of 3)")


if __name__ == "__main__":
    main()
