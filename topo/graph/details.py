"""The per-kind attributes of a node: what `topo graph -o json`, the rules and the dashboard show.

Every value has API defaults applied (see topo.model.objects)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from topo.graph.context import object_node
from topo.model.dns import service_fqdn, srv_name
from topo.model.gateway_api import Gateway, GatewayClass, GatewayRoute, ReferenceGrant
from topo.model.objects import (
    ConfigData,
    Ingress,
    K8sObject,
    PersistentVolume,
    PersistentVolumeClaim,
    Service,
    StorageClass,
    Workload,
)
from topo.model.quantity import format_bytes


def node_attributes(obj: K8sObject, domain: str) -> dict[str, Any]:
    attrs = object_node(obj)
    describe = _DESCRIBERS.get(type(obj))
    if describe is not None:
        attrs.update(describe(obj, domain))
    return attrs


def _service(service: Service, domain: str) -> dict[str, Any]:
    namespace = service.namespace  # (a Service is namespaced: never None in practice)
    return {
        "type": service.type,
        "headless": service.headless,
        "clusterIP": service.cluster_ip,
        "selector": service.selector.match_labels if service.has_selector else None,
        "dns": [service_fqdn(service.name, namespace, domain)] if namespace is not None else [],
        "ports": [port.to_dict() for port in service.ports],
        "publishNotReadyAddresses": service.publish_not_ready_addresses,
        "srv": [
            srv_name(port.name, port.protocol, service.name, namespace, domain)
            for port in service.ports
            if port.name and namespace is not None
        ],
        **({"externalName": service.external_name} if service.external_name else {}),
    }


def _workload(workload: Workload, domain: str) -> dict[str, Any]:
    spec = workload.template.spec
    probes = {}
    budgets = {}
    for container in spec.long_running_containers():
        if container.probes:
            probes[container.name] = {
                kind: probe.timing() for kind, probe in sorted(container.probes.items())
            }
        budget_probe = container.probes.get("startup") or container.probes.get("liveness")
        if budget_probe is not None:
            budgets[container.name] = budget_probe.budget_seconds
    attrs: dict[str, Any] = {
        "replicas": workload.replicas,
        "podLabels": workload.template.labels,  # shared with the document: read-only
        "containers": [c.name for c in spec.containers],
        "images": [c.image for c in spec.containers if c.image],
        "initContainers": [c.name for c in spec.init_containers],
        "sidecars": [c.name for c in spec.sidecars],
        "probes": probes,
        "startupBudgetSeconds": budgets,
        "serviceAccount": spec.service_account_name,
    }
    if workload.strategy is not None:
        attrs["strategy"] = workload.strategy.type
    if workload.kind == "Pod":
        attrs["dns"] = []
    if workload.job is not None:
        attrs["job"] = workload.job.to_dict()
    if workload.cronjob is not None:
        attrs["cronjob"] = workload.cronjob.to_dict()
        attrs["schedule"] = workload.cronjob.schedule
    if workload.folded_pods:
        attrs["pods"] = list(workload.folded_pods)
    return attrs


def _claim(claim: PersistentVolumeClaim, domain: str) -> dict[str, Any]:
    return {
        "storageClassName": claim.storage_class_name,
        "accessModes": list(claim.access_modes),
        "request": format_bytes(claim.request_bytes) if claim.request_bytes is not None else None,
        "binding": None,  # set by the binder
    }


def _volume(volume: PersistentVolume, domain: str) -> dict[str, Any]:
    return {
        "storageClassName": volume.storage_class_name,
        "accessModes": list(volume.access_modes),
        "capacity": format_bytes(volume.capacity_bytes) if volume.capacity_bytes is not None else None,
        "reclaimPolicy": volume.reclaim_policy,
    }


def _storage_class(storage_class: StorageClass, domain: str) -> dict[str, Any]:
    return {
        "provisioner": storage_class.provisioner,
        "default": storage_class.is_default,
        "volumeBindingMode": storage_class.volume_binding_mode,
    }


def _ingress(ingress: Ingress, domain: str) -> dict[str, Any]:
    routes = [
        {
            "host": route.host,
            "path": route.path,
            "pathType": route.path_type,
            "service": route.backend.service,
            "port": route.backend.port_number
            if route.backend.port_number is not None
            else route.backend.port_name,
        }
        for route in ingress.paths
    ]
    if ingress.default_backend is not None:
        backend = ingress.default_backend
        routes.append(
            {
                "host": None,
                "path": None,
                "pathType": None,
                "service": backend.service,
                "port": backend.port_number if backend.port_number is not None else backend.port_name,
                "default": True,
            }
        )
    return {
        "ingressClass": None,
        "routes": routes,
        "tls": [{"hosts": list(h), "secretName": s} for h, s in ingress.tls],
    }


def _gateway(gateway: Gateway, domain: str) -> dict[str, Any]:
    return {
        "gatewayClassName": gateway.class_name,
        "listeners": [
            {
                "name": listener.name,
                "port": listener.port,
                "protocol": listener.protocol,
                "hostname": listener.hostname,
                "allowedRoutes": {
                    "namespaces": {"from": listener.namespaces_from},
                    "kinds": [{"group": group, "kind": kind} for group, kind in listener.kinds],
                },
            }
            for listener in gateway.listeners
        ],
    }


def _gateway_route(route: GatewayRoute, domain: str) -> dict[str, Any]:
    return {
        "hostnames": list(route.hostnames),
        "parentRefs": [
            {"id": ref.id, "group": ref.group, "sectionName": ref.section_name, "port": ref.port}
            for ref in route.parent_refs
        ],
    }


def _gateway_class(gateway_class: GatewayClass, domain: str) -> dict[str, Any]:
    return {"controllerName": gateway_class.controller}


def _reference_grant(grant: ReferenceGrant, domain: str) -> dict[str, Any]:
    return {
        "from": [{"group": f.group, "kind": f.kind, "namespace": f.namespace} for f in grant.grants_from],
        "to": [{"group": t.group, "kind": t.kind, "name": t.name} for t in grant.grants_to],
    }


def _config(config: ConfigData, domain: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {"keys": list(config.keys)}
    if config.secret_type is not None:
        attrs["type"] = config.secret_type
    return attrs


_DESCRIBERS: dict[type, Callable[[Any, str], dict[str, Any]]] = {
    Service: _service,
    Workload: _workload,
    PersistentVolumeClaim: _claim,
    PersistentVolume: _volume,
    StorageClass: _storage_class,
    Ingress: _ingress,
    ConfigData: _config,
    Gateway: _gateway,
    GatewayRoute: _gateway_route,
    GatewayClass: _gateway_class,
    ReferenceGrant: _reference_grant,
}
