"""Storage as pods use it: single-node claims shared by many pods, and volumes on the node's disk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from topo.graph.relations import BINDS, MOUNTS, SCALES
from topo.model import Workload
from topo.model.kinds import WORKLOAD_KINDS
from topo.model.objects import HorizontalPodAutoscaler, PersistentVolume, PersistentVolumeClaim
from topo.rules.registry import ERROR, WARNING, Issue, rule

RWO, RWOP = "ReadWriteOnce", "ReadWriteOncePod"
MULTI_NODE_MODES = frozenset({"ReadWriteMany", "ReadOnlyMany"})

#: PersistentVolume sources the attach/detach controller never attaches (so no Multi-Attach
#: check) or that pin every pod to one node (`local`, through the PV's node affinity).
NODE_OR_UNATTACHED_SOURCES = ("nfs", "hostPath", "local")

REPLICATED = ("Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "Rollout")
HOSTNAME_LABEL = "kubernetes.io/hostname"


@rule(
    "pvc-access-mode-conflict",
    title="ReadWriteOnce/ReadWriteOncePod claim used by several pods",
    severity=ERROR,
    kinds=("PersistentVolumeClaim",),
    why_severity=(
        "error: long-running pods hold the claim together, so the second one cannot attach it "
        "(ReadWriteOncePod always, ReadWriteOnce on another node, where the scheduler spreads "
        "replicas). Warning when the sharing is transient: a Job that completes, or replicas an "
        "autoscaler adds under load."
    ),
)
def pvc_access_mode_conflict(claim: PersistentVolumeClaim, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds PersistentVolumeClaims whose access modes allow a single node (`ReadWriteOnce`) or a
        single pod (`ReadWriteOncePod`) but that several pods mount: a Deployment, ReplicaSet,
        ReplicationController or StatefulSet (through `volumes`, not `volumeClaimTemplates`) with
        more than one replica — or an HPA that may scale it beyond one —, a DaemonSet (one pod per
        node), a Job (or CronJob template) with `parallelism` above one, or several workloads
        mounting the same claim. Not counted: the surge pod of a rolling update and overlapping
        CronJob runs (`concurrencyPolicy: Allow`), which need the claim twice only for a while.

        The finding is reported on the claim, the one object every mounting workload shares:
        suppress it there (`topo.dev/ignore` on the PersistentVolumeClaim) when the sharing is
        intended; the message names the workloads.

        `ReadWriteOnce` limits the *node*, not the pod: pods on the same node may share the
        volume. So for `ReadWriteOnce` topo stays quiet when every mounting workload is pinned to
        the same node (`nodeName`, or the same `kubernetes.io/hostname` nodeSelector), when the
        claim binds a declared PersistentVolume that also offers `ReadWriteMany`/`ReadOnlyMany`
        (the attach/detach controller allows multi-attach by the PV's access modes), or one of
        source `nfs`, `hostPath` (never attached, so never refused) or `local` (its node affinity
        puts every pod on one node). `ReadWriteOncePod` is strict: one pod in the whole cluster.

    Why it matters:
        With `ReadWriteOnce` on block storage (cloud disks, most CSI drivers) the second pod
        scheduled on another node stays in `ContainerCreating` with
        `Multi-Attach error for volume ... Volume is already used by pod(s) ...`; scaling up, a
        rolling update or a backup job then hangs. With `ReadWriteOncePod` the scheduler keeps
        every pod but one Pending. Where the storage does let two writers in, two replicas
        writing one database directory corrupt it.

    Example:
        ```yaml
        kind: PersistentVolumeClaim
        metadata: {name: uploads}
        spec:
          accessModes: [ReadWriteOnce]
        ---
        kind: Deployment
        spec:
          replicas: 3                           # three pods, one ReadWriteOnce disk
          template:
            spec:
              volumes: [{name: uploads, persistentVolumeClaim: {claimName: uploads}}]
        ```

    Fix:
        Give each replica its own claim (a StatefulSet with `volumeClaimTemplates`), use a
        `ReadWriteMany` storage class (NFS, CephFS, a cloud file service) when the pods really
        share files, or run a single replica (with `strategy: Recreate` so that a rollout does not
        need the disk twice).

    References:
        - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
        - https://kubernetes.io/blog/2023/04/20/read-write-once-pod-access-mode-beta/
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/volume/attachdetach/reconciler/reconciler.go
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/util/util.go
    """
    modes = set(claim.access_modes)
    if not modes:
        return
    strict = RWOP in modes
    if not strict and (modes - {RWO} or _volume_allows_sharing(claim, ctx)):
        return
    mounters = _mounters(claim, ctx)
    if not mounters:
        return
    if len(mounters) < 2 and not any(several for _, several in mounters):
        return
    if not strict and _pinned_to_one_node([w for w, _ in mounters]):
        return
    who = ", ".join(f"{w.id} ({several})" if several else w.id for w, several in mounters)
    if strict:
        consequence = "only one pod in the cluster may use it; the others stay Pending"
    else:
        consequence = (
            "pods on different nodes cannot attach it (Multi-Attach error) and stay ContainerCreating"
        )
    mode = RWOP if strict else RWO
    # Broken as written only when long-running pods hold the claim together; a Job that finishes
    # releases it (the other pod then starts) and an autoscaler's extra replicas come with load.
    steady = sum(_steady_pods(w) for w, several in mounters)
    transient = steady < 2
    if transient:
        consequence += (
            " while they run together (a Job that completes, or replicas the autoscaler adds under load)"
        )
    yield Issue(
        f"{mode} claim is mounted by {who}: {consequence}",
        hint="give each pod its own claim (StatefulSet volumeClaimTemplates), use a ReadWriteMany storage class, "
        "or run a single pod",
        related=tuple(w.id for w, _ in mounters),
        severity=WARNING if transient else None,
    )


def _steady_pods(workload: Workload) -> int:
    """Pods of a long-running workload that run at all times (2 standing for "several")."""
    if not workload.is_long_running:
        return 0
    if workload.kind == "DaemonSet":
        return 2
    return max(workload.replicas if workload.replicas is not None else 1, 0)


def _mounters(claim: PersistentVolumeClaim, ctx) -> list[tuple[Workload, str | None]]:
    """Each workload mounting the claim, with why it runs several pods at once (None: one pod)."""
    found: dict[str, tuple[Workload, str | None]] = {}
    for source, data in ctx.incoming(claim.id, MOUNTS):
        workload = ctx.get(source)
        if not isinstance(workload, Workload) or source in found:
            continue
        if data.get("ordinal") is not None:
            found[source] = (workload, None)  # a volumeClaimTemplates claim: its own ordinal only
        else:
            found[source] = (workload, _several_pods(workload, ctx))
    return [found[k] for k in sorted(found)]


def _several_pods(workload: Workload, ctx) -> str | None:
    """Why the workload runs more than one pod at a time, or None."""
    if workload.kind == "DaemonSet":
        return "one pod per node"
    if workload.kind in REPLICATED:
        replicas = workload.replicas or 0
        scaled = [
            hpa.max_replicas
            for source, _ in ctx.incoming(workload.id, SCALES)
            if isinstance(hpa := ctx.get(source), HorizontalPodAutoscaler)
        ]
        if scaled and max(scaled) > max(replicas, 1):
            return f"up to {max(scaled)} replicas with its HorizontalPodAutoscaler"
        return f"{replicas} replicas" if replicas > 1 else None
    if workload.job is not None and workload.job.parallelism > 1:
        return f"parallelism {workload.job.parallelism}"
    return None


def _volume_allows_sharing(claim: PersistentVolumeClaim, ctx) -> bool:
    for target, _ in ctx.outgoing(claim.id, BINDS):
        volume = ctx.get(target)
        if not isinstance(volume, PersistentVolume):
            continue
        if MULTI_NODE_MODES & set(volume.access_modes):
            return True
        spec = volume.raw.get("spec")
        if isinstance(spec, dict) and any(
            spec.get(source) is not None for source in NODE_OR_UNATTACHED_SOURCES
        ):
            return True
    return False


def _pinned_to_one_node(workloads: list[Workload]) -> bool:
    nodes = set()
    for workload in workloads:
        node = _pod_spec_raw(workload).get("nodeName") or workload.template.spec.node_selector.get(
            HOSTNAME_LABEL
        )
        if not isinstance(node, str) or not node:
            return False
        nodes.add(node)
    return len(nodes) == 1


def _pod_spec_raw(workload: Workload) -> dict[str, Any]:
    spec = _mapping(workload.raw.get("spec"))
    if workload.kind == "Pod":
        return spec
    if workload.kind == "CronJob":
        spec = _mapping(_mapping(spec.get("jobTemplate")).get("spec"))
    return _mapping(_mapping(spec.get("template")).get("spec"))


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


@rule(
    "host-path-volume",
    title="Pod mounts a directory of the node (hostPath)",
    severity=WARNING,
    kinds=WORKLOAD_KINDS,
    why_severity=(
        "warning: a hygiene and security risk that bites when the pod moves to another node, not "
        "a failure as written."
    ),
)
def host_path_volume(workload: Workload, ctx) -> Iterator[Issue]:
    """
    What it does:
        Finds workloads whose pod template has a `hostPath` volume.

    Why it matters:
        A hostPath volume is a directory of whichever node the pod lands on: the data stays behind
        when the pod moves, replicas on different nodes see different files, and a writable mount
        of a system path (`/`, `/etc`, `/var/run/docker.sock`, `/var/lib/kubelet`) hands the node
        to whoever controls the container — the Pod Security Standards' Baseline profile forbids
        hostPath volumes for that reason. Node agents (log shippers, CSI node plugins, monitoring)
        need them; application workloads should use a PersistentVolumeClaim, an emptyDir, or a
        `local` PersistentVolume with node affinity.

    Example:
        ```yaml
        volumes:
          - name: data
            hostPath: {path: /srv/mariadb, type: DirectoryOrCreate}
        ```

    Fix:
        Use a PersistentVolumeClaim (or an emptyDir for scratch space). For node agents that need
        the host's files, mount only the paths needed, read-only where possible, and suppress the
        finding on the workload with `topo.dev/ignore: "host-path-volume: why"`.

    References:
        - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
        - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    """
    spec = workload.template.spec
    indexes = [i for i, v in enumerate(spec.volumes) if v.source_type == "hostPath"]
    if not indexes:
        return
    volumes = [spec.volumes[i] for i in indexes]
    shown = []
    for volume in volumes:
        source = _mapping(_mapping(volume.raw).get("hostPath"))
        path = source.get("path") if isinstance(source.get("path"), str) else "?"
        kind = f", type {source['type']}" if isinstance(source.get("type"), str) and source["type"] else ""
        shown.append(f"{volume.name!r} ({path}{kind})")
    yield Issue(
        f"hostPath volume{'s' if len(shown) > 1 else ''} {', '.join(shown)}: node-local files that stay behind when the "
        "pod moves and expose the node to the container",
        hint="use a PersistentVolumeClaim or an emptyDir; on node agents that need it, mount read-only and suppress this",
        path=f"{spec.path}.volumes[{indexes[0]}].hostPath",
    )
