"""Stage 1: read paths or text into documents with their origin, plus load errors and warnings."""

import importlib

# Names are imported on first use (PEP 562), as in topo/__init__.py: a module that needs only a
# light part of the loader (topo.load.cache, topo.load.plumbing) does not pay for the YAML parser.
_PUBLIC = {
    "STDIN": "topo.load.reader",
    "Document": "topo.load.source",
    "LoadError": "topo.load.source",
    "LoadResult": "topo.load.reader",
    "LoadWarning": "topo.load.source",
    "Source": "topo.load.source",
    "load_paths": "topo.load.reader",
    "load_text": "topo.load.reader",
    "type_name": "topo.load.reader",
}

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


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'topo.load' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
