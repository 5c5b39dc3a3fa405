"""The steps every defaulting function is made of, shared by the modules of each API group
(topo.analyses.diff.defaults and its neighbours): a copy of the document without nulls, filling
unset fields, reaching into nested mappings and lists without failing on odd input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from topo.model.errors import ManifestError
from topo.model.quantity import parse_quantity, round_up_to_milli

#: A default: (field, value, the zero value that also means "unset"). Pointer fields are unset
#: only when absent or null (zero None); Go strings and numbers are unset at "" and 0 too.
Default = tuple[str, Any, Any]


#: Fields that are string maps (map[string]string): a null value there is the empty string.
_STRING_MAPS = frozenset(
    {"labels", "annotations", "data", "stringData", "binaryData", "matchLabels", "nodeSelector"}
)


def without_nulls(value: Any, string_map: bool = False) -> Any:
    """A copy of the document's mappings and lists; a field that is null is left out (JSON null
    decodes to the zero value, which is not written back), in a string map it is ""."""
    if isinstance(value, Mapping):
        if string_map:
            return {k: "" if v is None else without_nulls(v) for k, v in value.items()}
        return {k: without_nulls(v, k in _STRING_MAPS) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def is_unset(value: Any, zero: Any = None) -> bool:
    return value is None or (zero is not None and type(value) is type(zero) and value == zero)


def fill(mapping: dict, defaults: tuple[Default, ...]) -> None:
    for key, value, zero in defaults:
        if is_unset(mapping.get(key), zero):
            mapping[key] = value


def sub(mapping: Any, key: str, create: bool = False) -> dict | None:
    """mapping[key] when it is a mapping; with `create`, a new one where it is absent or null."""
    if not isinstance(mapping, dict):
        return None
    value = mapping.get(key)
    if value is None and create:
        value = mapping[key] = {}
    return value if isinstance(value, dict) else None


def items_of(mapping: Any, key: str) -> list[dict]:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def quantity(value: Any, milli: bool = False) -> Any:
    """A resource.Quantity's value (`1Gi` equals `1024Mi`), rounded up to 1m with `milli` (as
    container requests and limits are stored); the value itself when it does not parse."""
    try:
        parsed = parse_quantity(value, "quantity")
    except ManifestError:
        return value
    return round_up_to_milli(parsed) if milli else parsed
