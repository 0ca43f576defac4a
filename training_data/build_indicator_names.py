"""Build training_data/indicator_names.csv from the documents that state 二级指标 codes.

Run from the repository root:  python training_data/build_indicator_names.py

One row per distinct indicator name (matched on its folded spelling) with the level-2 code the
documents state for it (the majority if they disagree, the others listed in `level2_conflicts`),
the kind of value the name asks for, how many times it occurs and where it first occurs.

Four sections (`dataset`), written in this order; a name already written is not written again:

1. `seeds`: the seeds (SEEDS below, examples/documents/000, 003, 004), reviewed;
2. `realdata`: the excerpts of other provinces reviewed in issue 6 (REVIEWED_REALDATA), from their
   hand-checked rows in READER_ROWS (the reader's output only for a file without such rows) whose
   file states the 二级指标, minus the rows listed in realdata_exclusions.csv;
3. `library`: indicator_library.csv, names that public indicator libraries and published tables list
   under their 一级/二级 categories (level2_source = library);
4. `distant`: distant supervision from every other realdata excerpt that states its levels:
   (name, stated 二级) and (name, kind of its target value), not reviewed as name labels
   (level2_source = name_kind_source = distant). Where a file of labeled reader rows
   (READER_ROWS, columns file,line,project,level1,level2,name,stated_op,value,stated_unit,actual,
   labeled_by,note) covers a file, its rows are used for that file instead of the reader's: the
   reader's guesses on files it does not read well yet (101-131, issue 10) would teach fake names.

`document` is the source document of a row (the `source:` address of a realdata file, the address a
library row cites, the path of a seed): rows of one document are never split across evaluation folds.

Rows whose `source` is none of these are kept verbatim on rebuild, so they can be appended by hand
or by another script as long as they carry their own `source`, `level2_source` and `name_kind_source`.
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

from nlp.documents.table.row import fake_name  # noqa: E402
from nlp.levels import canonical_level1, canonical_level2  # noqa: E402
from nlp.schema import LEVEL1, LEVEL2  # noqa: E402
from nlp.segment import strip_ruby  # noqa: E402
from nlp.textnorm import clean, fold  # noqa: E402

log = logging.getLogger("build_indicator_names")

SEEDS = (  # the seeds that state 二级指标 codes; 001 states none (it is the prediction target)
    "examples/documents/000_e4e529e5a252bb3b.txt",
    "examples/documents/003_fa9ee3475f69190e.txt",
    "examples/documents/004_23b8967a22161806.txt",
)
REALDATA = "examples/realdata"  # sections 2 and 4: other provinces' excerpts
REVIEWED_REALDATA = frozenset(  # the 27 excerpts the team reviewed by eye in issue 6 (file-name prefixes)
    {"02", "03", "05", "08", "09", "10", "12", "14", "16", "18", "19", "21", "23", "25"}
    | {"28", "30", "32", "34", "35", "36", "39", "40", "44", "45", "47", "49", "51"}
)
LIBRARY = ROOT / "training_data" / "indicator_library.csv"  # section 3, a copy of the shared library
READER_ROWS = ROOT / "training_data" / "reader_rows.csv"  # section 4 input when present (labeled rows)
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
    "dataset",
    "document",
)

_CODE = re.compile(r"^\s*(?P<code>[1-4]\d?)\s*-")  # the numeric code in front of "31-服务对象满意度"
_PERCENT_NAME = re.compile(r"率|%|满意度|比例|百分比")  # names that mark a proportion
_DIGIT = re.compile(r"\d")
# A remark after a level name in the library: `数量指标 (必填硬性指标)`, `产出指标 (50)`, `效益指标 30分)`.
_LEVEL_REMARK = re.compile(r"\s*(?:[(（][^()（）]*[)）]?|\d+分[)）])\s*$")


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
    document: str = ""  # the source document (rows of one document stay in one evaluation fold)


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
                    document=rel,
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


def build_rows(
    occurrences: list[Occurrence], corrections: dict[str, str], dataset: str = "seeds"
) -> list[dict[str, str]]:
    """Group occurrences by folded name into one labeled row each, in order of first occurrence.

    `seeds` and `realdata` rows are reviewed (level2_source stated, name_kind_source value_rule or
    team); `distant` rows are taken as found (both sources `distant`).
    """
    groups: dict[str, list[Occurrence]] = {}
    for occ in occurrences:
        if occ.name and occ.level2:
            groups.setdefault(fold(occ.name), []).append(occ)
    reviewed = dataset != "distant"
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
                "level2_source": "stated" if reviewed else "distant",
                "name_kind": kind,
                "name_kind_source": ("value_rule" if kind == ruled else "team") if reviewed else "distant",
                "count": str(len(occs)),
                "level2_conflicts": ";".join(f"{k}×{n}" for k, n in votes.items() if k != level2),
                "example_value": first.value,
                "source": first.source,
                "dataset": dataset,
                "document": first.document,
            }
        )
    return rows


# --- sections 2 and 4: examples/realdata/ -----------------------------------------------------------


def realdata_files(reviewed: bool = True) -> list[str]:
    """The realdata excerpts reviewed in issue 6 (or all the others), relative to the root, by name."""
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / REALDATA).glob("[0-9]*.txt"))
    return [f for f in files if (Path(f).name.split("_")[0] in REVIEWED_REALDATA) == reviewed]


def document_of(rel: str) -> str:
    """The source document of an example file: its `source:` address if its first line gives one."""
    path = ROOT / rel
    first = path.read_text(encoding="utf-8-sig").split("\n", 1)[0] if path.is_file() else ""
    return first.split(":", 1)[1].strip() if first.lower().startswith("source:") else rel


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
    document = document_of(rel)
    out = []
    for project in doc.projects:
        for ind in project.indicators:
            name, level2 = clean(ind.name), canonical(ind.level2, LEVEL2)
            parent = canonical(level2[:1] + "-", LEVEL1)  # 一级 of a 二级 code: its first digit
            level1 = canonical(ind.level1, LEVEL1) or parent
            if not name or not level2 or level1 != parent or "truncated" in ind.flags:
                continue
            value = ind.annual_value or ind.period_value or ind.actual_value or ""
            out.append(
                Occurrence(
                    name, level1, level2, clean(value), f"{rel}:{ind.line}", ind.op, ind.unit, document
                )
            )
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
    labeled = labeled_reader_rows()
    for rel in realdata_files():
        prefix = Path(rel).name.split("_")[0]
        for occ in labeled[rel] if rel in labeled else read_realdata(rel):
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
    return build_rows(realdata_occurrences(seed_names), corrections, "realdata")


# --- section 3: the indicator library ----------------------------------------------------------------


def library_level(text: str, level: int) -> str:
    """A library level cell → canonical code ('' if unknown): ruby and trailing remarks dropped first."""
    bare = _LEVEL_REMARK.sub("", strip_ruby(clean(text)))
    found = canonical_level1(bare) if level == 1 else canonical_level2(bare)
    return found or ""


def library_kind(name: str, value: str, unit: str) -> str:
    """Name kind from the library's example value (value rule) or, without one, its unit column.

    A row with neither gives '' (unknown for the name-kind model): the name alone would make the
    label a copy of the name rules the model is compared with.
    """
    from nlp.values import parse_value

    if value.strip():
        return value_rule(name, value, unit=unit or None)
    if unit.strip():
        return "rate" if parse_value("1", unit=unit).unit == "%" else "count"
    return ""


def build_library_rows(written: dict[str, str]) -> tuple[list[dict[str, str]], Counter]:
    """Section 3: one row per library name not yet written; also the label-noise counts found.

    `written`: folded name → 二级 code of the rows of earlier sections (a library name stated under
    another code there is counted as noise, and the earlier, reviewed label is kept).
    """
    noise: Counter = Counter()
    rows: dict[str, dict[str, str]] = {}
    with LIBRARY.open(encoding="utf-8-sig") as fh:
        for line, rec in enumerate(csv.DictReader(fh), 2):
            name = strip_ruby(clean(rec["name"]))
            level2 = library_level(rec["level2"], 2)
            parent = canonical(level2[:1] + "-", LEVEL1)
            level1 = library_level(rec["level1"], 1) or parent
            if not name or not level2:
                noise["no level2 code"] += 1
                log.warning("indicator_library.csv:%d: 二级 %r has no code; left out", line, rec["level2"])
                continue
            if level1 != parent:
                noise["二级 under another 一级"] += 1
            if "满意" in fold(name) and not level2.startswith("3"):
                noise["满意度 name outside 31"] += 1
            key = fold(name)
            if key in written:
                noise["name already in an earlier section"] += 1
                if written[key] != level2:
                    noise["name in an earlier section under another 二级"] += 1
                continue
            if key in rows:
                rows[key]["count"] = str(int(rows[key]["count"]) + 1)
                if rows[key]["level2"] != level2:
                    noise["same name, another 二级"] += 1
                    rows[key]["level2_conflicts"] = f"{level2}×1"
                continue
            kind = library_kind(name, clean(rec["example_value"]), clean(rec["unit"]))
            rows[key] = {
                "name": name,
                "level1": parent,
                "level2": level2,
                "level2_source": "library",
                "name_kind": kind,
                "name_kind_source": "distant" if kind else "",
                "count": "1",
                "level2_conflicts": "",
                "example_value": clean(rec["example_value"]),
                "source": f"training_data/indicator_library.csv:{line}",
                "dataset": "library",
                "document": rec["source"].strip(),
            }
    return list(rows.values()), noise


# --- section 4: distant supervision -------------------------------------------------------------------


def labeled_reader_rows(path: Path = READER_ROWS) -> dict[str, list[Occurrence]]:
    """Occurrences from a file of labeled reader rows, by realdata file ({} if there is no such file).

    Left out: rows the excerpt cut without a target or actual (`cut off` in the note: the name may be
    cut) and names that cannot name an indicator (a bare number or value, as the reader flags them).
    """
    if not path.is_file():
        return {}
    out: dict[str, list[Occurrence]] = {}
    with path.open(encoding="utf-8-sig") as fh:
        for rec in csv.DictReader(line for line in fh if not line.startswith("#")):
            rel = f"{REALDATA}/{Path(rec['file']).name}"
            if rec["note"].startswith("cut off") and not (rec["value"] or rec["actual"]):
                continue  # the excerpt ends inside or after the name: the name may be cut (公众满)
            if fake_name(rec["name"]):
                continue  # a target written in the name column (100万): the reader flags it, not a name
            level2 = library_level(rec["level2"], 2) or canonical(rec["level2"], LEVEL2)
            parent = canonical(level2[:1] + "-", LEVEL1)
            level1 = library_level(rec["level1"], 1) or canonical(rec["level1"], LEVEL1) or parent
            occ = Occurrence(
                name=strip_ruby(clean(rec["name"])),  # 業務(wù) as written; the reader drops the ruby
                level1=level1 if level1 == parent else "",
                level2=level2 if level1 == parent else "",
                value=clean(rec["value"] or rec["actual"]),
                source=f"{rel}:{rec['line']}",
                op=rec["stated_op"] or None,
                unit=rec["stated_unit"] or None,
                document=document_of(rel),
            )
            out.setdefault(rel, []).append(occ)
    return out


def build_distant_rows(written: dict[str, str], corrections: dict[str, str]) -> list[dict[str, str]]:
    """Section 4: names not yet written, from the other example files that state their levels."""
    labeled = labeled_reader_rows()
    occurrences, unusable = [], 0
    for rel in realdata_files(reviewed=False):
        occs = labeled[rel] if rel in labeled else read_realdata(rel)
        unusable += sum(not o.level2 or not o.name for o in occs)
        occurrences += [o for o in occs if o.level2 and o.name and fold(o.name) not in written]
    log.info(
        "distant: %d labeled reader rows of %d files; %d rows give no 二级 code under their 一级 (none "
        "stated, a 二级 of another 一级, or a shifted hierarchy such as 实施效果指标 > 产出指标)",
        sum(map(len, labeled.values())),
        len(labeled),
        unusable,
    )
    return build_rows(occurrences, corrections, "distant")


def kept_rows() -> list[dict[str, str]]:
    """Rows of the existing file from none of the sections (appended from elsewhere)."""
    if not OUT.exists():
        return []
    prefixes = (*SEEDS, f"{REALDATA}/", "training_data/indicator_library.csv")
    with OUT.open(encoding="utf-8-sig") as fh:
        return [r for r in csv.DictReader(fh) if not r["source"].startswith(prefixes)]


def main() -> None:
    """Rebuild the file: seed rows, realdata rows, library rows, distant rows, then other rows kept."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    corrections = load_corrections()
    occurrences = [occ for rel in SEEDS for occ in read_seed(rel)]
    seed_rows = build_rows(occurrences, corrections)
    realdata_rows = build_realdata_rows(seed_rows, corrections)
    written = {fold(r["name"]): r["level2"] for r in seed_rows + realdata_rows}
    library_rows, noise = build_library_rows(written)
    written |= {fold(r["name"]): r["level2"] for r in library_rows}
    distant_rows = build_distant_rows(written, corrections)
    kept = kept_rows()
    rows = seed_rows + realdata_rows + library_rows + distant_rows + kept
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    log.info(
        "%d indicators in %d seeds → %d distinct names (%d name kinds set by the team)",
        len(occurrences),
        len(SEEDS),
        len(seed_rows),
        sum(r["name_kind_source"] == "team" for r in seed_rows),
    )
    log.info(
        "realdata: %d new distinct names (%d name kinds set by the team)",
        len(realdata_rows),
        sum(r["name_kind_source"] == "team" for r in realdata_rows),
    )
    log.info(
        "library: %d new distinct names (%d without a name kind); label noise: %s",
        len(library_rows),
        sum(r["name_kind"] == "" for r in library_rows),
        ", ".join(f"{k} {n}" for k, n in sorted(noise.items())) or "none",
    )
    log.info("distant: %d new distinct names; %d other rows kept", len(distant_rows), len(kept))


if __name__ == "__main__":
    main()
