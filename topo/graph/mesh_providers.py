"""Istio's mesh configuration: which of its extension providers a workload's proxy calls
(topo.graph.link_calls reads the rest of the text as any other configuration).

The mesh config (the `mesh` key of the ConfigMap `istio`, `istio-<revision>` with revisions) lists
`extensionProviders`: external authorizers (`envoyExtAuthzHttp`, `envoyExtAuthzGrpc`), tracers,
access-log and metrics sinks, each a `name` and a `service` address. Every Istio gateway mounts
that ConfigMap, but a provider is only a definition: istiod configures a proxy to call it only
when a resource that selects the proxy's workload names it
(https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider):

- an AuthorizationPolicy (security.istio.io) with `action: CUSTOM` and `provider.name`
  (https://istio.io/latest/docs/reference/config/security/authorization-policy/): it applies to
  the workloads of its namespace its `selector.matchLabels` selects (all of them without a
  selector), and a policy in the root namespace to the workloads of every namespace;
- a Telemetry (telemetry.istio.io) whose `tracing`, `accessLogging` or `metrics` entries name the
  provider under `providers` (https://istio.io/latest/docs/tasks/observability/telemetry/): it
  applies to its namespace's workloads as selected, and one in the root namespace without a
  selector to the whole mesh (a workload selector there is ignored);
- `defaultProviders` of the mesh config itself: every proxy.

With `targetRef`/`targetRefs` instead of a selector (Gateway API gateways) a resource applies to
the Gateway's deployment, whose pods carry `gateway.networking.k8s.io/gateway-name: <gateway>`.
The root namespace is the mesh config's `rootNamespace`, `istio-system` when it names none.

A provider no such resource names stays a definition, and its address is no call of the
workload (kubeflow/manifests: the oauth2-proxy authorizer serves only the ingress gateway that
its CUSTOM policy selects, not the cluster-local gateway that mounts the same mesh config).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from topo.load.nesting import too_deep
from topo.load.yamldocs_base import SafeLoader
from topo.model import Model
from topo.model.objects import K8sObject, Workload

MESH_KEY = "mesh"
DEFAULT_ROOT_NAMESPACE = "istio-system"
_TELEMETRY_SECTIONS = ("tracing", "accessLogging", "metrics")
_GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"


def mesh_text_for(model: Model, workload: Workload, key: str, text: str) -> str:
    """`text` without the extension providers that `workload`'s proxy does not call, when it is an
    Istio mesh config (a `mesh` key) that lists some; else `text` itself."""
    if key != MESH_KEY or "extensionProviders" not in text or too_deep(text) is not None:
        return text
    try:
        mesh = yaml.load(text, Loader=SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return text
    if not isinstance(mesh, dict) or not isinstance(mesh.get("extensionProviders"), list):
        return text
    providers = mesh["extensionProviders"]
    used = _used_providers(model, workload, mesh)
    kept = [p for p in providers if not isinstance(p, dict) or p.get("name") in used]
    if len(kept) == len(providers):
        return text
    return yaml.safe_dump({**mesh, "extensionProviders": kept}, sort_keys=False)


def _used_providers(model: Model, workload: Workload, mesh: Mapping[str, Any]) -> set[str]:
    root = mesh.get("rootNamespace") if isinstance(mesh.get("rootNamespace"), str) else None
    root = root or DEFAULT_ROOT_NAMESPACE
    used = set(_names_in_sections(mesh.get("defaultProviders"), lambda entry: [entry]))
    for policy in model.of_kind("AuthorizationPolicy"):
        spec = _spec(policy, "security.istio.io")
        provider = spec.get("provider")
        if (
            spec.get("action") == "CUSTOM"
            and isinstance(provider, dict)
            and isinstance(provider.get("name"), str)
            and _applies(policy, spec, workload, root, root_selects_everywhere=True)
        ):
            used.add(provider["name"])
    for telemetry in model.of_kind("Telemetry"):
        spec = _spec(telemetry, "telemetry.istio.io")
        if spec and _applies(telemetry, spec, workload, root, root_selects_everywhere=False):
            used.update(_names_in_sections(spec, _providers_of))
    return used


def _spec(obj: K8sObject, group: str) -> Mapping[str, Any]:
    spec = obj.raw.get("spec") if obj.group == group else None
    return spec if isinstance(spec, dict) else {}


def _applies(
    obj: K8sObject, spec: Mapping[str, Any], workload: Workload, root: str, *, root_selects_everywhere: bool
) -> bool:
    """Whether the resource configures `workload`'s proxy (its selector, target refs, namespace)."""
    labels = workload.template.labels
    refs = spec.get("targetRefs")
    targets = [
        t for t in [spec.get("targetRef"), *(refs if isinstance(refs, list) else [])] if isinstance(t, dict)
    ]
    if targets:
        return obj.namespace == workload.namespace and any(
            t.get("kind") == "Gateway" and labels.get(_GATEWAY_NAME_LABEL) == t.get("name") for t in targets
        )
    selector = spec.get("selector")
    match_labels = selector.get("matchLabels") if isinstance(selector, dict) else None
    if not match_labels:
        return obj.namespace in (workload.namespace, root)
    if obj.namespace != workload.namespace and not (obj.namespace == root and root_selects_everywhere):
        return False
    return isinstance(match_labels, dict) and all(labels.get(k) == str(v) for k, v in match_labels.items())


def _names_in_sections(spec: Any, entries_of) -> Iterable[str]:
    """Provider names under `tracing`, `accessLogging` and `metrics` of a mapping."""
    if not isinstance(spec, dict):
        return
    for section in _TELEMETRY_SECTIONS:
        value = spec.get(section)
        for entry in value if isinstance(value, list) else []:
            yield from (name for name in entries_of(entry) if isinstance(name, str))


def _providers_of(entry: Any) -> list[Any]:
    """A Telemetry entry's `providers: [{name: ...}]`."""
    providers = entry.get("providers") if isinstance(entry, dict) else None
    return [p.get("name") for p in providers if isinstance(p, dict)] if isinstance(providers, list) else []
