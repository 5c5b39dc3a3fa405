"""What operators create from custom resources of the input, which topo cannot see: pods (an Argo
Rollout's ReplicaSets, the StatefulSet of a Prometheus or an Elasticsearch cluster) and the
Services in front of them (CloudNativePG's `<cluster>-rw`). The reference rules (services,
policy_refs) and dns-name-unresolved ask here before they call something missing. No rules here:
a helper module, so the rules that share it stay separate topics (topo.rules.engine.rule_groups).
"""

from __future__ import annotations

from collections.abc import Mapping

from topo.model import K8sObject, LabelSelector, Workload

#: API groups of built-in kinds: objects of other groups are custom resources.
_BUILTIN_GROUPS = frozenset({"", "apps", "batch", "extensions", "policy", "autoscaling"})
#: `*.k8s.io` groups that are CRDs which may run pods (Gateway API implementations start one
#: proxy Deployment per Gateway, labelled with the Gateway's name).
_CUSTOM_K8S_IO_GROUPS = frozenset({"gateway.networking.k8s.io"})
#: Custom kinds that never run pods: a selector value equal to their name proves nothing.
_KINDS_WITHOUT_PODS = frozenset(
    {
        "Certificate",
        "CertificateRequest",
        "Issuer",
        "ClusterIssuer",
        "Order",
        "Challenge",
        "ServiceMonitor",
        "PodMonitor",
        "PrometheusRule",
        "AlertmanagerConfig",
        "ScrapeConfig",
        "SealedSecret",
        "ExternalSecret",
        "SecretStore",
        "ClusterSecretStore",
        "VirtualService",
        "DestinationRule",
        "ServiceEntry",
        "Sidecar",
        "PeerAuthentication",
        "AuthorizationPolicy",
        "RequestAuthentication",
        "EnvoyFilter",
        "Telemetry",
        "HTTPRoute",
        "GRPCRoute",
        "TCPRoute",
        "TLSRoute",
        "UDPRoute",
        "ReferenceGrant",
        "IngressRoute",
        "IngressRouteTCP",
        "IngressRouteUDP",
        "Middleware",
        "TLSOption",
        "ServersTransport",
    }
)


def is_custom_resource(obj: K8sObject) -> bool:
    group = obj.group
    if group in _CUSTOM_K8S_IO_GROUPS:
        return True  # (the Gateway API's kinds are typed, topo.model.gateway_api, yet still CRDs)
    if type(obj) is not K8sObject or group in _BUILTIN_GROUPS:
        return False
    return not group.endswith(".k8s.io")


def _label_maps(value, depth: int = 0):
    """Every `labels: {k: v}` mapping inside a custom resource's spec (pod templates of Argo
    Rollouts, Knative Services, `podMetadata` of Prometheus, `podTemplate` of ECK node sets...)."""
    if depth > 8:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if (
                key == "labels"
                and isinstance(item, Mapping)
                and all(isinstance(v, str) for v in item.values())
            ):
                yield item
            else:
                yield from _label_maps(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _label_maps(item, depth + 1)


def _pod_sources_by_namespace(ctx) -> dict[str, list[tuple[str, list[Mapping[str, str]], bool]]]:
    """namespace → (name, label maps of the pods it may run, whether its name may be a label value)."""
    sources: dict[str, list[tuple[str, list[Mapping[str, str]], bool]]] = {}
    for obj in ctx.model.objects.values():
        if obj.namespace is None:
            continue
        if isinstance(obj, Workload) and obj.rollout is not None:
            # A Rollout is analysed as a workload, but the experiment steps of its strategy run
            # ReplicaSets with their own labels (docs/features/experiment.md: `templates[].metadata`)
            labels = list(_label_maps(obj.raw.get("spec", {}).get("strategy")))
            if labels:
                sources.setdefault(obj.namespace, []).append((obj.name, labels, False))
            continue
        if obj.kind in _KINDS_WITHOUT_PODS or not is_custom_resource(obj):
            continue
        labels = [obj.labels, *_label_maps(obj.raw.get("spec"))]
        sources.setdefault(obj.namespace, []).append((obj.name, labels, True))
    return sources


def custom_resource_may_run_pods(ctx, namespace: str | None, selector: LabelSelector) -> str | None:
    """The name of a custom resource in `namespace` whose operator may create the pods `selector`
    looks for, else None.

    Operators create pods that are not in the manifests (an Argo Rollout's ReplicaSets, the
    StatefulSet of a Prometheus or an Elasticsearch cluster, a Knative revision). Their pods carry
    the labels of the resource's pod template or metadata, or a label whose value is the resource's
    name (`prometheus: k8s`, `strimzi.io/cluster: my-cluster`). When a selector could match such
    pods, "selects nothing" would be a guess, so the rules stay quiet.
    """
    if namespace is None or selector.matches_nothing:
        return None
    sources = ctx.memo("pod-sources", lambda: _pod_sources_by_namespace(ctx))
    values = {
        value
        for requirement in selector.requirements
        if requirement.operator == "In"
        for value in requirement.values
    }
    for name, label_maps, by_name in sources.get(namespace, ()):
        if (by_name and name in values) or any(selector.matches(labels) for labels in label_maps):
            return name
    return None


def _service_sources_by_namespace(ctx) -> dict[str, list[tuple[str, str]]]:
    sources: dict[str, list[tuple[str, str]]] = {}
    for obj in ctx.model.objects.values():
        if obj.namespace is None or obj.kind in _KINDS_WITHOUT_PODS or not is_custom_resource(obj):
            continue
        sources.setdefault(obj.namespace, []).append((obj.name, obj.id))
    return sources


#: How the reference rules word a Service they downgrade because an operator probably creates it.
OPERATED_SERVICE_HINT = (
    "nothing to do if the operator creates it; else fix the name, or list the Service under "
    "`external:` in topo.yaml"
)


def operated_service_reason(resource_id: str) -> str:
    return f"the operator of {resource_id}, a custom resource of that namespace named like it, probably creates it"


def custom_resource_may_create_config(ctx, namespace: str | None, name: str) -> str | None:
    """The id of a custom resource in `namespace` whose operator probably creates the Secret or
    ConfigMap `name`, else None: operators name the configuration and credentials they write
    after the resource, as they name its Services (CloudNativePG `<cluster>-app`, ECK
    `<name>-es-elastic-user`, Rook's `rook-ceph-mon` and `rook-ceph-mon-endpoints` beside the
    CephCluster `rook-ceph`: rook/rook pkg/operator/ceph/cluster/mon). The same match as
    custom_resource_may_create_service, over the same resources."""
    return custom_resource_may_create_service(ctx, namespace, name)


def custom_resource_may_create_service(ctx, namespace: str | None, name: str) -> str | None:
    """The id of a custom resource in `namespace` whose operator probably creates Service `name`,
    else None.

    Operators create the Services of what they run from a custom resource, named after it: a
    CloudNativePG Cluster `pg` gets `pg-rw`, `pg-ro` and `pg-r` ("<CLUSTER_NAME>-<SERVICE_NAME>",
    https://cloudnative-pg.io/documentation/current/service_management/), a KAITO Workspace its
    inference Service of its own name (https://github.com/kaito-project/kaito, docs/inference),
    Strimzi `<kafka>-kafka-bootstrap`, ECK `<name>-es-http`, the Altinity operator
    `clickhouse-<installation>`, KubeRay `<raycluster>-head-svc` (ray-project/kuberay
    ray-operator/controllers/ray/utils/util.go, GenerateHeadServiceName). A Service named like such a resource (its name, or its name and a
    suffix or a prefix after a `-`) is probably one of them; the resources that never run pods
    (certificates, monitors, routes) create no Service either.
    """
    if namespace is None:
        return None
    sources = ctx.memo("service-sources", lambda: _service_sources_by_namespace(ctx))
    for resource, resource_id in sources.get(namespace, ()):
        if name == resource or name.startswith(f"{resource}-") or name.endswith(f"-{resource}"):
            return resource_id
    return None
