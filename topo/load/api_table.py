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
    return sorted(f"{api_version}/{kind}" for api_version, kind in _served(version))


def served_group_versions(version: tuple[int, int]) -> list[str]:
    """The group/versions (`apiregistration.k8s.io/v1`) that `version` serves for a kind of the
    table, as the cluster's discovery lists them and `.Capabilities.APIVersions.Has
    "apiregistration.k8s.io/v1"` asks. Helm's offline set (helm.sh/helm pkg/chart/common
    capabilities.go allKnownVersions: client-go's scheme plus apiextensions) has every built-in
    group but apiregistration.k8s.io, which the kube-aggregator serves; a group/version the target
    no longer serves is not added (Helm's own set may still list it)."""
    return sorted({api_version for api_version, _ in _served(version)})


def _served(version: tuple[int, int]) -> set[tuple[str, str]]:
    """(apiVersion, kind) of every kind of the table that `version` serves: a removed apiVersion
    from the release that introduced it where the table says so (flowcontrol v1beta3 as the
    replacement of v1beta2, since 1.26), else from the first release the table knows."""
    table = removed_apis()
    introduced: dict[tuple[str, str], tuple[int, int]] = {}
    for removed in table.values():
        for api_version, since in removed.replacements:
            key = (api_version, removed.kind)
            introduced[key] = min(since, introduced.get(key, since))
    served = set()
    for removed in table.values():
        key = (removed.api_version, removed.kind)
        if introduced.get(key, (0, 0)) <= version < removed.removed_in:
            served.add(key)
        for api_version, since in removed.replacements:
            also_removed = table.get((api_version, removed.kind))
            if since <= version and (also_removed is None or also_removed.removed_in > version):
                served.add((api_version, removed.kind))
    return served
