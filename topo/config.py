"""Cluster assumptions: what the manifests do not say (a `topo.yaml` file, and flags) → Config.

```yaml
# topo.yaml — found in the working directory, or given with --config FILE
namespace: default                 # namespace of objects that do not name one
clusterDomain: cluster.local
kubernetesVersion: "1.32"          # target version for deprecated-api and validation
external:                          # objects that exist in the cluster already
  - Secret/shop/payment-api-key
  - StorageClass/standard
  - IngressClass/nginx
ingressController:                 # who receives traffic from outside (else recognised from input)
  namespace: ingress-nginx
  podLabels: {app.kubernetes.io/name: ingress-nginx}
rules:
  disable: [liveness-probe-missing]
  enable: []                       # rules that are off by default
  severity: {single-replica: error}
failOn: error                      # error | warning | info | none
nodePools: []                      # node model for placement (see docs/config.md)
complete: [StorageClass]           # the input + external list every StorageClass of the cluster
```
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from topo.load.reader import decode_text
from topo.load.yamldocs import ParseFailure, parse_documents
from topo.model.errors import ManifestError
from topo.model.kinds import DEFAULT_CLUSTER_DOMAIN, split_id
from topo.model.quantity import parse_quantity

CONFIG_FILE = "topo.yaml"
SEVERITIES = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "info", "none")
DEFAULT_KUBERNETES_VERSION = "1.34"


class ConfigError(ValueError):
    """The configuration file or a flag is wrong: a usage error (exit code 3)."""


@dataclass(frozen=True)
class IngressControllerConfig:
    namespace: str | None
    pod_labels: Mapping[str, str]


@dataclass(frozen=True)
class Config:
    namespace: str | None = None
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN
    external: frozenset[str] = field(default_factory=frozenset)
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION
    ingress_controller: IngressControllerConfig | None = None
    disabled_rules: frozenset[str] = field(default_factory=frozenset)
    enabled_rules: frozenset[str] = field(default_factory=frozenset)
    severity_overrides: Mapping[str, str] = field(default_factory=dict)
    fail_on: str = "error"
    node_pools: tuple[Mapping[str, Any], ...] = ()
    #: Kinds whose objects the input (with `external`) lists completely: a missing one is an error.
    complete: frozenset[str] = field(default_factory=frozenset)
    source: str | None = None  # the file it was read from

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with the flags that were given (None means: not given)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def kubernetes_minor(self) -> tuple[int, int]:
        major, _, minor = self.kubernetes_version.lstrip("v").partition(".")
        return int(major), int(minor.split(".")[0] or 0)


def load_config(path: str | None = None, directory: str = ".") -> Config:
    """Read `path`, or `topo.yaml` in `directory` when present; defaults otherwise."""
    if path is None:
        candidate = os.path.join(directory, CONFIG_FILE)
        if not os.path.isfile(candidate):
            return Config()
        path = candidate
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read configuration: {error.strerror or error}") from error
    return parse_config(_config_data(raw, path) or {}, path)


def _config_data(raw: bytes, path: str) -> Any:
    """The one YAML document of a configuration file; bad bytes or YAML name their line."""
    try:
        text = decode_text(raw)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (invalid byte 0x{raw[error.start]:02x}); save it as UTF-8"
        ) from error
    documents = []
    for parsed in parse_documents(text):
        if isinstance(parsed, ParseFailure):
            raise ConfigError(f"{path}:{parsed.line}: {parsed.message}")
        documents.append(parsed)
    if len(documents) > 1:
        raise ConfigError(f"{path}:{documents[1].line}: expected one YAML document, found {len(documents)}")
    return documents[0].value if documents else None


def parse_config(data: Any, path: str = CONFIG_FILE) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    known = {
        "namespace",
        "clusterDomain",
        "kubernetesVersion",
        "external",
        "ingressController",
        "rules",
        "failOn",
        "nodePools",
        "complete",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    rules = _mapping(data.get("rules"), f"{path}: rules")
    severity = _mapping(rules.get("severity"), f"{path}: rules.severity")
    for rule_id, level in severity.items():
        if level not in SEVERITIES:
            raise ConfigError(f"{path}: rules.severity.{rule_id}: expected one of {', '.join(SEVERITIES)}")
    fail_on = str(data.get("failOn", "error"))
    if fail_on not in FAIL_ON:
        raise ConfigError(f"{path}: failOn: expected one of {', '.join(FAIL_ON)}")
    external = _strings(data.get("external"), f"{path}: external")
    for object_id in external:
        try:
            split_id(object_id)
        except ValueError as error:
            raise ConfigError(f"{path}: external: {error}") from error
    version = str(data.get("kubernetesVersion", DEFAULT_KUBERNETES_VERSION))
    if not _is_version(version):
        raise ConfigError(f"{path}: kubernetesVersion: expected MAJOR.MINOR such as 1.32, got {version!r}")
    return Config(
        namespace=_optional_string(data.get("namespace"), f"{path}: namespace"),
        cluster_domain=_optional_string(data.get("clusterDomain"), f"{path}: clusterDomain")
        or DEFAULT_CLUSTER_DOMAIN,
        external=frozenset(external),
        kubernetes_version=version,
        ingress_controller=_ingress_controller(data.get("ingressController"), path),
        disabled_rules=frozenset(_strings(rules.get("disable"), f"{path}: rules.disable")),
        enabled_rules=frozenset(_strings(rules.get("enable"), f"{path}: rules.enable")),
        severity_overrides=dict(severity),
        fail_on=fail_on,
        node_pools=_node_pools(data.get("nodePools"), path),
        complete=frozenset(_complete_kinds(data.get("complete"), path)),
        source=path,
    )


_NODE_POOL_KEYS = frozenset(
    {"name", "count", "labels", "taints", "zone", "zones", "allocatable", "unschedulable"}
)
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _node_pools(value: Any, path: str) -> tuple[Mapping[str, Any], ...]:
    """Check the shape of `nodePools:` (the node model of docs/availability.md); keep the mappings."""
    pools, names = [], set()
    for index, item in enumerate(_list(value, f"{path}: nodePools")):
        where = f"{path}: nodePools[{index}]"
        pool = _mapping(item, where)
        unknown = sorted(set(pool) - _NODE_POOL_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(map(str, unknown))} (known: {', '.join(sorted(_NODE_POOL_KEYS))})"
            )
        name = pool.get("name")
        if not isinstance(name, str) or not name or name in names:
            raise ConfigError(f"{where}.name: expected a unique, non-empty string")
        names.add(name)
        count = pool.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ConfigError(f"{where}.count: expected a whole number >= 0")
        labels = _mapping(pool.get("labels"), f"{where}.labels")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
            raise ConfigError(f"{where}.labels: expected a mapping of strings to strings (quote numbers)")
        for t_index, taint in enumerate(_list(pool.get("taints"), f"{where}.taints")):
            taint = _mapping(taint, f"{where}.taints[{t_index}]")
            if (
                not isinstance(taint.get("key"), str)
                or not taint.get("key")
                or taint.get("effect") not in _TAINT_EFFECTS
            ):
                raise ConfigError(
                    f"{where}.taints[{t_index}]: expected {{key, value, effect}} with effect one of {', '.join(_TAINT_EFFECTS)}"
                )
            if not isinstance(taint.get("value", ""), str):
                raise ConfigError(f"{where}.taints[{t_index}].value: expected a string")
        if "zone" in pool and "zones" in pool:
            raise ConfigError(f"{where}: give zone or zones, not both")
        _optional_string(pool.get("zone"), f"{where}.zone")
        _strings(pool.get("zones"), f"{where}.zones")
        for resource, quantity in _mapping(pool.get("allocatable"), f"{where}.allocatable").items():
            try:
                parse_quantity(quantity, f"allocatable.{resource}")
            except ManifestError as error:
                raise ConfigError(f"{where}.{error}") from error
        if not isinstance(pool.get("unschedulable", False), bool):
            raise ConfigError(f"{where}.unschedulable: expected true or false")
        pools.append(pool)
    return tuple(pools)


#: Kinds `complete:` accepts: the ones whose absence a rule reports with a severity that depends on
#: whether the cluster may hold objects the input does not list.
COMPLETE_KINDS = ("StorageClass",)


def _complete_kinds(value: Any, path: str) -> list[str]:
    kinds = _strings(value, f"{path}: complete")
    for kind in kinds:
        if kind not in COMPLETE_KINDS:
            raise ConfigError(f"{path}: complete: {kind!r} is not one of {', '.join(COMPLETE_KINDS)}")
    return kinds


def _ingress_controller(value: Any, path: str) -> IngressControllerConfig | None:
    if value is None:
        return None
    mapping = _mapping(value, f"{path}: ingressController")
    labels = _mapping(mapping.get("podLabels"), f"{path}: ingressController.podLabels")
    return IngressControllerConfig(
        namespace=_optional_string(mapping.get("namespace"), f"{path}: ingressController.namespace"),
        pod_labels={str(k): str(v) for k, v in labels.items()},
    )


def _is_version(text: str) -> bool:
    parts = text.lstrip("v").split(".")
    return len(parts) >= 2 and all(p.isdigit() for p in parts[:2])


def _mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list")
    return value


def _strings(value: Any, where: str) -> list[str]:
    items = _list(value, where)
    if not all(isinstance(item, str) for item in items):
        raise ConfigError(f"{where}: expected a list of strings")
    return items


def _optional_string(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string")
    return value
