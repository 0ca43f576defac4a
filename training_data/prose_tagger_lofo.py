"""A learned alternative to the prose reader, measured leave-one-file-out: a character CRF.

Each sentence the prose reader reads (47, 118, 121) is tagged character by character (B/I of name,
value, actual; O), the tags derived by finding each labeled row's name, target and actual in its
line (training_data/reader_rows.csv). Features: the character and its neighbours, character class,
and whether the value vocabulary (value expressions, copula/target/actual words) covers it. Trained
on two of the files, it reads the third; rows are scored as `jixiao evaluate --reader` scores them.
This is a measurement, not a shipped reader (README, "Prose reader").

    python training_data/prose_tagger_lofo.py
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path

import pycrfsuite

from nlp.documents import prose
from nlp.documents.cells import split_body
from nlp.documents.table.labels import key, load_rows
from nlp.textnorm import fold

ROOT = Path(__file__).resolve().parents[1]
FILES = ("47", "118", "121")
Sentence = tuple[int, str]


def _sentences(path: Path) -> list[Sentence]:
    """The (line, sentence) pairs the prose reader reads in a file, in order."""
    seen: dict[Sentence, None] = {}
    for r in prose.prose_rows(split_body(path.read_text(encoding="utf-8"))):
        seen.setdefault((r.line, r.raw), None)
    return list(seen)


def _tags(sentence: Sentence, rows: list) -> list[str]:
    line, text = sentence
    tags = ["O"] * len(text)
    pos = 0
    for row in rows:
        if row.line != line:
            continue
        for field, tag in ((row.name, "N"), (row.value, "V"), (row.actual, "A")):
            target = fold(field)
            at = text.find(target, pos) if target else -1
            if at < 0 or any(t != "O" for t in tags[at : at + len(target)]):
                continue
            tags[at : at + len(target)] = [f"B-{tag}"] + [f"I-{tag}"] * (len(target) - 1)
            pos = at + len(target)
    return tags


def _kind(ch: str) -> str:
    if ch.isdigit():
        return "d"
    if "\u4e00" <= ch <= "\u9fff":
        return "c"
    return "p" if re.match(r"\W", ch) else "l"


def _features(text: str) -> list[list[str]]:
    inside = [""] * len(text)
    for v in prose._values(text):
        for i in range(v.start, v.end):
            inside[i] = "val"
    end_re = prose._marker_res()[0]
    for i in range(1, len(text) + 1):
        m = end_re.search(text[:i])
        if m and m.group() and (m.group("actual") or m.group("target")):
            for j in range(m.start(), i):
                inside[j] = inside[j] or ("actual" if m.group("actual") else "target")
    out = []
    for i, ch in enumerate(text):
        f = [f"c={ch}", f"k={_kind(ch)}", f"in={inside[i]}"]
        for d in (-2, -1, 1, 2):
            j = i + d
            c = text[j] if 0 <= j < len(text) else "#"
            f += [
                f"c{d}={c}",
                f"k{d}={_kind(c) if c != '#' else '#'}",
                f"in{d}={inside[j] if c != '#' else '#'}",
            ]
        f.append(f"bi={text[i - 1] if i else '#'}{ch}")
        out.append(f)
    return out


def _rows(text: str, tags: list[str]) -> Counter[tuple[str, str]]:
    spans: list[tuple[str, str]] = []
    for ch, tag in zip(text, tags, strict=True):
        if tag.startswith("B-") or (tag.startswith("I-") and (not spans or spans[-1][0] != tag[2:])):
            spans.append((tag[2:], ch))
        elif tag.startswith("I-"):
            spans[-1] = (spans[-1][0], spans[-1][1] + ch)
    out: Counter[tuple[str, str]] = Counter()
    name = value = actual = ""
    for kind, span in [*spans, ("N", "")]:
        if kind == "N":
            if name or value or actual:
                out[(key(name), key(value) if value else key(actual))] += 1
            name, value, actual = span, "", ""
        elif kind == "V":
            value = value or span
        else:
            actual = actual or span
    return out


def main() -> None:
    labels = load_rows(ROOT / "training_data" / "reader_rows.csv")
    files = {n: next(f for f in labels if Path(f).name.split("_")[0] == n) for n in FILES}
    data = {n: [(s, _tags(s, labels[f])) for s in _sentences(ROOT / f)] for n, f in files.items()}
    print("| file | rows | char-CRF recall | precision |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for held in FILES:
            trainer = pycrfsuite.Trainer(verbose=False)
            for n in FILES:
                if n != held:
                    for (_, text), tags in data[n]:
                        trainer.append(_features(text), tags)
            trainer.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": 200})
            model = str(Path(tmp) / f"{held}.crfsuite")
            trainer.train(model)
            tagger = pycrfsuite.Tagger()
            tagger.open(model)
            got: Counter[tuple[str, str]] = Counter()
            for (_, text), _ in data[held]:
                got += _rows(text, tagger.tag(_features(text)))
            wanted = Counter(
                (key(r.name), key(r.value) if r.value else key(r.actual)) for r in labels[files[held]]
            )
            matched = sum(min(c, got[k]) for k, c in wanted.items())
            total = sum(wanted.values())
            print(
                f"| {held} | {total} | {matched / total:.2f} ({matched}/{total}) "
                f"| {matched / max(1, sum(got.values())):.2f} |"
            )


if __name__ == "__main__":
    main()
