"""The one exception the model raises for a manifest the API server would not accept as typed,
and the field problems it records instead when the object can still be analysed."""

from typing import NamedTuple


class ManifestError(ValueError):
    """A field of a manifest has the wrong type or an impossible value.

    `path` is the dotted field path (``spec.template.spec.containers[0].ports``) so the load
    error can name it; the loader adds file and line.
    """

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.detail = message


class FieldProblem(NamedTuple):
    """A field the API server would refuse, on an object that is kept and analysed anyway.

    `path` is the dotted field path inside the object; `message` says what is wrong and how the
    field was read (the best reading: the zero value Kubernetes' own decoding would give, or the
    text of a scalar where a string is required).
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
