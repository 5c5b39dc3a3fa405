"""egress-blocks-dns: an error where the isolated pods look up names, a warning where they
appear to use only IP addresses.

Upstream sources:
- an in-cluster client reaches the API server at `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`
  (k8s.io/client-go rest/config.go, InClusterConfig), and the kubelet always sets those variables
  to Service default/kubernetes's cluster IP, even with enableServiceLinks false
  (k8s.io/kubernetes pkg/kubelet/kubelet_pods.go, getServiceEnvVarMap): no name lookup;
- a NetworkPolicy egress rule without `to` admits every destination; `ipBlock` peers admit
  addresses, pod and namespace selectors admit pods
  (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors).
The shapes are the real ones: Sealed Secrets' chart (`networkPolicy.egress.kubeapiCidr`, an
ipBlock to the API server only: a warning), and Reloader's (`reloader.netpol.enabled`: TCP 443
to anywhere) and External Secrets' (`networkPolicy.egress` with TCP 443): errors, since the same
shape serves an API-server-only controller and one that calls its providers by name.
"""

from __future__ import annotations

import pytest
from reference_support import findings as rule_findings

from topo.rules.registry import ERROR, WARNING


def findings(text: str):
    return rule_findings("egress-blocks-dns", text)


def controller_policy(egress: str) -> str:
    """The controller's NetworkPolicy; `egress` is its egress rules (omitted policyTypes default to
    Ingress plus Egress when egress rules exist)."""
    return f"""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: controller, namespace: ops}}
spec:
  podSelector: {{matchLabels: {{app: controller}}}}
  egress:
{egress}"""


API_SERVER_ONLY = controller_policy(
    "    - to: [{ipBlock: {cidr: 10.0.0.1/32}}]\n      ports: [{protocol: TCP, port: 6443}]\n"
)
PORT_TO_ANYWHERE = controller_policy("    - ports: [{port: 443}]\n")


def controller(
    containers: str = "[{name: c, image: controller:1.0, args: [--log-format=json]}]", extra: str = ""
) -> str:
    return f"""
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: controller, namespace: ops}}
spec:
  selector: {{matchLabels: {{app: controller}}}}
  template:
    metadata: {{labels: {{app: controller}}}}
    spec:
      containers: {containers}
{extra}
"""


def test_pods_that_name_no_host_behind_an_address_only_egress_get_a_warning():
    (finding,) = findings(API_SERVER_ONLY + controller())
    assert finding.severity == WARNING
    assert "appear to use only IP addresses" in finding.message
    assert "$KUBERNETES_SERVICE_HOST" in finding.message


@pytest.mark.parametrize(
    "policy",
    [
        PORT_TO_ANYWHERE,
        controller_policy("    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n      ports: [{port: 443}]\n"),
        controller_policy("    - to: [{ipBlock: {cidr: 10.0.0.0/8}}]\n"),
    ],
    ids=["port-anywhere", "internet-ipblock", "private-range"],
)
def test_a_way_out_to_wide_addresses_stays_an_error_whatever_topo_sees(policy):
    # External Secrets with `networkPolicy.egress: [{ports: [{port: 443}]}]` and no DNS reaches
    # its providers (secretsmanager.<region>.amazonaws.com, a Vault address in a SecretStore) by
    # name, and fails: such a rule says nothing about names, unlike a list of a few addresses.
    (finding,) = findings(policy + controller())
    assert finding.severity == ERROR


@pytest.mark.parametrize(
    "containers, extra, evidence",
    [
        # a host name in an env value: an external one too (no `calls` edge)
        (
            "[{name: c, image: c:1, env: [{name: ALERT_WEBHOOK_URL, value: 'https://hooks.slack.com/x'}]}]",
            "",
            "names the host hooks.slack.com",
        ),
        # the API server by name: the calls linker leaves it out, the resolver still asks kube-dns
        (
            "[{name: c, image: c:1, args: ['--master=https://kubernetes.default.svc']}]",
            "",
            "kubernetes.default.svc",
        ),
        # a Service of the input by name: a `calls` edge
        ("[{name: c, image: c:1, env: [{name: DB_HOST, value: db}]}]", "", "they call db by name"),
        # a value topo cannot read
        (
            "[{name: c, image: c:1, env: [{name: URL, valueFrom: {secretKeyRef: {name: hooks, key: url}}}]}]",
            "",
            "they read Secret hooks",
        ),
        (
            "[{name: c, image: c:1, envFrom: [{configMapRef: {name: settings}}]}]",
            "",
            "ConfigMap settings (spec.template.spec.containers[0].envFrom[0].configMapRef), which is not in the input",
        ),
        # a host name in a ConfigMap the pods mount
        (
            "[{name: c, image: c:1, volumeMounts: [{name: conf, mountPath: /etc/c}]}]",
            """      volumes: [{name: conf, configMap: {name: conf}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: ops}
data: {config.yaml: "upstream: https://api.example.org/v1\\n"}
""",
            "names the host api.example.org",
        ),
    ],
    ids=["external-url", "apiserver-by-name", "service-name", "secret", "missing-configmap", "configmap-url"],
)
def test_pods_that_name_a_host_or_read_unseen_config_stay_an_error(containers, extra, evidence):
    text = API_SERVER_ONLY + controller(containers, extra)
    if "DB_HOST" in containers:
        text += "---\napiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: ops}\nspec: {ports: [{port: 5432}]}\n"
    (finding,) = findings(text)
    assert finding.severity == ERROR
    assert evidence in finding.message


def test_an_egress_rule_to_pods_keeps_the_error_the_pods_reach_them_by_service_name():
    policy = API_SERVER_ONLY + "    - to: [{podSelector: {matchLabels: {app: db}}}]\n"
    (finding,) = findings(policy + controller())
    assert finding.severity == ERROR
    assert finding.message.endswith("name lookups fail")


def test_a_default_deny_egress_that_admits_nothing_stays_an_error():
    # No egress rule at all: nothing says where the pods were meant to go.
    policy = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: ops}
spec:
  podSelector: {}
  policyTypes: [Egress]
"""
    (finding,) = findings(policy + controller())
    assert finding.severity == ERROR


def test_the_root_ca_configmap_and_pull_secrets_hold_no_host_names():
    # kube-root-ca.crt is published into every namespace by the root-ca-cert-publisher controller
    # (https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#serviceaccount-token-volume-projection)
    extra = """      imagePullSecrets: [{name: registry}]
      volumes:
        - name: token
          projected:
            sources:
              - serviceAccountToken: {path: token}
              - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}
"""
    (finding,) = findings(API_SERVER_ONLY + controller(extra=extra))
    assert finding.severity == WARNING


SECRET_READER = "[{name: c, image: c:1, envFrom: [{secretRef: {name: settings}}]}]"


def secret(string_data: str) -> str:
    return f"""---
apiVersion: v1
kind: Secret
metadata: {{name: settings, namespace: ops}}
stringData: {string_data}
"""


def test_a_secret_of_the_input_is_read_for_host_names_like_a_configmap():
    # Its text is scanned as the calls linker scans it (stringData over decoded data): an address
    # there is a name lookup; credentials alone are not.
    with_url = findings(
        API_SERVER_ONLY + controller(SECRET_READER) + secret("{WEBHOOK_URL: 'https://hooks.example.org/x'}")
    )
    assert [
        (f.severity, "Secret/ops/settings key WEBHOOK_URL names the host hooks.example.org" in f.message)
        for f in with_url
    ] == [(ERROR, True)]
    (credentials_only,) = findings(
        API_SERVER_ONLY + controller(SECRET_READER) + secret("{DB_PASSWORD: s3cr3t}")
    )
    assert credentials_only.severity == WARNING
    assert "s3cr3t" not in credentials_only.message
