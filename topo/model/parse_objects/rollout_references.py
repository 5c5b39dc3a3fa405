"""The objects an Argo Rollout's strategy names and its controller looks up before it reconciles
the Rollout, each where upstream looks for it (argoproj/argo-rollouts rollout/controller.go
getRolloutReferencedResources):

- AnalysisTemplates (`clusterScope: true`: ClusterAnalysisTemplates) of the strategy in effect —
  a blue-green's pre- and post-promotion analyses, else a canary's step analyses and background
  analysis (getReferencedRolloutAnalyses, getReferencedAnalysisTemplatesFromRef);
- the Ingresses of the canary's traffic routing: ALB `ingresses` when written, else `ingress`;
  otherwise NGINX `stableIngresses` when written, else `stableIngress` (getReferencedIngresses);
- Istio VirtualServices: `virtualServices` when written, else `virtualService`; a name
  `name.namespace` names another namespace (rollout/trafficrouting/istio/controller.go
  GetReferencedVirtualServices, utils/istio/istio.go GetVirtualServiceNamespaceName);
- Ambassador Mappings (getAmbassadorMappings) and the App Mesh VirtualService
  (getReferencedAppMeshResources).

A missing one makes the controller refuse the spec (`field.Invalid`: InvalidSpec).
"""

from __future__ import annotations

from collections.abc import Iterator

from topo.model.fields import Fields
from topo.model.kinds import make_id
from topo.model.objects import RolloutReference

_CANARY, _BLUE_GREEN = "spec.strategy.canary", "spec.strategy.blueGreen"


def rollout_references(strategy: Fields) -> tuple[RolloutReference, ...]:
    """What the strategy in effect names (a blue-green's when both are written: the controller
    reads `blueGreen` first)."""
    if strategy.has("blueGreen"):
        blue_green = strategy.map("blueGreen")
        found = [
            *_templates(blue_green.map("prePromotionAnalysis"), f"{_BLUE_GREEN}.prePromotionAnalysis"),
            *_templates(blue_green.map("postPromotionAnalysis"), f"{_BLUE_GREEN}.postPromotionAnalysis"),
        ]
        return tuple(found)
    if not strategy.has("canary"):
        return ()
    canary = strategy.map("canary")
    found = []
    for index, step in enumerate(_mappings(canary.raw("steps"))):
        found.extend(_templates(Fields(step).map("analysis"), f"{_CANARY}.steps[{index}].analysis"))
    found.extend(_templates(canary.map("analysis"), f"{_CANARY}.analysis"))
    found.extend(_traffic_routing(canary.map("trafficRouting"), f"{_CANARY}.trafficRouting"))
    return tuple(found)


def _templates(analysis: Fields, path: str) -> Iterator[RolloutReference]:
    for index, ref in enumerate(_mappings(analysis.raw("templates"))):
        name = ref.get("templateName")
        if isinstance(name, str) and name:
            cluster = ref.get("clusterScope") is True
            kind = "ClusterAnalysisTemplate" if cluster else "AnalysisTemplate"
            yield RolloutReference(
                f"{path}.templates[{index}].templateName", kind, name, cluster_scoped=cluster
            )


def _traffic_routing(routing: Fields, path: str) -> Iterator[RolloutReference]:
    if routing.has("alb"):
        yield from _named_list(routing.map("alb"), "ingresses", "ingress", f"{path}.alb", "Ingress")
    elif routing.has("nginx"):
        yield from _named_list(
            routing.map("nginx"), "stableIngresses", "stableIngress", f"{path}.nginx", "Ingress"
        )
    istio = routing.map("istio")
    if istio.data.get("virtualServices") is not None:
        for index, service in enumerate(_mappings(istio.raw("virtualServices"))):
            yield from _virtual_service(service.get("name"), f"{path}.istio.virtualServices[{index}].name")
    elif istio.has("virtualService"):
        yield from _virtual_service(
            istio.map("virtualService").raw("name"), f"{path}.istio.virtualService.name"
        )
    for index, mapping in enumerate(_strings(routing.map("ambassador").raw("mappings"))):
        yield RolloutReference(f"{path}.ambassador.mappings[{index}]", "Mapping", mapping)
    app_mesh = routing.map("appMesh").map("virtualService").raw("name")
    if isinstance(app_mesh, str) and app_mesh:
        yield RolloutReference(f"{path}.appMesh.virtualService.name", "VirtualService", app_mesh)


def _named_list(holder: Fields, many: str, one: str, path: str, kind: str) -> Iterator[RolloutReference]:
    """`many` when it is written (even empty), else `one`: the controller's order."""
    if holder.data.get(many) is not None:
        for index, name in enumerate(_strings(holder.raw(many))):
            yield RolloutReference(f"{path}.{many}[{index}]", kind, name)
        return
    name = holder.raw(one)
    if isinstance(name, str) and name:
        yield RolloutReference(f"{path}.{one}", kind, name)


def _virtual_service(written, path: str) -> Iterator[RolloutReference]:
    """GetVirtualServiceNamespaceName: `.cluster.local` stripped, then the last dot-separated part
    is the namespace and the rest the name."""
    if not isinstance(written, str) or not written:
        return
    text = written.removesuffix(".cluster.local")
    name, dot, namespace = text.rpartition(".")
    if dot:
        yield RolloutReference(path, "VirtualService", name, namespace=namespace)
    else:
        yield RolloutReference(path, "VirtualService", text)


def _mappings(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value) -> list[str]:
    return [item for item in value if isinstance(item, str) and item] if isinstance(value, list) else []


def reference_id(model, rollout_namespace: str | None, ref: RolloutReference) -> str:
    """The id of the object `ref` names: `Kind/namespace/name`, or `Kind/name` for a
    ClusterAnalysisTemplate — or the id of the object of that kind and name the input declares
    without the CRD that would make topo read it as cluster-scoped (`model`: the Model, whose
    objects by kind are indexed once)."""
    if not ref.cluster_scoped:
        return make_id(ref.kind, ref.namespace or rollout_namespace, ref.name)
    declared = (o.id for o in model.of_kind(ref.kind) if o.name == ref.name)
    return next(declared, make_id(ref.kind, None, ref.name))
