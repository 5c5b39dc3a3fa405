"""Builders of cluster-scoped objects: StorageClass, IngressClass, PersistentVolume and Node; pure
functions of their arguments."""

from __future__ import annotations

from .objects import meta
from .vocab import Obj


def storage_class(
    name: str, provisioner: str, *, default: bool = False, wait: bool = False, params: dict | None = None
) -> Obj:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else None
    obj: Obj = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": meta(name, annotations=annotations),
        "provisioner": provisioner,
    }
    if params:
        obj["parameters"] = params
    obj["reclaimPolicy"] = "Retain" if wait else "Delete"
    obj["volumeBindingMode"] = "WaitForFirstConsumer" if wait else "Immediate"
    if not wait:
        obj["allowVolumeExpansion"] = True
    return obj


def ingress_class(name: str, controller: str, default: bool) -> Obj:
    annotations = {"ingressclass.kubernetes.io/is-default-class": "true"} if default else None
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": meta(name, labels={"app.kubernetes.io/name": "ingress-nginx"}, annotations=annotations),
        "spec": {"controller": controller},
    }


def persistent_volume(name: str, storage_class_name: str, size: str, node: str, path: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": meta(name, labels={"type": "local"}),
        "spec": {
            "capacity": {"storage": size},
            "volumeMode": "Filesystem",
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": storage_class_name,
            "local": {"path": path},
            "nodeAffinity": {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}
                            ]
                        }
                    ]
                }
            },
        },
    }


def node(name: str, pool: str, zone: str, instance: str, cpu: str, memory: str, taint: dict | None) -> Obj:
    mem_alloc = f"{int(memory[:-2]) * 1024 - 1536}Mi"
    alloc_cpu = f"{int(cpu) * 1000 - 190}m"
    spec: Obj = {"providerID": f"aws:///{zone}/i-{abs(hash_name(name)):016x}"}
    if taint:
        spec["taints"] = [taint]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(
            name,
            labels={
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/zone": zone,
                "topology.kubernetes.io/region": zone[:-1],
                "node.kubernetes.io/instance-type": instance,
                "pool": pool,
            },
        ),
        "spec": spec,
        "status": {
            "capacity": {"cpu": cpu, "memory": memory, "pods": "110", "ephemeral-storage": "100Gi"},
            "allocatable": {
                "cpu": alloc_cpu,
                "memory": mem_alloc,
                "pods": "110",
                "ephemeral-storage": "95Gi",
            },
        },
    }


def hash_name(s: str) -> int:
    """A stable (not PYTHONHASHSEED-dependent) 64-bit hash, FNV-1a."""
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h
