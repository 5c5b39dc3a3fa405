"""config-ref-missing: what counts as present (controllers of the input, Istio's root certificate)
and which workload is named as the probable creator of an object made at run time."""

from __future__ import annotations

import pytest
import yaml
from reference_support import findings, fired_on


def _pod_using(volumes: str, env: str = "[]") -> str:
    """A Pod whose container mounts every volume (the kubelet skips a volume no container mounts)."""
    mounts = ", ".join(f"{{name: {v['name']}, mountPath: /v/{v['name']}}}" for v in yaml.safe_load(volumes))
    return f"""
apiVersion: v1
kind: Pod
metadata: {{name: app, namespace: shop}}
spec:
  containers: [{{name: app, image: example/app:1.0, env: {env}, volumeMounts: [{mounts}]}}]
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


def test_istio_root_cert_exists_for_injected_pods():
    # istiod publishes ConfigMap istio-ca-root-cert into every namespace (CACertNamespaceConfigMap,
    # istio/istio pilot/pkg/serviceregistry/kube/controller/namespacecontroller.go).
    pod = _pod_using("[{name: istiod-ca-cert, configMap: {name: istio-ca-root-cert}}]")
    assert fired_on("config-ref-missing", pod) == ["Pod/shop/app"]
    injected = pod.replace(
        "namespace: shop}", "namespace: shop, annotations: {sidecar.istio.io/status: '{}'}}"
    )
    assert fired_on("config-ref-missing", injected) == []


def _account_creating_secrets(name: str, namespace: str) -> str:
    """A ServiceAccount `name` granted get and create on Secrets in `namespace` (a Role)."""
    return f"""
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: {namespace}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: {name}, namespace: {namespace}}}
rules: [{{apiGroups: [""], resources: [secrets], verbs: [get, create]}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: {name}, namespace: {namespace}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {name}}}
subjects: [{{kind: ServiceAccount, name: {name}, namespace: {namespace}}}]
---"""


CERTGEN = (
    _account_creating_secrets("certgen", "edge")
    + """
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
)


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


CEPH_TOOLBOX = """
apiVersion: ceph.rook.io/v1
kind: CephCluster
metadata: {name: rook-ceph, namespace: rook-ceph}
spec: {cephVersion: {image: quay.io/ceph/ceph:v19}, dataDirHostPath: /var/lib/rook}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: rook-ceph-tools, namespace: rook-ceph}
spec:
  selector: {matchLabels: {app: rook-ceph-tools}}
  template:
    metadata: {labels: {app: rook-ceph-tools}}
    spec:
      containers:
        - name: tools
          image: quay.io/ceph/ceph:v19
          env: [{name: ROOK_CEPH_SECRET, valueFrom: {secretKeyRef: {name: rook-ceph-mon, key: ceph-secret}}}]
          volumeMounts: [{name: mon-endpoints, mountPath: /etc/rook}, {name: settings, mountPath: /etc/tools}]
      volumes:
        - {name: mon-endpoints, configMap: {name: rook-ceph-mon-endpoints}}
        - {name: settings, configMap: {name: toolbox-settings}}
"""


def test_a_config_object_named_after_a_custom_resource_of_its_namespace_is_probably_the_operators():
    """rook/rook deploy/charts/rook-ceph-cluster with `toolbox.enabled`: the toolbox reads the
    Secret `rook-ceph-mon` and the ConfigMap `rook-ceph-mon-endpoints`, which the Rook operator
    writes when it reconciles the chart's CephCluster `rook-ceph` (rook/rook
    pkg/operator/ceph/cluster/mon/config.go, mon/spec.go; the chart alone has no operator to name
    as creator). A Secret or ConfigMap named after a custom resource of its namespace (its name,
    or its name and a suffix or prefix after `-`), as operators name what they make
    (CloudNativePG `<cluster>-app`, ECK `<name>-es-elastic-user`), is a warning naming that
    resource, as dns-name-unresolved does for Services; a name unlike any resource stays an error."""
    by_name = {f.message.split("'")[1]: f for f in findings("config-ref-missing", CEPH_TOOLBOX)}
    assert by_name["rook-ceph-mon"].severity.value == "warning"
    assert by_name["rook-ceph-mon"].message.endswith(
        "; probably created at run time by the operator of CephCluster/rook-ceph/rook-ceph, "
        "a custom resource of that namespace named like it"
    )
    assert by_name["rook-ceph-mon-endpoints"].severity.value == "warning"
    assert by_name["toolbox-settings"].severity.value == "error"
    # In another namespace the resource proves nothing.
    elsewhere = CEPH_TOOLBOX.replace(
        "metadata: {name: rook-ceph, namespace: rook-ceph}", "metadata: {name: rook-ceph, namespace: storage}"
    )
    assert {f.severity.value for f in findings("config-ref-missing", elsewhere)} == {"error"}


SCRIPTED_SECRET = (
    _account_creating_secrets("idp", "idp")
    + """
apiVersion: batch/v1
kind: Job
metadata: {name: idp-setup, namespace: idp}
spec:
  template:
    spec:
      serviceAccountName: idp
      restartPolicy: OnFailure
      containers:
        - name: login-client-pat
          image: kubectl:1
          command:
            - sh
            - -c
            - |
              if [ -f /login-client/pat ]; then
                kubectl --namespace=idp create secret generic login-client \\
                  --from-file=pat=/login-client/pat --dry-run=client --output=yaml | kubectl apply --filename=-;
              fi;
          volumeMounts: [{name: login-client, mountPath: /login-client}]
      volumes: [{name: login-client, emptyDir: {}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: idp-cleanup, namespace: idp}
spec:
  template:
    spec:
      serviceAccountName: idp
      restartPolicy: Never
      containers:
        - name: cleanup
          image: kubectl:1
          command: [sh, -c, "kubectl --namespace=idp delete secret --selector='app.kubernetes.io/managed-by=idp'"]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: idp-login, namespace: idp}
spec:
  selector: {matchLabels: {app: login}}
  template:
    metadata: {labels: {app: login}}
    spec:
      containers: [{name: login, image: login:1, volumeMounts: [{name: pat, mountPath: /pat}]}]
      volumes: [{name: pat, secret: {secretName: login-client}}]
"""
)


def test_the_job_whose_shell_script_creates_the_secret_is_named_as_its_creator():
    # ZITADEL's chart (zitadel/zitadel-charts charts/zitadel, job_setup.yaml and job_cleanup.yaml):
    # the setup Job's sidecar runs `sh -c "... kubectl create secret generic login-client ..."`,
    # the cleanup Job of the same ServiceAccount, whose name is closer to `login-client`, deletes
    # the chart's Secrets. A script is one argument: its words name the Secret and say `create`.
    [finding] = findings("config-ref-missing", SCRIPTED_SECRET)
    assert "probably created at run time by Job/idp/idp-setup " in finding.message


def test_a_helm_hook_of_the_delete_or_test_phases_is_never_the_probable_creator():
    # helm.sh/docs/topics/charts_hooks: a `post-delete` hook runs when the release is uninstalled,
    # a `test` hook on `helm test`: neither runs before what the install needs. ZITADEL's cleanup
    # Job is `helm.sh/hook: post-delete`.
    setup_start = SCRIPTED_SECRET.index("apiVersion: batch/v1\nkind: Job\nmetadata: {name: idp-setup")
    cleanup_start = SCRIPTED_SECRET.index("apiVersion: batch/v1\nkind: Job\nmetadata: {name: idp-cleanup")
    without_setup = SCRIPTED_SECRET[:setup_start] + SCRIPTED_SECRET[cleanup_start:]
    [named] = findings("config-ref-missing", without_setup)
    assert "probably created at run time by Job/idp/idp-cleanup " in named.message
    for phases in ("post-delete", "pre-delete,post-delete", "test"):
        hooked = without_setup.replace(
            "metadata: {name: idp-cleanup, namespace: idp}",
            f'metadata: {{name: idp-cleanup, namespace: idp, annotations: {{helm.sh/hook: "{phases}"}}}}',
        )
        [finding] = findings("config-ref-missing", hooked)
        assert "probably created" not in finding.message and finding.severity.value == "error", phases
    installs_too = without_setup.replace(
        "metadata: {name: idp-cleanup, namespace: idp}",
        'metadata: {name: idp-cleanup, namespace: idp, annotations: {helm.sh/hook: "post-install,post-delete"}}',
    )
    [finding] = findings("config-ref-missing", installs_too)
    assert "probably created at run time by Job/idp/idp-cleanup " in finding.message


def test_a_volume_no_container_mounts_is_never_read():
    """kubescape/helm-charts charts/kubescape-operator: with ClamAV off (the default) the
    node-agent DaemonSet keeps the `etc` volume of ConfigMap `clamav`, which only the ClamAV
    container mounts and only that option creates. The kubelet sets up only the volumes some
    container mounts (k8s.io/kubernetes pkg/kubelet/volumemanager/populator/
    desired_state_of_world_populator.go, processPodVolumes: "Skipping unused volume"), so the
    missing ConfigMap never keeps the pod from starting, and its keys are never read."""
    unmounted = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: kubescape}
spec:
  selector: {matchLabels: {app: node-agent}}
  template:
    metadata: {labels: {app: node-agent}}
    spec:
      containers: [{name: node-agent, image: quay.io/kubescape/node-agent:1}]
      volumes:
        - {name: etc, configMap: {name: clamav, items: [{key: clamd.conf, path: clamd.conf}]}}
        - {name: token, projected: {sources: [{secret: {name: cloud-secret}}]}}
"""
    assert fired_on("config-ref-missing", unmounted) == []
    present = (
        unmounted + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: clamav, namespace: kubescape}\n"
    )
    assert fired_on("config-key-missing", present + "data: {other: x}\n") == []
    # Mounted by any container — an init container too — the volume is set up and needed.
    mounted_by_init = unmounted.replace(
        "      containers:",
        "      initContainers: [{name: init, image: busybox, volumeMounts: [{name: etc, mountPath: /etc/clamav}]}]\n"
        "      containers:",
    )
    assert fired_on("config-ref-missing", mounted_by_init) == ["DaemonSet/kubescape/node-agent"]
    assert [f.message.split("'")[1] for f in findings("config-ref-missing", mounted_by_init)] == ["clamav"]
