"""Build training_data/indicator_names.csv from the seed documents that state 二级指标 codes.

Run from the repository root:  python training_data/build_indicator_names.py

One row per distinct indicator name (matched on its folded spelling) with the level-2 code the
documents state for it (the majority if they disagree, the others listed in `level2_conflicts`),
the kind of value the name asks for, how many times it occurs and where it first occurs.
Rows whose `source` is not one of the seeds below (for example rows added from
examples/realdata/) are kept verbatim on rebuild, so they can be appended by hand or by
another script as long as they carry their own `source`, `level2_source` and `name_kind_source`.
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
OUT = ROOT / "training_data" / "indicator_names.csv"
CORRECTIONS = ROOT / "training_data" / "name_kind_corrections.csv"
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


def value_rule(name: str, value: str) -> str:
    """The name kind suggested by the stated value (rate, count or qualitative), to be reviewed."""
    from nlp.values import parse_value

    parsed = parse_value(value, name=name)
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
        ruled = value_rule(first.name, first.value)
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


def kept_rows() -> list[dict[str, str]]:
    """Rows of the existing file that did not come from the seeds (appended from elsewhere)."""
    if not OUT.exists():
        return []
    with OUT.open(encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if not r["source"].startswith(SEEDS)]


def main() -> None:
    """Rebuild the file: seed rows regenerated, other rows kept, then written back sorted stably."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    occurrences = [occ for rel in SEEDS for occ in read_seed(rel)]
    seed_rows = build_rows(occurrences, load_corrections())
    rows = seed_rows + kept_rows()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    team = sum(r["name_kind_source"] == "team" for r in seed_rows)
    log.info(
        "%d indicators in %d seeds → %d distinct names (%d name kinds set by the team); %d other rows kept",
        len(occurrences),
        len(SEEDS),
        len(seed_rows),
        team,
        len(rows) - len(seed_rows),
    )


if __name__ == "__main__":
    main()
