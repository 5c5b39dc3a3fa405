"""The built-in apiVersions that Kubernetes stopped serving, and what replaced them, per release
(topo/data/removed_apis.yaml, from the Deprecated API Migration Guide): the `deprecated-api`
rule reads it, and rendering a chart reads what a given release serves (topo.load.helm)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "removed_apis.yaml"


@dataclass(frozen=True)
class RemovedApi:
    api_version: str
    kind: str
    removed_in: tuple[int, int]
    replacements: tuple[tuple[str, tuple[int, int]], ...]  # (apiVersion, available since), newest first
    instead: str | None = None


def _minor(text: str) -> tuple[int, int]:
    major, _, minor = str(text).partition(".")
    return int(major), int(minor)


@cache
def removed_apis() -> dict[tuple[str, str], RemovedApi]:
    """(apiVersion, kind) → when it was removed and what replaces it (topo/data/removed_apis.yaml)."""
    text = DATA_FILE.read_text(encoding="utf-8")
    table: dict[tuple[str, str], RemovedApi] = {}
    for entry in yaml.safe_load(text):
        for kind in entry["kinds"]:
            table[(entry["apiVersion"], kind)] = RemovedApi(
                api_version=entry["apiVersion"],
                kind=kind,
                removed_in=_minor(entry["removedIn"]),
                replacements=tuple(
                    (r["apiVersion"], _minor(r["since"])) for r in entry.get("replacements") or ()
                ),
                instead=entry.get("instead"),
            )
    return table


def replacement_for(removed: RemovedApi, target: tuple[int, int]) -> str | None:
    """The newest replacement apiVersion that the target version serves (itself not removed)."""
    table = removed_apis()
    for api_version, since in removed.replacements:
        if since > target:
            continue
        also_removed = table.get((api_version, removed.kind))
        if also_removed is not None and also_removed.removed_in <= target:
            continue
        return api_version
    return None


def served_kind_versions(version: tuple[int, int]) -> list[str]:
    """`apiVersion/Kind` of every kind of the table as `version` serves it: the removed apiVersion
    until its removal, each replacement from the release that introduced it. This is what a chart's
    `.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"` asks, and what Helm cannot
    know without a cluster (`helm template` knows group/versions only: helm/helm#9951)."""
    served = set()
    for removed in removed_apis().values():
        if removed.removed_in > version:
            served.add(f"{removed.api_version}/{removed.kind}")
        for api_version, since in removed.replacements:
            also_removed = removed_apis().get((api_version, removed.kind))
            if since <= version and (also_removed is None or also_removed.removed_in > version):
                served.add(f"{api_version}/{removed.kind}")
    return sorted(served)
