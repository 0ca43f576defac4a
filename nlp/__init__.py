"""jixiao: read Chinese budget performance tables and normalize their indicators.

The pipeline, one module a stage: documents → indicators → values/classes → links → quality → outputs.
"""

__version__ = "0.1.0"
