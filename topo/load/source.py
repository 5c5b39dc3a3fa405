"""Where a document came from, and what went wrong reading it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
    """Input that was skipped or overridden on purpose (not a manifest, a duplicate...).

    `level` is "warning", or "info" for what is skipped by design (a kustomization, a chart's
    values file): such lines explain the input without asking for a change.
    """

    level: str = "warning"

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"{self.level}: "

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message, "level": self.level}


def load_note(file: str, line: int, message: str) -> LoadWarning:
    """An info line about input skipped or rendered by design."""
    return LoadWarning(file, line, message, "info")


@dataclass(frozen=True, slots=True)
class Document:
    """One Kubernetes object as parsed, with its origin. `data` must be treated as read-only."""

    data: Mapping[str, Any]
    source: Source


@dataclass(frozen=True, order=True, slots=True)
class ValueOrigin:
    """Where a value of a rendered object was set: a Helm values key or a kustomize patch."""

    value: str
    origin: str  # "values key image.tag", "--set image.tag", "patch"
    file: str | None = None
    line: int = 0
    # a kustomize patch's value: the field of the rendered object it landed on, and the other
    # fields that hold the same value (the base's or a transformer's, not a patch's) — what
    # topo.load.values_origin.origins_in_message needs to tell which of them a message quotes
    rendered_field: str | None = field(default=None, compare=False)
    written_elsewhere: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = f" ({self.file}:{self.line})" if self.file else ""
        return f"{self.origin} = {self.value}{where}"

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "origin": self.origin, "file": self.file, "line": self.line or None}


def note_where(error: BaseException, where: str) -> None:
    """Remember the innermost file or object an unexpected exception was raised on.

    Stages call this where they loop over files, documents or objects; the CLI's internal-error
    line names it (`topo: internal error while building Deployment/shop/web (app.yaml:3): ...`).
    """
    if getattr(error, "topo_where", None) is None:
        try:
            error.topo_where = where  # type: ignore[attr-defined]
        except AttributeError:  # pragma: no cover - exceptions with __slots__
            pass
