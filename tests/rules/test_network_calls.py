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
