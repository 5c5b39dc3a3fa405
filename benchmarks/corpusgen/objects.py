"""Builders of namespaced objects (one per kind): ServiceAccount, ConfigMap, Secret, PVC, Service,
Ingress, PodDisruptionBudget, HorizontalPodAutoscaler, workloads, NetworkPolicy; pure functions of
their arguments."""

from __future__ import annotations

from typing import Any

from .vocab import Obj


def meta(
    name: str, namespace: str | None = None, labels: dict | None = None, annotations: dict | None = None
) -> Obj:
    m: Obj = {"name": name}
    if namespace is not None:
        m["namespace"] = namespace
    if labels:
        m["labels"] = labels
    if annotations:
        m["annotations"] = annotations
    return m


def app_labels(app: str, tier: str, part_of: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": part_of,
        "app": app,
        "tier": tier,
    }


def selector_labels(app: str, tier: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": app, "tier": tier}


def namespace_obj(name: str, labels: dict[str, str]) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, labels=labels)}


def service_account(ns: str, name: str, labels: dict) -> Obj:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, ns, labels)}


def config_map(ns: str, name: str, labels: dict, data: dict[str, str]) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name, ns, labels), "data": data}


def secret(ns: str, name: str, labels: dict, data: dict[str, str], type_: str = "Opaque") -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta(name, ns, labels),
        "type": type_,
        "data": data,
    }


def pvc(
    ns: str, name: str, labels: dict, storage_class: str | None, size: str, access: str = "ReadWriteOnce"
) -> Obj:
    spec: Obj = {"accessModes": [access]}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    spec["resources"] = {"requests": {"storage": size}}
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta(name, ns, labels),
        "spec": spec,
    }


def service(
    ns: str,
    name: str,
    labels: dict,
    selector: dict,
    ports: list[Obj],
    *,
    type_: str | None = None,
    headless: bool = False,
    publish_not_ready: bool = False,
) -> Obj:
    spec: Obj = {}
    if type_:
        spec["type"] = type_
    if headless:
        spec["clusterIP"] = "None"
    if publish_not_ready:
        spec["publishNotReadyAddresses"] = True
    spec["selector"] = selector
    spec["ports"] = ports
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, labels), "spec": spec}


def ingress(
    ns: str,
    name: str,
    labels: dict,
    host: str,
    paths: list[tuple[str, str, Any]],
    tls_secret: str | None,
    class_name: str | None,
    legacy_class: bool,
) -> Obj:
    annotations = {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"}
    if legacy_class:
        annotations["kubernetes.io/ingress.class"] = class_name or "nginx"
    spec: Obj = {}
    if class_name and not legacy_class:
        spec["ingressClassName"] = class_name
    if tls_secret:
        spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
    http_paths = []
    for path, svc_name, port in paths:
        port_ref = {"name": port} if isinstance(port, str) else {"number": port}
        http_paths.append(
            {
                "path": path,
                "pathType": "Prefix",
                "backend": {"service": {"name": svc_name, "port": port_ref}},
            }
        )
    spec["rules"] = [{"host": host, "http": {"paths": http_paths}}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(name, ns, labels, annotations),
        "spec": spec,
    }


def pdb(
    ns: str, name: str, labels: dict, selector: dict, min_available: Any = None, max_unavailable: Any = None
) -> Obj:
    spec: Obj = {}
    if min_available is not None:
        spec["minAvailable"] = min_available
    if max_unavailable is not None:
        spec["maxUnavailable"] = max_unavailable
    spec["selector"] = {"matchLabels": selector}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(name, ns, labels),
        "spec": spec,
    }


def hpa(ns: str, name: str, labels: dict, target_kind: str, target: str, lo: int, hi: int, cpu: int) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(name, ns, labels),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": target_kind, "name": target},
            "minReplicas": lo,
            "maxReplicas": hi,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}},
                }
            ],
        },
    }


def workload(kind: str, ns: str, name: str, labels: dict, spec: Obj) -> Obj:
    return {
        "apiVersion": "batch/v1" if kind in ("Job", "CronJob") else "apps/v1",
        "kind": kind,
        "metadata": meta(name, ns, labels),
        "spec": spec,
    }


def network_policy(ns: str, name: str, spec: Obj) -> Obj:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(name, ns),
        "spec": spec,
    }
