"""The names `nlp` re-exports resolve to the stage functions, loaded on first use."""

from __future__ import annotations

import importlib

import pytest

import nlp


@pytest.mark.parametrize("name", [n for n in nlp.__all__ if n != "__version__"])
def test_export_is_the_stage_function(name):
    module = importlib.import_module(nlp._EXPORTS[name])
    assert getattr(nlp, name) is getattr(module, name)


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        nlp.nope  # noqa: B018


def test_one_call_normalizes_a_value():
    value = nlp.parse_value("不少于190万印")
    assert (value.kind, value.op, value.number, value.unit) == ("threshold", ">=", 1900000.0, "印")
