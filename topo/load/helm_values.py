"""The user-supplied values of a chart (`--values` files, then `--set`), as Helm reads them.

Helm reads a values file with sigs.k8s.io/yaml (YAML converted to JSON): a date such as
`from: 2024-04-01` stays the string "2024-04-01", keys become strings, and a file of several
documents is their merge (helm.sh/helm pkg/chart/v2/loader/load.go LoadValues). topo parses the
files with its manifest reader (topo.load.yamldocs, which keeps timestamps as strings for the same
reason), merges them as pkg/cli/values/options.go MergeValues does, and gives the renderer JSON.
A file that cannot be read or is not YAML is a load error at its own file and line, never a crash.
"""

from __future__ import annotations

import datetime
import math
import os
import re
from collections.abc import Mapping
from typing import Any

from topo.load.construct import YamlKey
from topo.load.reader import decode_text
from topo.load.yamldocs import ParseFailure, parse_documents

#: strconv.ParseInt(val, 10, 64) bounds (helm.sh/helm pkg/strvals/parser.go typedVal)
_INT64 = (-(2**63), 2**63 - 1)


class ValuesError(Exception):
    """A `--values` file or `--set` expression that Helm would refuse, located where it is wrong."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message


def merged_values(values_files: tuple[str, ...], set_values: tuple[str, ...]) -> dict[str, Any]:
    """The user-supplied values (files in order, then --set), without the chart's defaults, as
    JSON-ready data: what Helm's MergeValues returns for `-f ... --set ...`."""
    merged: dict[str, Any] = {}
    for path in values_files:
        merge_maps(merged, read_values_file(path))
    for expression in set_values:
        parse_set(expression, merged)  # strvals.ParseInto: into the same map, so `a[1]=` keeps `a[0]`
    return merged


def read_values_file(path: str) -> dict[str, Any]:
    """One values file: its documents merged in order (Helm's LoadValues), JSON-ready."""
    shown = os.path.normpath(path).replace(os.sep, "/")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = decode_text(data)
    except OSError as error:
        raise ValuesError(shown, 0, f"cannot read values file: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValuesError(shown, line, f"values file: not UTF-8 text ({error.reason})") from error
    values: dict[str, Any] = {}
    for document in parse_documents(text):
        if isinstance(document, ParseFailure):
            raise ValuesError(shown, document.line, f"values file: {document.message}")
        if document.value is None:
            continue  # an empty document, as Helm skips it
        if not isinstance(document.value, Mapping):
            raise ValuesError(
                shown,
                document.line,
                f"values file: a document must be a mapping, not {_kind(document.value)}",
            )
        try:
            merge_maps(values, as_json(document.value))
        except ValueError as error:
            raise ValuesError(shown, document.line, f"values file: {error}") from None
    return values


def as_json(value: Any, key: str = "") -> Any:
    """`value` as the JSON sigs.k8s.io/yaml makes of it: string keys (`1` → "1", `true` → "true"),
    no Python-only types. The manifest reader already keeps timestamps as strings; the dates and
    bytes below come only from documents that PyYAML's SafeConstructor builds (`!!binary`,
    `!!set`...), where the original text of a date is no longer known."""
    if isinstance(value, Mapping):
        return {
            _key_text(k): as_json(v, f"{key}.{_key_text(k)}" if key else _key_text(k))
            for k, v in value.items()
        }
    if isinstance(value, (set, frozenset)):  # `!!set`: a mapping whose values are null
        return {_key_text(k): None for k in sorted(value, key=_key_text)}
    if isinstance(value, (list, tuple)):
        return [as_json(item, f"{key}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        # encoding/json refuses them, so Helm refuses the file ("json: unsupported value: +Inf")
        raise ValueError(f"{key}: {value} is not a number JSON can carry (Helm refuses it too)")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    return str(key if isinstance(key, YamlKey) else YamlKey(key))


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"the plain value {value!r}"


def merge_maps(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's mergeMaps: nested maps merge key by key; anything else is replaced."""
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge_maps(base[key], value)
        else:
            base[key] = value
    return base


#: helm.sh/helm pkg/strvals/parser.go MaxIndex: the largest list index `--set` accepts
_MAX_INDEX = 65536
_SEGMENT = re.compile(r"^(?P<name>.*?)(?P<indices>(?:\[[^\]]*\])*)$", re.DOTALL)


def parse_set(expression: str, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """`a.b=1,c=x` as Helm's strvals reads it, for the forms people use: dotted keys, list
    indices (`hosts[0]=x`, `servers[1].port=80`), lists `{a,b}`, numbers/booleans/null typed
    (helm.sh/helm pkg/strvals/parser.go typedVal). Parsed into `into` when given, as
    strvals.ParseInto parses each `--set` into the values read so far: an index past a list's
    end extends it with nulls (setIndex), an index inside it replaces that item only."""
    result: dict[str, Any] = {} if into is None else into
    for part in _split_outside_braces(expression):
        key, sep, raw = part.partition("=")
        if not sep or not key:
            raise ValuesError("--set", 0, f"--set {expression!r}: expected key=value")
        value: Any
        if raw.startswith("{") and raw.endswith("}"):
            value = [typed_value(item) for item in raw[1:-1].split(",") if item != ""]
        else:
            value = typed_value(raw)
        path: list[str | int] = []
        for segment in (k.replace("\\.", ".") for k in re.split(r"(?<!\\)\.", key)):
            match = _SEGMENT.match(segment)
            assert match is not None  # every text matches: the indices part may be empty
            path.append(match.group("name"))
            for index in re.findall(r"\[([^\]]*)\]", match.group("indices")):
                path.append(_list_index(index, expression))
        _set_path(result, path, value, expression)
    return result


def _list_index(text: str, expression: str) -> int:
    """strvals keyIndex and setIndex: a decimal index, neither negative nor over MaxIndex."""
    try:
        index = int(text)
    except ValueError:
        raise ValuesError("--set", 0, f"--set {expression!r}: list index {text!r} is not a number") from None
    if index < 0:
        raise ValuesError("--set", 0, f"--set {expression!r}: negative {index} index not allowed")
    if index > _MAX_INDEX:
        raise ValuesError(
            "--set",
            0,
            f"--set {expression!r}: index of {index} is greater than maximum supported index of {_MAX_INDEX}",
        )
    return index


def _set_path(target: Any, path: list[str | int], value: Any, expression: str) -> None:
    """Set `value` at `path` (map keys and list indices) under `target`, making the maps and lists
    on the way; a list is extended with nulls up to an index past its end (strvals setIndex)."""
    for step, next_step in zip(path, [*path[1:], None], strict=True):
        if next_step is None:
            child: Any = value
        else:
            existing = target.get(step) if isinstance(step, str) else _item(target, step)
            wanted = list if isinstance(next_step, int) else dict
            if isinstance(step, int) and wanted is dict and not isinstance(existing, dict):
                existing = None  # strvals listItem: "indices out of order", the item becomes a map
            if existing is not None and not isinstance(existing, wanted):
                shape = "a list" if wanted is list else "a map"
                raise ValuesError("--set", 0, f"--set {expression!r}: {step} is both a value and {shape}")
            child = existing if existing is not None else wanted()
        if isinstance(step, str):
            if not isinstance(target, dict):
                raise ValuesError("--set", 0, f"--set {expression!r}: {step} is both a value and a map")
            target[step] = child
        else:
            if not isinstance(target, list):
                raise ValuesError("--set", 0, f"--set {expression!r}: [{step}] is not a list")
            target.extend([None] * (step + 1 - len(target)))
            target[step] = child
        target = child


def _item(items: Any, index: int) -> Any:
    return items[index] if isinstance(items, list) and index < len(items) else None


def _split_outside_braces(expression: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in expression:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        current += char
    parts.append(current)
    return [p for p in parts if p]


def typed_value(raw: str) -> Any:
    """helm.sh/helm pkg/strvals/parser.go typedVal: `true`/`false`/`null` in any case, then a
    base-10 int64 unless the text starts with `0` (`007` stays a string); anything else a string."""
    lowered = raw.casefold()  # strings.EqualFold
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if raw == "0":
        return 0
    if raw and raw[0] != "0" and re.fullmatch(r"[+-]?[0-9]+", raw):
        number = int(raw)
        if _INT64[0] <= number <= _INT64[1]:
            return number
    return raw
