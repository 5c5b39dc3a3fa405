"""dependency-blocked-by-policy over the `calls` edges a workload has: one finding per fact."""

from __future__ import annotations

from topo_test_support import analysis_of

WAIT_THEN_CALL = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers:
        - name: wait
          image: busybox:1.36
          command: ["sh", "-c", "until nc -vz cache 6379; do sleep 1; done"]
      containers:
        - name: web
          image: web:1.0
          env:
            - {name: CACHE_URL, value: "redis://CACHE_HOST:PORT"}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: shop}
spec:
  selector: {app: cache}
  ports: [{name: redis, port: 6379}, {name: bus, port: 16379}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: shop}
spec:
  serviceName: cache
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers: [{name: cache, image: valkey:8, ports: [{containerPort: 6379}, {containerPort: 16379}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cache}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: other}}}]
"""


def blocked(text: str) -> list[str]:
    findings = analysis_of(text).findings().findings
    return [f.message.split(": denied")[0] for f in findings if f.rule == "dependency-blocked-by-policy"]


def test_a_name_without_a_port_beside_a_call_on_a_port_of_the_same_target_is_one_finding():
    # The wait loop's `nc -vz cache 6379` is read word by word: `cache` without a port. Beside
    # the env's redis://cache:6379 it adds nothing; alone it is still checked on every port.
    assert blocked(WAIT_THEN_CALL.replace("CACHE_HOST:PORT", "cache:6379")) == [
        "calls cache → Service/shop/cache (StatefulSet/shop/cache) on TCP 6379"
    ]
    assert blocked(WAIT_THEN_CALL.replace("CACHE_HOST:PORT", "localhost:6379")) == [
        "calls cache → Service/shop/cache (StatefulSet/shop/cache) on TCP 6379, 16379"
    ]


def test_a_call_on_a_port_the_target_does_not_serve_leaves_the_name_without_a_port_checked():
    # (dns-port-not-exposed reports port 6380; the connection the wait loop makes is still denied)
    assert blocked(WAIT_THEN_CALL.replace("CACHE_HOST:PORT", "cache:6380")) == [
        "calls cache → Service/shop/cache (StatefulSet/shop/cache) on TCP 6379, 16379"
    ]


MASTER_AND_WORKER = """
apiVersion: v1
kind: Service
metadata: {name: cluster, namespace: siem}
spec:
  clusterIP: None
  selector: {app: manager}
  ports: [{name: cluster, port: 1516}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: siem}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: v1
kind: List
items:
  - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: master-ingress, namespace: siem},
     spec: {podSelector: {matchLabels: {app: manager, node-type: master}}, policyTypes: [Ingress],
            ingress: [{from: [{podSelector: {matchLabels: {app: manager}}}], ports: [{protocol: TCP, port: 1516}]}]}}
  - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: worker-egress, namespace: siem},
     spec: {podSelector: {matchLabels: {app: manager, node-type: worker}}, policyTypes: [Egress],
            egress: [{to: [{podSelector: {matchLabels: {app: manager}}}], ports: [{protocol: TCP, port: 1516}]}]}}
"""


def _manager(node_type: str) -> str:
    return f"""---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: manager-{node_type}, namespace: siem}}
spec:
  serviceName: cluster
  selector: {{matchLabels: {{app: manager, node-type: {node_type}}}}}
  template:
    metadata: {{labels: {{app: manager, node-type: {node_type}}}}}
    spec:
      containers:
        - name: manager
          image: wazuh/wazuh-manager:5.0.0
          ports: [{{name: cluster, containerPort: 1516}}]
          env: [{{name: WAZUH_CLUSTER_NODES, value: cluster}}]
"""


def test_a_call_through_a_service_that_selects_the_caller_denied_one_way_only_is_a_warning():
    """wazuh/wazuh-kubernetes wazuh/: master and worker both name `wazuh-cluster`
    (WAZUH_CLUSTER_NODES), a headless Service over both; the policies admit worker → master on
    1516 and not master → worker. Whether the master dials its peers is the application's: a
    Wazuh master only listens. The denial is a fact of the policies, its effect is not: a warning
    that says so (https://kubernetes.io/docs/concepts/services-networking/network-policies/
    #the-two-sorts-of-pod-isolation: a connection needs the source's egress and the
    destination's ingress). Admitted neither way, it stays an error."""
    text = MASTER_AND_WORKER + _manager("master") + _manager("worker")
    found = [f for f in analysis_of(text).findings().findings if f.rule == "dependency-blocked-by-policy"]
    assert [(f.object, f.severity.value) for f in found] == [("StatefulSet/siem/manager-master", "warning")]
    assert "denied one way only" in found[0].message
    assert found[0].message.endswith(
        "but Service/siem/cluster selects StatefulSet/siem/manager-master too, and "
        "StatefulSet/siem/manager-worker is admitted to it on TCP 1516: a cluster whose members dial "
        "only this one (a leader, a master) works; one whose members dial each other does not"
    )
    # No direction admitted: both calls are errors.
    worker_egress = (
        "egress: [{to: [{podSelector: {matchLabels: {app: manager}}}], ports: [{protocol: TCP, port: 1516}]}]"
    )
    neither = text.replace(worker_egress, "egress: []")
    found = [f for f in analysis_of(neither).findings().findings if f.rule == "dependency-blocked-by-policy"]
    assert sorted((f.object, f.severity.value) for f in found) == [
        ("StatefulSet/siem/manager-master", "error"),
        ("StatefulSet/siem/manager-worker", "error"),
    ]
