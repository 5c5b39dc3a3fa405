"""An Argo Rollout's `spec.workloadRef`: its pod template comes from another object of the input.

Upstream (argoproj/argo-rollouts rollout/templateref.go, `infoByGroupKind`): the controller reads
`spec.template` of an apps Deployment or ReplicaSet, or `template` of a core PodTemplate, in the
Rollout's namespace; it takes the referenced object's `spec.selector` only when the Rollout has
none. Any other kind is refused ("workload of type ... is not supported").
"""

from __future__ import annotations

import dataclasses

from topo.load.source import LoadWarning
from topo.model.fields import Fields
from topo.model.kinds import make_id
from topo.model.objects import K8sObject, Workload
from topo.model.parse_pods import parse_pod_template
from topo.model.selectors import parse_label_selector

#: kind → (API group, path of the pod template in the object)
TEMPLATE_SOURCES = {
    "Deployment": ("apps", ("spec", "template")),
    "ReplicaSet": ("apps", ("spec", "template")),
    "PodTemplate": ("", ("template",)),
}


def resolve_workload_refs(objects: dict[str, K8sObject], warnings: list[LoadWarning]) -> dict[str, K8sObject]:
    """Give each Rollout with a `workloadRef` the template (and selector) of the object it names;
    a warning for each reference the input cannot answer, whose Rollout keeps an empty template."""
    result = dict(objects)
    for obj in objects.values():
        if not isinstance(obj, Workload) or obj.rollout is None or obj.rollout.workload_ref is None:
            continue
        ref = obj.rollout.workload_ref
        group = (ref.api_version or "").rpartition("/")[0]
        known = TEMPLATE_SOURCES.get(ref.kind)
        if known is None or known[0] != group:
            warnings.append(
                _warning(
                    obj,
                    f"spec.workloadRef names a {ref.api_version or ''} {ref.kind}, which the Rollouts "
                    "controller does not support (only apps/v1 Deployment, ReplicaSet and v1 PodTemplate): "
                    "it has no pod template, and its pods are not analysed",
                )
            )
            continue
        target_id = make_id(ref.kind, obj.namespace, ref.name)
        target = objects.get(target_id)
        if target is None:
            warnings.append(
                _warning(
                    obj,
                    f"spec.workloadRef names {target_id}, which is not in the input: its pod template "
                    "is unknown, so the pods' probes, references, Services and placement are not analysed; "
                    "give that object to topo",
                )
            )
            continue
        result[obj.id] = _with_template_of(obj, target, known[1])
    return result


def _with_template_of(rollout: Workload, target: K8sObject, path: tuple[str, ...]) -> Workload:
    fields = Fields(target.raw, "", [])
    for key in path:
        fields = fields.map(key)
    selector = rollout.selector
    if selector is None and path[0] == "spec":
        spec = Fields(target.raw, "", []).map("spec")
        if spec.data.get("selector") is not None:
            selector = parse_label_selector(spec.map("selector").data, spec.at("selector"))
    settings = dataclasses.replace(rollout.rollout, template_from=target.id) if rollout.rollout else None
    return dataclasses.replace(
        rollout, template=parse_pod_template(fields), selector=selector, rollout=settings
    )


def _warning(rollout: Workload, text: str) -> LoadWarning:
    return LoadWarning(rollout.source.file, rollout.source.line, f"{rollout.id}: {text}")
