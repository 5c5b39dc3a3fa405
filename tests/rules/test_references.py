"""Edge cases of the reference rules that the fixtures do not show, each with its upstream source."""

from __future__ import annotations

import textwrap

import pytest

from topo.api import analyze
from topo.config import Config
from topo.rules import RULES
from topo.rules.engine import run_rules


def findings(rule_id: str, text: str, external=(), **config):
    analysis = analyze(text=textwrap.dedent(text), config=Config(external=frozenset(external), **config))
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES[rule_id]])
    assert not results.rule_errors, results.rule_errors
    return results.findings


def fired_on(rule_id: str, text: str, external=(), **config) -> list[str]:
    return sorted(f.object for f in findings(rule_id, text, external, **config))


DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: c, image: nginx:1.27, ports: [{ports}]}}]
"""


def deployment(name: str, namespace: str = "shop", ports: str = "") -> str:
    return DEPLOYMENT.format(name=name, namespace=namespace, ports=ports)


# --- ingress-class-missing ---------------------------------------------------------------------


INGRESS_NAMING_NGINX = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: web, port: {number: 80}}}
"""


def test_class_is_not_checked_when_no_ingress_class_is_known():
    # The class is a cluster assumption until IngressClasses are declared or listed external
    # (issue 3: "... while IngressClasses are declared or configured").
    assert fired_on("ingress-class-missing", INGRESS_NAMING_NGINX) == []
    assert fired_on("ingress-class-missing", INGRESS_NAMING_NGINX, external=["IngressClass/traefik"]) == [
        "Ingress/shop/web"
    ]


def test_classless_ingress_is_served_by_a_controller_watching_ingresses_without_class():
    # ingress-nginx --watch-ingress-without-class=true serves Ingresses that name no class
    # (https://kubernetes.github.io/ingress-nginx/user-guide/k8s-122-migration/).
    text = """
    apiVersion: networking.k8s.io/v1
    kind: IngressClass
    metadata: {name: nginx}
    spec: {controller: k8s.io/ingress-nginx}
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web, namespace: shop}
    spec:
      defaultBackend: {service: {name: web, port: {number: 80}}}
    """
    assert fired_on("ingress-class-missing", text) == ["Ingress/shop/web"]
    controller = """
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ingress-nginx-controller, namespace: ingress-nginx}
    spec:
      selector: {matchLabels: {app: ingress-nginx}}
      template:
        metadata: {labels: {app: ingress-nginx}}
        spec:
          containers:
            - name: controller
              image: registry.k8s.io/ingress-nginx/controller:v1.11.2
              args: [/nginx-ingress-controller, --watch-ingress-without-class=true]
    """
    assert fired_on("ingress-class-missing", textwrap.dedent(text) + textwrap.dedent(controller)) == []


# --- ingress-route-conflict --------------------------------------------------------------------


def _ingress(
    name: str,
    namespace: str,
    service: str,
    path: str = "/api",
    host: str = "shop.example.com",
    extra: str = "",
):
    return f"""
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  {extra or "ingressClassName: nginx"}
  rules:
    - host: {host}
      http:
        paths:
          - {{path: {path}, pathType: Prefix, backend: {{service: {{name: {service}, port: {{number: 80}}}}}}}}
"""


def test_same_service_name_in_two_namespaces_is_two_backends():
    # An Ingress backend is a Service of the Ingress's own namespace: shop/api and blog/api differ.
    text = _ingress("a", "shop", "api") + _ingress("b", "blog", "api")
    assert fired_on("ingress-route-conflict", text) == ["Ingress/blog/b", "Ingress/shop/a"]


def test_prefix_root_is_not_normalised_away_and_exact_differs_from_prefix():
    text = _ingress("a", "shop", "web", path="/") + _ingress("b", "shop", "other", path="/other")
    assert fired_on("ingress-route-conflict", text) == []


# --- service-target-port-missing ---------------------------------------------------------------


def test_named_target_port_is_checked_per_selected_workload():
    # The endpoints controller resolves a named targetPort pod by pod (FindPort,
    # k8s.io/kubernetes pkg/api/v1/pod/util.go): only the workload without the name is reported.
    text = (
        deployment("web", ports="{name: http, containerPort: 8080}")
        + "---"
        + deployment("web-canary", ports="{name: web, containerPort: 8080}").replace(
            "app: web-canary", "app: web", 1
        )
        + """---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {tier: web}
  ports: [{name: http, port: 80, targetPort: http}]
"""
    )
    text = text.replace("labels: {app: web}", "labels: {app: web, tier: web}").replace(
        "labels: {app: web-canary}", "labels: {app: web-canary, tier: web}"
    )
    result = findings("service-target-port-missing", text)
    assert [f.related for f in result] == [("Deployment/shop/web-canary",)]


# --- service / PDB / NetworkPolicy selectors and operators ---------------------------------------


def test_selector_naming_an_operator_resource_is_not_flagged():
    # The Prometheus operator labels the pods of Prometheus `k8s` with prometheus=k8s; the pods are
    # not in the manifests, so the Service selecting them must not be reported.
    text = """
    apiVersion: monitoring.coreos.com/v1
    kind: Prometheus
    metadata: {name: k8s, namespace: monitoring}
    spec: {replicas: 2}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: prometheus-k8s, namespace: monitoring}
    spec:
      selector: {app.kubernetes.io/name: prometheus, prometheus: k8s}
      ports: [{name: web, port: 9090}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: typo, namespace: monitoring}
    spec:
      selector: {app: grafna}
      ports: [{port: 3000}]
    """
    assert fired_on("service-selects-nothing", text) == ["Service/monitoring/typo"]


def test_custom_resources_that_run_no_pods_do_not_excuse_a_selector():
    text = """
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata: {name: web, namespace: shop}
    spec: {secretName: web-tls, issuerRef: {name: letsencrypt}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    """
    assert fired_on("service-selects-nothing", text) == ["Service/shop/web"]


def test_live_pods_whose_owner_is_not_in_the_input_are_selected_through_a_stand_in():
    # A `kubectl get pods -o yaml` dump: the Pod stands for its ReplicaSet owner.
    text = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: web-7d9c-abcde
      namespace: shop
      labels: {app: web, pod-template-hash: 7d9c}
      ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, controller: true, uid: x}]
    spec:
      containers: [{name: web, image: nginx:1.27}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      selector: {app: web}
      ports: [{port: 80}]
    """
    assert fired_on("service-selects-nothing", text) == []


# --- networkpolicy-peer-selects-nothing ----------------------------------------------------------


def _policy(peer: str) -> str:
    return (
        deployment("carts")
        + f"""
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: carts, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: carts}}}}
  ingress:
    - from:
        - {peer}
"""
    )


NAMESPACES = """
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {team: ops}}
"""


@pytest.mark.parametrize(
    ("peer", "fires"),
    [
        # Declared Namespace: its labels are known, so a pinned name with a label it lacks matches nothing.
        ("namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring, team: sre}}", True),
        ("namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring, team: ops}}", False),
        # shop has objects but no Namespace object: labels other than its name are unknown.
        ("namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop, team: shop}}", False),
        # In with one existing name matches.
        (
            "namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [nope, monitoring]}]}",
            False,
        ),
        # NotIn does not pin names: namespaces outside the input may match.
        (
            "namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [shop]}]}",
            False,
        ),
        # monitoring exists but shows no workload in the input: its pods cannot be judged.
        (
            "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {app: x}}}",
            False,
        ),
        # Initial namespaces always exist (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces).
        ("namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-public}}", False),
        # A podSelector and ipBlock are exclusive upstream; an ipBlock peer is never checked.
        ("ipBlock: {cidr: 192.168.0.0/16}", False),
    ],
)
def test_namespace_selector_semantics(peer, fires):
    result = fired_on("networkpolicy-peer-selects-nothing", _policy(peer) + NAMESPACES)
    assert result == (["NetworkPolicy/shop/carts"] if fires else [])


def test_invalid_peer_selector_is_a_load_error_not_a_finding():
    # The API server rejects an unknown operator (LabelSelectorAsSelector); topo reports it as a
    # load error naming the field, and the policy is not analysed.
    text = _policy("podSelector: {matchExpressions: [{key: app, operator: Bogus}]}") + NAMESPACES
    analysis = analyze(text=textwrap.dedent(text))
    assert any("ingress[0].from[0].podSelector" in error.message for error in analysis.load_errors)


def test_ingress_controller_namespace_from_config_exists():
    peer = "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}"
    from topo.config import IngressControllerConfig

    assert fired_on("networkpolicy-peer-selects-nothing", _policy(peer)) == ["NetworkPolicy/shop/carts"]
    controller = IngressControllerConfig(namespace="ingress-nginx", pod_labels={"app": "ingress-nginx"})
    assert fired_on("networkpolicy-peer-selects-nothing", _policy(peer), ingress_controller=controller) == []


# --- config-ref-missing ----------------------------------------------------------------------------


def _pod_using(volumes: str, env: str = "[]") -> str:
    return f"""
apiVersion: v1
kind: Pod
metadata: {{name: app, namespace: shop}}
spec:
  containers: [{{name: app, image: example/app:1.0, env: {env}}}]
  volumes: {volumes}
"""


def test_a_reference_required_anywhere_is_required():
    # optional applies per reference (https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/#optional-configmaps).
    text = _pod_using(
        "[{name: a, configMap: {name: settings, optional: true}}]",
        "[{name: X, valueFrom: {configMapKeyRef: {name: settings, key: x}}}]",
    )
    assert fired_on("config-ref-missing", text) == ["Pod/shop/app"]


@pytest.mark.parametrize(
    "producer",
    [
        # external-secrets writes spec.target.name (https://external-secrets.io/latest/api/externalsecret/).
        "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: db, namespace: shop}\n"
        "spec: {target: {name: db-credentials}, secretStoreRef: {name: vault}}",
        # cert-manager writes a Certificate's spec.secretName (https://cert-manager.io/docs/usage/certificate/).
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: db, namespace: shop}\n"
        "spec: {secretName: db-credentials, issuerRef: {name: ca}}",
    ],
)
def test_secrets_created_by_controllers_of_the_input_exist(producer):
    text = _pod_using("[{name: a, secret: {secretName: db-credentials}}]") + "---\n" + producer
    assert fired_on("config-ref-missing", text) == []


def test_image_pull_secrets_are_not_checked():
    text = _pod_using("[]").replace("containers:", "imagePullSecrets: [{name: regcred}]\n  containers:")
    assert fired_on("config-ref-missing", text) == []


# --- storage -----------------------------------------------------------------------------------


CLAIM = """
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data, namespace: db{extra_meta}}}
spec:
  {class_line}
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 10Gi}}}}
{status}
"""


def claim(class_line: str = "", extra_meta: str = "", status: str = "") -> str:
    return CLAIM.format(class_line=class_line, extra_meta=extra_meta, status=status)


LOCAL_DEFAULT = """
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
"""


def test_unset_class_uses_the_declared_default_class():
    # DefaultStorageClass admission sets the default class on claims without one
    # (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#class-1).
    assert fired_on("pvc-unbound", LOCAL_DEFAULT + claim()) == ["PersistentVolumeClaim/db/data"]


def test_claims_topo_cannot_judge_stay_quiet():
    assert fired_on("pvc-unbound", claim()) == []  # the cluster's default class, unknown here
    # A live object that the cluster reports bound.
    assert fired_on("pvc-unbound", LOCAL_DEFAULT + claim(status="status: {phase: Bound}")) == []
    # A pre-created volume listed external may fit.
    assert fired_on("pvc-unbound", LOCAL_DEFAULT + claim(), external=["PersistentVolume/nfs-1"]) == []


def test_wait_for_first_consumer_without_provisioner_or_volume_is_unbound_even_unmounted():
    # WaitForFirstConsumer delays binding until a pod is scheduled; with kubernetes.io/no-provisioner
    # and no fitting PV it cannot bind even then
    # (https://kubernetes.io/docs/concepts/storage/storage-classes/#local).
    wffc = LOCAL_DEFAULT + "volumeBindingMode: WaitForFirstConsumer\n"
    assert fired_on("pvc-unbound", wffc + claim()) == ["PersistentVolumeClaim/db/data"]


def test_a_class_carried_by_a_pv_is_not_missing_and_the_unfit_claim_is_reported_once():
    # No StorageClass `manual` exists, but a PV of class `manual` does: static binding matches on
    # the name (https://kubernetes.io/docs/tasks/configure-pod-container/configure-persistent-volume-storage/).
    volume = """
apiVersion: v1
kind: PersistentVolume
metadata: {name: small}
spec:
  storageClassName: manual
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
"""
    text = volume + claim("storageClassName: manual")
    assert fired_on("storageclass-missing", text) == []
    assert fired_on("pvc-unbound", text) == ["PersistentVolumeClaim/db/data"]
    # Without the PV, only storageclass-missing reports the root cause.
    assert fired_on("storageclass-missing", claim("storageClassName: manual")) == [
        "PersistentVolumeClaim/db/data"
    ]
    assert fired_on("pvc-unbound", claim("storageClassName: manual")) == []


def test_a_statefulsets_claim_template_with_a_missing_class_is_one_finding_at_its_class():
    """Each ordinal gets its own claim from the template (`<template>-<statefulset>-<ordinal>`,
    https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates),
    but the class is written once: one finding, on the first claim, at the template's line."""
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: store, namespace: db}
spec:
  serviceName: store
  replicas: 3
  selector: {matchLabels: {app: store}}
  template:
    metadata: {labels: {app: store}}
    spec: {containers: [{name: store, image: minio/minio:1}]}
  volumeClaimTemplates:
  - metadata: {name: cache}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast-ssd
      resources: {requests: {storage: 10Gi}}
"""
    analysis = analyze(text=text, name="store.yaml")
    [finding] = [f for f in analysis.findings().findings if f.rule == "storageclass-missing"]
    assert finding.object == "PersistentVolumeClaim/db/data-store-0"
    assert finding.message.endswith(
        "(volumeClaimTemplate 'data' of StatefulSet/db/store: all 3 of its claims)"
    )
    one = text.replace("replicas: 3", "replicas: 1")
    [single] = [f for f in analyze(text=one).findings().findings if f.rule == "storageclass-missing"]
    assert single.message.endswith("(volumeClaimTemplate 'data' of StatefulSet/db/store)")
    assert finding.related == ("StorageClass/fast-ssd", "StatefulSet/db/store")
    assert (finding.source.file, finding.source.line) == ("store.yaml", 18)


# --- duplicate-object --------------------------------------------------------------------------


def test_three_declarations_give_one_finding_naming_every_place():
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\n"
    result = findings("duplicate-object", "---\n".join([doc, doc, doc]))
    assert len(result) == 1
    assert "declared 3 times" in result[0].message
    assert "<stdin>:1" in result[0].message and "<stdin>:5" in result[0].message


def test_alb_actions_are_not_services():
    # AWS Load Balancer Controller: `port: {name: use-annotation}` names an action annotation
    # (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#actions).
    text = """
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      namespace: shop
      annotations:
        alb.ingress.kubernetes.io/actions.ssl-redirect: '{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}'
    spec:
      ingressClassName: alb
      rules:
        - http:
            paths:
              - {path: /, pathType: Prefix, backend: {service: {name: ssl-redirect, port: {name: use-annotation}}}}
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: use-annotation}}}}
    """
    assert [f.message.split("'")[1] for f in findings("ingress-backend-missing", text)] == ["web"]


def test_legacy_annotation_served_by_a_controller_flag_needs_no_ingress_class():
    # ingress-nginx --ingress-class=NAME serves Ingresses annotated kubernetes.io/ingress.class: NAME
    # (https://kubernetes.github.io/ingress-nginx/user-guide/multiple-ingress/).
    text = """
    apiVersion: networking.k8s.io/v1
    kind: IngressClass
    metadata: {name: nginx}
    spec: {controller: k8s.io/ingress-nginx}
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: web, namespace: shop, annotations: {kubernetes.io/ingress.class: nginx-internal}}
    spec:
      defaultBackend: {service: {name: web, port: {number: 80}}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: internal-controller, namespace: ingress-nginx}
    spec:
      selector: {matchLabels: {app: internal}}
      template:
        metadata: {labels: {app: internal}}
        spec:
          containers: [{name: c, image: registry.k8s.io/ingress-nginx/controller:v1.11.2, args: [--ingress-class=nginx-internal]}]
    """
    assert fired_on("ingress-class-missing", text) == []


def test_istio_root_cert_exists_for_injected_pods():
    # istiod publishes ConfigMap istio-ca-root-cert into every namespace (CACertNamespaceConfigMap,
    # istio/istio pilot/pkg/serviceregistry/kube/controller/namespacecontroller.go).
    pod = _pod_using("[{name: istiod-ca-cert, configMap: {name: istio-ca-root-cert}}]")
    assert fired_on("config-ref-missing", pod) == ["Pod/shop/app"]
    injected = pod.replace(
        "namespace: shop}", "namespace: shop, annotations: {sidecar.istio.io/status: '{}'}}"
    )
    assert fired_on("config-ref-missing", injected) == []


def test_kube_system_pods_are_never_judged():
    # A manifest set that deploys one component into kube-system does not show CoreDNS, which the
    # DNS egress peer selects (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name).
    peer = "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}"
    text = _policy(peer) + "---\n" + deployment("metrics-server", namespace="kube-system")
    assert fired_on("networkpolicy-peer-selects-nothing", text) == []


CERTGEN = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: certgen, namespace: edge}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: certgen, namespace: edge}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: certgen, namespace: edge}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: certgen}
subjects: [{kind: ServiceAccount, name: certgen, namespace: edge}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: gate-webhook-create, namespace: edge}
spec:
  template:
    spec:
      serviceAccountName: certgen
      restartPolicy: OnFailure
      containers: [{name: create, image: certgen:1, args: [create, --secret-name=gate-webhook]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: gate-webhook-patch, namespace: edge}
spec:
  template:
    spec:
      serviceAccountName: certgen
      restartPolicy: OnFailure
      containers: [{name: patch, image: certgen:1, args: [patch, --secret-name=gate-webhook]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: gate-webhook, namespace: edge}
spec:
  template:
    spec:
      serviceAccountName: certgen
      restartPolicy: OnFailure
      containers: [{name: unrelated, image: tool:1, args: [migrate]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gate, namespace: edge}
spec:
  selector: {matchLabels: {app: gate}}
  template:
    metadata: {labels: {app: gate}}
    spec:
      containers: [{name: gate, image: gate:1, volumeMounts: [{name: cert, mountPath: /cert}]}]
      volumes: [{name: cert, secret: {secretName: gate-webhook}}]
"""


def test_the_job_whose_arguments_create_the_secret_is_named_as_its_creator():
    # ingress-nginx's admission webhook: one Job runs `create --secret-name=X`, another
    # `patch --secret-name=X` reads it; a third Job of the same account with the closest name but
    # another task says nothing of the Secret
    [finding] = findings("config-ref-missing", CERTGEN)
    assert "probably created at run time by Job/edge/gate-webhook-create " in finding.message


CA_INIT = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: tls-init, namespace: mesh}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: acl-init, namespace: mesh}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secrets, namespace: mesh}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: secrets, namespace: mesh}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secrets}
subjects:
  - {kind: ServiceAccount, name: tls-init, namespace: mesh}
  - {kind: ServiceAccount, name: acl-init, namespace: mesh}
---
apiVersion: batch/v1
kind: Job
metadata: {name: consul-tls-init, namespace: mesh}
spec:
  template:
    spec:
      serviceAccountName: tls-init
      restartPolicy: OnFailure
      containers: [{name: tls-init, image: control-plane:1, command: [/bin/sh, -ec, "exec tls-init -name-prefix=consul"]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: consul-server-acl-init, namespace: mesh}
spec:
  template:
    spec:
      serviceAccountName: acl-init
      restartPolicy: OnFailure
      containers: [{name: acl-init, image: control-plane:1, volumeMounts: [{name: ca, mountPath: /ca}]}]
      volumes: [{name: ca, secret: {secretName: consul-ca-cert}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gateway, namespace: mesh}
spec:
  selector: {matchLabels: {app: gateway}}
  template:
    metadata: {labels: {app: gateway}}
    spec:
      containers: [{name: gateway, image: envoy:1, volumeMounts: [{name: ca, mountPath: /ca}]}]
      volumes: [{name: ca, secret: {secretName: consul-ca-cert}}]
"""


def test_a_workload_that_mounts_the_secret_is_never_named_as_its_creator():
    # Consul's chart: tls-init creates consul-ca-cert; server-acl-init, whose name is as close to
    # the Secret's, mounts it. The kubelet mounts every volume before it starts any container, init
    # containers included (pkg/kubelet/kubelet.go SyncPod → volumemanager WaitForAttachAndMount),
    # so a pod whose volume needs the Secret cannot be the one that creates it.
    by_object = {f.object: f.message for f in findings("config-ref-missing", CA_INIT)}
    assert "probably created at run time by Job/mesh/consul-tls-init " in by_object["Deployment/mesh/gateway"]
    assert (
        "probably created at run time by Job/mesh/consul-tls-init "
        in by_object["Job/mesh/consul-server-acl-init"]
    )
    # the same Secret mounted `optional: true` does not hold the pod back: it may create it
    optional = CA_INIT.replace(
        "secret: {secretName: consul-ca-cert}}]\n---\napiVersion: apps/v1",
        "secret: {secretName: consul-ca-cert, optional: true}}]\n---\napiVersion: apps/v1",
    )
    assert optional != CA_INIT
    by_object = {f.object: f.message for f in findings("config-ref-missing", optional)}
    assert (
        "probably created at run time by Job/mesh/consul-server-acl-init "
        in by_object["Deployment/mesh/gateway"]
    )


def test_a_policy_in_a_namespace_without_workloads_says_its_pods_are_not_seen():
    """ECK's soft multi-tenancy profile ships policies for the pods its operator will create in
    tenant namespaces: "isolates no pod" would claim what the input cannot show."""
    policy = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: es, namespace: {namespace}}}
spec:
  podSelector: {{matchLabels: {{type: elasticsearch}}}}
  policyTypes: [Ingress]
---
"""
    [tenant] = findings(
        "networkpolicy-selects-nothing", policy.format(namespace="team-a") + deployment("web")
    )
    assert tenant.message.endswith(
        "the policy isolates no pod of the input (the namespace holds none: pods created there by an "
        "operator or another install are not seen)"
    )
    [shop] = findings("networkpolicy-selects-nothing", policy.format(namespace="shop") + deployment("web"))
    assert shop.message.endswith(": the policy isolates no pod")
