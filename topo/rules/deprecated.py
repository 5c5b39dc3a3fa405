"""apiVersions that the target Kubernetes version no longer serves."""

from __future__ import annotations

from topo.load.api_table import removed_apis, replacement_for
from topo.model import K8sObject
from topo.rules.registry import ANY_KIND, ERROR, Issue, rule

GUIDE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"


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
