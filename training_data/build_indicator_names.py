"""Build training_data/indicator_names.csv from the documents that state 二级指标 codes.

Run from the repository root:  python training_data/build_indicator_names.py

One row per distinct indicator name (matched on its folded spelling) with the level-2 code the
documents state for it (the majority if they disagree, the others listed in `level2_conflicts`),
the kind of value the name asks for, how many times it occurs and where it first occurs.

Two sections, written in this order:

1. the seeds (SEEDS below, examples/documents/000, 003, 004);
2. the excerpts of other provinces (examples/realdata/, issue 6, files numbered up to 99): names
   the seeds do not have, from rows whose file states the 二级指标, minus the rows listed in
   realdata_exclusions.csv. Files 101-131 (issue 10) are not read here: the current reader's guesses
   on them would teach fake names; their rows are labeled by hand in reader_rows.csv.

Rows whose `source` is neither a seed nor a realdata file are kept verbatim on rebuild, so they
can be appended by hand or by another script as long as they carry their own `source`,
`level2_source` and `name_kind_source`.
"""

from __future__ import annotations

import csv
import logging
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.schema import LEVEL1, LEVEL2  # noqa: E402
from nlp.textnorm import clean, fold  # noqa: E402

log = logging.getLogger("build_indicator_names")

SEEDS = (  # the seeds that state 二级指标 codes; 001 states none (it is the prediction target)
    "examples/documents/000_e4e529e5a252bb3b.txt",
    "examples/documents/003_fa9ee3475f69190e.txt",
    "examples/documents/004_23b8967a22161806.txt",
)
REALDATA = "examples/realdata"  # section 2: other provinces' excerpts (issue 6)
REALDATA_LAST = 99  # files numbered above this (101-131, issue 10) are labeled by hand in reader_rows.csv
OUT = ROOT / "training_data" / "indicator_names.csv"
CORRECTIONS = ROOT / "training_data" / "name_kind_corrections.csv"
REALDATA_EXCLUSIONS = ROOT / "training_data" / "realdata_exclusions.csv"
COLUMNS = (
    "name",
    "level1",
    "level2",
    "level2_source",
    "name_kind",
    "name_kind_source",
    "count",
    "level2_conflicts",
    "example_value",
    "source",
)

_CODE = re.compile(r"^\s*(?P<code>[1-4]\d?)\s*-")  # the numeric code in front of "31-服务对象满意度"
_PERCENT_NAME = re.compile(r"率|%|满意度|比例|百分比")  # names that mark a proportion
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Occurrence:
    """One indicator as a seed states it."""

    name: str
    level1: str
    level2: str
    value: str
    source: str
    op: str | None = None  # separate 指标性质 / 计量单位 columns (realdata), hints for the value rule
    unit: str | None = None


def canonical(code_name: str, table: tuple[str, ...]) -> str:
    """Map a stated `31-服务对象满意度指标` onto the canonical entry with the same code ('' if none)."""
    m = _CODE.match(fold(code_name))
    if not m:
        return ""
    return next((entry for entry in table if entry.split("-")[0] == m["code"]), "")


def read_seed(rel: str) -> list[Occurrence]:
    """The indicators of one seed, read by the project's document reader."""
    from nlp.documents import read_document

    doc = read_document(ROOT / rel)
    out = []
    for project in doc.projects:
        for ind in project.indicators:
            value = ind.annual_value or ind.period_value or ""
            out.append(
                Occurrence(
                    name=clean(ind.name),
                    level1=canonical(ind.level1, LEVEL1),
                    level2=canonical(ind.level2, LEVEL2),
                    value=clean(value),
                    source=f"{rel}:{ind.line}",
                )
            )
    return out


def value_rule(name: str, value: str, op: str | None = None, unit: str | None = None) -> str:
    """The name kind suggested by the stated value (rate, count or qualitative), to be reviewed."""
    from nlp.values import parse_value

    parsed = parse_value(value, name=name, op=op, unit=unit)
    if parsed.kind in ("rate", "count"):
        return parsed.kind
    if parsed.kind == "threshold":
        return "rate" if parsed.unit == "%" else "count"
    if parsed.kind == "qualitative":
        return "qualitative"
    return "rate" if _PERCENT_NAME.search(fold(name)) else "count" if _DIGIT.search(value) else "qualitative"


def load_corrections() -> dict[str, str]:
    """The team's reviewed name kinds: folded name → name_kind (comment lines start with #)."""
    with CORRECTIONS.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {fold(r["name"]): r["name_kind"] for r in rows}


def build_rows(occurrences: list[Occurrence], corrections: dict[str, str]) -> list[dict[str, str]]:
    """Group occurrences by folded name into one labeled row each, in order of first occurrence."""
    groups: dict[str, list[Occurrence]] = {}
    for occ in occurrences:
        if occ.name and occ.level2:
            groups.setdefault(fold(occ.name), []).append(occ)
    rows = []
    for key, occs in groups.items():
        votes = Counter(o.level2 for o in occs)
        level2 = votes.most_common(1)[0][0]
        first = next(o for o in occs if o.level2 == level2)
        ruled = value_rule(first.name, first.value, first.op, first.unit)
        kind = corrections.get(key, ruled)
        if kind == "exclude":
            continue
        rows.append(
            {
                "name": first.name,
                "level1": first.level1,
                "level2": level2,
                "level2_source": "stated",
                "name_kind": kind,
                "name_kind_source": "value_rule" if kind == ruled else "team",
                "count": str(len(occs)),
                "level2_conflicts": ";".join(f"{k}×{n}" for k, n in votes.items() if k != level2),
                "example_value": first.value,
                "source": first.source,
            }
        )
    return rows


# --- section 2: examples/realdata/ (issue 6) -------------------------------------------------------


def realdata_files() -> list[str]:
    """The issue-6 realdata excerpts (numbered up to REALDATA_LAST), relative to the root, in name order."""
    paths = (ROOT / REALDATA).glob("[0-9]*.txt")
    return sorted(p.relative_to(ROOT).as_posix() for p in paths if int(p.name.split("_")[0]) <= REALDATA_LAST)


def read_realdata(rel: str) -> list[Occurrence]:
    """The indicators of one realdata excerpt whose file states a 二级指标 under its 一级指标.

    Left out by rule: no name, no stated 二级指标, a 二级 code under another 一级 (16's 经济效益 and
    19's 经济成本 under 产出指标, as found) and names the reader flags `truncated` (cut-off excerpts).
    Where the file gives no 一级 cell (14, 23, 39), the 一级 is the stated 二级 code's parent.
    The value the rule looks at is the 年度指标值, else the 实施周期指标值, else the 实际完成值 (47's
    prose reports only actual results).
    """
    from nlp.documents import read_document

    doc = read_document(ROOT / rel)
    out = []
    for project in doc.projects:
        for ind in project.indicators:
            name, level2 = clean(ind.name), canonical(ind.level2, LEVEL2)
            parent = canonical(level2[:1] + "-", LEVEL1)  # 一级 of a 二级 code: its first digit
            level1 = canonical(ind.level1, LEVEL1) or parent
            if not name or not level2 or level1 != parent or "truncated" in ind.flags:
                continue
            value = ind.annual_value or ind.period_value or ind.actual_value or ""
            out.append(Occurrence(name, level1, level2, clean(value), f"{rel}:{ind.line}", ind.op, ind.unit))
    return out


def load_realdata_exclusions() -> dict[tuple[str, str], str]:
    """The team's exclusions: (file prefix, folded name or *) → reason (comment lines start with #)."""
    with REALDATA_EXCLUSIONS.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {(r["file"], r["name"] if r["name"] == "*" else fold(r["name"])): r["reason"] for r in rows}


def realdata_occurrences(seed_names: set[str]) -> list[Occurrence]:
    """Realdata occurrences left after the exclusions, whose folded name the seeds do not have."""
    exclusions = load_realdata_exclusions()
    used: set[tuple[str, str]] = set()
    out = []
    for rel in realdata_files():
        prefix = Path(rel).name.split("_")[0]
        for occ in read_realdata(rel):
            key = fold(occ.name)
            hit = next((k for k in ((prefix, "*"), (prefix, key)) if k in exclusions), None)
            if hit:
                used.add(hit)
            elif key not in seed_names:
                out.append(occ)
    for unused in sorted(k for k in set(exclusions) - used if k[1] != "*"):  # a whole file may read empty
        log.warning("realdata_exclusions.csv: %s matches no row the reader gives", unused)
    return out


def build_realdata_rows(seed_rows: list[dict[str, str]], corrections: dict[str, str]) -> list[dict[str, str]]:
    """Section 2: one labeled row per distinct realdata name not among the seed rows."""
    seed_names = {fold(r["name"]) for r in seed_rows}
    return build_rows(realdata_occurrences(seed_names), corrections)


def kept_rows() -> list[dict[str, str]]:
    """Rows of the existing file from neither the seeds nor realdata (appended from elsewhere)."""
    if not OUT.exists():
        return []
    with OUT.open(encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if not r["source"].startswith((*SEEDS, f"{REALDATA}/"))]


def main() -> None:
    """Rebuild the file: seed rows, then realdata rows regenerated, then other rows kept."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    corrections = load_corrections()
    occurrences = [occ for rel in SEEDS for occ in read_seed(rel)]
    seed_rows = build_rows(occurrences, corrections)
    realdata_rows = build_realdata_rows(seed_rows, corrections)
    rows = seed_rows + realdata_rows + kept_rows()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    team = sum(r["name_kind_source"] == "team" for r in seed_rows)
    log.info(
        "%d indicators in %d seeds → %d distinct names (%d name kinds set by the team)",
        len(occurrences),
        len(SEEDS),
        len(seed_rows),
        team,
    )
    log.info(
        "realdata: %d new distinct names (%d name kinds set by the team); %d other rows kept",
        len(realdata_rows),
        sum(r["name_kind_source"] == "team" for r in realdata_rows),
        len(rows) - len(seed_rows) - len(realdata_rows),
    )


if __name__ == "__main__":
    main()
