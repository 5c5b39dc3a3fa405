"""Fast, safe construction of Python values from composed YAML nodes.

PyYAML's C loader parses and composes in C but constructs every value in generic Python code
(SafeConstructor), which is most of the cost of reading manifests. Manifests use a small part of
YAML, so this module converts nodes with one dispatch per node and caches implicit tag
resolution (keys such as `name` and `image` repeat thousands of times). Results equal
SafeConstructor's except that timestamps stay strings (they are strings in the Kubernetes API),
`=` stays the string "=" (SafeConstructor has no constructor for YAML 1.1's `!!value`), and keys
that Python finds equal but YAML does not (`1` and `true`) are both kept (see YamlKey). Where
SafeConstructor raises on a scalar (`0b_`, `!!int x`, `!!bool maybe`, `2001-13-40`), this raises
a ConstructorError at the scalar's line.
Anything unusual (`!!set`, `!!omap`, `!!binary`, ...) falls back to SafeConstructor for that
document; unknown tags (`!!python/object`, `!Ref`) are refused exactly as safe loading does.
"""

from __future__ import annotations

import sys
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from topo.load.yamldocs_base import SafeLoader

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"

_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_RESOLVE_CACHE_LIMIT = 200_000
_intern = sys.intern


_SAFE_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError)
_KEY_CLASSES = {bool: "bool", int: "number", float: "number"}


class YamlKey:
    """A non-string mapping key kept apart from an equal key of another type in the same mapping.

    Python finds `1 == True == 1.0`, so `{1: a, true: b}` would be one key; in YAML (and in the
    JSON the Kubernetes API receives, where they become "1" and "true") they are two. The first
    key stays as it is; the later one of another type is wrapped in this, never merged or refused.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, YamlKey) and type(other.value) is type(self.value) and other.value == self.value
        )

    def __hash__(self) -> int:
        return hash((YamlKey, type(self.value).__name__, self.value))

    def __repr__(self) -> str:
        return repr(self.value)

    def __str__(self) -> str:
        """The key as the JSON the API server receives has it (sigs.k8s.io/yaml): `true`, `1`."""
        value = self.value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "null" if value is None else str(value)


class NeedsSafeConstructor(Exception):
    """The document uses a feature this fast path leaves to PyYAML's SafeConstructor."""


class FastLoader(SafeLoader):
    """The C parser/composer with a memoised implicit resolver."""

    _resolved: ClassVar[dict[str, str]] = {}

    @classmethod
    def forget_resolved(cls) -> None:
        """Drop the memo after a load (it is worth keeping only while documents are parsed)."""
        cls._resolved = {}

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0]:
            cache = self._resolved
            tag = cache.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(cache) < _RESOLVE_CACHE_LIMIT:
                    cache[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


#: The memo key under which `construct` collects repeated keys (node ids are never negative).
_REPEATED = -1


def construct(node: yaml.Node, repeated: list[tuple[int, str, int]] | None = None) -> Any:
    """The Python value of a composed document (dicts, lists, str, int, float, bool, None).

    A key given twice in one mapping keeps its later value, as `kubectl apply -f` reads the file
    (sigs.k8s.io/yaml: the earlier value is dropped without a word; kubernetes/kubernetes#89303,
    #125885); each one is added to `repeated` as (0-based line of the later key, the key, 0-based
    line of the first)."""
    memo: dict[int, Any] = {}
    if repeated is not None:
        memo[_REPEATED] = repeated
    return _construct(node, memo)


def _construct(node: yaml.Node, memo: dict[int, Any]) -> Any:
    cls = node.__class__
    if cls is ScalarNode:
        return _scalar(node)
    key = id(node)
    if key in memo:  # an alias: the same value, as SafeConstructor shares it
        return memo[key]
    if cls is MappingNode:
        if node.tag != _MAP:
            raise NeedsSafeConstructor(node.tag)
        result: dict = {}
        memo[key] = result
        merges = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            if key_node.__class__ is ScalarNode:
                mapping_key = _scalar(key_node)
                if mapping_key.__class__ is str:
                    # keys repeat across every document (`name`, `image`, label keys): one copy each
                    mapping_key = _intern(mapping_key)
            else:
                mapping_key = _construct(key_node, memo)
            try:
                duplicate = mapping_key in result
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from None
            if duplicate and mapping_key.__class__ is not str:
                duplicate, mapping_key = _same_yaml_key(result, mapping_key)
            if duplicate and _REPEATED in memo:
                # kubectl turns the YAML into JSON on the client and keeps the later value, so
                # the API server's strict field validation never sees the first one
                memo[_REPEATED].append(
                    (key_node.start_mark.line, str(mapping_key), _first_line(node, key_node))
                )
            result[mapping_key] = _construct(value_node, memo)
        if merges:
            _apply_merges(result, merges, memo, node)
        return result
    if cls is SequenceNode:
        if node.tag != _SEQ:
            raise NeedsSafeConstructor(node.tag)
        result_list: list = []
        memo[key] = result_list
        result_list.extend(_construct(item, memo) for item in node.value)
        return result_list
    raise NeedsSafeConstructor(node.tag)


def repeated_keys(root: yaml.Node) -> list[tuple[int, str, int]]:
    """What `construct` collects in `repeated`, for a document left to SafeConstructor (which also
    keeps the later value): (0-based line of the later key, the key, 0-based line of the first)."""
    found: list[tuple[int, str, int]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: its mapping is constructed once
            continue
        seen.add(id(node))
        if node.__class__ is SequenceNode:
            stack.extend(reversed(node.value))
        elif node.__class__ is MappingNode:
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is ScalarNode and key_node.tag != _MERGE:
                    key = _key_identity(key_node)
                    if key in first:
                        found.append((key_node.start_mark.line, str(key[1]), first[key]))
                    else:
                        first[key] = key_node.start_mark.line
                stack.append(value_node)
    return sorted(found)


def _key_identity(key_node: ScalarNode) -> tuple[str, Any]:
    try:
        value = _scalar(key_node)
    except (NeedsSafeConstructor, yaml.YAMLError):
        return key_node.tag, key_node.value
    return type(value).__name__, value


def _first_line(node: yaml.Node, repeated_key: yaml.Node) -> int:
    """The 0-based line of the first key of `node` equal to `repeated_key` (same type and value:
    `1` and `0x1` are one key)."""
    if repeated_key.__class__ is not ScalarNode:
        return repeated_key.start_mark.line
    wanted = _scalar(repeated_key)
    for key_node, _ in node.value:
        if key_node.__class__ is ScalarNode and key_node.tag != _MERGE:
            found = _scalar(key_node)
            if type(found) is type(wanted) and found == wanted:
                return key_node.start_mark.line
    return repeated_key.start_mark.line


def _same_yaml_key(result: dict, key: Any) -> tuple[bool, Any]:
    """(is it really a duplicate, the key to store) for a non-string key equal to an earlier one."""
    earlier = next(k for k in result if k == key)
    if _KEY_CLASSES.get(earlier.__class__, earlier.__class__) == _KEY_CLASSES.get(
        key.__class__, key.__class__
    ):
        return True, key
    wrapped = YamlKey(key)
    return wrapped in result, wrapped


def _apply_merges(result: dict, merges: list, memo: dict, node: yaml.Node) -> None:
    """YAML merge keys (`<<: *defaults`): explicit keys win, earlier merged maps win over later."""
    merged: dict = {}
    for value_node in merges:
        sources = value_node.value if value_node.__class__ is SequenceNode else [value_node]
        for source in reversed(sources):
            if source.__class__ is not MappingNode:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "expected a mapping for merging",
                    source.start_mark,
                )
            merged.update(_construct(source, memo))
    for merged_key, merged_value in merged.items():
        result.setdefault(merged_key, merged_value)


def _scalar(node: yaml.Node) -> Any:
    try:
        return _scalar_value(node)
    except _SCALAR_ERRORS as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot read {_tag_name(node.tag)} {_shown(node.value)}: {error}", node.start_mark
        ) from None


def _tag_name(tag: str) -> str:
    return "!!" + tag.rpartition(":")[2] if tag.startswith("tag:yaml.org,2002:") else tag


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _scalar_value(node: yaml.Node) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        # Short values repeat across manifests ("TCP", label values, image names): one copy each.
        return _intern(value) if len(value) <= 64 else value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOLS[value.lower()]
    if tag == _INT:
        return _int(value)
    if tag == _FLOAT:
        return _float(value)
    if tag == _TIMESTAMP:
        _SAFE_CONSTRUCTOR.construct_yaml_timestamp(node)  # type: ignore[arg-type]  # raises where SafeConstructor does
        return value
    if tag == _VALUE:
        return value
    raise NeedsSafeConstructor(tag)


def _int(text: str) -> int:
    """YAML 1.1 integers as SafeConstructor reads them (sign, 0b, 0x, leading-0 octal, base 60)."""
    value = text.replace("_", "")
    sign = 1
    if value[0] in "+-":
        sign = -1 if value[0] == "-" else 1
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    sign = 1.0
    if value[0] in "+-":
        sign = -1.0 if value[0] == "-" else 1.0
        value = value[1:]
    if value == ".inf":
        return sign * float("inf")
    if value == ".nan":
        return float("nan")
    if ":" in value:
        total = 0.0
        for part in value.split(":"):
            total = total * 60 + float(part)
        return sign * total
    return sign * float(value)
