"""Stage 1: read paths or text into documents with their origin, plus load errors and warnings."""

from topo.load.reader import STDIN, LoadResult, load_paths, load_text, type_name
from topo.load.source import Document, LoadError, LoadWarning, Source

__all__ = [
    "STDIN",
    "Document",
    "LoadError",
    "LoadResult",
    "LoadWarning",
    "Source",
    "load_paths",
    "load_text",
    "type_name",
]
