"""YAML rendering (block style, like kubectl; deterministic; reads back identically with CSafeLoader).

Much faster than ``yaml.dump``: every scalar that a YAML 1.1 resolver would not read back as the same
string is double-quoted (JSON), everything else is written plain."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .vocab import Obj

_RESOLVER = yaml.resolver.Resolver()
_PLAIN_CANDIDATE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./=+@:-]*(?<!:)\Z")
_LITERAL_OK = re.compile(r"[^\n\s][\x20-\x7e\n]*\n?\Z")
_plain_cache: dict[str, str] = {}


def _str(s: str) -> str:
    """A string scalar: plain when it reads back as the same string, else double-quoted (JSON)."""
    out = _plain_cache.get(s)
    if out is None:
        plain = (
            _PLAIN_CANDIDATE.match(s) is not None
            and _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) == "tag:yaml.org,2002:str"
        )
        out = s if plain else json.dumps(s)
        if len(_plain_cache) < 200_000:
            _plain_cache[s] = out
    return out


def _scalar(v: Any) -> str:
    if isinstance(v, str):
        return _str(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if v == {}:
        return "{}"
    if v == []:
        return "[]"
    raise TypeError(f"cannot render {type(v).__name__}")


def _literal(s: str, indent: str, out: list[str]) -> bool:
    """Emit a multi-line string as a literal block (``|`` / ``|-``) when that is exact."""
    if "\n" not in s or s.endswith("\n\n") or not _LITERAL_OK.match(s):
        return False
    body = s[:-1] if s.endswith("\n") else s
    if any(line != line.rstrip() for line in body.split("\n")):
        return False
    out.append("|\n" if s.endswith("\n") else "|-\n")
    for line in body.split("\n"):
        out.append(f"{indent}{line}\n" if line else "\n")
    return True


def _emit_map(d: Obj, indent: str, out: list[str]) -> None:
    for k, v in d.items():
        key = _str(k)
        if isinstance(v, dict) and v:
            out.append(f"{indent}{key}:\n")
            _emit_map(v, indent + "  ", out)
        elif isinstance(v, list) and v:
            out.append(f"{indent}{key}:\n")
            _emit_seq(v, indent, out)
        elif isinstance(v, str) and "\n" in v:
            out.append(f"{indent}{key}: ")
            if not _literal(v, indent + "  ", out):
                out.append(json.dumps(v) + "\n")
        else:
            out.append(f"{indent}{key}: {_scalar(v)}\n")


def _emit_seq(items: list[Any], indent: str, out: list[str]) -> None:
    for item in items:
        if isinstance(item, dict) and item:
            start = len(out)
            _emit_map(item, indent + "  ", out)
            out[start] = f"{indent}- {out[start][len(indent) + 2 :]}"
        elif isinstance(item, list) and item:
            out.append(f"{indent}-\n")
            _emit_seq(item, indent + "  ", out)
        elif isinstance(item, str) and "\n" in item:
            out.append(f"{indent}- {json.dumps(item)}\n")
        else:
            out.append(f"{indent}- {_scalar(item)}\n")


def render_documents(docs: list[Obj]) -> str:
    """Multi-document YAML text, one ``---`` before every document."""
    out: list[str] = []
    for doc in docs:
        out.append("---\n")
        _emit_map(doc, "", out)
    return "".join(out)
