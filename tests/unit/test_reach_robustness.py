"""Bad input never crashes the reachability analysis: policies, admin policies and Routes with
fields of every wrong shape are left out (as the API server would refuse them) or ignored."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topo.analyses.reach import compute_reachability
from topo.analyses.trace import trace_request
from topo.api import analyze

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 70000)
    | st.text(max_size=6)
    | st.sampled_from(["10.0.0.0/8", "http", "TCP", "Allow", "Pass"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "from",
                    "to",
                    "ports",
                    "port",
                    "endPort",
                    "protocol",
                    "podSelector",
                    "namespaceSelector",
                    "ipBlock",
                    "cidr",
                    "except",
                    "matchLabels",
                    "action",
                    "namespaces",
                    "pods",
                    "networks",
                    "portNumber",
                    "namedPort",
                    "portRange",
                    "start",
                    "end",
                    "name",
                    "targetPort",
                    "kind",
                    "weight",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ingress=json_values, egress=json_values, anp=json_values, route=json_values)
def test_garbage_never_crashes(ingress, egress, anp, route):
    documents = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [
                            {"name": "c", "image": "x", "ports": [{"containerPort": 80, "name": "http"}]}
                        ]
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "p", "namespace": "shop"},
            "spec": {
                "podSelector": {},
                "ingress": [ingress] if isinstance(ingress, dict) else [],
                "egress": [egress] if isinstance(egress, dict) else [],
            },
        },
        {
            "apiVersion": "policy.networking.k8s.io/v1alpha1",
            "kind": "AdminNetworkPolicy",
            "metadata": {"name": "a"},
            "spec": {
                "priority": 1,
                "subject": {"namespaces": {}},
                "ingress": anp if isinstance(anp, list) else [anp],
            },
        },
        {
            "apiVersion": "route.openshift.io/v1",
            "kind": "Route",
            "metadata": {"name": "r", "namespace": "shop"},
            "spec": route if isinstance(route, dict) else {"to": route},
        },
    ]
    analysis = analyze(text="\n---\n".join(json.dumps(d) for d in documents))
    reach = compute_reachability(analysis.model, analysis.config)
    list(reach.connections())
    reach.matrix()
    reach.explain("Deployment/shop/web", "Service/shop/web")
    trace_request(analysis.model, "http://x.example.com/", reach, None)
