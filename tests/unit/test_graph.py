"""The dependency graph: every relation of issue 2 §3 and the node attributes of §4, on small inputs."""

from __future__ import annotations

import pytest
from topo_test_support import analysis_of, edge, edges, graph_of, targets

from topo.graph import ALL_RELATIONS
from topo.graph.link_calls import names_in

# --- relation names are a contract ---------------------------------------------------------------


def test_relation_names_are_the_documented_ones():
    assert ALL_RELATIONS == (
        "routes-to",
        "class",
        "uses",
        "selects",
        "governed-by",
        "owns",
        "mounts",
        "binds",
        "provisioned-by",
        "protects",
        "scales",
        "isolates",
        "calls",
    )


# --- Ingress: routes-to, class, uses (TLS) --------------------------------------------------------

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


def test_ingress_routes_to_each_backend_with_host_path_path_type_and_port():
    # networking.k8s.io/v1 IngressRule / HTTPIngressPath / IngressServiceBackend
    graph = graph_of(INGRESS)
    api = edge(graph, "Ingress/web/shop", "Service/web/api", "routes-to")
    assert (api["host"], api["path"], api["pathType"], api["port"]) == (
        "shop.example.com",
        "/api",
        "Prefix",
        80,
    )
    front = edge(graph, "Ingress/web/shop", "Service/web/front", "routes-to")
    assert (front["path"], front["pathType"], front["port"]) == ("/", "Exact", "http")


def test_ingress_default_backend_routes_without_host_or_path():
    # networking.k8s.io/v1 IngressSpec.defaultBackend: requests matching no rule
    fallback = edge(graph_of(INGRESS), "Ingress/web/shop", "Service/web/fallback", "routes-to")
    assert (fallback["host"], fallback["path"], fallback["port"], fallback.get("default")) == (
        None,
        None,
        8080,
        True,
    )


def test_routes_to_absent_services_point_at_missing_nodes():
    graph = graph_of(INGRESS)
    assert graph.nodes["Service/web/api"]["missing"] is True
    assert graph.nodes["Service/web/api"]["source"] is None


def test_ingress_uses_its_tls_secret():
    # networking.k8s.io/v1 IngressTLS.secretName, same namespace as the Ingress
    graph = graph_of(INGRESS)
    assert edge(graph, "Ingress/web/shop", "Secret/web/shop-tls", "uses")["via"] == "tls"


def test_legacy_extensions_ingress_backend_is_read():
    # extensions/v1beta1 IngressBackend: serviceName + servicePort (number or name)
    graph = graph_of(
        """
        apiVersion: extensions/v1beta1
        kind: Ingress
        metadata: {name: old}
        spec:
          backend: {serviceName: fallback, servicePort: 80}
          rules:
          - http:
              paths: [{path: /, backend: {serviceName: web, servicePort: http}}]
        """
    )
    assert edge(graph, "Ingress/default/old", "Service/default/web", "routes-to")["port"] == "http"
    assert edge(graph, "Ingress/default/old", "Service/default/fallback", "routes-to")["port"] == 80
    assert (
        edge(graph, "Ingress/default/old", "Service/default/web", "routes-to")["pathType"]
        == "ImplementationSpecific"
    )


def test_ingress_class_from_ingress_class_name():
    graph = graph_of(INGRESS)
    assert edge(graph, "Ingress/web/shop", "IngressClass/nginx", "class")["annotation"] is False
    assert graph.nodes["Ingress/web/shop"]["ingressClass"] == "IngressClass/nginx"


def test_ingress_class_from_legacy_annotation():
    # networking.k8s.io/v1beta1 AnnotationIngressClass `kubernetes.io/ingress.class`
    graph = graph_of(
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: legacy, annotations: {kubernetes.io/ingress.class: traefik}}
        spec: {defaultBackend: {service: {name: web, port: {number: 80}}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: traefik}
        spec: {controller: traefik.io/ingress-controller}
        """
    )
    assert edge(graph, "Ingress/default/legacy", "IngressClass/traefik", "class")["annotation"] is True
    assert graph.nodes["Ingress/default/legacy"]["ingressClass"] == "IngressClass/traefik"


DEFAULT_CLASSES = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: plain}}
spec: {{defaultBackend: {{service: {{name: web, port: {{number: 80}}}}}}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: {first}
  annotations: {{ingressclass.kubernetes.io/is-default-class: "true"}}
  {first_created}
spec: {{controller: a}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: {second}
  annotations: {{ingressclass.kubernetes.io/is-default-class: "true"}}
  {second_created}
spec: {{controller: b}}
"""


def test_ingress_without_class_gets_the_newest_default_class():
    # plugin/pkg/admission/network/defaultingressclass getDefaultClass: newest creationTimestamp
    graph = graph_of(
        DEFAULT_CLASSES.format(
            first="new",
            first_created="creationTimestamp: '2024-05-01T00:00:00Z'",
            second="old",
            second_created="creationTimestamp: '2021-05-01T00:00:00Z'",
        )
    )
    assert edge(graph, "Ingress/default/plain", "IngressClass/new", "class")["default"] is True
    assert graph.nodes["Ingress/default/plain"]["ingressClass"] == "IngressClass/new"


def test_default_ingress_classes_without_timestamps_pick_the_first_name():
    # plugin/pkg/admission/network/defaultingressclass getDefaultClass: ties → name ascending
    graph = graph_of(DEFAULT_CLASSES.format(first="zz", first_created="", second="aa", second_created=""))
    assert targets(graph, "Ingress/default/plain", "class") == {"IngressClass/aa"}


def test_ingress_class_not_in_input_is_missing_and_ingress_class_attr_null():
    graph = graph_of(INGRESS.split("---")[0])
    assert graph.nodes["IngressClass/nginx"]["missing"] is True
    assert graph.nodes["Ingress/web/shop"]["ingressClass"] is None


def test_external_ingress_class_serves_the_ingress():
    analysis = analysis_of(INGRESS.split("---")[0], external=frozenset({"IngressClass/nginx"}))
    assert analysis.graph.nodes["Ingress/web/shop"]["ingressClass"] == "IngressClass/nginx"
    assert analysis.graph.nodes["IngressClass/nginx"]["missing"] is False


# --- uses: ConfigMaps, Secrets, ServiceAccounts --------------------------------------------------

USES = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      serviceAccountName: app-sa
      imagePullSecrets: [{name: registry}]
      initContainers:
      - name: init
        image: busybox
        envFrom: [{configMapRef: {name: init-env}}]
      containers:
      - name: app
        image: app
        env:
        - {name: A, valueFrom: {configMapKeyRef: {name: settings, key: a}}}
        - {name: B, valueFrom: {secretKeyRef: {name: creds, key: b, optional: true}}}
        envFrom: [{secretRef: {name: env-secret}}]
      volumes:
      - {name: cfg, configMap: {name: files}}
      - {name: sec, secret: {secretName: certs}}
      - name: bundle
        projected:
          sources:
          - configMap: {name: proj-cm}
          - secret: {name: proj-secret}
          - serviceAccountToken: {path: token}
"""


def test_workload_uses_every_config_map_and_secret_it_references():
    # core/v1 EnvVarSource, EnvFromSource, ConfigMapVolumeSource, SecretVolumeSource,
    # ProjectedVolumeSource, PodSpec.imagePullSecrets
    graph = graph_of(USES)
    via = {target: data["via"] for _, target, data in edges(graph, "uses", "Deployment/shop/app")}
    assert via == {
        "ConfigMap/shop/settings": ["env"],
        "Secret/shop/creds": ["env"],
        "ConfigMap/shop/init-env": ["envFrom"],
        "Secret/shop/env-secret": ["envFrom"],
        "ConfigMap/shop/files": ["volume"],
        "Secret/shop/certs": ["volume"],
        "ConfigMap/shop/proj-cm": ["projected"],
        "Secret/shop/proj-secret": ["projected"],
        "Secret/shop/registry": ["imagePullSecrets"],
        "ServiceAccount/shop/app-sa": "serviceAccountName",
    }
    assert edge(graph, "Deployment/shop/app", "Secret/shop/creds", "uses")["optional"] is True
    assert edge(graph, "Deployment/shop/app", "ConfigMap/shop/settings", "uses")["optional"] is False
    assert all(graph.nodes[t]["missing"] for t in via)


def test_default_service_account_is_not_an_edge():
    # every namespace has the `default` ServiceAccount (ServiceAccount admission plugin)
    graph = graph_of(USES.replace("serviceAccountName: app-sa", "serviceAccountName: default"))
    assert "ServiceAccount/shop/default" not in targets(graph, "Deployment/shop/app", "uses")


def test_declared_config_map_is_not_missing():
    graph = graph_of(
        USES
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: '1'}\n"
    )
    assert graph.nodes["ConfigMap/shop/settings"]["missing"] is False
    assert graph.nodes["ConfigMap/shop/settings"]["keys"] == ["a"]


# --- Service: selects and targetPorts ------------------------------------------------------------

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


# --- storage edges on the graph ------------------------------------------------------------------


def test_workload_mounts_claims_named_in_its_volumes_and_claims_bind_or_provision():
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: app}
    spec:
      selector: {matchLabels: {app: a}}
      template:
        metadata: {labels: {app: a}}
        spec:
          containers: [{name: c, image: busybox}]
          volumes:
          - {name: a, persistentVolumeClaim: {claimName: bound}}
          - {name: b, persistentVolumeClaim: {claimName: dynamic}}
          - {name: c, persistentVolumeClaim: {claimName: absent}}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: bound}
    spec: {accessModes: [ReadWriteOnce], storageClassName: "", resources: {requests: {storage: 1Gi}}}
    ---
    apiVersion: v1
    kind: PersistentVolume
    metadata: {name: pv1}
    spec: {accessModes: [ReadWriteOnce], capacity: {storage: 1Gi}}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: dynamic}
    spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
    ---
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata: {name: fast}
    provisioner: pd.csi.storage.gke.io
    """
    graph = graph_of(text)
    assert (
        edge(graph, "Deployment/default/app", "PersistentVolumeClaim/default/bound", "mounts")["volume"]
        == "a"
    )
    assert graph.nodes["PersistentVolumeClaim/default/absent"]["missing"] is True
    assert targets(graph, "PersistentVolumeClaim/default/bound", "binds") == {"PersistentVolume/pv1"}
    assert targets(graph, "PersistentVolumeClaim/default/dynamic", "provisioned-by") == {"StorageClass/fast"}
    assert graph.nodes["PersistentVolumeClaim/default/bound"]["binding"] == "PersistentVolume/pv1"
    assert graph.nodes["PersistentVolumeClaim/default/dynamic"]["binding"] == "dynamic:StorageClass/fast"


# --- policy edges --------------------------------------------------------------------------------

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


def test_hpa_scales_its_target_and_an_absent_target_is_missing():
    # autoscaling/v2 HorizontalPodAutoscalerSpec.scaleTargetRef (same namespace)
    graph = graph_of(POLICY)
    assert targets(graph, "HorizontalPodAutoscaler/shop/web", "scales") == {"Deployment/shop/web"}
    assert graph.nodes["Deployment/shop/ghost"]["missing"] is True


def test_pdb_protects_workloads_its_selector_matches_in_its_namespace():
    # policy/v1 PodDisruptionBudgetSpec.selector (matchExpressions included), same namespace
    assert targets(graph_of(POLICY), "PodDisruptionBudget/shop/web", "protects") == {"Deployment/shop/web"}


def test_empty_pod_selector_isolates_every_workload_of_its_namespace_only():
    # networking/v1 NetworkPolicySpec.podSelector: "An empty podSelector selects all pods in this namespace"
    graph = graph_of(POLICY)
    assert targets(graph, "NetworkPolicy/shop/default-deny", "isolates") == {"Deployment/shop/web"}
    assert edge(graph, "NetworkPolicy/shop/default-deny", "Deployment/shop/web", "isolates")[
        "policyTypes"
    ] == ["Ingress", "Egress"]


def test_policy_v1beta1_pdb_with_empty_selector_protects_nothing():
    # policy/v1beta1: an empty selector selects no pods (policy/v1 changed it to all pods)
    text = (
        SELECTS
        + "---\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: shop}\nspec: {minAvailable: 1, selector: {}}\n"
    )
    v1 = text.replace("policy/v1beta1", "policy/v1")
    assert targets(graph_of(text), "PodDisruptionBudget/shop/p", "protects") == set()
    assert targets(graph_of(v1), "PodDisruptionBudget/shop/p", "protects") == {"Deployment/shop/web"}


# --- calls: in-cluster DNS names -----------------------------------------------------------------

CALL_TARGETS = """
apiVersion: v1
kind: Namespace
metadata: {name: db}
---
apiVersion: v1
kind: Service
metadata: {name: mariadb, namespace: db}
spec: {selector: {app: mariadb}, ports: [{port: 3306}]}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: shop}
spec: {selector: {app: svc}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: es-master, namespace: shop}
spec: {clusterIP: None, selector: {app: es-master}, ports: [{port: 9300}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: es-master, namespace: shop}
spec:
  serviceName: es-master
  replicas: 2
  selector: {matchLabels: {app: es-master}}
  template:
    metadata: {labels: {app: es-master}}
    spec: {containers: [{name: es, image: elasticsearch}]}
"""


def caller(env: str = "", command: str = "", init: str = "", extra_docs: str = "", env_from: str = "") -> str:
    return (
        CALL_TARGETS
        + f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: app}}}}
  template:
    metadata: {{labels: {{app: app}}}}
    spec:
      initContainers: [{init or ""}]
      containers:
      - name: app
        image: app
        env: [{env}]
        command: [{command}]
        envFrom: [{env_from}]
{extra_docs}"""
    )


def calls(text: str) -> dict[str, list[dict]]:
    graph = graph_of(text)
    found: dict[str, list[dict]] = {}
    for _, target, data in edges(graph, "calls", "Deployment/shop/app"):
        found.setdefault(target, []).append(data)
    return found


def test_name_dot_namespace_in_an_env_value_calls_the_service():
    # kubernetes/dns docs/specification.md + resolv.conf search `<ns>.svc.<zone> svc.<zone> <zone>`:
    # `mariadb.db` from `shop` resolves as mariadb.db.svc.cluster.local
    found = calls(caller(env="{name: DB_HOST, value: mariadb.db}"))
    assert list(found) == ["Service/db/mariadb"]
    [attrs] = found["Service/db/mariadb"]
    assert attrs["name"] == "mariadb.db" and "DB_HOST" in attrs["found"] and "port" not in attrs


def test_url_with_port_calls_the_service_and_records_the_port():
    found = calls(caller(env="{name: API, value: 'http://svc:8080/x'}"))
    assert [a["port"] for a in found["Service/shop/svc"]] == [8080]


def test_fully_qualified_service_name_calls_the_service():
    found = calls(caller(env="{name: TARGET, value: 'mariadb.db.svc.cluster.local:3306'}"))
    assert found["Service/db/mariadb"][0]["port"] == 3306
    found = calls(caller(env="{name: TARGET, value: 'mariadb.db.svc'}"))
    assert "Service/db/mariadb" in found


def test_comma_separated_ordinal_pod_names_call_each_pod():
    # elasticsearch discovery.seed_hosts: `es-master-0.es-master,es-master-1.es-master`
    found = calls(
        caller(env="{name: discovery.seed_hosts, value: 'es-master-0.es-master,es-master-1.es-master'}")
    )
    assert set(found) == {"Pod/shop/es-master-0", "Pod/shop/es-master-1"}


def test_init_container_command_waiting_for_the_database_calls_it():
    init = "{name: wait, image: busybox, command: [sh, -c, 'until nc -z mariadb.db 3306; do sleep 2; done']}"
    found = calls(caller(init=init))
    assert list(found) == ["Service/db/mariadb"]
    assert "wait" in found["Service/db/mariadb"][0]["found"]


def test_bare_single_label_counts_in_a_host_variable_only():
    # issue 2 §3: a bare single label counts when it names a Service or sits in a host-like variable
    in_host_var = calls(caller(env="{name: CACHE_HOST, value: redis}"))
    assert list(in_host_var) == ["Service/shop/redis"]
    assert (
        graph_of(caller(env="{name: CACHE_HOST, value: redis}")).nodes["Service/shop/redis"]["missing"]
        is True
    )
    assert calls(caller(env="{name: GREETING, value: redis}")) == {}
    assert calls(caller(env="{name: MODE, value: 'redis:6379'}")) == {}


@pytest.mark.parametrize("variable", ["DB_ADDR", "API_URL", "AUTH_SERVICE", "KAFKA_BROKERS", "ENDPOINT"])
def test_host_like_variable_names(variable):
    assert list(calls(caller(env=f"{{name: {variable}, value: backend}}"))) == ["Service/shop/backend"]


def test_bare_single_label_naming_a_service_counts_anywhere():
    found = calls(caller(command="'/app', '--upstream', 'svc'"))
    assert list(found) == ["Service/shop/svc"]


def test_config_map_data_read_through_env_from_is_scanned():
    config_map = """
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data:
  DATABASE_HOST: mariadb.db
  SEARCH_URL: http://es-master-0.es-master:9200
  LOG_LEVEL: info
"""
    found = calls(caller(env_from="{configMapRef: {name: settings}}", extra_docs=config_map))
    assert set(found) == {"Service/db/mariadb", "Pod/shop/es-master-0"}
    assert "ConfigMap/shop/settings" in found["Service/db/mariadb"][0]["found"]


@pytest.mark.parametrize(
    "value",
    [
        "example.com",
        "https://api.github.com/repos",
        "localhost:8080",
        "http://127.0.0.1:9090",
        "app.kubernetes.io/name",
        "spring.datasource.url",
        "/etc/nginx/nginx.conf",
        "nginx.conf",
        "0.0.0.0:8080",
        "v1.2.3",
        "12:30",
        "-Xmx512m",
    ],
)
def test_names_that_are_not_in_cluster_references_make_no_calls(value):
    assert calls(caller(env=f"{{name: SETTING, value: '{value}'}}")) == {}
    assert calls(caller(command=f"'run', '{value}'")) == {}


def test_dangling_in_cluster_name_calls_a_missing_node():
    # `<svc>.<ns>.svc` cannot be anything but an in-cluster name even when nothing answers it
    graph = graph_of(caller(env="{name: PAYMENTS, value: 'payments.billing.svc.cluster.local'}"))
    assert targets(graph, "Deployment/shop/app", "calls") == {"Service/billing/payments"}
    assert graph.nodes["Service/billing/payments"]["missing"] is True


def test_workload_never_calls_itself():
    text = CALL_TARGETS.replace(
        "containers: [{name: es, image: elasticsearch}]",
        "containers: [{name: es, image: elasticsearch, env: [{name: SELF_HOST, value: es-master}]}]",
    )
    graph = graph_of(text)
    assert targets(graph, "StatefulSet/shop/es-master", "calls") == {"Service/shop/es-master"}


# --- workload node attributes --------------------------------------------------------------------


def test_workload_attributes_with_defaults_applied():
    text = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          initContainers:
          - {name: migrate, image: app}
          - name: proxy
            image: envoy
            restartPolicy: Always
            readinessProbe: {tcpSocket: {port: 15001}}
          - {name: warm, image: app}
          containers:
          - name: web
            image: nginx
            startupProbe: {httpGet: {path: /, port: 80}, failureThreshold: 30, periodSeconds: 10}
            livenessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 5}
          - name: worker
            image: app
            livenessProbe: {exec: {command: [/bin/true]}, initialDelaySeconds: 20, periodSeconds: 5}
    """
    node = graph_of(text).nodes["Deployment/default/web"]
    assert node["replicas"] == 1
    assert node["initContainers"] == ["migrate", "proxy", "warm"]
    assert node["sidecars"] == ["proxy"]
    # pkg/apis/core/v1/defaults.go SetDefaults_Probe
    assert node["probes"]["proxy"] == {
        "readiness": {
            "initialDelaySeconds": 0,
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    }
    assert set(node["probes"]["web"]) == {"startup", "liveness"}
    # kubelet: the liveness probe starts after the startup probe succeeds, so the budget of a
    # container that never gets healthy is its startup probe's; else its liveness probe's
    assert node["startupBudgetSeconds"] == {"web": 300, "worker": 35}


def test_job_and_cronjob_attributes():
    text = """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate}
    spec:
      activeDeadlineSeconds: 600
      template:
        spec: {restartPolicy: Never, containers: [{name: m, image: app}]}
    ---
    apiVersion: batch/v1
    kind: CronJob
    metadata: {name: backup}
    spec:
      schedule: "0 2 * * *"
      timeZone: Europe/Paris
      concurrencyPolicy: Forbid
      jobTemplate:
        spec:
          template:
            spec: {restartPolicy: OnFailure, containers: [{name: b, image: backup}]}
    """
    graph = graph_of(text)
    assert graph.nodes["Job/default/migrate"]["job"] == {
        "backoffLimit": 6,
        "completions": 1,
        "parallelism": 1,
        "activeDeadlineSeconds": 600,
        "ttlSecondsAfterFinished": None,
    }
    assert graph.nodes["CronJob/default/backup"]["cronjob"] == {
        "concurrencyPolicy": "Forbid",
        "suspend": False,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1,
        "timeZone": "Europe/Paris",
        "startingDeadlineSeconds": None,
    }


def test_every_node_has_the_common_attributes():
    graph = graph_of(POLICY + "---" + statefulset() + "---" + INGRESS)
    for node_id, data in graph.nodes(data=True):
        assert data["id"] == node_id
        assert {"id", "kind", "namespace", "name", "missing", "source"} <= set(data), node_id
        if data["missing"]:
            assert data["source"] is None
        else:
            assert data["source"]["file"] == "test.yaml" and data["source"]["line"] >= 1
    for _, _, data in graph.edges(data=True):
        assert data["relation"] in ALL_RELATIONS


def test_source_lines_point_at_each_document():
    graph = graph_of(INGRESS)
    assert graph.nodes["Ingress/web/shop"]["source"] == {"file": "test.yaml", "line": 2}
    assert graph.nodes["IngressClass/nginx"]["source"]["line"] == 16


def test_config_map_mounted_as_a_file_is_scanned_for_urls():
    # nginx: `proxy_pass http://svc:8080;` — the `;` ends the URL
    config_map = """
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nginx, namespace: shop}
data:
  default.conf: |
    server {
      location / { proxy_pass http://svc:8080; }
      location /db { return 302 <http://mariadb.db>; }
    }
"""
    text = caller(extra_docs=config_map).replace(
        "        envFrom: []\n",
        "        envFrom: []\n      volumes: [{name: conf, configMap: {name: nginx}}]\n",
    )
    found = calls(text)
    assert set(found) == {"Service/shop/svc", "Service/db/mariadb"}
    assert found["Service/shop/svc"][0]["port"] == 8080


def test_name_dot_known_namespace_calls_a_missing_service():
    # `<svc>.<ns>` where <ns> is a namespace of the input: a dangling dependency, made visible
    graph = graph_of(caller(env="{name: LEDGER, value: 'ledger.db:5432'}"))
    assert targets(graph, "Deployment/shop/app", "calls") == {"Service/db/ledger"}
    assert graph.nodes["Service/db/ledger"]["missing"] is True


def test_name_dot_unknown_word_is_not_a_call():
    # `cache.internal` could be anything outside the cluster: no namespace `internal` in the input
    assert calls(caller(env="{name: CACHE_HOST, value: cache.internal}")) == {}


def test_the_program_in_command_is_not_a_host_even_when_a_service_has_its_name():
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: nginx}
    spec: {selector: {app: nginx}, ports: [{port: 80}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: prometheus}
    spec: {selector: {app: prometheus}, ports: [{port: 9090}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: nginx}
    spec:
      selector: {matchLabels: {app: nginx}}
      template:
        metadata: {labels: {app: nginx}}
        spec:
          containers:
          - {name: nginx, image: nginx, command: [nginx, -g, "daemon off;"]}
          - {name: exporter, image: exporter, command: [prometheus, --web.listen-address=:9113]}
    """
    assert targets(graph_of(text), "Deployment/default/nginx", "calls") == set()


@pytest.mark.parametrize(
    ("value", "target"),
    [
        ("svc", "Service/shop/svc"),
        ("svc.shop", "Service/shop/svc"),
        ("svc.shop.svc", "Service/shop/svc"),
        ("svc.shop.svc.cluster.local", "Service/shop/svc"),
        ("es-master-1.es-master", "Pod/shop/es-master-1"),
        ("es-master-1.es-master.shop", "Pod/shop/es-master-1"),
        ("es-master-1.es-master.shop.svc", "Pod/shop/es-master-1"),
        ("es-master-1.es-master.shop.svc.cluster.local", "Pod/shop/es-master-1"),
    ],
)
@pytest.mark.parametrize("port", [None, 9300])
def test_every_in_cluster_name_form_with_an_optional_port_calls_its_target(value, target, port):
    # issue 2 §3: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, `pod-N.svc`,
    # `pod-N.svc.ns[.svc[.cluster.local]]`, each with an optional `:port`
    text = value if port is None else f"{value}:{port}"
    found = calls(caller(env=f"{{name: PEER_HOST, value: '{text}'}}"))
    assert list(found) == [target]
    assert found[target][0].get("port") == port


def test_config_map_key_read_into_a_host_variable_counts_as_a_host():
    # env DB_HOST ← configMapKeyRef {key: database}: the variable the pod sees is DB_HOST
    config_map = """
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {database: pg, greeting: hello}
"""
    env = "{name: DB_HOST, valueFrom: {configMapKeyRef: {name: settings, key: database}}}, {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}"
    found = calls(caller(env=env, extra_docs=config_map))
    assert list(found) == ["Service/shop/pg"]


def test_dotted_word_next_to_a_service_is_not_read_as_a_pod_name():
    # An unresolved `<name>.<service>` is a per-pod name (`web-0.web`, DNS spec for headless
    # Services) only in the StatefulSet ordinal shape or for a Pod of the input; `http.server`
    # in a command next to a Service `server` is a Python module, not a dependency.
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: server, namespace: shop}
    spec: {selector: {app: server}, ports: [{port: 80}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: web
            image: python:3.12
            command: [python, -m, http.server, "8000"]
            env: [{name: PEER_HOST, value: server-3.server}]
    """
    graph = graph_of(text)
    assert targets(graph, "Deployment/shop/web", "calls") == {"Pod/shop/server-3"}


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        # URL-like strings with a scheme yield the host: never the scheme, the user, the path or the query
        ("jdbc:postgresql://ledger-db:5432/postgresdb", [("ledger-db", 5432)]),
        ("redis://cache:6379/0", [("cache", 6379)]),
        ("mongodb+srv://orders-db/orders?retryWrites=true&tls=true", [("orders-db", None)]),
        ("amqp://user:pw@rabbit:5672/vhost", [("rabbit", 5672)]),
        ("mongodb://m-0.m:27017,m-1.m:27017/?replicaSet=rs0", [("m-0.m", 27017), ("m-1.m", 27017)]),
        # label matchers of PromQL / LogQL, also with JSON-escaped quotes, are label values
        ('up{job="node-exporter",namespace!="kube-system"}', [("up", None)]),
        (
            'rate(x{destination_service=~\\"orders.shop.svc.cluster.local\\"}[5m])',
            [("rate", None), ("x", None), ("5m", None)],
        ),
        # keys are not values; booleans are never hosts
        ("--kubelet-endpoints=true", []),
    ],
)
def test_the_scanner_reads_hosts_out_of_configuration_text(text, hosts):
    # one scanner pass per string (topo/graph/link_calls.py _SCAN)
    assert [(name, port) for name, port, _, _ in names_in(text, "X_URL")] == hosts


def test_a_bare_word_in_a_config_file_is_not_a_host_but_a_host_key_value_is():
    config = "scrape:\n  job: node-exporter\n  host: cache\n"
    assert [name for name, *_ in names_in(config, None, is_file=True)] == ["cache"]
