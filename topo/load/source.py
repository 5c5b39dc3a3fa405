"""Where a document came from, and what went wrong reading it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True, slots=True)
class Source:
    """A file (as the user named it, relative to the working directory) and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True, slots=True)
class _Diagnostic:
    file: str
    line: int
    message: str

    label = ""

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.label}{self.message}"


@dataclass(frozen=True, order=True, slots=True)
class LoadError(_Diagnostic):
    """Input that could not be read or understood. Exit code 2, the rest is still analysed."""


@dataclass(frozen=True, order=True, slots=True)
class LoadWarning(_Diagnostic):
    """Input that was skipped or overridden on purpose (not a manifest, a duplicate...)."""

    label = "warning: "


@dataclass(frozen=True, slots=True)
class Document:
    """One Kubernetes object as parsed, with its origin. `data` must be treated as read-only."""

    data: Mapping[str, Any]
    source: Source
