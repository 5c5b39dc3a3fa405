"""Argo Rollouts: what the Rollouts controller needs of the input before it moves any pod."""

from __future__ import annotations

from topo.model import Workload
from topo.model.kinds import make_id
from topo.model.parse_objects.rollout_references import reference_id
from topo.rules.references import placeholder_issue
from topo.rules.registry import ERROR, Issue, rule


@rule(
    "rollout-service-missing",
    title="Argo Rollout names a Service that is not declared",
    severity=ERROR,
    kinds=("Rollout",),
    why_severity=(
        "error: the controller refuses the Rollout's spec (InvalidSpec) and moves no pod until the "
        "Service exists. Warning when the name is not a valid object name at all (an unrendered "
        "template placeholder)."
    ),
)
def rollout_service_missing(rollout: Workload, ctx):
    """
    What it does:
        Finds Argo Rollouts whose strategy names a Service — `canary.stableService`,
        `canary.canaryService`, `canary.pingPong.pingService`/`pongService`,
        `blueGreen.activeService`, `blueGreen.previewService` — that is neither in the input (in
        the Rollout's namespace) nor declared `external` in topo.yaml.

    Why it matters:
        The controller looks each of these Services up before it reconciles the Rollout, to point
        its selector at the stable, canary, active or preview pods. A Service that does not exist
        makes the spec invalid (`InvalidSpec`: `service "web-preview" not found`): no ReplicaSet is
        scaled, no traffic is shifted, and the Rollout stays degraded until the Service is created.

    Example:
        ```yaml
        kind: Rollout
        spec:
          strategy:
            blueGreen:
              activeService: web
              previewService: web-preview   # no Service web-preview in the namespace
        ```

    Fix:
        Declare the Service in the Rollout's namespace (a blue-green Rollout needs both the active
        and the preview Service), fix the name, or list it under `external:` in topo.yaml when it
        is created outside these manifests.

    References:
        - https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/
        - https://argo-rollouts.readthedocs.io/en/stable/features/canary/
        - https://github.com/argoproj/argo-rollouts/blob/master/rollout/controller.go (getReferencedService: a Service not found is a field.Invalid)
    """
    settings = rollout.rollout if isinstance(rollout, Workload) else None
    if settings is None or rollout.strategy is None:
        return
    strategy = "blueGreen" if rollout.strategy.type == "BlueGreen" else "canary"
    for key, name in settings.managed_services:
        service_id = make_id("Service", rollout.namespace, name)
        issue = _undeclared(
            ctx,
            "Service",
            name,
            key,
            f"spec.strategy.{strategy}.{key}",
            service_id,
            f"{key} {name!r} names a Service that is not declared in namespace {rollout.namespace}",
        )
        if issue is not None:
            yield issue


def _undeclared(ctx, kind: str, name: str, where: str, path: str, target: str, what: str) -> Issue | None:
    """The warning for a name that is an unrendered placeholder, the error for an object the input
    does not declare (nor topo.yaml's `external:`), else None."""
    placeholder = placeholder_issue(kind, name, where, path)
    if placeholder is not None or ctx.exists(target):
        return placeholder
    return Issue(
        f"{what}: the Rollouts controller refuses the spec until it exists",
        hint=f"declare {target}, fix the name, or list it under `external:` in topo.yaml",
        related=(target,),
        path=path,
    )


@rule(
    "rollout-reference-missing",
    title="Argo Rollout names an analysis template or traffic-routing object that is not declared",
    severity=ERROR,
    kinds=("Rollout",),
    why_severity=(
        "error: the controller refuses the Rollout's spec (InvalidSpec) and moves no pod until the "
        "object exists. Warning when the name is not a valid object name at all (an unrendered "
        "template placeholder)."
    ),
)
def rollout_reference_missing(rollout: Workload, ctx):
    """
    What it does:
        Finds Argo Rollouts whose strategy names an object the controller looks up before it
        reconciles the Rollout, and which is neither in the input nor declared `external` in
        topo.yaml: an AnalysisTemplate (a ClusterAnalysisTemplate with `clusterScope: true`) of a
        step's, the background or a blue-green promotion analysis; the Ingresses of ALB or NGINX
        traffic routing (`ingresses` when written, else `ingress`; `stableIngresses`, else
        `stableIngress`); Istio VirtualServices (`name.namespace` names another namespace);
        Ambassador Mappings; the App Mesh VirtualService. Services are `rollout-service-missing`'s.

    Why it matters:
        The controller resolves each of them first and refuses the spec when one is not found
        (`InvalidSpec`: `AnalysisTemplate 'success-rate' not found`, `ingress.networking.k8s.io
        "web" not found`): no ReplicaSet is scaled and no traffic is shifted until the object
        exists. A template kept in another repository must be installed before the Rollout.

    Example:
        ```yaml
        kind: Rollout
        spec:
          strategy:
            canary:
              steps:
                - setWeight: 20
                - analysis:
                    templates: [{templateName: success-rate}]   # no AnalysisTemplate success-rate
        ```

    Fix:
        Declare the object (an AnalysisTemplate in the Rollout's namespace, a ClusterAnalysisTemplate,
        the Ingress or VirtualService the traffic routing edits), fix the name, or list it under
        `external:` in topo.yaml when it is installed outside these manifests.

    References:
        - https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
        - https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/
        - https://github.com/argoproj/argo-rollouts/blob/master/rollout/controller.go (getRolloutReferencedResources)
        - https://github.com/argoproj/argo-rollouts/blob/master/rollout/trafficrouting/istio/controller.go (GetReferencedVirtualServices)
    """
    settings = rollout.rollout if isinstance(rollout, Workload) else None
    if settings is None or rollout.strategy is None:
        return
    for reference in settings.references:
        target = reference_id(ctx.model, rollout.namespace, reference)
        scope = (
            "" if reference.cluster_scoped else f" in namespace {reference.namespace or rollout.namespace}"
        )
        issue = _undeclared(
            ctx,
            reference.kind,
            reference.name,
            reference.path.rsplit(".", 1)[-1],
            reference.path,
            target,
            f"{reference.path} names {reference.kind} {reference.name!r}, which is not declared{scope}",
        )
        if issue is not None:
            yield issue
