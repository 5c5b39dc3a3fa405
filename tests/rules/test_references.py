"""Edge cases of the reference rules that the fixtures do not show, each with its upstream source."""

from __future__ import annotations

import textwrap

import pytest
from reference_support import deployment, findings, fired_on

from topo.api import analyze

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


def test_a_target_port_that_is_no_valid_port_name_is_left_to_manifest_invalid():
    # The API server rejects a Service whose string targetPort is not an IANA_SVC_NAME
    # (validateServicePort, k8s.io/kubernetes pkg/apis/core/validation/validation.go:
    # IsValidPortName), so no endpoints are ever computed for it: manifest-invalid says so once.
    # Prow's starter-azure.yaml leaves `targetPort: $MINIO_CONSOLE_PORT` for envsubst to fill.
    text = (
        deployment("minio", ports="{name: api, containerPort: 9000}")
        + """---
apiVersion: v1
kind: Service
metadata: {name: minio-console, namespace: shop}
spec:
  selector: {app: minio}
  ports: [{name: console, port: 8003, targetPort: $MINIO_CONSOLE_PORT}, {name: http, port: 80, targetPort: http}]
"""
    )
    result = findings("service-target-port-missing", text)
    assert [f.path for f in result] == ["spec.ports[1].targetPort"]
    assert fired_on("manifest-invalid", text) == ["Service/shop/minio-console"]


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


ROLLOUT_ALB = """
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  strategy:
    canary:
      trafficRouting: {alb: {ingress: web, servicePort: 80, rootService: web-root}}
      canaryService: web-canary
      stableService: web-stable
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: shop/web:1}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: alb
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web-root, port: {name: use-annotation}}}}
          - {path: /api, pathType: Prefix, backend: {service: {name: web-stable, port: {name: use-annotation}}}}
"""
ROLLOUT_ALB_SERVICES = "".join(
    f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: shop}}\n"
    "spec: {selector: {app: web}, ports: [{name: http, port: 80}]}\n"
    for name in ("web-root", "web-canary", "web-stable")
)


def test_rollout_alb_action_backend_is_not_a_service_port():
    # argoproj/argo-rollouts rollout/trafficrouting/alb/alb.go SetWeight and utils/ingress/ingress.go
    # ALBActionAnnotationKey: the controller writes `alb.ingress.kubernetes.io/actions.<rootService,
    # else stableService>` onto the Ingress of `trafficRouting.alb`, so the manifest has the
    # `use-annotation` backend without the annotation. Another backend with that port stays a finding.
    text = ROLLOUT_ALB + ROLLOUT_ALB_SERVICES
    result = findings("ingress-backend-port-missing", text)
    assert [f.message.split(" (")[1].split(")")[0] for f in result] == ["*/api"]
    # without the Services, the action's Service is not a missing backend; web-stable still is
    missing = findings("ingress-backend-missing", ROLLOUT_ALB)
    assert [f.message.split("'")[1] for f in missing] == ["web-stable"]


def test_rollout_alb_action_without_root_service_is_the_stable_service():
    text = ROLLOUT_ALB.replace(", rootService: web-root", "") + ROLLOUT_ALB_SERVICES
    result = findings("ingress-backend-port-missing", text)
    assert [f.message.split(" (")[1].split(")")[0] for f in result] == ["*/"]


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


def test_kube_system_pods_are_never_judged():
    # A manifest set that deploys one component into kube-system does not show CoreDNS, which the
    # DNS egress peer selects (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name).
    peer = "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}"
    text = _policy(peer) + "---\n" + deployment("metrics-server", namespace="kube-system")
    assert fired_on("networkpolicy-peer-selects-nothing", text) == []


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
