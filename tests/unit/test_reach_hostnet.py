"""hostNetwork destinations are reached on the node's address: a denial by policies that select
their labels is not a fact (reach --explain, trace, dependency-blocked-by-policy).

Upstream: "NetworkPolicy behavior for hostNetwork pods is undefined ... In the most common case,
hostNetwork pods are ignored by podSelectors" and their traffic is the node's
(https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods).
"""

from __future__ import annotations

import json

from reach_support import deployment, documents, namespace, policy
from topo_test_support import analysis_of

EXPORTER = deployment("exporter", "monitoring", ports=[(9100, "metrics")], hostNetwork=True)
SCRAPER = json.loads(deployment("scraper", "monitoring"))
SCRAPER["spec"]["template"]["spec"]["containers"][0]["env"] = [
    {"name": "TARGET", "value": "http://exporter.monitoring:9100/metrics"}
]
SERVICE = json.dumps(
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "exporter", "namespace": "monitoring"},
        "spec": {"selector": {"app": "exporter"}, "ports": [{"port": 9100, "targetPort": 9100}]},
    }
)
DENY_INGRESS = policy("deny-ingress", "monitoring", podSelector={}, policyTypes=["Ingress"])
DENY_EGRESS = policy(
    "deny-egress", "monitoring", podSelector={"matchLabels": {"app": "scraper"}}, policyTypes=["Egress"]
)
EGRESS_TO_INTERNET = policy(
    "egress-out",
    "monitoring",
    podSelector={"matchLabels": {"app": "scraper"}},
    policyTypes=["Egress"],
    egress=[{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 9100}]}],
)


def analysis(*extra: str):
    return analysis_of(documents(namespace("monitoring"), EXPORTER, json.dumps(SCRAPER), SERVICE, *extra))


def verdict(result):
    [found] = result.reach.explain(
        "Deployment/monitoring/scraper", "Deployment/monitoring/exporter", "TCP/9100"
    )
    return found


def blocked(result):
    return [f for f in result.findings().findings if f.rule == "dependency-blocked-by-policy"]


def test_ingress_policies_of_a_host_network_destination_do_not_make_a_denial_certain():
    result = analysis(DENY_INGRESS)
    found = verdict(result)
    assert (found.allowed, found.state) == (False, "uncertain")
    assert "hostNetwork: true" in found.uncertain and "network plugin" in found.uncertain
    assert found.to_dict()["verdict"] == "uncertain"
    [finding] = blocked(result)
    assert finding.severity.value == "warning" and "may be denied" in finding.message


def test_a_source_that_may_open_no_address_on_the_port_is_denied_for_certain():
    # default-deny egress: the source is an ordinary pod, its egress is enforced whatever the address
    result = analysis(DENY_EGRESS)
    found = verdict(result)
    assert (found.state, found.uncertain) == ("denied", None)
    [finding] = blocked(result)
    assert finding.severity.value == "error" and ": denied," in finding.message


def test_egress_that_admits_outside_addresses_may_admit_the_node():
    found = verdict(analysis(EGRESS_TO_INTERNET, DENY_INGRESS))
    assert found.state == "uncertain"


def test_an_ordinary_destination_keeps_certain_denials():
    text = documents(
        namespace("monitoring"),
        deployment("exporter", "monitoring", ports=[(9100, "metrics")]),
        json.dumps(SCRAPER),
        SERVICE,
        DENY_INGRESS,
    )
    result = analysis_of(text)
    assert verdict(result).state == "denied"
    assert [f.severity.value for f in blocked(result)] == ["error"]


def test_explain_text_says_what_is_uncertain():
    from topo.render.reach_explain import render_verdicts

    found = verdict(analysis(DENY_INGRESS))
    text = render_verdicts([found], "a", "b", "text", explain=False)
    assert ": uncertain" in text and "not for certain" in text


def test_trace_to_a_host_network_backend_does_not_claim_the_policy_blocks_it():
    from topo.analyses.trace import trace_request

    ingress = json.dumps(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "metrics", "namespace": "monitoring"},
            "spec": {
                "rules": [
                    {
                        "host": "metrics.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "exporter", "port": {"number": 9100}}},
                                }
                            ]
                        },
                    }
                ]
            },
        }
    )
    result = analysis(DENY_INGRESS, ingress)
    trace = trace_request(result.model, "http://metrics.example.com/", result.reach)
    [hop] = [h for h in trace.hops if h.what == "network-policy"]
    assert hop.ok is None and "uncertain" in hop.why and "hostNetwork" in hop.why
    assert not [f for f in blocked(result) if f.object.startswith("Ingress/")]
