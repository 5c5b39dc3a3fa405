"""AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), the
ingress controller as a source, OpenShift Routes, and verdicts with reasons.

Sources:
  [anp]  sigs.k8s.io/network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go and
         https://network-policy-api.sigs.k8s.io/api-overview/ (ANP → NetworkPolicy → BANP; priority
         0–1000, lower first; Allow/Deny final, Pass to NetworkPolicy; first matching rule wins)
  [banp] apis/v1alpha1/baselineadminnetworkpolicy_types.go (singleton `default`, Allow/Deny)
  [np-guard] docs/connlist_output.md: `{ingress-controller}` lines, routed ports only
  [route] https://docs.openshift.com/container-platform/latest/rest_api/network_apis/route-route-openshift-io-v1.html
"""

from __future__ import annotations

import json

from reach_support import deployment, lines_of, namespace, policy, ports, reach_of


def anp(name: str, priority: int, subject: dict, ingress=None, egress=None) -> str:
    spec: dict = {"priority": priority, "subject": subject}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return json.dumps(
        {
            "apiVersion": "policy.networking.k8s.io/v1alpha1",
            "kind": "AdminNetworkPolicy",
            "metadata": {"name": name},
            "spec": spec,
        }
    )


def banp(subject: dict, ingress=None, egress=None, name: str = "default") -> str:
    spec: dict = {"subject": subject}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return json.dumps(
        {
            "apiVersion": "policy.networking.k8s.io/v1alpha1",
            "kind": "BaselineAdminNetworkPolicy",
            "metadata": {"name": name},
            "spec": spec,
        }
    )


CAST = [
    namespace("prod", env="prod"),
    namespace("dev", env="dev"),
    deployment("api", "prod", ports=[(8080, "http")]),
    deployment("db", "prod", {"app": "db"}, ports=[(5432, "pg")]),
    deployment("tool", "dev"),
    namespace("monitoring"),
    deployment("prometheus", "monitoring"),
]
FROM_DEV = [{"namespaces": {"matchLabels": {"env": "dev"}}}]
PROD = {"namespaces": {"matchLabels": {"env": "prod"}}}


def test_anp_deny_beats_a_network_policy_allow():
    # [anp] "Deny: denies the selected traffic (even if it would otherwise have been allowed by NetworkPolicy)"
    allow = policy("allow-all", "prod", podSelector={}, ingress=[{}])
    deny = anp("no-dev", 10, PROD, ingress=[{"name": "deny-dev", "action": "Deny", "from": FROM_DEV}])
    reach = reach_of(*CAST, allow, deny)
    assert ports(reach, "dev/tool", "prod/api") == "No Connections"
    assert ports(reach, "monitoring/prometheus", "prod/api") == "All Connections"


def test_anp_allow_beats_a_network_policy_deny():
    deny = policy("deny", "prod", podSelector={}, policyTypes=["Ingress"])
    allow = anp(
        "monitoring",
        5,
        PROD,
        ingress=[
            {
                "action": "Allow",
                "from": [{"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            }
        ],
    )
    reach = reach_of(*CAST, deny, allow)
    assert ports(reach, "monitoring/prometheus", "prod/api") == "All Connections"
    assert ports(reach, "dev/tool", "prod/api") == "No Connections"


def test_lower_priority_number_wins_and_first_rule_wins():
    # [anp] priority 0 is the most important; within a policy the first matching rule decides.
    first = anp(
        "a-allow",
        1,
        PROD,
        ingress=[
            {
                "action": "Allow",
                "from": FROM_DEV,
                "ports": [{"portNumber": {"protocol": "TCP", "port": 8080}}],
            }
        ],
    )
    second = anp("b-deny", 2, PROD, ingress=[{"action": "Deny", "from": FROM_DEV}])
    reach = reach_of(*CAST, first, second)
    assert ports(reach, "dev/tool", "prod/api") == "TCP 8080"
    rules = anp(
        "one",
        1,
        PROD,
        ingress=[
            {
                "action": "Deny",
                "from": FROM_DEV,
                "ports": [{"portRange": {"protocol": "TCP", "start": 1, "end": 1000}}],
            },
            {"action": "Allow", "from": FROM_DEV},
        ],
    )
    reach = reach_of(*CAST, rules, policy("deny", "prod", podSelector={}, policyTypes=["Ingress"]))
    assert ports(reach, "dev/tool", "prod/api") == "SCTP 1-65535,TCP 1001-65535,UDP 1-65535"


def test_pass_hands_over_to_network_policies_then_baseline():
    # [anp] Pass: skip the remaining ANP rules; NetworkPolicies decide, else the BANP.
    passing = anp("pass", 1, PROD, ingress=[{"action": "Pass", "from": FROM_DEV}])
    later_deny = anp("deny", 2, PROD, ingress=[{"action": "Deny", "from": FROM_DEV}])
    baseline = banp(PROD, ingress=[{"action": "Deny", "from": FROM_DEV}])
    reach = reach_of(*CAST, passing, later_deny, baseline)
    assert ports(reach, "dev/tool", "prod/api") == "No Connections"  # passed, no NP, BANP denies
    reach = reach_of(
        *CAST, passing, later_deny, baseline, policy("allow", "prod", podSelector={}, ingress=[{}])
    )
    assert ports(reach, "dev/tool", "prod/api") == "All Connections"  # passed, NP allows, BANP skipped


def test_baseline_applies_only_where_no_network_policy_isolates():
    # [banp] "rules only apply if the traffic is not matched by a NetworkPolicy"
    baseline = banp(PROD, ingress=[{"action": "Deny", "from": FROM_DEV}])
    reach = reach_of(*CAST, baseline)
    assert ports(reach, "dev/tool", "prod/api") == "No Connections"
    isolating = policy(
        "only-db",
        "prod",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[{"from": [{"namespaceSelector": {}}]}],
    )
    reach = reach_of(*CAST, baseline, isolating)
    assert ports(reach, "dev/tool", "prod/db") == "All Connections"
    assert ports(reach, "dev/tool", "prod/api") == "No Connections"


def test_anp_egress_networks_and_named_ports():
    # [anp] egress peers include `networks` (CIDRs); `namedPort` resolves on the destination pod.
    egress = anp(
        "egress",
        1,
        {"namespaces": {"matchLabels": {"env": "dev"}}},
        egress=[
            {"action": "Deny", "to": [{"networks": ["10.0.0.0/8"]}]},
            {
                "action": "Allow",
                "to": [{"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "db"}}}}],
                "ports": [{"namedPort": "pg"}],
            },
            {"action": "Deny", "to": [{"namespaces": {}}]},
        ],
    )
    reach = reach_of(*CAST, egress)
    assert ports(reach, "dev/tool", "prod/db") == "TCP 5432"
    assert ports(reach, "dev/tool", "prod/api") == "No Connections"
    tool = [line for line in lines_of(*CAST, egress) if line.startswith("dev/tool")]
    assert "dev/tool[Deployment] => 10.0.0.0-10.255.255.255[External] : All Connections" not in tool
    assert "dev/tool[Deployment] => 11.0.0.0-255.255.255.255[External] : All Connections" in tool


def test_invalid_admin_policies_are_left_out():
    bad_priority = anp("bad", 5000, PROD, ingress=[{"action": "Deny", "from": FROM_DEV}])
    wrong_name = banp(PROD, ingress=[{"action": "Deny", "from": FROM_DEV}], name="not-default")
    reach = reach_of(*CAST, bad_priority, wrong_name)
    assert ports(reach, "dev/tool", "prod/api") == "All Connections"
    assert len(reach.problems) == 2


# --- the ingress controller ------------------------------------------------------------------------


def _ingress(name: str, namespace_: str, service: str, port) -> str:
    number = {"number": port} if isinstance(port, int) else {"name": port}
    return json.dumps(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": name, "namespace": namespace_},
            "spec": {
                "rules": [
                    {
                        "host": "shop.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": service, "port": number}},
                                }
                            ]
                        },
                    }
                ]
            },
        }
    )


def _service(name: str, namespace_: str, selector: dict, port: int, target) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": namespace_},
            "spec": {"selector": selector, "ports": [{"name": "web", "port": port, "targetPort": target}]},
        }
    )


SHOP = [
    deployment("web", "shop", ports=[(8080, "http"), (9090, "metrics")]),
    deployment("cart", "shop", ports=[(8080, "http")]),
    _service("web", "shop", {"app": "web"}, 80, "http"),
    _ingress("web", "shop", "web", 80),
]


def test_synthetic_controller_reaches_only_routed_workloads_and_ports():
    # [np-guard] `{ingress-controller} => dst : conn`, the routed target ports of routed workloads.
    lines = [line for line in lines_of(*SHOP) if line.startswith("{ingress-controller}")]
    assert lines == ["{ingress-controller} => shop/web[Deployment] : TCP 8080"]


def test_synthetic_controller_is_admitted_only_by_every_namespace_rules():
    named = policy(
        "web",
        "shop",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
                ]
            }
        ],
    )
    assert not [line for line in lines_of(*SHOP, named) if line.startswith("{ingress-controller}")]
    every = policy(
        "web",
        "shop",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[{"from": [{"namespaceSelector": {}}]}],
    )
    assert [line for line in lines_of(*SHOP, every) if line.startswith("{ingress-controller}")] == [
        "{ingress-controller} => shop/web[Deployment] : TCP 8080"
    ]


def test_declared_controller_namespace_is_matched_by_name():
    from topo.config import IngressControllerConfig

    named = policy(
        "web",
        "shop",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
                ]
            }
        ],
    )
    declared = IngressControllerConfig(namespace="ingress-nginx", pod_labels={"app": "ingress-nginx"})
    lines = [
        line
        for line in lines_of(*SHOP, named, ingress_controller=declared)
        if line.startswith("{ingress-controller}")
    ]
    assert lines == ["{ingress-controller} => shop/web[Deployment] : TCP 8080"]


def test_a_controller_in_the_input_is_an_ordinary_source():
    controller = deployment(
        "ingress-nginx-controller", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}
    )
    lines = lines_of(*SHOP, controller)
    assert not any(line.startswith("{ingress-controller}") for line in lines)
    assert (
        "ingress-nginx/ingress-nginx-controller[Deployment] => shop/web[Deployment] : All Connections"
        in lines
    )


def test_openshift_routes_are_entry_points():
    # [route] spec.to names a Service; spec.port.targetPort names the Service port (endpoints name).
    route = json.dumps(
        {
            "apiVersion": "route.openshift.io/v1",
            "kind": "Route",
            "metadata": {"name": "cart", "namespace": "shop"},
            "spec": {
                "host": "cart.example.com",
                "to": {"kind": "Service", "name": "cart"},
                "port": {"targetPort": "web"},
            },
        }
    )
    service = _service("cart", "shop", {"app": "cart"}, 80, "http")
    lines = [line for line in lines_of(*SHOP, service, route) if line.startswith("{ingress-controller}")]
    assert lines == [
        "{ingress-controller} => shop/cart[Deployment] : TCP 8080",
        "{ingress-controller} => shop/web[Deployment] : TCP 8080",
    ]


# --- verdicts --------------------------------------------------------------------------------------


def test_explain_names_the_rule_that_allowed_it_and_the_isolating_policies():
    allow = policy(
        "web",
        "shop",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "cart"}}}], "ports": [{"port": "http"}]}],
    )
    reach = reach_of(*SHOP, allow)
    [verdict] = reach.explain("Deployment/shop/cart", "Service/shop/web", "TCP/80")
    assert verdict.allowed
    document = verdict.to_dict()
    assert document["ingress"]["isolated"] is True
    assert document["ingress"]["selectedBy"] == ["NetworkPolicy/shop/web"]
    assert document["ingress"]["allowedBy"][0]["peer"] == "spec.ingress[0].from[0]"
    assert document["egress"]["isolated"] is False
    [verdict] = reach.explain("Deployment/shop/cart", "Deployment/shop/web", "TCP/9090")
    assert not verdict.allowed and verdict.blocking_sides()[0].direction == "ingress"
    [verdict] = reach.explain("ip:8.8.8.8", "Deployment/shop/web")
    assert not verdict.allowed and not verdict.egress.governed
