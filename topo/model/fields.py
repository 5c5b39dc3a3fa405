"""Typed reading of one manifest mapping, with the field path in every error.

Parsers read documents through `Fields` so that `replicas: "three"` or `containers: {}` becomes a
ManifestError naming `spec.replicas` or `spec.template.spec.containers` instead of a crash later.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from typing import Any, overload

from topo.load.reader import type_name
from topo.model.errors import ManifestError
from topo.model.intorstr import parse_int_or_percent

_EMPTY: Mapping[str, Any] = {}


class Fields:
    """A read-only view of a mapping at `path`; each accessor checks the type it returns."""

    __slots__ = ("data", "path")

    def __init__(self, data: Mapping[str, Any] | None, path: str = ""):
        self.data = data if data is not None else _EMPTY
        self.path = path

    def at(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key)
        return default if value is None else value

    def map(self, key: str) -> Fields:
        value = self.data.get(key)
        if value is None:
            return Fields(None, self.at(key))
        if not isinstance(value, dict):
            raise ManifestError(self.at(key), f"expected a mapping, got {type_name(value)}")
        return Fields(value, self.at(key))

    def optional_map(self, key: str) -> Fields | None:
        return self.map(key) if self.data.get(key) is not None else None

    def list(self, key: str) -> list:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ManifestError(self.at(key), f"expected a list, got {type_name(value)}")
        return value

    def maps(self, key: str) -> Iterator[Fields]:
        """The items of a list of mappings, each as Fields with its indexed path."""
        base = self.at(key)
        for index, item in enumerate(self.list(key)):
            path = f"{base}[{index}]"
            if not isinstance(item, dict):
                raise ManifestError(path, f"expected a mapping, got {type_name(item)}")
            yield Fields(item, path)

    # After `def str` (and `int`, `bool`), those names in this class body mean the methods, so
    # annotations below spell the types `builtins.*`. With a default the result is never None.
    @overload
    def str(self, key: builtins.str, default: builtins.str) -> builtins.str: ...
    @overload
    def str(self, key: builtins.str, default: None = None) -> builtins.str | None: ...
    def str(self, key: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise ManifestError(self.at(key), f"expected a string, got {type_name(value)}")
        return value

    @overload
    def int(
        self, key: builtins.str, default: builtins.int, minimum: builtins.int | None = None
    ) -> builtins.int: ...
    @overload
    def int(
        self, key: builtins.str, default: None = None, minimum: builtins.int | None = None
    ) -> builtins.int | None: ...
    def int(
        self, key: builtins.str, default: builtins.int | None = None, minimum: builtins.int | None = None
    ) -> builtins.int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise ManifestError(self.at(key), f"expected an integer, got {type_name(value)}")
        if minimum is not None and value < minimum:
            raise ManifestError(self.at(key), f"must be greater than or equal to {minimum}, got {value}")
        return value

    @overload
    def bool(self, key: builtins.str, default: builtins.bool) -> builtins.bool: ...
    @overload
    def bool(self, key: builtins.str, default: None = None) -> builtins.bool | None: ...
    def bool(self, key: builtins.str, default: builtins.bool | None = None) -> builtins.bool | None:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ManifestError(self.at(key), f"expected true or false, got {type_name(value)}")
        return value

    def strs(self, key: builtins.str) -> tuple[builtins.str, ...]:
        values = self.list(key)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise ManifestError(f"{self.at(key)}[{index}]", f"expected a string, got {type_name(value)}")
        return tuple(values)

    def str_map(self, key: builtins.str) -> Mapping[builtins.str, builtins.str]:
        """A map of strings (labels, annotations, nodeSelector, data); values must be strings.

        A null value (`app:` with nothing after it) is "": Go's JSON decoding of null into a
        map[string]string element leaves the zero value, so the API server accepts it as "".
        """
        mapping = self.map(key).data
        nulls = False
        for name, value in mapping.items():
            if value is None:
                nulls = True
            elif not isinstance(value, str):
                raise ManifestError(f"{self.at(key)}.{name}", f"expected a string, got {type_name(value)}")
        if nulls:
            return {name: "" if value is None else value for name, value in mapping.items()}
        return mapping  # shared with the document, never mutated: no copy for 10k label maps

    def int_or_percent(self, key: builtins.str) -> builtins.int | builtins.str | None:
        value = self.data.get(key)
        if value is None:
            return None
        return parse_int_or_percent(value, self.at(key))
