"""The examples of the official NetworkPolicy documentation, reproduced with what the page says
they do: https://kubernetes.io/docs/concepts/services-networking/network-policies/
(section names in each test's comment)."""

from __future__ import annotations

from reach_support import deployment, lines_of, namespace, policy, ports, reach_of

# The cast of the examples: `role: db` and `role: frontend` pods in `default`, a pod in a namespace
# labelled `project: myproject`, and one in a namespace without that label.
DB = deployment("db", "default", {"role": "db"}, ports=[(6379,)])
FRONTEND = deployment("frontend", "default", {"role": "frontend"})
OTHER = deployment("other", "default", {"role": "other"})
MYPROJECT = namespace("myproject", project="myproject")
IN_PROJECT = deployment("client", "myproject", {"app": "client"})
ELSEWHERE = deployment("client", "elsewhere", {"app": "client"})
CAST = [DB, FRONTEND, OTHER, MYPROJECT, IN_PROJECT, ELSEWHERE]

TEST_NETWORK_POLICY = policy(
    "test-network-policy",
    podSelector={"matchLabels": {"role": "db"}},
    policyTypes=["Ingress", "Egress"],
    ingress=[
        {
            "from": [
                {"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                {"namespaceSelector": {"matchLabels": {"project": "myproject"}}},
                {"podSelector": {"matchLabels": {"role": "frontend"}}},
            ],
            "ports": [{"protocol": "TCP", "port": 6379}],
        }
    ],
    egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}], "ports": [{"protocol": "TCP", "port": 5978}]}],
)


def test_the_networkpolicy_resource_example():
    # "The NetworkPolicy resource": isolates role=db pods in default for ingress and egress; allows
    # TCP 6379 from role=frontend pods in default, from any pod in a namespace labelled
    # project=myproject, and from 172.17.0.0–172.17.0.255 and 172.17.2.0–172.17.255.255; allows
    # egress to 10.0.0.0/24 on TCP 5978.
    reach = reach_of(*CAST, TEST_NETWORK_POLICY)
    assert reach.isolation["Deployment/default/db"] == {"ingress": True, "egress": True}
    assert ports(reach, "default/frontend", "default/db") == "TCP 6379"
    assert ports(reach, "myproject/client", "default/db") == "TCP 6379"
    assert ports(reach, "default/other", "default/db") == "No Connections"
    assert ports(reach, "elsewhere/client", "default/db") == "No Connections"
    assert ports(reach, "default/db", "default/frontend") == "No Connections"
    lines = lines_of(*CAST, TEST_NETWORK_POLICY)
    assert "172.17.0.0-172.17.0.255[External] => default/db[Deployment] : TCP 6379" in lines
    assert "172.17.2.0-172.17.255.255[External] => default/db[Deployment] : TCP 6379" in lines
    assert not any(line.startswith("172.17.1.0-") and "default/db" in line for line in lines)
    assert [line for line in lines if line.startswith("default/db[")] == [
        "default/db[Deployment] => 10.0.0.0-10.0.0.255[External] : TCP 5978"
    ]


def test_default_deny_all_ingress_traffic():
    # "Default deny all ingress traffic": isolates every pod for ingress, egress unchanged.
    deny = policy("default-deny-ingress", podSelector={}, policyTypes=["Ingress"])
    reach = reach_of(*CAST, deny)
    assert ports(reach, "default/frontend", "default/db") == "No Connections"
    assert ports(reach, "default/db", "myproject/client") == "All Connections"  # other namespace untouched
    assert all(state["egress"] is False for state in reach.isolation.values())


def test_allow_all_ingress_traffic():
    # "Allow all ingress traffic": `ingress: [{}]` — no other policy can deny it.
    allow = policy("allow-all-ingress", podSelector={}, ingress=[{}], policyTypes=["Ingress"])
    deny = policy("default-deny-ingress", podSelector={}, policyTypes=["Ingress"])
    reach = reach_of(*CAST, allow, deny)
    assert ports(reach, "elsewhere/client", "default/db") == "All Connections"


def test_default_deny_all_egress_traffic():
    deny = policy("default-deny-egress", podSelector={}, policyTypes=["Egress"])
    reach = reach_of(*CAST, deny)
    assert ports(reach, "default/frontend", "default/db") == "No Connections"
    assert ports(reach, "myproject/client", "default/db") == "All Connections"
    assert not any(line.startswith("default/") for line in lines_of(*CAST, deny))


def test_allow_all_egress_traffic():
    allow = policy("allow-all-egress", podSelector={}, egress=[{}], policyTypes=["Egress"])
    deny = policy("default-deny-egress", podSelector={}, policyTypes=["Egress"])
    reach = reach_of(*CAST, allow, deny)
    assert ports(reach, "default/frontend", "elsewhere/client") == "All Connections"
    assert "default/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections" in lines_of(
        *CAST, allow, deny
    )


def test_default_deny_all_ingress_and_all_egress_traffic():
    deny = policy("default-deny-all", podSelector={}, policyTypes=["Ingress", "Egress"])
    reach = reach_of(*CAST, deny)
    for source, destination in (
        ("default/frontend", "default/db"),
        ("default/db", "myproject/client"),
        ("myproject/client", "default/db"),
    ):
        assert ports(reach, source, destination) == "No Connections"
    assert ports(reach, "myproject/client", "elsewhere/client") == "All Connections"


def test_targeting_a_range_of_ports():
    # "Targeting a range of ports": role=db pods may reach 10.0.0.0/24 on TCP 32000–32768.
    multi = policy(
        "multi-port-egress",
        podSelector={"matchLabels": {"role": "db"}},
        policyTypes=["Egress"],
        egress=[
            {
                "to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                "ports": [{"protocol": "TCP", "port": 32000, "endPort": 32768}],
            }
        ],
    )
    lines = [line for line in lines_of(*CAST, multi) if line.startswith("default/db[")]
    assert lines == ["default/db[Deployment] => 10.0.0.0-10.0.0.255[External] : TCP 32000-32768"]


def test_targeting_multiple_namespaces_by_label():
    # "Targeting multiple namespaces by label": egress to namespaces whose label `namespace` is
    # frontend or backend (matchExpressions In).
    docs = [
        deployment("myapp", "default", {"app": "myapp"}),
        namespace("frontend", namespace="frontend"),
        namespace("backend", namespace="backend"),
        namespace("other", namespace="other"),
        deployment("web", "frontend"),
        deployment("api", "backend"),
        deployment("x", "other"),
        policy(
            "egress-namespaces",
            podSelector={"matchLabels": {"app": "myapp"}},
            policyTypes=["Egress"],
            egress=[
                {
                    "to": [
                        {
                            "namespaceSelector": {
                                "matchExpressions": [
                                    {"key": "namespace", "operator": "In", "values": ["frontend", "backend"]}
                                ]
                            }
                        }
                    ]
                }
            ],
        ),
    ]
    reach = reach_of(*docs)
    assert ports(reach, "default/myapp", "frontend/web") == "All Connections"
    assert ports(reach, "default/myapp", "backend/api") == "All Connections"
    assert ports(reach, "default/myapp", "other/x") == "No Connections"


def test_targeting_a_namespace_by_its_name():
    # "Targeting a Namespace by its name": the immutable kubernetes.io/metadata.name label.
    docs = [
        *CAST,
        policy(
            "by-name",
            podSelector={"matchLabels": {"role": "db"}},
            ingress=[
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "elsewhere"}}}
                    ]
                }
            ],
        ),
    ]
    reach = reach_of(*docs)
    assert ports(reach, "elsewhere/client", "default/db") == "All Connections"
    assert ports(reach, "myproject/client", "default/db") == "No Connections"


def test_behavior_of_to_and_from_selectors():
    # "Behavior of to and from selectors": one element with namespaceSelector and podSelector
    # admits role=client pods in namespaces user=alice; two elements admit role=client pods in the
    # local namespace OR any pod in namespaces user=alice.
    cast = [
        namespace("alice", user="alice"),
        deployment("client", "alice", {"role": "client"}),
        deployment("server", "alice", {"role": "server"}),
        deployment("db", "default", {"role": "db"}),
        deployment("client", "default", {"role": "client"}),
    ]
    and_peer = {
        "namespaceSelector": {"matchLabels": {"user": "alice"}},
        "podSelector": {"matchLabels": {"role": "client"}},
    }
    reach = reach_of(
        *cast, policy("and", podSelector={"matchLabels": {"role": "db"}}, ingress=[{"from": [and_peer]}])
    )
    assert ports(reach, "alice/client", "default/db") == "All Connections"
    assert ports(reach, "alice/server", "default/db") == "No Connections"
    assert ports(reach, "default/client", "default/db") == "No Connections"
    or_peers = [
        {"namespaceSelector": {"matchLabels": {"user": "alice"}}},
        {"podSelector": {"matchLabels": {"role": "client"}}},
    ]
    reach = reach_of(
        *cast, policy("or", podSelector={"matchLabels": {"role": "db"}}, ingress=[{"from": or_peers}])
    )
    assert ports(reach, "alice/client", "default/db") == "All Connections"
    assert ports(reach, "alice/server", "default/db") == "All Connections"
    assert ports(reach, "default/client", "default/db") == "All Connections"
