"""The one error a format adapter raises: a file it cannot open, said in one line."""

from __future__ import annotations


class FormatError(ValueError):
    """A structured file that cannot be read (encrypted, corrupt, no text layer); str() is the reason."""
