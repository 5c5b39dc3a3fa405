"""Documents → a Model: typed objects keyed by id, in input order, with the load errors so far.

Also where live-cluster dumps are made to look like manifests: objects owned by another object
of the input (a ReplicaSet owned by a Deployment, a Job owned by a CronJob, a Pod owned by any of
them) fold into their owner, so replicas appear once, as a workload.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from topo.load.source import Document, LoadError, LoadWarning, Source, note_where
from topo.model.api_groups import is_builtin_group, same_resource
from topo.model.controller_labels import controller_pod_labels
from topo.model.elsewhere import notes_on_what_is_elsewhere
from topo.model.errors import ManifestError
from topo.model.kinds import CLUSTER_SCOPED_KINDS, DEFAULT_CLUSTER_DOMAIN, DEFAULT_NAMESPACE, make_id
from topo.model.objects import K8sObject, PersistentVolumeClaim, Workload
from topo.model.parse_objects import parse_object
from topo.model.secrets import secret_text_data
from topo.model.selectors import LabelIndex
from topo.model.workload_ref import resolve_workload_refs

T = TypeVar("T", bound=K8sObject)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The same id declared twice: the later declaration wins."""

    id: str
    kept: Source
    dropped: Source


@dataclass(frozen=True)
class Model:
    """Every object of the input by id (input order), and what went wrong loading it."""

    objects: Mapping[str, K8sObject]
    errors: tuple[LoadError, ...] = ()
    warnings: tuple[LoadWarning, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN
    default_namespace: str = DEFAULT_NAMESPACE
    # per-run caches: objects by kind or type (tuples), and the template index
    _by_kind: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def get(self, object_id: str) -> K8sObject | None:
        return self.objects.get(object_id)

    def __contains__(self, object_id: str) -> bool:
        return object_id in self.objects

    def of_kind(self, kind: str) -> tuple[K8sObject, ...]:
        """Objects of one kind, in input order (cached: the model never changes)."""
        if kind not in self._by_kind:
            self._by_kind[kind] = tuple(o for o in self.objects.values() if o.kind == kind)
        return self._by_kind[kind]

    def of_type(self, cls: type[T]) -> tuple[T, ...]:
        key = f"<{cls.__name__}>"
        if key not in self._by_kind:
            self._by_kind[key] = tuple(o for o in self.objects.values() if isinstance(o, cls))
        return self._by_kind[key]

    @property
    def workloads(self) -> tuple[Workload, ...]:
        return self.of_type(Workload)

    def template_index(self) -> LabelIndex[str]:
        """Pod-template labels of every namespaced workload, indexed once for all selector matching
        (Services, PDBs, NetworkPolicies, placement, reachability)."""
        key = "<template-index>"
        if key not in self._by_kind:
            index: LabelIndex[str] = LabelIndex()
            for workload in self.workloads:
                if workload.namespace is not None:
                    index.add(
                        workload.namespace,
                        workload.id,
                        workload.template.labels,
                        controller_pod_labels(workload),
                    )
            self._by_kind[key] = index
        return self._by_kind[key]

    def secret_texts(self, secret_id: str) -> Mapping[str, str]:
        """The text values of a Secret of the input (topo.model.secrets.secret_text_data), decoded
        on first use: only the Secrets that some workload reads pay for it. Empty for a missing
        Secret or another kind."""
        key = f"<secret-texts>{secret_id}"
        if key not in self._by_kind:
            secret = self.objects.get(secret_id)
            self._by_kind[key] = (
                secret_text_data(secret.raw) if secret is not None and secret.kind == "Secret" else {}
            )
        return self._by_kind[key]

    def namespaces(self) -> list[str]:
        """Every namespace that holds an object or is declared, sorted."""
        names = {o.namespace for o in self.objects.values() if o.namespace is not None}
        names.update(o.name for o in self.of_kind("Namespace"))
        return sorted(names)


def build_model(
    documents: Iterable[Document],
    errors: Iterable[LoadError] = (),
    warnings: Iterable[LoadWarning] = (),
    namespace: str | None = None,
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN,
) -> Model:
    """Parse each document; bad ones become load errors, the rest are kept by id (last one wins)."""
    documents = list(documents)
    errors, warnings = list(errors), list(warnings)
    default_namespace = namespace or DEFAULT_NAMESPACE
    cluster_scoped = CLUSTER_SCOPED_KINDS | _cluster_scoped_custom_kinds(documents)
    objects: dict[str, K8sObject] = {}
    duplicates: list[Duplicate] = []
    for document in documents:
        parsed = _parse(document, default_namespace, cluster_scoped, errors)
        if parsed is None:
            continue
        if parsed.id in objects and not same_resource(objects[parsed.id].group, parsed.group):
            kept, left_out = _one_of_two_resources(objects[parsed.id], parsed)
            warnings.append(_left_out_note(kept, left_out))
            objects[parsed.id] = kept
            continue
        if parsed.id in objects:
            earlier = objects.pop(parsed.id).source
            duplicates.append(Duplicate(parsed.id, parsed.source, earlier))
            warnings.append(
                LoadWarning(
                    document.source.file,
                    document.source.line,
                    f"{parsed.id} is declared again (first at {earlier}); the later declaration is used",
                )
            )
        objects[parsed.id] = parsed
    objects = _fold_owned_objects(objects, warnings)
    objects = _add_claims_from_templates(objects)
    objects = resolve_workload_refs(objects, warnings)
    warnings.extend(notes_on_what_is_elsewhere(objects.values()))
    return Model(
        objects=objects,
        errors=tuple(errors),
        warnings=tuple(warnings),
        duplicates=tuple(duplicates),
        cluster_domain=cluster_domain,
        default_namespace=default_namespace,
    )


def _one_of_two_resources(earlier: K8sObject, later: K8sObject) -> tuple[K8sObject, K8sObject]:
    """(kept, left out) of two objects of different API groups that share an id: the built-in
    one, whose references topo follows, else the later one (as for a duplicate)."""
    if is_builtin_group(earlier.group) and not is_builtin_group(later.group):
        return earlier, later
    return later, earlier


def _left_out_note(kept: K8sObject, left_out: K8sObject) -> LoadWarning:
    return LoadWarning(
        left_out.source.file,
        left_out.source.line,
        f"{left_out.id} of {left_out.api_version} is another object than the {kept.api_version} one at "
        f"{kept.source} (another API group), but topo knows objects by kind, namespace and name: "
        f"it analyses the {kept.api_version} one and leaves this one out",
        level="info",
    )


def _parse(
    document: Document, default_namespace: str, cluster_scoped: frozenset[str], errors: list[LoadError]
):
    data = document.data
    kind = data["kind"]
    metadata = data["metadata"]
    namespace = None if kind in cluster_scoped else (metadata.get("namespace") or default_namespace)
    try:
        return parse_object(data, document.source, namespace)
    except ManifestError as error:
        object_id = make_id(kind, namespace, metadata.get("name"))
        errors.append(LoadError(document.source.file, document.source.line, f"{object_id}: {error}"))
    except RecursionError:
        errors.append(LoadError(document.source.file, document.source.line, f"{kind}: nested too deeply"))
    except Exception as error:
        note_where(error, f"reading {make_id(kind, namespace, metadata.get('name'))} ({document.source})")
        raise
    return None


def _cluster_scoped_custom_kinds(documents: list[Document]) -> frozenset[str]:
    """Kinds that a CustomResourceDefinition of the input declares with `scope: Cluster`."""
    kinds = set()
    for document in documents:
        data = document.data
        if data.get("kind") != "CustomResourceDefinition":
            continue
        spec = data.get("spec")
        if isinstance(spec, dict) and spec.get("scope") == "Cluster":
            names = spec.get("names")
            if isinstance(names, dict) and isinstance(names.get("kind"), str):
                kinds.add(names["kind"])
    return frozenset(kinds)


# --- live-cluster dumps -------------------------------------------------------------------------
#
# A Pod stands for its owner the way np-guard's netpol-analyzer groups pods into workloads
# (pkg/netpol/eval/internal/k8s/peer.go WorkloadPeer: the owner's name, its kind or `Pod` when
# the reference has none). A Pod folds into an owner of the input only when it is a replica of
# that owner's template; otherwise it stays an object of its own, with its own findings.


def _controller_owner(obj: K8sObject) -> str | None:
    """The id of the controller named in ownerReferences (the first owner when none says so).

    A reference without a `kind` names a workload all the same: np-guard calls it a `Pod`.
    """
    references = obj.raw.get("metadata", {}).get("ownerReferences")
    if not isinstance(references, list):
        return None
    candidates = [
        r
        for r in references
        if isinstance(r, dict)
        and isinstance(r.get("name"), str)
        and r["name"]
        and (r.get("kind") is None or isinstance(r.get("kind"), str))
    ]
    if not candidates:
        return None
    owner = next((r for r in candidates if r.get("controller") is True), candidates[0])
    kind = owner.get("kind") or "Pod"
    namespace = None if kind in CLUSTER_SCOPED_KINDS else obj.namespace
    return make_id(kind, namespace, owner["name"])


def _fold_owned_objects(
    objects: dict[str, K8sObject], warnings: list[LoadWarning] | None = None
) -> dict[str, K8sObject]:
    """Replace owned ReplicaSets/Jobs/Pods by their owner workload (or a stand-in for it)."""
    if not any(_controller_owner(o) for o in objects.values() if isinstance(o, Workload)):
        return objects
    alias: dict[str, str] = {}
    for obj in objects.values():
        owner = _controller_owner(obj) if isinstance(obj, Workload) and obj.kind != "Pod" else None
        if owner and isinstance(objects.get(owner), Workload):
            alias[obj.id] = owner
    folded: dict[str, list[Workload]] = {}
    for obj in objects.values():
        if isinstance(obj, Workload) and obj.kind == "Pod":
            owner = _controller_owner(obj)
            if not owner or owner.startswith("Node/") or owner == obj.id:
                continue
            direct = objects.get(owner)
            if direct is not None and not (isinstance(direct, Workload) and _is_replica(obj, direct)):
                continue  # owned by a custom resource, or not a replica of the owner's template: kept
            while owner in alias:
                owner = alias[owner]
            folded.setdefault(owner, []).append(obj)
    result: dict[str, K8sObject] = {}
    pod_ids = {pod.id for pods in folded.values() for pod in pods}
    for object_id, obj in objects.items():
        if object_id in alias or object_id in pod_ids:
            continue
        result[object_id] = obj
    for owner, pods in folded.items():
        names = tuple(pod.name for pod in pods)
        owner_object = result.get(owner)
        if isinstance(owner_object, Workload):
            result[owner] = dataclasses.replace(owner_object, folded_pods=names)
        elif owner not in result:
            result[owner] = _stand_in_for_owner(owner, pods, names, warnings)
    return result


def _is_replica(pod: Workload, owner: Workload) -> bool:
    """Whether `pod` is what `owner` creates from its template: the owner's selector matches it,
    it carries the template's labels and has every container of the template with its image
    (controllers and admission webhooks only add: pod-template-hash, an injected sidecar), and
    nothing in it is invalid (a replica's findings are its template's; an invalid field is the
    pod's own)."""
    if pod.invalid_fields or not _has_template(owner):
        return False
    if owner.selector is not None and not owner.selector.matches(pod.pod_labels):
        return False
    labels = pod.pod_labels
    if any(labels.get(key) != value for key, value in owner.template.labels.items()):
        return False
    return set(_containers(owner)) <= set(_containers(pod))


def _has_template(owner: Workload) -> bool:
    spec = owner.raw.get("spec")
    return isinstance(spec, dict) and bool(spec)


def _containers(workload: Workload) -> tuple[tuple[str, str | None], ...]:
    spec = workload.template.spec
    return tuple(sorted((c.name, c.image) for c in spec.init_containers + spec.containers))


def _stand_in_for_owner(
    owner: str, pods: list[Workload], names: tuple[str, ...], warnings: list[LoadWarning] | None = None
) -> Workload:
    """A workload standing for an owner that is not in the input, built from its live pods.

    Its pod labels are the keys every pod carries (controllers add per-pod labels such as
    `statefulset.kubernetes.io/pod-name`), with the first pod's values; the pod spec is the
    first pod's. When the pods differ
    in labels or containers a warning says so. The pods are kept in `folded_from`, so that
    `manifest-invalid` still checks each of them.
    """
    first = pods[0]
    kind, name = owner.split("/", 1)[0], owner.rsplit("/", 1)[1]
    labels = _common_labels(pods)
    template = (
        first.template
        if labels == first.template.labels
        else dataclasses.replace(first.template, labels=labels)
    )
    differing = [
        p.name for p in pods[1:] if p.pod_labels != first.pod_labels or _containers(p) != _containers(first)
    ]
    if differing and warnings is not None:
        warnings.append(
            LoadWarning(
                first.source.file,
                first.source.line,
                f"{owner}: its pods differ ({', '.join(differing[:3])}{', ...' if len(differing) > 3 else ''} from "
                f"{first.name}): analysed as one workload with the labels they share and the containers of {first.name}",
            )
        )
    return Workload(
        id=owner,
        kind=kind,
        api_version="apps/v1"
        if kind in ("ReplicaSet", "StatefulSet", "DaemonSet", "Deployment")
        else first.api_version,
        namespace=first.namespace,
        name=name,
        labels={},
        annotations={},
        source=first.source,
        raw={
            "apiVersion": first.api_version,
            "kind": kind,
            "metadata": {"name": name, "namespace": first.namespace},
        },
        replicas=None if kind == "DaemonSet" else len(pods),
        selector=None,
        template=template,
        folded_pods=names,
        folded_from=tuple(pods),
    )


def _common_labels(pods: list[Workload]) -> Mapping[str, str]:
    """The label keys every pod carries, with the first pod's values (a selector that tells the
    pods apart by value cannot be answered for the workload; the warning says they differ)."""
    labels = pods[0].pod_labels
    for pod in pods[1:]:
        if pod.pod_labels.keys() != labels.keys():
            labels = {key: value for key, value in labels.items() if key in pod.pod_labels}
    return labels


# --- StatefulSet claims -------------------------------------------------------------------------


def _add_claims_from_templates(objects: dict[str, K8sObject]) -> dict[str, K8sObject]:
    """One claim per ordinal and template, `<template>-<statefulset>-<ordinal>` (input ones win)."""
    generated: dict[str, K8sObject] = {}
    for obj in objects.values():
        if isinstance(obj, Workload) and obj.claim_templates:
            for claim in _ordinal_claims(obj):
                if claim.id not in objects and claim.id not in generated:
                    generated[claim.id] = claim
    if not generated:
        return objects
    return {**objects, **generated}


def ordinal_claim_names(statefulset: Workload, template: PersistentVolumeClaim) -> Iterator[tuple[int, str]]:
    for ordinal in statefulset_ordinals(statefulset):
        yield ordinal, f"{template.name}-{statefulset.name}-{ordinal}"


#: Pods (and claims from volumeClaimTemplates) materialised per StatefulSet; the ordinals beyond
#: are summarised (docs/architecture.md, "Bounded work"): their DNS names still resolve, by
#: arithmetic, and availability numbers use the replica count, never a list of pods.
MAX_ORDINALS = 1_000


def statefulset_ordinals(statefulset: Workload) -> range:
    """Ordinals of a StatefulSet's pods that are materialised: `spec.ordinals.start` .. start +
    replicas - 1, at most MAX_ORDINALS of them (`all_statefulset_ordinals` has the whole range)."""
    every = all_statefulset_ordinals(statefulset)
    return every[:MAX_ORDINALS]


def all_statefulset_ordinals(statefulset: Workload) -> range:
    """Every ordinal of a StatefulSet's pods (a range: never materialised)."""
    replicas = statefulset.replicas or 0
    return range(statefulset.ordinals_start, statefulset.ordinals_start + replicas)


def _ordinal_claims(statefulset: Workload) -> Iterator[PersistentVolumeClaim]:
    for template in statefulset.claim_templates:
        for ordinal, name in ordinal_claim_names(statefulset, template):
            yield dataclasses.replace(
                template,
                id=make_id("PersistentVolumeClaim", statefulset.namespace, name),
                name=name,
                ordinal=ordinal,
                generated_by=statefulset.id,
            )
