"""Does a chart version satisfy a dependency's version constraint, as Helm decides it.

Helm asks `IsCompatibleRange(dep.Version, chart.Metadata.Version)` (helm.sh/helm
pkg/chart/v2/util/compatible.go): Masterminds/semver v3 `NewVersion` (loose: `v1`, `1.2` are
versions) and `NewConstraint(...).Check(...)`; either failing to parse means "not compatible".
This is a port of that library's constraints.go and version.go (v3.4), the same regular
expressions and the same checks, so that `2.x`, `~1.2`, `^0.3`, `>= 1, < 2`, `1 - 2 || 3` and
prereleases (`1.0.0-rc.1` satisfies only a constraint that names a prerelease in its group) are
read as Helm reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(
    r"^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\Z",
    re.ASCII,
)
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CONSTRAINT = re.compile(rf"^\s*({_OPS})\s*({_CV})\s*\Z", re.ASCII)
_RANGE = re.compile(rf"\s*({_CV})\s+-\s+({_CV})\s*", re.ASCII)
_FIND = re.compile(rf"({_OPS})\s*({_CV})", re.ASCII)
_VALID = re.compile(rf"^(\s*({_OPS})\s*({_CV})\s*)((?:\s+|,\s*)({_OPS})\s*({_CV})\s*)*\Z", re.ASCII)


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: str

    def compare(self, other: Version) -> int:
        """Version.Compare: major, minor, patch, then a prerelease is lower than none."""
        mine, theirs = (self.major, self.minor, self.patch), (other.major, other.minor, other.patch)
        if mine != theirs:
            return -1 if mine < theirs else 1
        if self.pre == other.pre == "":
            return 0
        if not self.pre or not other.pre:
            return 1 if not self.pre else -1
        return _compare_prerelease(self.pre, other.pre)


def parse_version(text: str) -> Version | None:
    """NewVersion: a version, or None where Helm's parse fails."""
    match = _VERSION.match(text)
    if match is None:
        return None
    major, minor, patch, pre, _ = match.groups()
    return Version(int(major), int(minor or 0), int(patch or 0), pre or "")


def satisfies(constraint: str, version: str) -> bool:
    """IsCompatibleRange: False when either does not parse (an empty constraint does not)."""
    parsed = parse_version(version)
    if parsed is None:
        return False
    groups = _parse_constraint(constraint)
    if groups is None:
        return False
    for group in groups:
        include_pre = any(c.con.pre for c in group)
        if all(c.check(parsed, include_pre) for c in group):
            return True
    return False


@dataclass(frozen=True)
class _Constraint:
    op: str
    con: Version
    dirty: bool
    minor_dirty: bool
    patch_dirty: bool

    def check(self, v: Version, include_pre: bool) -> bool:
        if v.pre and not include_pre:
            return False
        return _CHECKS[self.op](self, v)


def _parse_constraint(text: str) -> list[list[_Constraint]] | None:
    groups = []
    for part in _rewrite_range(text).split("||"):
        if not _VALID.match(part):
            return None
        group = []
        for match in _FIND.finditer(part):
            single = _single(match.group(0))
            if single is None:
                return None
            group.append(single)
        groups.append(group)
    return groups


def _single(text: str) -> _Constraint | None:
    """parseConstraint: `x`, `*`, `X` or a missing part makes the constraint "dirty" there."""
    m = _CONSTRAINT.match(text)
    if m is None:
        return None
    op, version, major, minor, patch, pre = m.group(1, 2, 3, 4, 5, 6)
    minor, patch, pre = minor or "", patch or "", pre or ""
    dirty = minor_dirty = patch_dirty = False
    if _is_x(major):
        version, dirty = f"0.0.0{pre}", True
    elif _is_x(minor.removeprefix(".")) or not minor:
        version, dirty, minor_dirty = f"{major}.0.0{pre}", True, True
    elif _is_x(patch.removeprefix(".")) or not patch:
        version, dirty, patch_dirty = f"{major}{minor}.0{pre}", True, True
    con = parse_version(version)
    if con is None:
        return None
    return _Constraint(op, con, dirty, minor_dirty, patch_dirty)


def _rewrite_range(text: str) -> str:
    """`1.2 - 1.4.5` is `>= 1.2, <= 1.4.5`."""
    out = text
    for m in _RANGE.finditer(text):
        out = out.replace(m.group(0), f">= {m.group(1)}, <= {m.group(11)} ", 1)
    return out


def _is_x(part: str) -> bool:
    return part in ("x", "*", "X")


def _tilde(c: _Constraint, v: Version) -> bool:
    if v.compare(c.con) < 0:
        return False
    if (c.con.major, c.con.minor, c.con.patch) == (0, 0, 0) and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.major != c.con.major:
        return False
    return v.minor == c.con.minor or c.minor_dirty


def _tilde_or_equal(c: _Constraint, v: Version) -> bool:
    return _tilde(c, v) if c.dirty else v.compare(c.con) == 0


def _not_equal(c: _Constraint, v: Version) -> bool:
    if c.dirty:
        if c.con.major != v.major:
            return True
        if c.con.minor != v.minor and not c.minor_dirty:
            return True
        if c.minor_dirty:
            return False
        if c.con.patch != v.patch and not c.patch_dirty:
            return True
        if c.patch_dirty:
            if v.pre or c.con.pre:
                return _compare_prerelease(v.pre, c.con.pre) != 0
            return False
    return v.compare(c.con) != 0


def _greater(c: _Constraint, v: Version) -> bool:
    if not c.dirty:
        return v.compare(c.con) == 1
    if v.major != c.con.major:
        return v.major > c.con.major
    if c.minor_dirty:
        return False
    if c.patch_dirty:
        return v.minor > c.con.minor
    return v.compare(c.con) == 1


def _less_or_equal(c: _Constraint, v: Version) -> bool:
    if not c.dirty:
        return v.compare(c.con) <= 0
    if v.major > c.con.major:
        return False
    return not (v.major == c.con.major and v.minor > c.con.minor and not c.minor_dirty)


def _caret(c: _Constraint, v: Version) -> bool:
    if v.compare(c.con) < 0:
        return False
    if c.con.major > 0 or c.minor_dirty:
        return v.major == c.con.major
    if v.major > 0:
        return False
    if c.con.minor > 0 or c.patch_dirty:
        return v.minor == c.con.minor
    if v.minor > 0:
        return False
    return v.patch == c.con.patch


_CHECKS = {
    "": _tilde_or_equal,
    "=": _tilde_or_equal,
    "!=": _not_equal,
    ">": _greater,
    "<": lambda c, v: v.compare(c.con) < 0,
    ">=": lambda c, v: v.compare(c.con) >= 0,
    "=>": lambda c, v: v.compare(c.con) >= 0,
    "<=": _less_or_equal,
    "=<": _less_or_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}


def _compare_prerelease(mine: str, theirs: str) -> int:
    """comparePrerelease: part by part; numbers below words; a missing part is lower."""
    a, b = mine.split("."), theirs.split(".")
    for index in range(max(len(a), len(b))):
        x = a[index] if index < len(a) else ""
        y = b[index] if index < len(b) else ""
        result = _compare_part(x, y)
        if result:
            return result
    return 0


def _compare_part(x: str, y: str) -> int:
    if x == y:
        return 0
    if not x or not y:
        return -1 if not x else 1
    x_number, y_number = x.isdigit(), y.isdigit()
    if x_number and y_number:
        return -1 if int(x) < int(y) else 1 if int(x) > int(y) else 0
    if x_number != y_number:
        return -1 if x_number else 1
    return 1 if x > y else -1
