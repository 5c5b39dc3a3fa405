"""Small inputs shared by the graph tests (tests/unit/test_graph_*.py): an Ingress with its class,
a Service selecting Deployments, a StatefulSet with its governing Service, HPA/PDB/NetworkPolicy."""

from __future__ import annotations

INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: web}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  defaultBackend: {service: {name: fallback, port: {number: 8080}}}
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /, pathType: Exact, backend: {service: {name: front, port: {name: http}}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
"""


SELECTS = """
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090, targetPort: 9100}
  - {name: dns, port: 53, protocol: UDP, targetPort: dns}
  - {name: missing, port: 81, targetPort: nope}
  - {port: 82}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - {name: http, containerPort: 8080}
        - {name: dns, containerPort: 5353, protocol: TCP}
      - name: resolver
        image: coredns
        ports: [{name: dns, containerPort: 1053, protocol: UDP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: other}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
"""


STATEFULSET = """
apiVersion: v1
kind: Service
metadata: {{name: db, namespace: data}}
spec:
  clusterIP: {cluster_ip}
  selector: {{app: db}}
  ports: [{{name: mysql, port: 3306}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  serviceName: db
  replicas: 3
  {ordinals}
  selector: {{matchLabels: {{app: db}}}}
  template:
    metadata: {{labels: {{app: db}}}}
    spec: {{containers: [{{name: db, image: mariadb, ports: [{{name: mysql, containerPort: 3306}}]}}]}}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: db, namespace: data}}
spec: {{maxUnavailable: 1, selector: {{matchLabels: {{app: db}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: db-only, namespace: data}}
spec: {{podSelector: {{matchLabels: {{app: db}}}}}}
"""


def statefulset(cluster_ip: str = "None", ordinals: str = "") -> str:
    return STATEFULSET.format(cluster_ip=cluster_ip, ordinals=ordinals)


POLICY = (
    """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 5}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}, maxReplicas: 5}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
"""
    + "---"
    + SELECTS
)
