"""StatefulSet and DNS rules: the semantics the fixtures do not show.

Upstream sources for what a name resolves to:
- DNS records: https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/ and
  github.com/kubernetes/dns docs/specification.md (per-pod A records only for headless Services,
  from endpoints whose pod has `hostname` and a `subdomain` equal to the Service's name);
- StatefulSet ordinals: `spec.ordinals.start` .. start + replicas - 1 (KEP-3335,
  https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#start-ordinal);
- the StatefulSet controller sets pod.spec.subdomain = spec.serviceName
  (k8s.io/kubernetes pkg/controller/statefulset/stateful_set_utils.go).
"""

from __future__ import annotations

import textwrap

from topo.api import analyze
from topo.config import Config
from topo.rules import RULES
from topo.rules.engine import run_rules
from topo.rules.mounts import is_scratch_path, is_scratch_volume


def findings(text: str, rule_id: str, config: Config | None = None):
    analysis = analyze(text=textwrap.dedent(text), config=config or Config())
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES[rule_id]])
    assert not results.rule_errors, results.rule_errors
    return results.findings


ES = """
apiVersion: v1
kind: Service
metadata: {name: es, namespace: search}
spec:
  clusterIP: None
  selector: {app: es}
  ports: [{name: transport, port: 9300}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: es, namespace: search}
spec:
  serviceName: es
  replicas: %(replicas)s
  %(ordinals)s
  selector: {matchLabels: {app: es}}
  template:
    metadata: {labels: {app: es}}
    spec:
      containers:
        - name: es
          image: elasticsearch:8.15.3
          ports: [{containerPort: 9200}, {containerPort: 9300}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: %(client_ns)s}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers:
        - name: client
          image: client:1.0
          env: [{name: SEED_HOSTS, value: "%(value)s"}]
"""


def es(value: str, replicas: int = 3, ordinals: str = "", client_ns: str = "search") -> str:
    return ES % {"value": value, "replicas": replicas, "ordinals": ordinals, "client_ns": client_ns}


# --- dns-name-unresolved ------------------------------------------------------------------------


def test_ordinal_at_replicas_is_unresolved_and_the_last_ordinal_is_suggested():
    # replicas: 3 → es-0, es-1, es-2; es-3 is the first name that does not exist.
    (finding,) = findings(es("es-0.es,es-3.es"), "dns-name-unresolved")
    assert finding.object == "Deployment/search/client"
    assert "'es-3.es'" in finding.message and "env SEED_HOSTS of container client" in finding.message
    assert "3 replicas" in finding.message
    assert "es-2.es" in finding.hint


def test_ordinals_start_shifts_the_valid_names():
    # spec.ordinals.start: 1 with 2 replicas → es-1, es-2 (KEP-3335); es-0 does not exist.
    text = es("es-1.es,es-2.es,es-0.es", replicas=2, ordinals="ordinals: {start: 1}")
    (finding,) = findings(text, "dns-name-unresolved")
    assert "'es-0.es'" in finding.message and "es-1 … es-2" in finding.message
    assert "es-1.es" in finding.hint


def test_statefulset_scaled_to_zero_has_no_pods():
    (finding,) = findings(es("es-0.es", replicas=0), "dns-name-unresolved")
    assert "0 replicas" in finding.message


def test_cross_namespace_names_resolve_in_every_form():
    # From namespace `shop`, the search path makes `es-0.es.search` and the Service `es.search` resolve.
    value = "es-0.es.search,es.search:9300,es.search.svc,es-1.es.search.svc.cluster.local"
    assert findings(es(value, client_ns="shop"), "dns-name-unresolved") == ()


def test_short_per_pod_name_from_another_namespace_is_not_attributed():
    # `es-0.es` from namespace shop tries es-0.es.shop.svc.cluster.local first: no such Service `es`
    # in shop, and `es` is not a namespace, so the graph makes no `calls` edge: not this rule's business.
    assert findings(es("es-0.es", client_ns="shop"), "dns-name-unresolved") == ()


def test_per_pod_name_under_a_service_that_does_not_select_the_pods_is_the_statefulsets_error():
    # One fact, one finding (issue 10 §1): the governing Service does not select the pods, so no
    # per-pod record exists. statefulset-service-selector-mismatch reports it on the StatefulSet,
    # as an error since a client uses the names; the client gets no second finding.
    text = es("es-0.es").replace("selector: {app: es}\n", "selector: {app: elasticsearch}\n", 1)
    assert findings(text, "dns-name-unresolved") == ()
    (finding,) = findings(text, "statefulset-service-selector-mismatch")
    assert finding.severity.value == "error" and "Deployment/search/client" in finding.message


def test_per_pod_name_whose_governing_service_is_external_resolves():
    # The headless Service is created outside the manifests: topo cannot see its selector, so it
    # trusts it rather than reporting a false "no DNS record".
    text = """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: vault, namespace: vault}
    spec:
      serviceName: vault-internal
      replicas: 3
      selector: {matchLabels: {app: vault}}
      template:
        metadata: {labels: {app: vault}}
        spec:
          containers:
            - name: vault
              image: hashicorp/vault:1.17
              env: [{name: VAULT_CLUSTER_ADDR, value: "https://vault-0.vault-internal:8201"}]
    """
    config = Config(external=frozenset({"Service/vault/vault-internal"}))
    assert findings(text, "dns-name-unresolved", config) == ()
    assert findings(text, "dns-port-not-exposed", config) == ()


def test_unknown_namespace_is_named_in_the_message():
    # `.svc` makes the name unambiguous: <service>.<namespace>.svc
    (finding,) = findings(es("es.serach.svc:9300", client_ns="shop"), "dns-name-unresolved")
    assert "namespace 'serach' holds no object of the input" in finding.message
    assert "es.search" in finding.hint


def test_same_name_found_twice_is_one_finding_listing_both_places():
    # The graph keeps one `calls` edge per (target, name, port); the rule merges the ports.
    text = es("es-7.es").replace(
        'env: [{name: SEED_HOSTS, value: "es-7.es"}]',
        'env: [{name: SEED_HOSTS, value: "es-7.es"}]\n          args: ["--peer=es-7.es:9300"]',
    )
    (finding,) = findings(text, "dns-name-unresolved")
    assert (
        "env SEED_HOSTS of container client" in finding.message
        and "args of container client" in finding.message
    )


# --- dns-port-not-exposed -----------------------------------------------------------------------

SERVICE = """
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  %(headless)s
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api:1.0, ports: [{containerPort: 8080}, {containerPort: 9090}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1.0, env: [{name: API_URL, value: "http://api:%(port)s/v1"}]}]
"""


def test_cluster_ip_service_forwards_only_its_service_ports():
    # kube-proxy maps <clusterIP>:<port> to the endpoints; the targetPort is not open on the VIP.
    # https://kubernetes.io/docs/reference/networking/virtual-ips/
    (finding,) = findings(SERVICE % {"headless": "", "port": 8080}, "dns-port-not-exposed")
    assert "has no port 8080" in finding.message and "targetPort" in finding.hint
    assert findings(SERVICE % {"headless": "", "port": 80}, "dns-port-not-exposed") == ()


def test_headless_service_name_reaches_the_pods_ports():
    # A headless Service name resolves to the pod IPs, so a port the pods declare is reachable.
    # https://kubernetes.io/docs/concepts/services-networking/service/#headless-services
    for port in (8080, 9090, 80):
        assert findings(SERVICE % {"headless": "clusterIP: None", "port": port}, "dns-port-not-exposed") == ()
    (finding,) = findings(SERVICE % {"headless": "clusterIP: None", "port": 7000}, "dns-port-not-exposed")
    assert "has no port 7000" in finding.message


def test_external_name_service_ports_are_not_checked():
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: legacy, namespace: shop}
    spec: {type: ExternalName, externalName: db.example.com}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: web:1.0, env: [{name: DB_HOST, value: "legacy:5432"}]}]
    """
    assert findings(text, "dns-port-not-exposed") == ()


def test_unresolved_names_are_left_to_dns_name_unresolved():
    assert findings(es("es-9.es:9999"), "dns-port-not-exposed") == ()


# --- statefulset rules --------------------------------------------------------------------------


def test_externalname_governing_service_is_reported_as_not_headless_only():
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: db, namespace: x}
    spec: {type: ExternalName, externalName: db.example.com}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: x}
    spec:
      serviceName: db
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db}}
        spec:
          containers: [{name: db, image: postgres:16}]
    """
    assert len(findings(text, "statefulset-service-not-headless")) == 1
    assert findings(text, "statefulset-service-selector-mismatch") == ()
    assert findings(text, "statefulset-service-missing") == ()


def test_service_missing_suggests_the_closest_headless_service():
    (finding,) = findings(
        es("es-0.es").replace("serviceName: es\n", "serviceName: ess\n"), "statefulset-service-missing"
    )
    assert "did you mean 'es'" in finding.hint


def test_sidecar_mounting_emptydir_data_counts_but_an_init_container_does_not():
    # Sidecars (init containers with restartPolicy: Always) run for the pod's life, like containers.
    # https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
    template = """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: cache, namespace: x}
    spec:
      serviceName: cache
      selector: {matchLabels: {app: cache}}
      template:
        metadata: {labels: {app: cache}}
        spec:
          initContainers:
            - name: helper
              image: busybox:1.36
              %s
              volumeMounts: [{name: store, mountPath: /store}]
          containers: [{name: main, image: busybox:1.36}]
          volumes: [{name: store, emptyDir: {}}]
    """
    assert len(findings(template % "restartPolicy: Always", "statefulset-ephemeral-storage")) == 1
    assert findings(template % "", "statefulset-ephemeral-storage") == ()


def test_scratch_paths_and_volume_names():
    for path in (
        "/tmp",
        "/tmp/x",
        "/var/run/app",
        "/dev/shm",
        "/etc/nginx/conf.d",
        "/opt/app/logs",
        "/opt/app/tmp/",
        "/csi",
    ):
        assert is_scratch_path(path), path
    for path in (
        "/data",
        "/var/lib/mysql",
        "/usr/share/elasticsearch/data",
        "/bitnami/redis/data",
        "/prometheus",
    ):
        assert not is_scratch_path(path), path
    assert is_scratch_volume("socket-dir") and is_scratch_volume("nginx_cache") and is_scratch_volume("tmp")
    assert (
        not is_scratch_volume("data")
        and not is_scratch_volume("redis-data")
        and not is_scratch_volume("empty-dir")
    )


def test_a_pods_own_name_as_a_single_label_is_an_info_naming_the_pod():
    # A pod's hostname (a StatefulSet pod's name, a bare Pod's name without spec.hostname) is in
    # its own /etc/hosts (the kubelet's managed hosts file), and the cluster DNS has no record for
    # it as a single label: records are `<hostname>.<subdomain>.<ns>.svc.<domain>`
    # (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-hostname-and-subdomain-fields).
    # Bitnami's Elasticsearch lists such names as its initial master nodes (node names).
    (finding,) = findings(es("es-1"), "dns-name-unresolved")
    assert finding.severity.value == "info"
    assert "hostname of a pod of StatefulSet/search/es" in finding.message
    assert "es-1.es" in finding.hint
    (finding,) = findings(es("es-3"), "dns-name-unresolved")  # no such ordinal: no pod's name
    assert finding.severity.value == "warning" and "there is no Service 'es-3'" in finding.message
    bare = """
    apiVersion: v1
    kind: Pod
    metadata: {name: %s, namespace: x}
    spec:
      %s
      containers: [{name: c, image: busybox:1.36}]
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: client, namespace: x}
    spec:
      containers: [{name: c, image: busybox:1.36, env: [{name: PEER_HOST, value: "busy"}]}]
    """
    (finding,) = findings(bare % ("busy", ""), "dns-name-unresolved")
    assert finding.severity.value == "info" and "hostname of Pod/x/busy" in finding.message
    (finding,) = findings(bare % ("busy", "hostname: other"), "dns-name-unresolved")
    assert finding.severity.value == "warning"  # that pod's hostname is `other`


def test_bare_pod_name_needs_hostname_subdomain_and_a_headless_service():
    # The endpoints controller copies pod.spec.hostname into the endpoint address only when
    # pod.spec.subdomain names the (headless) Service; the DNS server then publishes
    # <hostname>.<subdomain>.<ns>.svc.<domain>.
    # https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-hostname-and-subdomain-fields
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: sub, namespace: x}
    spec:
      %s
      selector: {app: bare}
      ports: [{port: 80}]
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: busy, namespace: x, labels: {app: bare}}
    spec:
      hostname: busy
      subdomain: sub
      containers: [{name: c, image: busybox:1.36, ports: [{containerPort: 8080}]}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: client, namespace: x}
    spec:
      selector: {matchLabels: {app: client}}
      template:
        metadata: {labels: {app: client}}
        spec:
          containers: [{name: c, image: busybox:1.36, env: [{name: A_HOST, value: "busy.sub:%s"}]}]
    """
    (finding,) = findings(text % ("", 8080), "dns-name-unresolved")
    assert "Service 'sub' (its spec.subdomain) is not headless" in finding.message
    assert findings(text % ("clusterIP: None", 8080), "dns-name-unresolved") == ()
    assert findings(text % ("clusterIP: None", 8080), "dns-port-not-exposed") == ()
    (finding,) = findings(text % ("clusterIP: None", 9090), "dns-port-not-exposed")
    assert "Pod/x/busy declares no port 9090" in finding.message


def test_emptydir_data_is_lost_when_a_pod_is_replaced_not_when_a_container_restarts():
    # "The data in an emptyDir volume is safe across container crashes"; it is deleted with the
    # pod (https://kubernetes.io/docs/concepts/storage/volumes/#emptydir)
    text = textwrap.dedent(
        """\
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: data}
        spec:
          serviceName: db
          replicas: 1
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: db:1, volumeMounts: [{name: data, mountPath: /var/lib/db}]}]
              volumes: [{name: data, emptyDir: {}}]
        """
    )
    [finding] = findings(text, "statefulset-ephemeral-storage")
    assert finding.message == (
        "data lives in emptyDir: 'data' at /var/lib/db (db); there are no volumeClaimTemplates, so "
        "every replacement of a pod (a rolling update, an eviction, a reschedule) starts empty"
    )
