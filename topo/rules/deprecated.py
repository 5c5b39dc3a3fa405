"""apiVersions that the target Kubernetes version no longer serves."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from topo.model import K8sObject
from topo.rules.registry import ANY_KIND, ERROR, Issue, rule

GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"
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


def _version(minor: tuple[int, int]) -> str:
    return f"{minor[0]}.{minor[1]}"


@rule(
    "deprecated-api",
    title="apiVersion no longer served by the target Kubernetes version",
    severity=ERROR,
    kinds=ANY_KIND,
    why_severity=(
        "error: the target Kubernetes version (`kubernetesVersion`) no longer serves this "
        "apiVersion, so applying the manifest fails as written."
    ),
)
def deprecated_api(obj: K8sObject, ctx):
    """
    What it does:
        Finds objects whose `apiVersion` the target Kubernetes version (`kubernetesVersion` in
        topo.yaml, default in topo/config.py) no longer serves, following the official Deprecated
        API Migration Guide: `extensions/v1beta1` and `apps/v1beta1`/`v1beta2` workloads (removed
        in 1.16), `extensions/v1beta1` and `networking.k8s.io/v1beta1` Ingress, v1beta1 RBAC,
        CRDs, webhooks, PriorityClass, Lease, storage classes (1.22), `batch/v1beta1` CronJob,
        `policy/v1beta1` PodDisruptionBudget and PodSecurityPolicy, `autoscaling/v2beta1` (1.25),
        `autoscaling/v2beta2` and flow-control v1beta1 (1.26), `storage.k8s.io/v1beta1`
        CSIStorageCapacity (1.27), flow-control v1beta2 (1.29) and v1beta3 (1.32). The message
        names the release that removed it and the apiVersion to use instead.

    Why it matters:
        The API server answers `no matches for kind "Ingress" in version "extensions/v1beta1"`:
        `kubectl apply` fails and a Helm release or GitOps sync stops at that object, usually
        during a cluster upgrade, when nobody is looking at these manifests.

    Example:
        ```yaml
        apiVersion: policy/v1beta1     # removed in Kubernetes 1.25
        kind: PodDisruptionBudget
        ```

    Fix:
        Change `apiVersion` to the replacement named in the message and migrate the fields that
        changed (the migration guide lists them per kind; `kubectl convert` can help). Set
        `kubernetesVersion` in topo.yaml to the version your cluster runs.

    References:
        - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
        - https://kubernetes.io/docs/reference/using-api/deprecation-policy/
    """
    removed = removed_apis().get((obj.api_version, obj.kind))
    if removed is None:
        return
    target = ctx.config.kubernetes_minor
    if removed.removed_in > target:
        return
    replacement = replacement_for(removed, target)
    served = (
        f"{obj.api_version} {obj.kind} is no longer served as of Kubernetes {_version(removed.removed_in)} "
        f"(target {ctx.config.kubernetes_version})"
    )
    if replacement is not None:
        yield Issue(
            f"{served}: use {replacement}",
            hint=f"change apiVersion to {replacement} and migrate the fields that changed ({GUIDE})",
            path="apiVersion",
        )
    else:
        yield Issue(
            f"{served} and has no replacement API", hint=removed.instead or f"see {GUIDE}", path="apiVersion"
        )
