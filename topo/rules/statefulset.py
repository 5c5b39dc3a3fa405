"""StatefulSets: the governing Service that gives each pod its DNS name, and where the data lives.

Upstream: a StatefulSet's `spec.serviceName` becomes each pod's `spec.subdomain` (the controller,
k8s.io/kubernetes pkg/controller/statefulset/stateful_set_utils.go), and the DNS server publishes
`<pod>.<serviceName>.<ns>.svc.<domain>` only for the endpoints of a *headless* Service of that name
that selects the pod (the endpoints controller copies `hostname` into an endpoint address only when
`pod.spec.subdomain` equals the Service's name; github.com/kubernetes/dns docs/specification.md).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace

from topo.graph.relations import CALLS, OWNS
from topo.model import Workload
from topo.model.kinds import make_id
from topo.model.objects import Service
from topo.rules.mounts import EPHEMERAL_SOURCES, data_mounts_of, empty_dir_medium
from topo.rules.registry import ERROR, INFO, WARNING, Issue, rule

STATEFULSET = ("StatefulSet",)
#: Why the three rules about a StatefulSet's governing Service warn (and when they are errors).
PER_POD_DNS_SEVERITY = (
    "warning: nothing breaks until a client needs the per-pod DNS names. Error when something of the "
    "input uses them (`<pod>.<service>` names in its configuration): they do not resolve as written."
)


def per_pod_name_users(statefulset: Workload, ctx) -> list[str]:
    """Workloads of the input (the StatefulSet itself included) that use a per-pod DNS name of its
    pods (`calls` edges to the ordinal pods: `es-master-0.es-master`, ...)."""
    users: set[str] = set()
    for pod, _ in ctx.outgoing(statefulset.id, OWNS):
        users.update(source for source, _ in ctx.incoming(pod, CALLS))
    return sorted(users)


def _per_pod_names_used(statefulset: Workload, ctx, issue: Issue) -> Issue:
    """An error when something uses the per-pod names (they do not resolve), else the warning."""
    users = per_pod_name_users(statefulset, ctx)
    if not users:
        return issue
    shown = ", ".join("itself" if user == statefulset.id else user for user in users[:3])
    more = f" and {len(users) - 3} more" if len(users) > 3 else ""
    return replace(
        issue,
        message=f"{issue.message}; per-pod names are used by {shown}{more}",
        related=tuple(dict.fromkeys((*issue.related, *(u for u in users if u != statefulset.id)))),
        severity=ERROR,
    )


def governing_service_id(statefulset: Workload) -> str | None:
    if not statefulset.service_name:
        return None
    return make_id("Service", statefulset.namespace, statefulset.service_name)


@rule(
    "statefulset-service-missing",
    title="StatefulSet's governing Service is not declared",
    severity=WARNING,
    kinds=STATEFULSET,
    why_severity=PER_POD_DNS_SEVERITY,
)
def statefulset_service_missing(statefulset: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds StatefulSets whose `spec.serviceName` names a Service that is neither in the input
        nor declared `external` in topo.yaml. A StatefulSet without `serviceName` (the field is
        optional) is not checked: it asks for no per-pod DNS names.

    Why it matters:
        The StatefulSet controller gives every pod the subdomain `serviceName`, but the DNS names
        `<pod>.<serviceName>.<namespace>.svc.cluster.local` exist only while a headless Service of
        that name selects the pods. Without the Service no pod has a stable network identity, so
        peers that find each other by ordinal name (database replicas, Elasticsearch seed hosts,
        ZooKeeper/Kafka quorums) never form a cluster.

    Example:
        ```yaml
        kind: StatefulSet
        metadata: {name: es-master}
        spec:
          serviceName: es-masters   # no Service named es-masters (it is called es-master)
        ```

    Fix:
        Declare the headless Service (`clusterIP: None`, selecting the pods) with the name given in
        `serviceName`, fix the name, or list the Service under `external:` in topo.yaml when it is
        created outside these manifests.

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#limitations
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
        - https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-hostname-and-subdomain-fields
    """
    service_id = governing_service_id(statefulset)
    if service_id is None or ctx.exists(service_id):
        return
    hint = "declare a headless Service (clusterIP: None) with this name that selects the pods, or list it under `external:` in topo.yaml"
    closest = _closest_service(statefulset, ctx)
    if closest is not None:
        hint = f"did you mean {closest!r}? Otherwise " + hint
    yield _per_pod_names_used(
        statefulset,
        ctx,
        Issue(
            f"spec.serviceName names Service {statefulset.service_name!r}, which is not declared in namespace "
            f"{statefulset.namespace}: the pods get no per-pod DNS names",
            hint=hint,
            related=(service_id,),
        ),
    )


@rule(
    "statefulset-service-not-headless",
    title="StatefulSet's governing Service is not headless",
    severity=WARNING,
    kinds=STATEFULSET,
    why_severity=PER_POD_DNS_SEVERITY,
)
def statefulset_service_not_headless(statefulset: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds StatefulSets whose governing Service (`spec.serviceName`) is declared but is not
        headless: its `clusterIP` is not `None` (a ClusterIP, NodePort, LoadBalancer or
        ExternalName Service).

    Why it matters:
        Per-pod DNS records (`<pod>.<service>.<namespace>.svc.cluster.local`) are published only
        for headless Services; a Service with a cluster IP gets a single record for the virtual IP.
        The pods' ordinal names resolve to nothing, so replicas that address each other by name
        (replication, quorum, seed hosts) cannot connect. `clusterIP` cannot be changed on an
        existing Service, so the fix is a delete and re-create: better caught before the first
        deploy.

    Example:
        ```yaml
        kind: Service
        metadata: {name: mariadb}
        spec:
          selector: {app: mariadb}
          ports: [{port: 3306}]      # no `clusterIP: None`: not headless
        ---
        kind: StatefulSet
        metadata: {name: mariadb}
        spec:
          serviceName: mariadb
        ```

    Fix:
        Set `clusterIP: None` on the governing Service. When clients also need a load-balanced
        virtual IP, keep a second, ordinary Service for them and let the StatefulSet's
        `serviceName` name the headless one.

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#limitations
        - https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
        - https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#a-aaaa-records-1
    """
    service = _governing_service(statefulset, ctx)
    if service is None or service.headless:
        return
    shown = (
        f"type {service.type}"
        if service.type == "ExternalName"
        else f"clusterIP {service.cluster_ip or '(allocated)'}"
    )
    yield _per_pod_names_used(
        statefulset,
        ctx,
        Issue(
            f"governing Service {service.name!r} is not headless ({shown}): pods such as "
            f"{statefulset.name}-{statefulset.ordinals_start}.{service.name} get no DNS record",
            hint=f"set `clusterIP: None` on {service.id} (re-create it: clusterIP is immutable); keep a separate "
            "ClusterIP Service for clients that want a virtual IP",
            related=(service.id,),
            path="spec.serviceName",
        ),
    )


@rule(
    "statefulset-service-selector-mismatch",
    title="StatefulSet's governing Service does not select its pods",
    severity=WARNING,
    kinds=STATEFULSET,
    why_severity=PER_POD_DNS_SEVERITY,
)
def statefulset_service_selector_mismatch(statefulset: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds StatefulSets whose governing Service (`spec.serviceName`) is declared but whose
        selector does not match the StatefulSet's pod template labels, or which has no selector
        at all. Matching follows upstream label selector semantics (topo.model.selectors).

    Why it matters:
        DNS records for `<pod>.<service>` come from the Service's endpoints. A Service that does
        not select the pods has no endpoints for them, so the per-pod names resolve to nothing,
        and the Service name itself answers with other pods or with nothing. Typical causes: a
        label renamed on one side only, or a Service copied from another component.

    Example:
        ```yaml
        kind: Service
        metadata: {name: es-master}
        spec:
          clusterIP: None
          selector: {role: master}            # the pods are labelled role: es-master
        ---
        kind: StatefulSet
        metadata: {name: es-master}
        spec:
          serviceName: es-master
          template:
            metadata:
              labels: {role: es-master}
        ```

    Fix:
        Make the Service's selector match the pod template labels (a subset of them), or point
        `serviceName` at the Service that does select these pods.

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
        - https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-hostname-and-subdomain-fields
        - https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
    """
    service = _governing_service(statefulset, ctx)
    if service is None or service.type == "ExternalName":
        return  # an ExternalName Service is reported by statefulset-service-not-headless
    labels = statefulset.template.labels
    if not service.has_selector:
        yield _per_pod_names_used(
            statefulset,
            ctx,
            Issue(
                f"governing Service {service.name!r} has no selector, so it has no endpoints for the pods "
                "and their per-pod DNS names resolve to nothing",
                hint=f"give {service.id} a selector matching the pod labels {_labels_text(labels)}",
                related=(service.id,),
                path="spec.serviceName",
            ),
        )
        return
    if service.selector.matches(labels):
        return
    yield _per_pod_names_used(
        statefulset,
        ctx,
        Issue(
            f"governing Service {service.name!r} selects {service.selector.to_text()!r}, which does not match the pod "
            f"template labels {_labels_text(labels)}: the pods get no per-pod DNS names",
            hint=f"make the selector of {service.id} match the pod template labels, or point spec.serviceName at the "
            "Service that selects these pods",
            related=(service.id,),
            path="spec.serviceName",
        ),
    )


# --- where the data lives -------------------------------------------------------------------------


@rule(
    "statefulset-ephemeral-storage",
    title="StatefulSet keeps its data in emptyDir",
    severity=INFO,
    kinds=STATEFULSET,
    why_severity=(
        "info: advice; the data is lost when a pod is replaced, which may be intended for a cache."
    ),
)
def statefulset_ephemeral_storage(statefulset: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds StatefulSets that have no `volumeClaimTemplates`, mount no PersistentVolumeClaim or
        other persistent volume, and whose main containers mount a disk-backed `emptyDir`
        read-write at a data location.

        Not counted as data: `emptyDir` with `medium: Memory` (tmpfs, e.g. `/dev/shm`), read-only
        mounts, volumes only init containers mount, scratch locations (`/tmp`, `/var/tmp`,
        `/dev/shm`, `/run`, `/var/run`, `/var/cache`, `/var/log`, `/etc` and below, or a directory
        named `tmp`, `cache`, `logs`, `conf`, `config`, `sockets`, `csi`, ...), and volumes whose
        name says what they are for (`socket-dir`, `tmp-volume`, `nginx-cache`, `config`...). A
        StatefulSet with any other volume source (hostPath, nfs, csi, a cloud disk...) is left
        alone: its data may live there.

    Why it matters:
        An `emptyDir` lives and dies with the pod: a rolling update, an eviction, a node drain or
        a reschedule starts the pod with an empty directory. A StatefulSet is usually chosen for
        stable storage (`volumeClaimTemplates` give each ordinal its own claim that follows the
        pod); with emptyDir every replacement of a pod is a data loss or a full resync from the
        peers (a container that restarts keeps the directory: it goes with the pod). That is
        sometimes intended (a cache, a test system, a chart with persistence switched off), hence
        `info`.

    Example:
        ```yaml
        kind: StatefulSet
        spec:
          template:
            spec:
              containers:
                - name: mariadb
                  volumeMounts: [{name: data, mountPath: /var/lib/mysql}]
              volumes:
                - name: data
                  emptyDir: {}        # gone with the pod
        ```

    Fix:
        Replace the emptyDir by a `volumeClaimTemplates` entry with the same name (each ordinal
        gets its own PersistentVolumeClaim `<template>-<statefulset>-<ordinal>`), or suppress the
        finding when the data really is disposable.

    References:
        - https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates
        - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-storage
    """
    spec = statefulset.template.spec
    if statefulset.claim_templates:
        return
    if any(volume.source_type not in EPHEMERAL_SOURCES for volume in spec.volumes):
        return  # a claim, hostPath, nfs, csi...: the data may live there
    disk_backed = {
        volume.name
        for volume in spec.volumes
        if volume.source_type == "emptyDir" and empty_dir_medium(volume.raw) != "Memory"
    }
    if not disk_backed:
        return
    data_mounts = [mount for mount in data_mounts_of(statefulset) if mount[1] in disk_backed]
    if not data_mounts:
        return
    shown = ", ".join(f"{name!r} at {path} ({container})" for container, name, path in data_mounts)
    yield Issue(
        f"data lives in emptyDir: {shown}; there are no volumeClaimTemplates, so every replacement of a pod "
        "(a rolling update, an eviction, a reschedule) starts empty",
        hint="turn the emptyDir into a volumeClaimTemplates entry of the same name, or suppress this when the data is disposable",
        path=next(
            (f"{spec.path}.volumes[{i}]" for i, v in enumerate(spec.volumes) if v.name == data_mounts[0][1]),
            None,
        ),
    )


# --- helpers --------------------------------------------------------------------------------------


def _governing_service(statefulset: Workload, ctx) -> Service | None:
    """The declared governing Service (None when unset, missing or only `external`)."""
    service_id = governing_service_id(statefulset)
    service = ctx.get(service_id) if service_id else None
    return service if isinstance(service, Service) else None


def _closest_service(statefulset: Workload, ctx) -> str | None:
    names = [s.name for s in ctx.model.of_type(Service) if s.namespace == statefulset.namespace]
    headless = [
        s.name for s in ctx.model.of_type(Service) if s.namespace == statefulset.namespace and s.headless
    ]
    for candidates in (headless, names):
        found = difflib.get_close_matches(statefulset.service_name or "", candidates, n=1, cutoff=0.6)
        if found:
            return found[0]
    return None


def _labels_text(labels) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(labels.items())) + "}"
