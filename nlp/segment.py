"""The jieba tokenizer with the domain dictionary, loaded once per process."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

import jieba

from nlp.textnorm import fold

jieba.setLogLevel(logging.WARNING)  # jieba prints its cache-building chatter at INFO

# Pinyin ruby that mirror sites put after characters: 數(shù)量指標(biāo) (the same pattern the reader drops).
_RUBY = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def strip_ruby(text: str) -> str:
    """Drop pinyin ruby from a name, so `數(shù)量` reads as `數量`.

    >>> strip_ruby("購置**數(shù)量(臺/件)")
    '購置**數量(臺/件)'
    """
    return _RUBY.sub("", text)


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    """A private jieba instance with `nlp/data/userdict.txt`, so the global one is left alone."""
    tok = jieba.Tokenizer()
    with resources.as_file(resources.files("nlp") / "data" / "userdict.txt") as path:
        tok.load_userdict(str(path))
    return tok


@lru_cache(maxsize=100_000)
def tokenize(text: str) -> tuple[str, ...]:
    """Words of `text` after folding (NFKC, simplified), whitespace and punctuation dropped.

    >>> tokenize("服务对象满意度（%）")
    ('服务对象满意度',)
    """
    words = _tokenizer().lcut(fold(strip_ruby(text)), HMM=True)
    return tuple(w for w in words if w.strip() and any(ch.isalnum() for ch in w))
