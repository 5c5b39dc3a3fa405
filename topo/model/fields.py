"""Typed reading of one manifest mapping, with the field path in every error.

Parsers read documents through `Fields` so that `replicas: "three"` or `containers: {}` becomes a
ManifestError naming `spec.replicas` or `spec.template.spec.containers` instead of a crash later:
a field the analysis needs, with a type it cannot use, drops the object.

Everything else is read leniently when the Fields carry a `problems` list: a required value that
is absent (a container without `name`, a port without `containerPort`) reads as the zero value
Kubernetes' decoding gives it, a scalar where a string is required reads as its text, a map key
that is not a string reads as the text sigs.k8s.io/yaml gives it; each is recorded as a
FieldProblem (reported by `manifest-invalid`) and the object is kept.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from typing import Any, overload

from topo.load.reader import type_name
from topo.model.errors import FieldProblem, ManifestError
from topo.model.intorstr import parse_int_or_percent

_EMPTY: Mapping[str, Any] = {}


class Fields:
    """A read-only view of a mapping at `path`; each accessor checks the type it returns."""

    __slots__ = ("data", "path", "problems")

    def __init__(
        self, data: Mapping[str, Any] | None, path: str = "", problems: list[FieldProblem] | None = None
    ):
        self.data = data if data is not None else _EMPTY
        self.path = path
        self.problems = problems

    def child(self, data: Mapping[str, Any] | None, path: str) -> Fields:
        """Fields for a nested mapping, sharing this one's problem list."""
        return Fields(data, path, self.problems)

    def invalid(self, path: str, message: str) -> None:
        """Record a problem with a field the analysis can do without (raise when not lenient)."""
        if self.problems is None:
            raise ManifestError(path, message)
        self.problems.append(FieldProblem(path, message))

    def required(self, key: str, what: str = "") -> None:
        """Record that a required field is absent (its zero value is used)."""
        self.invalid(self.at(key), f"Required value{': ' + what if what else ''}")

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
            return Fields(None, self.at(key), self.problems)
        if not isinstance(value, dict):
            raise ManifestError(self.at(key), f"expected a mapping, got {type_name(value)}")
        return Fields(value, self.at(key), self.problems)

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
            yield Fields(item, path, self.problems)

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

    def text(self, key: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        """A string the analysis only displays or compares (an image, a path, a command word):
        a number or boolean reads as its text, a mapping or list as the default; both recorded."""
        value = self.data.get(key)
        if value is None or isinstance(value, str):
            return default if value is None else value
        return self._text_of(value, self.at(key), default)

    def _text_of(self, value: Any, path: builtins.str, default: builtins.str | None) -> builtins.str | None:
        if isinstance(value, (bool, int, float)):
            text = yaml_scalar_text(value)
            self.invalid(path, f'expected a string, got {type_name(value)} (read as "{text}"; quote it)')
            return text
        self.invalid(path, f"expected a string, got {type_name(value)} (ignored)")
        return default

    def texts(self, key: builtins.str) -> tuple[builtins.str, ...]:
        """A list of strings read like `text` (command, args)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.invalid(self.at(key), f"expected a list, got {type_name(value)} (ignored)")
            return ()
        if all(isinstance(item, str) for item in value):
            return tuple(value)
        base = self.at(key)
        read = (
            item if isinstance(item, str) else self._text_of(item, f"{base}[{i}]", None)
            for i, item in enumerate(value)
        )
        return tuple(item for item in read if item is not None)

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
        A key or value that is a number or boolean (`labels: {1: y}`, `version: 1.0`) is invalid
        but is read as its text; a mapping or list value is invalid and left out.
        """
        mapping = self.map(key).data
        if all(type(name) is str and type(value) is str for name, value in mapping.items()):
            return mapping  # shared with the document, never mutated: no copy for 10k label maps
        return self._checked_str_map(mapping, self.at(key))

    def _checked_str_map(
        self, mapping: Mapping[Any, Any], path: builtins.str
    ) -> dict[builtins.str, builtins.str]:
        result: dict[builtins.str, builtins.str] = {}
        for name, value in mapping.items():
            name = self._key_text(name, path)
            if value is None:
                result[name] = ""
            elif isinstance(value, str):
                result[name] = value
            else:
                read = self._text_of(value, f"{path}.{name}", None)
                if read is not None:
                    result[name] = read
        return result

    def str_keys(self, key: builtins.str) -> tuple[builtins.str, ...]:
        """The keys of a mapping (a ConfigMap's binaryData, a Secret's data), each a string;
        a number or boolean key is invalid and read as its text."""
        mapping = self.map(key).data
        if all(type(name) is str for name in mapping):
            return tuple(mapping)
        path = self.at(key)
        return tuple(self._key_text(name, path) for name in mapping)

    def _key_text(self, name: Any, path: builtins.str) -> builtins.str:
        if isinstance(name, str):
            return name
        text = yaml_scalar_text(name)
        self.invalid(
            f"{path}.{text}", f'keys must be strings, got {type_name(name)} (read as "{text}"; quote it)'
        )
        return text

    def int_or_percent(self, key: builtins.str) -> builtins.int | builtins.str | None:
        value = self.data.get(key)
        if value is None:
            return None
        return parse_int_or_percent(value, self.at(key))


def yaml_scalar_text(value: Any) -> str:
    """A YAML scalar as sigs.k8s.io/yaml writes it into JSON text (`true`, `1`, `0.5`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))  # strconv.FormatFloat(f, 'g', -1, 64) prints 1.0 as 1
    return str(value)
