"""textnorm's t2s shortcut: text that holds no changing OpenCC entry is given back unchanged."""

from importlib import resources
from pathlib import Path

import pytest

from nlp import textnorm
from nlp.textnorm import _t2s, fold, fold_text, to_simplified

ROOT = Path(__file__).resolve().parents[1]


def _keys() -> list[str]:
    keys = []
    for name in ("TSPhrases.txt", "TSCharacters.txt"):
        text = (resources.files("opencc") / "dictionary" / name).read_text(encoding="utf-8")
        keys += [line.strip().split("\t")[0] for line in text.splitlines() if "\t" in line]
    return keys


def test_shortcut_equals_opencc_on_every_entry_and_every_example_line() -> None:
    convert = _t2s().convert
    lines = {
        line
        for path in sorted((ROOT / "examples").rglob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    texts = [*_keys(), *(f"项目{key}指标" for key in _keys()), *lines]
    assert len(lines) > 1000
    assert [to_simplified(t) for t in texts] == [convert(t) for t in texts]


def test_simplified_text_skips_the_conversion_and_traditional_is_converted() -> None:
    assert to_simplified("满意度≥90%") == "满意度≥90%"
    assert to_simplified("項目績效") == "项目绩效"


def test_a_character_only_some_phrases_change_skips_the_conversion_unless_a_phrase_is_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert to_simplified("反覆核查") == _t2s().convert("反覆核查") == "反复核查"  # the phrase 反覆 changes

    def refused() -> None:
        raise AssertionError("OpenCC called for a text no changing entry matches")

    monkeypatch.setattr(textnorm, "_t2s", refused)
    assert to_simplified("设施覆盖率≥95%") == "设施覆盖率≥95%"  # 覆 alone is not converted


def test_fold_text_is_fold_without_the_cache() -> None:
    text = "驗收合格率（％）：１００\n产出指标"
    assert fold_text(text) == fold(text) == "验收合格率(%):100\n产出指标"
