"""A system shaped like the real manifest sets the map was hard to read on (microservices-demo,
opentelemetry-demo, rendered Helm charts): Helm-style long names that share a release prefix, many
Services in one namespace, a namespace with 40 workloads, and a small namespace beside them."""

from __future__ import annotations

RELEASE = "acme-platform-release"


def _app(namespace: str, name: str) -> str:
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      serviceAccountName: {name}
      containers:
        - name: main
          image: example/{name}:1.0
          envFrom: [{{configMapRef: {{name: {name}-settings}}}}]
---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}-settings, namespace: {namespace}}}
data: {{LEVEL: info}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: {namespace}}}
"""


def legibility_manifests(workloads: int = 40) -> str:
    """`workloads` Deployments, each with its Service, ConfigMap and ServiceAccount, in namespace
    `commerce` (long names), and four in namespace `edge` (short ones)."""
    parts = [_app("commerce", f"{RELEASE}-{role}-{index:02d}") for index, role in _roles(workloads)]
    parts += [_app("edge", name) for name in ("gateway", "auth", "cache", "web")]
    return "".join(parts)


def _roles(count: int):
    roles = ("checkout-service", "recommendation-engine", "product-catalog", "payment-gateway")
    return [(index, roles[index % len(roles)]) for index in range(count)]


def collapsed_manifests(namespaces: int = 44, apps: int = 6) -> str:
    """A large system that opens collapsed: `namespaces` namespaces with long Helm-style names
    (`acme-platform-release-payments-eu-west-07`), each with `apps` applications of four objects
    (`_app`); 44 × 6 × 4 = 1,056 objects."""
    areas = ("payments", "identity", "observability", "recommendations")
    return "".join(
        _app(f"{RELEASE}-{areas[n % len(areas)]}-eu-west-{n:02d}", f"service-{a:02d}")
        for n in range(namespaces)
        for a in range(apps)
    )
