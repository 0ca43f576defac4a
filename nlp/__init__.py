"""jixiao: read Chinese budget performance tables and normalize their indicators.

The pipeline, one module a stage: documents → indicators → values/classes → links → quality → outputs.
The public surface is re-exported here and imported on first use, so `jixiao --help` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "read_document": "nlp.documents",  # 1. a file → Document (projects, indicators, problems)
    "parse_value": "nlp.values",  # 2. one value string → Value (TAXONOMY §3)
    "normalize_values": "nlp.values",  # rows with `value` (+ name, op, unit, direction) → fields
    "add_predictions": "nlp.classify",  # 3. level-2 code and name kind from indicator names
    "classify_names": "nlp.classify",  # rows with `name` (+ id, level1) → level2, name_kind, probabilities
    "link_projects": "nlp.linking",  # 4. family ids and explained links (TAXONOMY §4)
    "assess": "nlp.quality",  # 5. quality flags and scores (TAXONOMY §5)
    "run": "nlp.pipeline",  # all stages on files and folders → PipelineResult
    "complete_tables": "nlp.pipeline",  # the stages after reading, on tables you already have
    "normalize_to": "nlp.batch",  # all stages in chunks, N processes or Dask → tables in a folder
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
