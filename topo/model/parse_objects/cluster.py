"""Configuration and cluster objects: ConfigMap, Secret (keys only), Namespace, Node."""

from __future__ import annotations

from collections.abc import Callable

from topo.model.fields import Fields
from topo.model.objects import ConfigData, K8sObject, Namespace, Node


def _config_map(doc: Fields, common: dict) -> ConfigData:
    data = doc.str_map("data")
    binary = doc.str_keys("binaryData")
    return ConfigData(**common, keys=tuple(sorted(set(data) | set(binary))), data=data)


def _secret(doc: Fields, common: dict) -> ConfigData:
    keys = set(doc.str_keys("data")) | set(doc.str_keys("stringData"))
    return ConfigData(**common, keys=tuple(sorted(keys)), secret_type=doc.str("type", "Opaque"))


def _namespace(doc: Fields, common: dict) -> Namespace:
    return Namespace(**common)


def _node(doc: Fields, common: dict) -> Node:
    spec = doc.map("spec")
    return Node(
        **common,
        taints=tuple(t.data for t in spec.maps("taints")),
        unschedulable=bool(spec.bool("unschedulable", False)),
        allocatable=doc.map("status").map("allocatable").data,
    )


CLUSTER_PARSERS: dict[str, Callable[[Fields, dict], K8sObject]] = {
    "ConfigMap": _config_map,
    "Secret": _secret,
    "Namespace": _namespace,
    "Node": _node,
}
