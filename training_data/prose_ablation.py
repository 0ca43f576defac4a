"""The prose reader measured without the vocabulary each prose file brought in.

Files 47, 118 and 121 are the only labeled files with indicators written as sentences, and the prose
words of nlp/data/prose_words.tsv (and 达 of value_operators.tsv) were added while reading 118 and
121. There is no unseen prose file to test on, so this reads each of them with the words it brought
in removed (`CAME_FROM`) and scores the rows as `jixiao evaluate --reader` does (name and target,
the actual where no target is labeled). The rules of the reader itself (clauses, statements, the
self-evaluation actual) were built on the same files, so even these figures are not from unseen files.

    python training_data/prose_ablation.py
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nlp import vocab
from nlp.documents import prose
from nlp.documents.prose_reader import read_prose
from nlp.documents.table.evaluate import score
from nlp.documents.table.labels import load_rows

ROOT = Path(__file__).resolve().parents[1]
# vocabulary rows added while reading each file: (vocabulary file, first column)
CAME_FROM = {
    "47": set(),
    "118": {("prose_words.tsv", w) for w in ("为", "指标", "实际完成", "均", "及")},
    "118 (为 kept)": {("prose_words.tsv", w) for w in ("指标", "实际完成", "均", "及")},
    "121": {("value_operators.tsv", "达")},
}


def _without(removed: set[tuple[str, str]], rows: Callable) -> Callable:
    def filtered(name: str) -> tuple[tuple[str, ...], ...]:
        return tuple(r for r in rows(name) if (name, r[0]) not in removed)

    return filtered


def main() -> None:
    labels = load_rows(ROOT / "training_data" / "reader_rows.csv")
    original = vocab.rows
    print("| file | rows | recall, all words | precision | recall, without its words | precision |")
    print("|---|---|---|---|---|---|")
    for number, removed in CAME_FROM.items():
        file = next(f for f in labels if Path(f).name.split("_")[0] == number.split()[0])
        path = ROOT / file
        figures = []
        for words in (set(), removed):
            vocab.rows = _without(words, original)  # type: ignore[assignment]
            for cached in (prose._words, prose._value_re, prose._marker_res):
                cached.cache_clear()
            doc = read_prose(str(path), path.read_text(encoding="utf-8"))
            figures.append(score(file, labels[file], doc))
        vocab.rows = original  # type: ignore[assignment]
        a, b = figures
        print(
            f"| {number} | {a.labeled} | {a.recall:.2f} ({a.matched}/{a.labeled}) | {a.precision:.2f} "
            f"| {b.recall:.2f} ({b.matched}/{b.labeled}) | {b.precision:.2f} |"
        )


if __name__ == "__main__":
    main()
