"""The relation names of the graph: a public contract (JSON output, dashboard, users' scripts).

Edges point from the object that depends on something to what it depends on.
"""

ROUTES_TO = "routes-to"  # Ingress or Gateway API route → Service
CLASS = "class"  # Ingress → IngressClass; Gateway → GatewayClass
USES = "uses"  # Ingress or Gateway → TLS Secret; workload → ConfigMap / Secret / ServiceAccount
SELECTS = "selects"  # Service → workload
GOVERNED_BY = "governed-by"  # StatefulSet → Service
OWNS = "owns"  # StatefulSet → ordinal Pod
MOUNTS = "mounts"  # workload → PersistentVolumeClaim
BINDS = "binds"  # PersistentVolumeClaim → PersistentVolume
PROVISIONED_BY = "provisioned-by"  # PersistentVolumeClaim → StorageClass
PROTECTS = "protects"  # PodDisruptionBudget → workload
SCALES = "scales"  # HorizontalPodAutoscaler → workload
ISOLATES = "isolates"  # NetworkPolicy → workload
CALLS = "calls"  # workload → Service or Pod named by DNS
ATTACHES_TO = "attaches-to"  # Gateway API route → Gateway (parentRefs; a Service for mesh routes)

ALL_RELATIONS = (
    ROUTES_TO,
    CLASS,
    USES,
    SELECTS,
    GOVERNED_BY,
    OWNS,
    MOUNTS,
    BINDS,
    PROVISIONED_BY,
    PROTECTS,
    SCALES,
    ISOLATES,
    CALLS,
    ATTACHES_TO,
)
