"""One grid model for every structured format (nlp/documents/formats) and the reader that builds
projects and indicators from it."""

from nlp.documents.grid.model import Grid, GridCell, Source
from nlp.documents.grid.reader import read_grids

__all__ = ["Grid", "GridCell", "Source", "read_grids"]
