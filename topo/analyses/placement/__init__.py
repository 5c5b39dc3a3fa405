"""Where a workload's pods can run, and how many of them can run at once, on a known node model.

The node model is the Node objects of the input plus the `nodePools:` of topo.yaml. For each
workload topo applies the scheduler's filters (k8s.io/kubernetes pkg/scheduler/framework/plugins):

* NodeUnschedulable — a cordoned node (`spec.unschedulable`) takes only pods that tolerate
  `node.kubernetes.io/unschedulable:NoSchedule`; the node lifecycle controller also puts that taint
  on the node (pkg/controller/nodelifecycle), so it counts for nodeTaintsPolicy too.
* NodeAffinity — `nodeSelector` (every key equal) and required node affinity: nodeSelectorTerms
  ORed, expressions ANDed, operators In/NotIn/Exists/DoesNotExist/Gt/Lt, `matchFields` on
  metadata.name (k8s.io/component-helpers scheduling/corev1/nodeaffinity). An empty term matches
  nothing; NotIn and DoesNotExist match a missing label; Gt/Lt compare integers.
* TaintToleration — taints with effect NoSchedule or NoExecute must be tolerated
  (k8s.io/api core/v1 toleration.go `ToleratesTaint`: empty effect matches every effect, empty key
  with Exists matches every taint, operator Equal (or empty) compares values).
* PodTopologySpread — a node without a DoNotSchedule constraint's topologyKey is refused; a pod may
  not raise its domain's count above the global minimum + maxSkew, the minimum being taken over the
  domains of nodes that have the keys and pass nodeAffinityPolicy (default Honor) and
  nodeTaintsPolicy (default Ignore: tainted nodes the pod cannot use still count, as empty domains);
  fewer domains than minDomains make the minimum 0 (filtering.go `calPreFilterState`, `Filter`).
* InterPodAffinity — required anti-affinity against the workload's own pods allows one pod per
  topology domain (nodes without the topologyKey label are not limited); required affinity to its
  own pods keeps them in one domain.
* NodeResourcesFit / NodePorts — requests (limits when requests are missing; init containers by
  the max rule, sidecars added) against the node's allocatable, `pods` (kubelet default 110) and
  one pod per node with a hostPort.
* VolumeBinding — the `nodeAffinity` of a PersistentVolume a claim is bound to.

Nodes are grouped into classes of identical labels (those any workload looks at), taints,
cordon and allocatable, so 1,000 nodes × 5,000 workloads costs classes × workloads, not nodes ×
workloads. Each workload is placed on empty nodes, on its own: topo does not bin-pack the whole system.
"""

from __future__ import annotations

from topo.analyses.placement.constraints import (
    NodeRequirement,
    NodeTerm,
    PodConstraints,
    PodTerm,
    Spread,
    parse_node_terms,
    pod_constraints,
    pod_requests,
)
from topo.analyses.placement.nodes import (
    DAEMON_TOLERATIONS,
    DEFAULT_MAX_PODS,
    HOSTNAME,
    MAX_POOL_NODES,
    NO_SCHEDULE_EFFECTS,
    POOL_LABELS,
    UNSCHEDULABLE_TAINT,
    ZONE,
    ZONE_KEYS,
    NodeInfo,
    NodeModel,
    Taint,
    Toleration,
    build_node_model,
    node_from_object,
    nodes_from_pool,
    parse_taint,
    parse_toleration,
    untolerated,
)
from topo.analyses.placement.placer import Group, NodeClass, Placement, Placer, node_classes, node_verdict

__all__ = [
    "DAEMON_TOLERATIONS",
    "DEFAULT_MAX_PODS",
    "HOSTNAME",
    "MAX_POOL_NODES",
    "NO_SCHEDULE_EFFECTS",
    "POOL_LABELS",
    "UNSCHEDULABLE_TAINT",
    "ZONE",
    "ZONE_KEYS",
    "Group",
    "NodeClass",
    "NodeInfo",
    "NodeModel",
    "NodeRequirement",
    "NodeTerm",
    "Placement",
    "Placer",
    "PodConstraints",
    "PodTerm",
    "Spread",
    "Taint",
    "Toleration",
    "build_node_model",
    "node_classes",
    "node_from_object",
    "node_verdict",
    "nodes_from_pool",
    "parse_node_terms",
    "parse_taint",
    "parse_toleration",
    "pod_constraints",
    "pod_requests",
    "untolerated",
]
