"""The dependency graph around Services: selects and targetPorts, StatefulSets governed-by their
Service and owning ordinal Pods, per-pod DNS names, Service node attributes."""

from __future__ import annotations

import pytest
from graph_inputs import SELECTS, statefulset
from topo_test_support import edge, graph_of, targets

# --- Service: selects and targetPorts ------------------------------------------------------------


def test_service_selects_workloads_whose_template_labels_match_in_its_namespace_only():
    # pkg/controller/endpointslice: pods of the Service's namespace matching spec.selector
    graph = graph_of(SELECTS)
    assert targets(graph, "Service/shop/web", "selects") == {"Deployment/shop/web"}


def test_target_ports_numeric_as_is_named_by_name_and_protocol_null_when_not_found():
    # k8s.io/kubernetes pkg/api/v1/pod/util.go FindPort: a named port matches name AND protocol;
    # a number is used as is whatever the containerPort declarations say
    ports = edge(graph_of(SELECTS), "Service/shop/web", "Deployment/shop/web", "selects")["targetPorts"]
    assert ports == {"http": 8080, "metrics": 9100, "dns": 1053, "missing": None, "82": 82}


def test_named_target_port_is_found_in_sidecars_too():
    # pkg/api/v1/pod/util.go FindPort: "also support sidecar container (initContainer with
    # restartPolicy=Always)"; plain init containers are not searched
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec: {selector: {app: a}, ports: [{name: proxy, port: 80, targetPort: proxy}, {name: setup, port: 81, targetPort: setup}]}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: p, labels: {app: a}}
    spec:
      initContainers:
      - {name: envoy, image: envoy, restartPolicy: Always, ports: [{name: proxy, containerPort: 15001}]}
      - {name: setup, image: busybox, ports: [{name: setup, containerPort: 9999}]}
      containers: [{name: app, image: app}]
    """
    ports = edge(graph_of(text), "Service/default/s", "Pod/default/p", "selects")["targetPorts"]
    assert ports == {"proxy": 15001, "setup": None}


def test_service_without_selector_selects_nothing():
    # pkg/controller/endpointslice: "services without a selector receive no endpoints"
    text = SELECTS.replace("  selector: {app: web}\n", "", 1)
    assert targets(graph_of(text), "Service/shop/web", "selects") == set()


def test_service_selects_a_bare_pod_object():
    # pkg/controller/endpointslice: any pod of the namespace whose labels match, owned or not
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec: {selector: {app: a}, ports: [{port: 80}]}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: solo, labels: {app: a}}
    spec: {containers: [{name: c, image: nginx}]}
    """
    assert targets(graph_of(text), "Service/default/s", "selects") == {"Pod/default/solo"}


def test_ordinal_pods_are_never_targets_of_selects_protects_isolates():
    # issue 2 §3: the StatefulSet is the target, its generated Pods are not
    graph = graph_of(statefulset())
    assert targets(graph, "Service/data/db", "selects") == {"StatefulSet/data/db"}
    assert targets(graph, "PodDisruptionBudget/data/db", "protects") == {"StatefulSet/data/db"}
    assert targets(graph, "NetworkPolicy/data/db-only", "isolates") == {"StatefulSet/data/db"}


def test_statefulset_is_governed_by_its_service():
    # apps/v1 StatefulSetSpec.serviceName
    assert targets(graph_of(statefulset()), "StatefulSet/data/db", "governed-by") == {"Service/data/db"}


def test_statefulset_governed_by_an_absent_service_points_at_a_missing_node():
    graph = graph_of(statefulset().split("---", 1)[1])
    assert graph.nodes["Service/data/db"]["missing"] is True
    assert all(graph.nodes[f"Pod/data/db-{i}"]["dns"] == [] for i in range(3))


def test_statefulset_owns_one_pod_per_ordinal():
    # pkg/controller/statefulset/stateful_set_utils.go getPodName: `<set>-<ordinal>`
    graph = graph_of(statefulset())
    assert targets(graph, "StatefulSet/data/db", "owns") == {
        "Pod/data/db-0",
        "Pod/data/db-1",
        "Pod/data/db-2",
    }
    pod = graph.nodes["Pod/data/db-1"]
    assert (pod["kind"], pod["missing"], pod["ordinal"], pod["generatedBy"]) == (
        "Pod",
        False,
        1,
        "StatefulSet/data/db",
    )


def test_statefulset_ordinals_start_shifts_pod_and_claim_names():
    # apps/v1 StatefulSetOrdinals.start: ordinals start .. start + replicas - 1
    graph = graph_of(statefulset(ordinals="ordinals: {start: 5}"))
    assert targets(graph, "StatefulSet/data/db", "owns") == {
        "Pod/data/db-5",
        "Pod/data/db-6",
        "Pod/data/db-7",
    }
    assert targets(graph, "StatefulSet/data/db", "mounts") == {
        "PersistentVolumeClaim/data/data-db-5",
        "PersistentVolumeClaim/data/data-db-6",
        "PersistentVolumeClaim/data/data-db-7",
    }


def test_statefulset_mounts_one_claim_per_ordinal_and_template():
    # pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaimName:
    # `<claim template>-<set>-<ordinal>`
    graph = graph_of(statefulset())
    claim = edge(graph, "StatefulSet/data/db", "PersistentVolumeClaim/data/data-db-2", "mounts")
    assert (claim["volume"], claim["ordinal"]) == ("data", 2)
    node = graph.nodes["PersistentVolumeClaim/data/data-db-2"]
    assert (node["missing"], node["generatedBy"]) == (False, "StatefulSet/data/db")


def test_ordinal_pods_get_dns_names_under_a_headless_governing_service():
    # https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
    graph = graph_of(statefulset())
    assert graph.nodes["Pod/data/db-0"]["dns"] == ["db-0.db.data.svc.cluster.local"]


def test_ordinal_pods_have_no_dns_names_under_a_service_with_a_cluster_ip():
    # kubernetes/dns docs/specification.md 2.4: pod A records exist for headless Services only
    graph = graph_of(statefulset(cluster_ip="10.0.0.10"))
    assert graph.nodes["Pod/data/db-0"]["dns"] == []


def test_ordinal_pods_have_no_dns_names_when_the_service_does_not_select_them():
    graph = graph_of(statefulset().replace("selector: {app: db}", "selector: {app: other}", 1))
    assert graph.nodes["Pod/data/db-0"]["dns"] == []


def test_cluster_domain_changes_dns_names():
    graph = graph_of(statefulset(), cluster_domain="corp.internal")
    assert graph.nodes["Pod/data/db-0"]["dns"] == ["db-0.db.data.svc.corp.internal"]
    assert graph.nodes["Service/data/db"]["dns"] == ["db.data.svc.corp.internal"]


BARE_POD = """
apiVersion: v1
kind: Pod
metadata: {{name: busybox1, labels: {{name: busybox}}}}
spec:
  hostname: busybox-1
  subdomain: {subdomain}
  containers: [{{name: busybox, image: busybox}}]
---
apiVersion: v1
kind: Service
metadata: {{name: busybox-subdomain}}
spec:
  clusterIP: {cluster_ip}
  selector: {{name: busybox}}
  ports: [{{name: foo, port: 1234}}]
"""


def test_bare_pod_with_hostname_and_subdomain_gets_a_dns_name_under_a_headless_service():
    # https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-hostname-and-subdomain-field
    graph = graph_of(BARE_POD.format(subdomain="busybox-subdomain", cluster_ip="None"))
    assert graph.nodes["Pod/default/busybox1"]["dns"] == [
        "busybox-1.busybox-subdomain.default.svc.cluster.local"
    ]


@pytest.mark.parametrize(
    ("subdomain", "cluster_ip"), [("busybox-subdomain", "10.1.2.3"), ("elsewhere", "None")]
)
def test_bare_pod_dns_needs_the_headless_service_named_by_its_subdomain(subdomain, cluster_ip):
    # dns-pod-service docs: the record exists when "a headless Service in the same namespace as
    # the Pod" has the name of the subdomain
    graph = graph_of(BARE_POD.format(subdomain=subdomain, cluster_ip=cluster_ip))
    assert graph.nodes["Pod/default/busybox1"]["dns"] == []


def test_service_node_carries_type_headless_dns_srv_and_ports():
    # kubernetes/dns docs/specification.md: A `<svc>.<ns>.svc.<zone>`, SRV `_<port>._<proto>.<svc>...`
    graph = graph_of(SELECTS)
    node = graph.nodes["Service/shop/web"]
    assert (node["type"], node["headless"], node["publishNotReadyAddresses"]) == ("ClusterIP", False, False)
    assert node["dns"] == ["web.shop.svc.cluster.local"]
    assert node["srv"] == [
        "_http._tcp.web.shop.svc.cluster.local",
        "_metrics._tcp.web.shop.svc.cluster.local",
        "_dns._udp.web.shop.svc.cluster.local",
        "_missing._tcp.web.shop.svc.cluster.local",
    ]
    assert node["ports"][0] == {
        "name": "http",
        "port": 80,
        "targetPort": "http",
        "protocol": "TCP",
        "nodePort": None,
    }
    assert node["ports"][4] == {
        "name": None,
        "port": 82,
        "targetPort": 82,
        "protocol": "TCP",
        "nodePort": None,
    }


def test_headless_service_node_says_so():
    node = graph_of(statefulset()).nodes["Service/data/db"]
    assert node["headless"] is True and node["type"] == "ClusterIP"
