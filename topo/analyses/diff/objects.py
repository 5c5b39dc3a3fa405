"""Declared objects added, removed and changed, down to the field paths of their documents
(`spec.replicas`, `spec.template.spec.containers[name=web].image`); Secret payloads redacted.

Documents are compared as the API server stores them (`allocated.as_stored`): a field spelled out
with its upstream default (`protocol: TCP`, `imagePullPolicy: IfNotPresent`, `revisionHistoryLimit:
10`) or dropped is no change, nor is a value the cluster allocated (a Service's `clusterIP`) that
only one side has, and an object whose only differences are such fields is not listed.
A field whose stored value changes is shown with its values as written (`(absent) → Always`)."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from topo.analyses.diff.allocated import as_stored
from topo.model.secrets import LAST_APPLIED, PAYLOAD_KEYS, REDACTED, redact_value


class _Absent:
    """The value of a field that one side does not have (shown as `(absent)`)."""

    def __repr__(self) -> str:
        return "(absent)"

    __str__ = __repr__


ABSENT = _Absent()

#: Fields that change on every read of a live cluster and say nothing about the design.
_NOISE = {
    ("metadata", "resourceVersion"),
    ("metadata", "uid"),
    ("metadata", "generation"),
    ("metadata", "creationTimestamp"),
    ("metadata", "managedFields"),
    ("metadata", "selfLink"),
}
_NOISE_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
)

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


@dataclass(frozen=True)
class FieldChange:
    """One field of a declared document: `spec.replicas: 4 → 1`. ABSENT where a side lacks it."""

    path: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path}
        if self.before is not ABSENT:
            entry["before"] = self.before
        if self.after is not ABSENT:
            entry["after"] = self.after
        return entry


@dataclass(frozen=True)
class ObjectChange:
    id: str
    change: str  # added | removed | changed
    source: Any  # where it is declared (after; before for a removed object)
    fields: tuple[FieldChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "change": self.change,
            "source": {"file": self.source.file, "line": self.source.line} if self.source else None,
            "fields": [f.to_dict() for f in self.fields],
        }


def diff_objects(before_model: Any, after_model: Any) -> tuple[ObjectChange, ...]:
    """Declared objects (not those derived from another one) added, removed, or with changed fields."""
    old = {i: o for i, o in before_model.objects.items() if o.generated_by is None}
    new = {i: o for i, o in after_model.objects.items() if o.generated_by is None}
    changes = []
    for object_id in sorted(set(old) | set(new)):
        if object_id not in old:
            changes.append(ObjectChange(object_id, "added", new[object_id].source))
        elif object_id not in new:
            changes.append(ObjectChange(object_id, "removed", old[object_id].source))
        elif old[object_id].raw != new[object_id].raw:
            before, after = old[object_id].raw, new[object_id].raw
            fields = tuple(document_changes(before, after, effective=as_stored(before, after)))
            if old[object_id].kind == "Secret" or new[object_id].kind == "Secret":
                fields = tuple(_redacted(change) for change in fields)
            if fields:
                changes.append(ObjectChange(object_id, "changed", new[object_id].source, fields))
    return tuple(changes)


def _redacted(change: FieldChange) -> FieldChange:
    """A Secret's changed payload field: which key changed is shown, never the values."""
    if change.path.split(".", 1)[0].split("[", 1)[0] in PAYLOAD_KEYS:
        hide = redact_value
    elif change.path in ("metadata", "metadata.annotations", f'metadata.annotations["{LAST_APPLIED}"]'):
        hide = _without_last_applied
    else:
        return change
    return FieldChange(
        change.path,
        change.before if change.before is ABSENT else hide(change.before),
        change.after if change.after is ABSENT else hide(change.after),
    )


def _without_last_applied(value: Any) -> Any:
    """metadata or its annotations, with the annotation copy of the Secret redacted."""
    if not isinstance(value, Mapping):
        return REDACTED
    if "annotations" in value:
        return {**value, "annotations": _without_last_applied(value["annotations"])}
    return {k: (REDACTED if k == LAST_APPLIED else v) for k, v in value.items()}


def document_changes(
    before: Any, after: Any, path: tuple = (), *, effective: tuple[Any, Any] | None = None
) -> Iterable[FieldChange]:
    """Field-level differences of two documents, in document order, `status` and live-cluster noise
    left out. Lists whose items all have a distinct `name` are matched by name
    (`containers[name=web]`), as Kubernetes merges them: containers, volumes, env, ports... carry
    `patchMergeKey:"name"` (k8s.io/api core/v1 types.go, strategic merge patch); other lists item by
    item, aligned as a line diff aligns lines (`_list_changes`).

    `effective`: the two documents as stored (`defaults.defaulted`); a field is then a change only
    where its stored values differ too, and is shown with the values as written."""
    old, new = effective if effective is not None else (before, after)
    yield from _changes(before, after, old, new, path)


def _changes(before: Any, after: Any, old: Any, new: Any, path: tuple) -> Iterable[FieldChange]:
    """`before`/`after` as written, `old`/`new` the same fields as stored."""
    if path == ("metadata", "annotations"):
        before, after, old, new = (_without_noise(value) for value in (before, after, old, new))
    if before == after or old == new:
        return
    if path == ("status",) or path[:2] in _NOISE:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        before, after = _account_alias_folded(before, after)
        keys = list(before) + [k for k in after if k not in before]
        for key in keys:
            yield from _changes(
                before.get(key, ABSENT),
                after.get(key, ABSENT),
                _field(old, key),
                _field(new, key),
                path + (key,),
            )
        return
    if isinstance(before, list) and isinstance(after, list):
        old_named, new_named = _by_name(before), _by_name(after)
        if old_named is not None and new_named is not None:
            old_stored, new_stored = _by_name(_same_list(old, before)), _by_name(_same_list(new, after))
            names = list(old_named) + [n for n in new_named if n not in old_named]
            for name in names:
                yield from _changes(
                    old_named.get(name, ABSENT),
                    new_named.get(name, ABSENT),
                    (old_stored or {}).get(name, ABSENT),
                    (new_stored or {}).get(name, ABSENT),
                    path + (f"[name={name}]",),
                )
            return
        yield from _list_changes(before, after, _same_list(old, before), _same_list(new, after), path)
        return
    yield FieldChange(_path_text(path), before, after)


def _account_alias_folded(before: Mapping, after: Mapping) -> tuple[Mapping, Mapping]:
    """Pod specs where either side writes `serviceAccountName`: its deprecated alias
    `serviceAccount` left out, and a side that writes only the alias shown by it. The API server
    stores the alias as a copy of the name (pkg/apis/core/v1/conversion.go
    Convert_core_PodSpec_To_v1_PodSpec), so one change of the account is one line, not two."""
    name, alias = "serviceAccountName", "serviceAccount"
    if not ({name, alias} & (before.keys() | after.keys())) or not (
        "containers" in before or "containers" in after
    ):
        return before, after
    if name not in before and name not in after:
        return before, after  # only the alias is written: its own line, as written

    def folded(spec: Mapping) -> Mapping:
        account = spec.get(name) or spec.get(alias)
        kept = {key: value for key, value in spec.items() if key != alias}
        if account is not None and name not in kept:
            kept[name] = account
        return kept

    return folded(before), folded(after)


def _without_noise(annotations: Any) -> Any:
    """Annotations without those a live cluster writes; none left is as absent."""
    if not isinstance(annotations, Mapping):
        return annotations
    kept = {k: v for k, v in annotations.items() if k not in _NOISE_ANNOTATIONS}
    return kept or ABSENT


def _field(stored: Any, key: str) -> Any:
    return stored.get(key, ABSENT) if isinstance(stored, Mapping) else ABSENT


def _same_list(stored: Any, written: list) -> list:
    """The stored list, item for item the written one (defaulting never adds or drops items)."""
    return stored if isinstance(stored, list) and len(stored) == len(written) else written


def _list_changes(before: list, after: list, old: list, new: list, path: tuple) -> Iterable[FieldChange]:
    """Items of an unnamed list (`args`, RBAC `rules`, `ports` without names) inserted, removed or
    changed, as a line-oriented diff aligns them: `args[8]: (absent) → --enable-metrics`, never the
    two whole lists when one item was added. Items are aligned by their stored values (`old`,
    `new`); an item changed in place is compared field by field; indices are the after side's (a
    removed item's: the before side's)."""
    old_keys = [json.dumps(item, sort_keys=True, default=str) for item in old]
    new_keys = [json.dumps(item, sort_keys=True, default=str) for item in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                i, j = i1 + offset, j1 + offset
                yield from _changes(before[i], after[j], old[i], new[j], path + (f"[{j}]",))
            continue
        for index in range(i1, i2):
            yield FieldChange(_path_text(path + (f"[{index}]",)), before[index], ABSENT)
        for index in range(j1, j2):
            yield FieldChange(_path_text(path + (f"[{index}]",)), ABSENT, after[index])


def _by_name(items: list) -> dict[str, Any] | None:
    names = [item.get("name") if isinstance(item, Mapping) else None for item in items]
    if not items or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        return None
    return {name: item for name, item in zip(names, items) if name is not None}


def _path_text(path: tuple) -> str:
    """`spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`."""
    text = ""
    for part in path:
        part = str(part)
        if part.startswith("["):
            text += part
        elif _PLAIN_KEY.match(part):
            text += part if not text else "." + part
        else:
            text += "[" + json.dumps(part) + "]"
    return text
