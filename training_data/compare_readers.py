"""Field by field, where the learned table reading and the rule-based one differ on the example files.

For every `examples/realdata/*.txt`, both readings (`read_learned`, the shipped model; and
`read_indicator_table`, with the fake names and group headings dropped as `read_table` drops them) are
aligned by row name (difflib over the folded names, in order); for each pair of rows, each field of
FIELDS that differs is counted, rows of one reading only are counted apart, and so is a file whose
projects differ (their names). The figures say which
fields the learned reading does not yet carry as the rule-based one does (docs/READER_AUDIT.md).

    python training_data/compare_readers.py            # per file and per field
    python training_data/compare_readers.py -v         # and every differing field
    python training_data/compare_readers.py --lofo     # the learned reading of each labeled file by a
                                                       # model trained without it (~2 min)
"""

from __future__ import annotations

import argparse
import difflib
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from nlp.baselines.rule_reader import read_indicator_table
from nlp.documents.table.cleanup import drop_fake_names, drop_group_headings
from nlp.documents.table.labels import load_rows
from nlp.documents.table.reader import read_learned
from nlp.documents.table.roles import (
    AUGMENT,
    DEFAULT_ROWS,
    FEATURES_VERSION,
    RoleTagger,
    examples,
    fit,
    table_rows,
)
from nlp.schema import Document, Indicator
from nlp.textnorm import fold

ROOT = Path(__file__).resolve().parents[1]
FIELDS = (
    "name", "annual_value", "actual_value", "weight", "score", "level1", "level2", "op", "unit", "direction",
)  # fmt: skip


def _rows(doc: Document | None) -> list[Indicator]:
    return [i for p in doc.projects for i in p.indicators] if doc is not None else []


def _projects(doc: Document | None) -> list[str]:
    return [p.project for p in doc.projects] if doc is not None else []


def _key(ind: Indicator) -> str:
    return fold(ind.name or ind.raw).replace(" ", "")


def compare(text: str, path: str, tagger: RoleTagger | None = None) -> tuple[Counter[str], list[str]]:
    """Counts of differing fields (and `learned only` / `rules only` rows) between the two readings."""
    learned_doc = read_learned(path, text, tagger)
    rules_doc = read_indicator_table(path, text)
    rules_doc = drop_group_headings(drop_fake_names(rules_doc)) if rules_doc is not None else None
    learned, rules = _rows(learned_doc), _rows(rules_doc)
    counts: Counter[str] = Counter()
    notes: list[str] = []
    projects = [_projects(learned_doc), _projects(rules_doc)]
    if projects[0] != projects[1]:
        counts["projects"] += 1
        notes.append(f"  projects: learned {projects[0]} rules {projects[1]}")
    matcher = difflib.SequenceMatcher(
        a=[_key(i) for i in learned], b=[_key(i) for i in rules], autojunk=False
    )
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(learned[a0:a1], rules[b0:b1], strict=True):
                for f in FIELDS[1:]:
                    x, y = getattr(a, f) or None, getattr(b, f) or None
                    if x != y:
                        counts[f] += 1
                        notes.append(f"  {a.name[:24]} {f}: learned {x!r} rules {y!r}")
            continue
        for a in learned[a0:a1]:
            counts["learned only"] += 1
            notes.append(f"  learned only: {a.name[:30]!r} {a.annual_value!r} {a.actual_value!r}")
        for b in rules[b0:b1]:
            counts["rules only"] += 1
            notes.append(f"  rules only: {b.name[:30]!r} {b.annual_value!r} {b.actual_value!r}")
    return counts, notes


def lofo_taggers(tmp: Path) -> Callable[[Path], RoleTagger | None]:
    """For a labeled file, a tagger trained without it (and its renderings); None (the shipped model)
    for the other files."""
    exs = examples(table_rows(load_rows(DEFAULT_ROWS)), augment=AUGMENT)
    files = {e.file for e in exs}

    def tagger(path: Path) -> RoleTagger | None:
        file = str(path.relative_to(ROOT))
        if file not in files:
            return None
        model = tmp / f"{path.stem}.crfsuite"
        fit([e for e in exs if e.file != file], model)
        model.with_suffix(".json").write_text(f'{{"features_version": {FEATURES_VERSION}}}', encoding="utf-8")
        return RoleTagger(model)

    return tagger


def main() -> None:
    """Print the differences per file, then the totals per field."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every differing field")
    parser.add_argument(
        "--lofo", action="store_true", help="read each labeled file with a model trained without it"
    )
    args = parser.parse_args()
    total: Counter[str] = Counter()
    files = sorted((ROOT / "examples" / "realdata").glob("*.txt"))
    differing = 0
    tmp = tempfile.TemporaryDirectory()
    tagger = lofo_taggers(Path(tmp.name)) if args.lofo else (lambda _: None)
    for path in files:
        counts, notes = compare(path.read_text(encoding="utf-8"), str(path), tagger(path))
        total += counts
        if counts:
            differing += 1
            print(f"{path.name[:40]}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            if args.verbose:
                print("\n".join(notes))
    tmp.cleanup()
    print(
        f"\n{differing} of {len(files)} files differ; "
        + ", ".join(f"{k} {v}" for k, v in sorted(total.items()))
    )


if __name__ == "__main__":
    main()
