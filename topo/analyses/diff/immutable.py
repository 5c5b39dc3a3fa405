"""Changes the API server refuses: a field of an existing object (same kind, namespace and name on
both sides) that cannot be updated, so `kubectl apply` fails and the object must be replaced.

Each check follows the upstream update validation (k8s.io/kubernetes at master):

* Deployment, ReplicaSet, DaemonSet `spec.selector` — "field is immutable" for every API version
  but extensions/v1beta1 (and apps/v1beta1 for Deployments), which are long gone; the request's
  version is NEW's apiVersion (pkg/registry/apps/{deployment,replicaset,daemonset}/strategy.go
  ValidateUpdate). OLD's selector is taken after defaulting: extensions/v1beta1 and apps/v1beta1
  copied the template labels into a missing one (pkg/apis/{extensions,apps}/v1beta1/defaults.go).
* StatefulSet: "updates to statefulset spec for fields other than 'replicas', 'ordinals',
  'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and
  'minReadySeconds' are forbidden" — topo checks `selector`, `serviceName`, `podManagementPolicy`
  and `volumeClaimTemplates` (pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate).
* Job `spec.selector`, `spec.template` and `spec.completionMode` (pkg/apis/batch/validation
  validation.go ValidateJobSpecUpdate, validatePodTemplateUpdate). A suspended Job may change the
  scheduling directives of its template; topo keeps it simple and does not check the template of a
  Job that is suspended in OLD.
* Service `spec.clusterIP` once set, unless either side is an ExternalName
  (pkg/apis/core/validation ValidateServiceUpdate). An empty clusterIP keeps the allocated one
  (pkg/registry/core/service/storage patchAllocatedValues), so only a written value that differs
  from OLD's — or `None` where OLD had an allocated IP — is refused. ipFamilies are not checked.
* ConfigMap and Secret with `immutable: true` in OLD: `data` / `binaryData` and `immutable` itself;
  a Secret's `type` (ValidateConfigMapUpdate, ValidateSecretUpdate).
* RoleBinding and ClusterRoleBinding `roleRef`: "cannot change roleRef"
  (pkg/apis/rbac/validation ValidateRoleBindingUpdate, ValidateClusterRoleBindingUpdate).
* StorageClass `parameters`, `provisioner`, `reclaimPolicy`, `volumeBindingMode`
  (pkg/apis/storage/validation ValidateStorageClassUpdate).
* PersistentVolumeClaim: the spec is "immutable after creation except resources.requests and
  volumeAttributesClassName for bound claims"; a storage request may grow, not shrink
  (ValidatePersistentVolumeClaimUpdate). topo checks accessModes, volumeMode, selector,
  storageClassName and volumeName when both sides write them, and a smaller storage request.

Values are compared as the API compares them (apimachinery Semantic.DeepEqual): a missing and an
empty map or list are equal, defaults written out equal their absence (the defaults of
topo.analyses.diff.defaults; a Job's pod template is compared defaulted), quantities by value. Where
the API fills a field topo cannot see (an allocated IP, a default StorageClass), a change is not
claimed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from topo.analyses.diff.consequences import Highlight
from topo.analyses.diff.defaults import default_of, defaulted, quantity
from topo.analyses.diff.objects import ABSENT, document_changes

KIND = "immutable-field-changed"

#: API versions whose defaulting copied the pod template labels into a missing selector.
_SELECTOR_FROM_TEMPLATE = frozenset({"extensions/v1beta1", "apps/v1beta1"})
#: API versions through which an update may still change the selector (the registry's exemption).
_SELECTOR_MUTABLE_THROUGH = {
    "Deployment": frozenset({"extensions/v1beta1", "apps/v1beta1"}),
    "ReplicaSet": frozenset({"extensions/v1beta1"}),
    "DaemonSet": frozenset({"extensions/v1beta1"}),
}

_VOLUME_MODE = default_of("PersistentVolumeClaim", "spec.volumeMode")

_REPLACE = "delete and recreate it (`kubectl replace --force`) or give it a new name"
_HINTS = {
    "Deployment": "delete and recreate it (`kubectl replace --force`; its pods are replaced) or give it a new name",
    "ReplicaSet": "delete and recreate it (`kubectl replace --force`; its pods are replaced) or give it a new name",
    "DaemonSet": "delete and recreate it (`kubectl replace --force`; its pods are replaced) or give it a new name",
    "StatefulSet": "delete it with `kubectl delete --cascade=orphan` (its pods and claims stay) and apply again",
    "Job": _REPLACE,
    "Service": "delete and recreate it (`kubectl replace --force`)",
    "ConfigMap": "give it a new name (and point its consumers at it) or delete and recreate it",
    "Secret": "give it a new name (and point its consumers at it) or delete and recreate it",
    "RoleBinding": "delete and recreate it (`kubectl replace --force`)",
    "ClusterRoleBinding": "delete and recreate it (`kubectl replace --force`)",
    "StorageClass": "delete and recreate it (`kubectl replace --force`; existing volumes keep their settings)",
    "PersistentVolumeClaim": "create a new claim and move the data (deleting this one may delete its volume)",
}


@dataclass(frozen=True)
class Refusal:
    """One field the API server will not update: its path, both values, and upstream's reason."""

    path: str
    before: Any
    after: Any
    reason: str = "field is immutable"
    #: before and after as stored (defaulted), when they were compared so: only their differences
    #: are named in the sentence.
    stored: tuple[Any, Any] | None = None


def immutable_changes(before_model: Any, after_model: Any) -> tuple[Highlight, ...]:
    """A highlight for each refused field of each declared object present on both sides."""
    old = {i: o for i, o in before_model.objects.items() if o.generated_by is None}
    new = {i: o for i, o in after_model.objects.items() if o.generated_by is None}
    found: list[Highlight] = []
    for object_id in sorted(set(old) & set(new)):
        before, after = old[object_id], new[object_id]
        check = _CHECKS.get(after.kind)
        if check is None or before.kind != after.kind or before.raw == after.raw:
            continue
        if not isinstance(before.raw, Mapping) or not isinstance(after.raw, Mapping):
            continue
        for refusal in check(before.raw, after.raw):
            found.append(Highlight(KIND, object_id, _sentence(object_id, after.kind, refusal)))
    return tuple(found)


def refusals(kind: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Refusal]:
    """The refused fields of an update of one `kind` from document `before` to `after`."""
    check = _CHECKS.get(kind)
    return list(check(before, after)) if check else []


# --- reading documents ---------------------------------------------------------------------------


def _map(value: Any, *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _normal(value: Any) -> Any:
    """The value as Semantic.DeepEqual sees it: nulls, empty maps and empty lists are absent."""
    if isinstance(value, Mapping):
        kept = {k: _normal(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v is not None} or None
    if isinstance(value, list):
        return [_normal(item) for item in value] or None
    return value


def _written(value: Any, default: Any = None) -> Any:
    """A scalar as written, None when absent or equal to the API default (`""` is absent)."""
    return None if value in (None, "", default) else value


def _effective_selector(document: Mapping[str, Any]) -> Any:
    """spec.selector after defaulting; None when it is missing and the API does not fill it."""
    selector = _normal(_map(document, "spec").get("selector"))
    if selector is None and document.get("apiVersion") in _SELECTOR_FROM_TEMPLATE:
        labels = _normal(_map(document, "spec", "template", "metadata").get("labels"))
        selector = {"matchLabels": labels} if labels else None
    return selector


def _with_quantities(resources: Any) -> Any:
    """resources.requests / limits with each quantity as its value (`1Gi` equals `1024Mi`)."""
    if not isinstance(resources, Mapping):
        return resources
    out = dict(resources)
    for part in ("requests", "limits"):
        if isinstance(resources.get(part), Mapping):
            out[part] = {k: quantity(v) for k, v in resources[part].items()}
    return out


def _as_stored(template: Any) -> Any:
    """A volumeClaimTemplate without the fields the API does not keep or fills itself: type
    fields, status, metadata.creationTimestamp, the volumeMode default (Filesystem)."""
    if not isinstance(template, Mapping):
        return template
    out = {k: v for k, v in template.items() if k not in ("apiVersion", "kind", "status")}
    metadata = template.get("metadata")
    if isinstance(metadata, Mapping):
        out["metadata"] = {k: v for k, v in metadata.items() if k != "creationTimestamp"}
    spec = template.get("spec")
    if isinstance(spec, Mapping):
        out["spec"] = {**spec, "volumeMode": _written(spec.get("volumeMode"), _VOLUME_MODE)}
    return out


def _claim_template(template: Any) -> Any:
    """A volumeClaimTemplate as compared: as stored, quantities by value."""
    out = _as_stored(template)
    if isinstance(out, Mapping) and isinstance(out.get("spec"), Mapping):
        out["spec"]["resources"] = _with_quantities(out["spec"].get("resources"))
    return out


# --- checks, one per kind ------------------------------------------------------------------------


def _compare(path: str, before: Any, after: Any, reason: str = "field is immutable") -> Iterable[Refusal]:
    if before != after:
        yield Refusal(path, before, after, reason)


def _controller_selector(kind: str) -> Callable[[Mapping, Mapping], Iterable[Refusal]]:
    def check(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
        if after.get("apiVersion") in _SELECTOR_MUTABLE_THROUGH[kind]:
            return
        old, new = _effective_selector(before), _effective_selector(after)
        if old is not None and new is not None:  # a missing one fails validation, not this rule
            yield from _compare("spec.selector", old, new)

    return check


_STATEFULSET_REASON = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
    "'minReadySeconds' are forbidden"
)


def _statefulset(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    old, new = _map(before, "spec"), _map(after, "spec")
    old_selector, new_selector = _effective_selector(before), _effective_selector(after)
    if old_selector is not None and new_selector is not None:
        yield from _compare("spec.selector", old_selector, new_selector, _STATEFULSET_REASON)
    yield from _compare(
        "spec.serviceName",
        _written(old.get("serviceName")),
        _written(new.get("serviceName")),
        _STATEFULSET_REASON,
    )
    yield from _compare(
        "spec.podManagementPolicy",
        _written(old.get("podManagementPolicy"), default_of("StatefulSet", "spec.podManagementPolicy")),
        _written(new.get("podManagementPolicy"), default_of("StatefulSet", "spec.podManagementPolicy")),
        _STATEFULSET_REASON,
    )
    old_claims, new_claims = old.get("volumeClaimTemplates"), new.get("volumeClaimTemplates")
    if _claim_templates(old_claims, _claim_template) != _claim_templates(new_claims, _claim_template):
        shown = _claim_templates(old_claims, _as_stored), _claim_templates(new_claims, _as_stored)
        yield Refusal("spec.volumeClaimTemplates", *shown, _STATEFULSET_REASON)


def _claim_templates(templates: Any, read: Callable[[Any], Any]) -> Any:
    return _normal([read(t) for t in templates] if isinstance(templates, list) else templates)


def _job(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    old, new = _map(before, "spec"), _map(after, "spec")
    old_selector, new_selector = _normal(old.get("selector")), _normal(new.get("selector"))
    if old_selector is not None and new_selector is not None:  # else generated by the API
        yield from _compare("spec.selector", old_selector, new_selector)
    if old.get("suspend") is not True:  # a suspended Job may change scheduling directives: not checked
        # compared as stored: a pod template default spelled out (or dropped) is no update
        stored = (
            _map(defaulted(before), "spec").get("template"),
            _map(defaulted(after), "spec").get("template"),
        )
        if _normal(stored[0]) != _normal(stored[1]):
            yield Refusal(
                "spec.template", _normal(old.get("template")), _normal(new.get("template")), stored=stored
            )
    mode = default_of("Job", "spec.completionMode")
    yield from _compare(
        "spec.completionMode",
        _written(old.get("completionMode"), mode),
        _written(new.get("completionMode"), mode),
    )


def _cluster_ip(spec: Mapping[str, Any]) -> Any:
    ips = spec.get("clusterIPs")
    return _written(spec.get("clusterIP")) or (_written(ips[0]) if isinstance(ips, list) and ips else None)


def _service(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    old, new = _map(before, "spec"), _map(after, "spec")
    if "ExternalName" in (old.get("type"), new.get("type")):
        return  # an ExternalName Service has no cluster IP, to or from
    old_ip, new_ip = _cluster_ip(old), _cluster_ip(new)
    if new_ip is None:
        return  # an empty clusterIP keeps the allocated one
    if old_ip is not None:
        yield from _compare("spec.clusterIP", old_ip, new_ip)
    elif new_ip == "None":
        yield Refusal("spec.clusterIP", "(allocated)", "None")


def _secret_data(document: Mapping[str, Any]) -> dict[str, Any]:
    """data with stringData merged in, as the API stores it (stringData wins)."""
    data: dict[str, Any] = {}
    for key, value in _map(document, "data").items():
        try:
            data[key] = base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            data[key] = value
    for key, value in _map(document, "stringData").items():
        data[key] = str(value).encode()
    return data


def _frozen_payload(
    before: Mapping[str, Any], after: Mapping[str, Any], payloads: dict[str, tuple[Any, Any]]
) -> Iterable[Refusal]:
    if before.get("immutable") is not True:
        return
    reason = "field is immutable when `immutable` is set"
    if after.get("immutable") is not True:
        yield Refusal("immutable", True, after.get("immutable", ABSENT), reason)
    for path, (old, new) in payloads.items():
        yield from _compare(path, _normal(old), _normal(new), reason)


def _configmap(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    payloads = {key: (before.get(key), after.get(key)) for key in ("data", "binaryData")}
    yield from _frozen_payload(before, after, payloads)


def _secret(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    old_type, new_type = _written(before.get("type")), _written(after.get("type"))
    if old_type is not None and new_type is not None:
        yield from _compare("type", old_type, new_type)
    yield from _frozen_payload(before, after, {"data": (_secret_data(before), _secret_data(after))})


def _role_binding(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    yield from _compare(
        "roleRef", _normal(before.get("roleRef")), _normal(after.get("roleRef")), "cannot change roleRef"
    )


def _storage_class(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    yield from _compare(
        "parameters", _normal(before.get("parameters")), _normal(after.get("parameters")),
        "updates to parameters are forbidden",
    )  # fmt: skip
    yield from _compare(
        "provisioner",
        before.get("provisioner"),
        after.get("provisioner"),
        "updates to provisioner are forbidden",
    )
    yield from _compare(
        "reclaimPolicy",
        _written(before.get("reclaimPolicy"), default_of("StorageClass", "reclaimPolicy")),
        _written(after.get("reclaimPolicy"), default_of("StorageClass", "reclaimPolicy")),
        "updates to reclaimPolicy are forbidden",
    )
    yield from _compare(
        "volumeBindingMode",
        _written(before.get("volumeBindingMode"), default_of("StorageClass", "volumeBindingMode")),
        _written(after.get("volumeBindingMode"), default_of("StorageClass", "volumeBindingMode")),
    )


_CLAIM_REASON = "spec is immutable after creation except resources.requests and volumeAttributesClassName"


def _claim(before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterable[Refusal]:
    old, new = _map(before, "spec"), _map(after, "spec")
    for key in ("accessModes", "selector"):
        yield from _compare(f"spec.{key}", _normal(old.get(key)), _normal(new.get(key)), _CLAIM_REASON)
    yield from _compare(
        "spec.volumeMode",
        _written(old.get("volumeMode"), _VOLUME_MODE),
        _written(new.get("volumeMode"), _VOLUME_MODE),
        _CLAIM_REASON,
    )
    for key in ("storageClassName", "volumeName"):  # filled by the API when missing: both must be written
        old_value, new_value = _written(old.get(key)), _written(new.get(key))
        if old_value is not None and new_value is not None:
            yield from _compare(f"spec.{key}", old_value, new_value, _CLAIM_REASON)
    old_size = _map(old, "resources", "requests").get("storage")
    new_size = _map(new, "resources", "requests").get("storage")
    if old_size is not None and new_size is not None:
        old_value, new_value = quantity(old_size), quantity(new_size)
        if not isinstance(old_value, str) and not isinstance(new_value, str) and new_value < old_value:
            yield Refusal(
                "spec.resources.requests.storage",
                old_size,
                new_size,
                "field can not be less than previous value",
            )


_CHECKS: dict[str, Callable[[Mapping, Mapping], Iterable[Refusal]]] = {
    "Deployment": _controller_selector("Deployment"),
    "ReplicaSet": _controller_selector("ReplicaSet"),
    "DaemonSet": _controller_selector("DaemonSet"),
    "StatefulSet": _statefulset,
    "Job": _job,
    "Service": _service,
    "ConfigMap": _configmap,
    "Secret": _secret,
    "RoleBinding": _role_binding,
    "ClusterRoleBinding": _role_binding,
    "StorageClass": _storage_class,
    "PersistentVolumeClaim": _claim,
}


# --- the sentence --------------------------------------------------------------------------------

_MAX_VALUE = 100
_MAX_CHANGES = 3


def _sentence(object_id: str, kind: str, refusal: Refusal) -> str:
    """`Deployment/shop/web: kubectl apply will be refused — spec.selector cannot change on an
    existing Deployment ("field is immutable"): matchLabels.app web → shop; delete and recreate...`"""
    return (
        f"{object_id}: `kubectl apply` will be refused — {refusal.path} cannot change on an existing {kind} "
        f'("{refusal.reason}"): {_change_text(kind, refusal)}; {_HINTS[kind]}'
    )


def _change_text(kind: str, refusal: Refusal) -> str:
    """`matchLabels.app: web → shop`: up to three changed leaves of the field, or its two values."""
    if kind == "Secret" and refusal.path == "data":
        old, new = refusal.before or {}, refusal.after or {}
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        return f"keys {', '.join(keys)} (values not shown)"
    if isinstance(refusal.before, Mapping | list) and isinstance(refusal.after, Mapping | list):
        leaves = list(document_changes(refusal.before, refusal.after, effective=refusal.stored))
        shown = [
            f"{leaf.path + ': ' if leaf.path else ''}{_value(leaf.before)} → {_value(leaf.after)}"
            for leaf in leaves[:_MAX_CHANGES]
        ]
        more = f" (and {len(leaves) - _MAX_CHANGES} more)" if len(leaves) > _MAX_CHANGES else ""
        return ", ".join(shown) + more
    return f"{_value(refusal.before)} → {_value(refusal.after)}"


def _value(value: Any) -> str:
    if value is None or value is ABSENT:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"
