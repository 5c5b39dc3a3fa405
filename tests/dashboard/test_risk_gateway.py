"""Gateway API routes are entry points on the dashboard as they are in `topo rollout`: the outside
world has an `entry` edge to each HTTPRoute and GRPCRoute that a listener of a Gateway of the input
admits (apis/v1/gateway_types.go AllowedRoutes, apis/v1/shared_types.go ParentReference.SectionName;
the graph's `attaches-to` edge names the listeners), and the risk score counts them like Ingresses."""

from __future__ import annotations

import math
import textwrap

import topo
from dashboard.risk import risk_scores
from dashboard.view import OUTSIDE, SystemView

SYSTEM = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: web}
spec:
  gatewayClassName: eg
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: web}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{name: api, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: rpc, namespace: web}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{name: rpc, port: 9000}]}]
---
# no listener named https: the route is not admitted, so not an entry point
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: detached, namespace: web}
spec:
  parentRefs: [{name: edge, sectionName: https}]
  rules: [{backendRefs: [{name: internal, port: 80}]}]
""" + "".join(
    f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: web}}
spec: {{selector: {{app: {name}}}, ports: [{{port: 80}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: web}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: {name}, image: example/{name}:1.0}}]}}
"""
    for name in ("api", "rpc", "internal")
)


def view_of(text: str) -> SystemView:
    return SystemView.build(topo.analyze(text=textwrap.dedent(text)))


def test_admitted_httproutes_and_grpcroutes_are_entry_points():
    view = view_of(SYSTEM)
    entries = {view.edges[i]["target"]: view.edges[i]["via"] for i in view.out_edges[OUTSIDE]}
    assert entries == {"HTTPRoute/web/shop": "Gateway", "GRPCRoute/web/rpc": "Gateway"}


def test_the_risk_score_counts_gateway_entry_points_like_ingresses():
    view = view_of(SYSTEM)
    scores = risk_scores(view)
    rpc, internal = scores.objects["Deployment/web/rpc"], scores.objects["Deployment/web/internal"]
    # the same findings and as many dependents (Service + route); only rpc is behind an entry point
    assert (rpc.severity, rpc.dependents) == (internal.severity, internal.dependents)
    assert (rpc.entries, internal.entries) == (1, 0)
    assert scores.objects["Deployment/web/api"].entries == 1
    assert rpc.score == round(rpc.severity * (1 + math.log2(1 + rpc.dependents + 2)))
    assert rpc.score > internal.score


def test_routes_of_a_gateway_not_in_the_input_are_not_entry_points():
    # admission cannot be judged without the Gateway's listeners: no entry edge (and no guess)
    view = view_of(
        SYSTEM.replace("kind: Gateway\nmetadata: {name: edge", "kind: Gateway\nmetadata: {name: other")
    )
    assert not [i for i in view.out_edges.get(OUTSIDE, ()) if view.edges[i]["via"] == "Gateway"]
