"""Every vocabulary file of nlp/data loads through nlp.vocab, and a bad row names its file and line."""

from __future__ import annotations

from importlib import resources

import pytest

from nlp import vocab

DATA_FILES = sorted(
    p.name for p in resources.files("nlp").joinpath("data").iterdir() if p.name != "README.md"
)


def test_every_data_file_is_declared() -> None:
    assert sorted(vocab.COLUMNS) == DATA_FILES


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_file_loads(name: str) -> None:
    rows = vocab.rows(name)
    assert rows, f"nlp/data/{name} has no rows"
    assert all(len(row) == vocab.COLUMNS[name][1] for row in rows)


@pytest.mark.parametrize("name", sorted(vocab.HEADERS))
def test_header_files_give_records(name: str) -> None:
    records = vocab.records(name)
    assert records and all(set(r) == set(records[0]) for r in records)


@pytest.mark.parametrize("name", DATA_FILES)
def test_data_file_is_in_the_data_readme(name: str) -> None:
    readme = resources.files("nlp").joinpath("data", "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\tb\tc\n", "nlp/data/x.tsv:1: expected 2 tab-separated columns, got 3"),
        ("# comment\n\nonly\n", "nlp/data/x.tsv:3: expected 2 tab-separated columns, got 1"),
        ("a\t\n", "nlp/data/x.tsv:1: a required column is empty"),
    ],
    ids=["too-many", "too-few-after-comment", "empty-required"],
)
def test_bad_row_names_file_and_line(text: str, message: str) -> None:
    with pytest.raises(vocab.VocabError, match=message.replace(".", r"\.")):
        vocab.parse_rows(text, "x.tsv", 2, 2)


def test_undeclared_file_is_refused() -> None:
    with pytest.raises(vocab.VocabError, match="not declared"):
        vocab.rows("no_such_file.tsv")
