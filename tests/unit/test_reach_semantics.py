"""networking.k8s.io/v1 NetworkPolicy semantics, one rule per test, with the upstream source.

Sources:
  [types]   k8s.io/api networking/v1 types.go (NetworkPolicySpec, NetworkPolicyPeer, NetworkPolicyPort)
  [default] k8s.io/kubernetes pkg/apis/networking/v1/defaults.go (SetDefaults_NetworkPolicy)
  [valid]   k8s.io/kubernetes pkg/apis/networking/validation/validation.go
  [docs]    https://kubernetes.io/docs/concepts/services-networking/network-policies/
  [label]   https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
  [np-guard] github.com/np-guard/netpol-analyzer docs/connlist_output.md (the `list` line format)
"""

from __future__ import annotations

from reach_support import deployment, lines_of, namespace, policy, ports, reach_of

A = deployment("a", ports=[(8080, "http")])
B = deployment("b", ports=[(8080, "http"), (53, "dns", "UDP")])


# --- isolation, union, both directions --------------------------------------------------------------


def test_no_policy_allows_everything_both_ways():
    # [docs] "By default, a pod is non-isolated for egress / for ingress; all ... connections are allowed."
    reach = reach_of(A, B)
    assert ports(reach, "default/a", "default/b") == "All Connections"
    assert lines_of(A, B) == [
        "0.0.0.0-255.255.255.255[External] => default/a[Deployment] : All Connections",
        "0.0.0.0-255.255.255.255[External] => default/b[Deployment] : All Connections",
        "default/a[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "default/a[Deployment] => default/b[Deployment] : All Connections",
        "default/b[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "default/b[Deployment] => default/a[Deployment] : All Connections",
    ]


def test_a_policy_without_rules_isolates_its_direction_only():
    # [docs] "the-two-sorts-of-pod-isolation": a pod is isolated for ingress when a policy that
    # selects it has Ingress in policyTypes; egress stays unaffected.
    reach = reach_of(
        A, B, policy("deny-b", podSelector={"matchLabels": {"app": "b"}}, policyTypes=["Ingress"])
    )
    assert ports(reach, "default/a", "default/b") == "No Connections"
    assert ports(reach, "default/b", "default/a") == "All Connections"
    assert reach.isolation["Deployment/default/b"] == {"ingress": True, "egress": False}
    assert reach.isolation["Deployment/default/a"] == {"ingress": False, "egress": False}


def test_default_policy_types_ingress_plus_egress_when_egress_rules():
    # [default] PolicyTypes empty: Ingress always; Egress when len(spec.egress) != 0.
    only_ingress_rules = policy("p", podSelector={}, ingress=[{"from": [{"podSelector": {}}]}])
    reach = reach_of(A, B, only_ingress_rules)
    assert reach.isolation["Deployment/default/a"] == {"ingress": True, "egress": False}
    with_egress = policy(
        "p", podSelector={}, egress=[{"to": [{"podSelector": {"matchLabels": {"app": "b"}}}]}]
    )
    reach = reach_of(A, B, with_egress)
    assert reach.isolation["Deployment/default/a"] == {"ingress": True, "egress": True}
    assert ports(reach, "default/a", "default/b") == "No Connections"  # ingress isolated, no ingress rule


def test_empty_egress_list_does_not_add_egress():
    # [default] `egress: []` has length 0: no Egress policyType.
    reach = reach_of(A, B, policy("p", podSelector={}, egress=[]))
    assert reach.isolation["Deployment/default/a"] == {"ingress": True, "egress": False}


def test_rules_of_a_direction_not_in_policy_types_do_nothing():
    # [types] policyTypes lists the directions the policy applies to; ingress rules of an
    # Egress-only policy are not in effect.
    p = policy(
        "p", podSelector={}, policyTypes=["Egress"], ingress=[{}], egress=[{"to": [{"podSelector": {}}]}]
    )
    reach = reach_of(A, B, p)
    assert reach.isolation["Deployment/default/a"] == {"ingress": False, "egress": True}
    assert ports(reach, "default/a", "default/b") == "All Connections"


def test_allowed_traffic_is_the_union_of_selecting_policies():
    # [docs] "Network policies do not conflict; they are additive ... the union of what each allows."
    p1 = policy("p1", podSelector={"matchLabels": {"app": "b"}}, ingress=[{"ports": [{"port": 80}]}])
    p2 = policy("p2", podSelector={}, ingress=[{"ports": [{"port": 53, "protocol": "UDP"}]}])
    reach = reach_of(A, B, p1, p2)
    assert ports(reach, "default/a", "default/b") == "TCP 80,UDP 53"
    assert ports(reach, "default/b", "default/a") == "UDP 53"


def test_a_connection_needs_egress_and_ingress():
    # [docs] "both the egress policy on the source pod and the ingress policy on the destination pod
    # need to allow the connection"
    egress = policy(
        "e", podSelector={"matchLabels": {"app": "a"}}, egress=[{"ports": [{"port": 8080}, {"port": 9000}]}]
    )
    ingress = policy(
        "i", podSelector={"matchLabels": {"app": "b"}}, ingress=[{"ports": [{"port": 8080}, {"port": 7000}]}]
    )
    reach = reach_of(A, B, egress, ingress)
    assert ports(reach, "default/a", "default/b") == "TCP 8080"


# --- peers ------------------------------------------------------------------------------------------


def _two_namespaces(*policies: str) -> list[str]:
    return [
        namespace("x", team="blue"),
        namespace("y", team="red"),
        deployment("web", "x", {"app": "web"}),
        deployment("web", "y", {"app": "web"}),
        deployment("db", "x", {"app": "db"}),
        deployment("cli", "y", {"app": "cli"}),
        *policies,
    ]


def test_pod_selector_alone_means_the_policy_namespace():
    # [types] podSelector without namespaceSelector "selects the Pods matching PodSelector in the
    # policy's own namespace".
    p = policy(
        "db",
        "x",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}],
    )
    reach = reach_of(*_two_namespaces(p))
    assert ports(reach, "x/web", "x/db") == "All Connections"
    assert ports(reach, "y/web", "x/db") == "No Connections"


def test_namespace_selector_alone_means_every_pod_there():
    # [types] namespaceSelector without podSelector "selects all Pods in the Namespaces selected".
    p = policy(
        "db",
        "x",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "red"}}}]}],
    )
    reach = reach_of(*_two_namespaces(p))
    assert ports(reach, "y/web", "x/db") == "All Connections"
    assert ports(reach, "y/cli", "x/db") == "All Connections"
    assert ports(reach, "x/web", "x/db") == "No Connections"


def test_both_selectors_in_one_peer_and_separate_peers_or():
    # [docs] behavior-of-to-and-from-selectors: one element with both = AND; two elements = OR.
    both = policy(
        "db",
        "x",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"team": "red"}},
                        "podSelector": {"matchLabels": {"app": "web"}},
                    }
                ]
            }
        ],
    )
    reach = reach_of(*_two_namespaces(both))
    assert ports(reach, "y/web", "x/db") == "All Connections"
    assert ports(reach, "y/cli", "x/db") == "No Connections"
    assert ports(reach, "x/web", "x/db") == "No Connections"
    either = policy(
        "db",
        "x",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"team": "red"}}},
                    {"podSelector": {"matchLabels": {"app": "web"}}},
                ]
            }
        ],
    )
    reach = reach_of(*_two_namespaces(either))
    assert ports(reach, "y/web", "x/db") == "All Connections"
    assert ports(reach, "y/cli", "x/db") == "All Connections"
    assert ports(reach, "x/web", "x/db") == "All Connections"


def test_empty_versus_missing_from():
    # [types] "If this field is empty or missing, this rule matches all sources"; an empty
    # `ingress` list allows nothing.
    for rule in ({}, {"from": []}):
        reach = reach_of(A, B, policy("p", podSelector={"matchLabels": {"app": "b"}}, ingress=[rule]))
        assert ports(reach, "default/a", "default/b") == "All Connections"
    reach = reach_of(A, B, policy("p", podSelector={"matchLabels": {"app": "b"}}, ingress=[]))
    assert ports(reach, "default/a", "default/b") == "No Connections"


def test_namespace_name_label_without_namespace_object():
    # [label] every namespace carries kubernetes.io/metadata.name, Namespace object or not.
    p = policy(
        "db",
        "x",
        podSelector={},
        ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "y"}}}]}],
    )
    reach = reach_of(deployment("db", "x"), deployment("web", "y"), p)
    assert ports(reach, "y/web", "x/db") == "All Connections"


def test_namespace_labels_come_from_namespace_objects_only():
    # Labels not on the Namespace object (or no object) are not there.
    p = policy(
        "db",
        "x",
        podSelector={},
        ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "red"}}}]}],
    )
    reach = reach_of(
        deployment("db", "x"), deployment("web", "y"), deployment("web", "z"), namespace("z", team="red"), p
    )
    assert ports(reach, "y/web", "x/db") == "No Connections"
    assert ports(reach, "z/web", "x/db") == "All Connections"


def test_match_expressions_not_in_matches_absent_keys():
    # k8s.io/apimachinery pkg/labels/selector.go Requirement.Matches: NotIn holds when the key is absent.
    p = policy(
        "db",
        podSelector={"matchLabels": {"app": "b"}},
        ingress=[
            {
                "from": [
                    {
                        "podSelector": {
                            "matchExpressions": [
                                {"key": "tier", "operator": "NotIn", "values": ["untrusted"]}
                            ]
                        }
                    }
                ]
            }
        ],
    )
    reach = reach_of(A, B, deployment("c", labels={"app": "c", "tier": "untrusted"}), p)
    assert ports(reach, "default/a", "default/b") == "All Connections"
    assert ports(reach, "default/c", "default/b") == "No Connections"


def test_ip_block_with_except_splits_external_ranges():
    # [types] IPBlock: cidr minus except; [np-guard] ranges cut at every boundary in play.
    p = policy(
        "b",
        podSelector={"matchLabels": {"app": "b"}},
        ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}],
    )
    found = [line for line in lines_of(A, B, p) if "=> default/b" in line]
    assert found == [
        "10.0.0.0-10.0.255.255[External] => default/b[Deployment] : All Connections",
        "10.2.0.0-10.255.255.255[External] => default/b[Deployment] : All Connections",
    ]


def test_ip_blocks_do_not_match_pods():
    # [types] ipBlock is for "cluster-external IPs"; pods are matched by selectors.
    p = policy(
        "b",
        podSelector={"matchLabels": {"app": "b"}},
        ingress=[{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
    )
    reach = reach_of(A, B, p)
    assert ports(reach, "default/a", "default/b") == "No Connections"


# --- ports ----------------------------------------------------------------------------------------


def test_protocol_defaults_to_tcp_and_port_alone_means_every_port_of_it():
    # [types] NetworkPolicyPort.protocol defaults to TCP; without `port` every port of the protocol.
    p = policy(
        "b",
        podSelector={"matchLabels": {"app": "b"}},
        ingress=[{"ports": [{"port": 80}, {"protocol": "UDP"}, {"protocol": "SCTP", "port": 9}]}],
    )
    assert ports(reach_of(A, B, p), "default/a", "default/b") == "SCTP 9,TCP 80,UDP 1-65535"


def test_end_port_is_an_inclusive_range():
    # [types] endPort: "the range of ports from port to endPort, inclusive".
    p = policy(
        "b",
        podSelector={"matchLabels": {"app": "b"}},
        ingress=[{"ports": [{"port": 32000, "endPort": 32768}]}],
    )
    assert ports(reach_of(A, B, p), "default/a", "default/b") == "TCP 32000-32768"


def test_named_ports_resolve_per_destination_pod():
    # [types] port "can either be a numerical or named port on a pod": each destination's own.
    c = deployment("c", ports=[(9090, "http")])
    p = policy("all", podSelector={}, ingress=[{"ports": [{"port": "http"}]}])
    reach = reach_of(A, B, c, p)
    assert ports(reach, "default/b", "default/a") == "TCP 8080"
    assert ports(reach, "default/a", "default/c") == "TCP 9090"


def test_named_port_protocol_must_match():
    # The name is looked up with the rule's protocol: `dns` is UDP on b, the rule asks TCP.
    p = policy("b", podSelector={"matchLabels": {"app": "b"}}, ingress=[{"ports": [{"port": "dns"}]}])
    assert ports(reach_of(A, B, p), "default/a", "default/b") == "No Connections"
    p = policy(
        "b",
        podSelector={"matchLabels": {"app": "b"}},
        ingress=[{"ports": [{"port": "dns", "protocol": "UDP"}]}],
    )
    assert ports(reach_of(A, B, p), "default/a", "default/b") == "UDP 53"


def test_named_ports_in_egress_resolve_on_the_destination():
    c = deployment("c", ports=[(9090, "http")])
    p = policy("a", podSelector={"matchLabels": {"app": "a"}}, egress=[{"ports": [{"port": "http"}]}])
    reach = reach_of(A, B, c, p)
    assert ports(reach, "default/a", "default/b") == "TCP 8080"
    assert ports(reach, "default/a", "default/c") == "TCP 9090"
    # An address outside the cluster has no named ports.
    assert "default/a[Deployment] => 0.0.0.0-255.255.255.255[External] : TCP" not in "\n".join(
        lines_of(A, B, c, p)
    )


# --- invalid policies, flags, the list ----------------------------------------------------------------


def test_a_policy_the_api_server_refuses_is_left_out_with_a_problem():
    # [valid] ValidateNetworkPolicyPeer: "may not specify both ipBlock and another peer";
    # ValidateNetworkPolicyPort: endPort "may not be specified when `port` is non-numeric".
    bad_peer = policy(
        "bad-peer",
        podSelector={},
        ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}],
    )
    bad_port = policy("bad-port", podSelector={}, ingress=[{"ports": [{"port": "http", "endPort": 90}]}])
    reach = reach_of(A, B, bad_peer, bad_port)
    assert ports(reach, "default/a", "default/b") == "All Connections"
    assert sorted(p.policy_id for p in reach.problems) == [
        "NetworkPolicy/default/bad-peer",
        "NetworkPolicy/default/bad-port",
    ]


def test_host_network_pods_are_ordinary_pods_flagged():
    # [docs] networkpolicy-and-hostnetwork-pods: behaviour is undefined; topo lists them and flags them.
    reach = reach_of(A, deployment("agent", hostNetwork=True))
    assert reach.isolation["Deployment/default/agent"] == {
        "ingress": False,
        "egress": False,
        "flags": ["host-network"],
    }
    assert ports(reach, "default/a", "default/agent") == "All Connections"


def test_every_workload_is_in_isolation_and_no_self_pairs():
    twin_a = deployment("a2", labels={"app": "a"}, ports=[(8080, "http")])
    reach = reach_of(A, twin_a, B, policy("p", podSelector={}, ingress=[]))
    assert set(reach.isolation) == {"Deployment/default/a", "Deployment/default/a2", "Deployment/default/b"}
    reach = reach_of(A, twin_a)
    pairs = {(c.src, c.dst) for c in reach.connections()}
    assert ("default/a[Deployment]", "default/a2[Deployment]") in pairs  # same class, two workloads
    assert all(src != dst for src, dst in pairs)


def test_only_keeps_connections_touching_a_namespace():
    docs = [deployment("w", "x"), deployment("v", "y"), deployment("u", "z")]
    kept = lines_of(*docs, only="y")
    assert kept and all("y/v[Deployment]" in line for line in kept)


def test_the_matrix_takes_the_strongest_connection():
    p = policy(
        "p", "y", podSelector={}, ingress=[{"from": [{"namespaceSelector": {}}], "ports": [{"port": 80}]}]
    )
    reach = reach_of(deployment("w", "x"), deployment("v", "y"), deployment("v2", "y", {"app": "v2"}), p)
    matrix = reach.matrix()
    assert matrix.level("x", "y") == "some"
    assert matrix.level("y", "x") == "all"
    assert matrix.level("y", "y") == "some"
    assert matrix.level("x", "x") == "none"  # one workload: no pair of distinct workloads
