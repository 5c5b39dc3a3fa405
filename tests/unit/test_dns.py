"""Kubernetes DNS names (topo.model.dns) and name resolution from a pod (topo.analyses.dns).

Upstream: kubernetes/dns docs/specification.md (records), and the pod resolv.conf the kubelet
writes (pkg/kubelet/network/dns/dns.go): `search <ns>.svc.<zone> svc.<zone> <zone>`, `ndots:5`.
"""

from __future__ import annotations

from topo_test_support import graph_of

from topo.analyses.dns import resolve_name
from topo.model.dns import pod_fqdn, search_candidates, service_fqdn, srv_name
from topo.model.names import dns1123_label_problems


def test_service_pod_and_srv_record_names():
    # kubernetes/dns docs/specification.md 2.3 (Services), 2.4 (Pods of headless Services)
    assert service_fqdn("web", "shop", "cluster.local") == "web.shop.svc.cluster.local"
    assert pod_fqdn("web-0", "web", "shop", "cluster.local") == "web-0.web.shop.svc.cluster.local"
    assert srv_name("http", "TCP", "web", "shop", "cluster.local") == "_http._tcp.web.shop.svc.cluster.local"


def test_names_with_fewer_than_five_dots_try_the_search_path_first():
    # resolv.conf ndots:5: fewer dots than ndots → search suffixes first, the name as written last
    assert search_candidates("db.data", "shop", "cluster.local") == [
        "db.data.shop.svc.cluster.local",
        "db.data.svc.cluster.local",
        "db.data.cluster.local",
        "db.data",
    ]


def test_names_with_five_dots_are_tried_as_written_first():
    name = "web-0.web.shop.svc.cluster.local"
    assert search_candidates(name, "x", "cluster.local")[0] == name


def test_a_trailing_dot_makes_a_name_absolute():
    assert search_candidates("web.shop.svc.cluster.local.", "x", "cluster.local") == [
        "web.shop.svc.cluster.local"
    ]


def test_names_are_case_insensitive():
    assert search_candidates("DB.Data", "shop", "cluster.local")[1] == "db.data.svc.cluster.local"


def test_dns_label_syntax():
    # RFC 1123 label, as validation.IsDNS1123Label (k8s.io/apimachinery pkg/util/validation)
    assert not dns1123_label_problems("web-0")
    assert all(dns1123_label_problems(bad) for bad in ("Web", "-web", "a" * 64))


def test_resolve_name_reports_what_was_tried_and_what_answered():
    graph = graph_of(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: data}
        spec: {selector: {app: db}, ports: [{port: 5432}]}
        """
    )
    found = resolve_name(graph, "db.data:5432", "shop")
    assert (found.target, found.fqdn) == ("Service/data/db", "db.data.svc.cluster.local")
    assert found.tried[0] == "db.data.shop.svc.cluster.local"
    assert resolve_name(graph, "db", "shop").target is None
    assert resolve_name(graph, "db", "data").target == "Service/data/db"


def test_external_services_answer_too():
    graph = graph_of("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    found = resolve_name(graph, "vault.security", "shop", external=frozenset({"Service/security/vault"}))
    assert found.target == "Service/security/vault"
